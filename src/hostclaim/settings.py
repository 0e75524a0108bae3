"""One typed settings object: ``HOSTCLAIM_*`` environment variables, overridable per call."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(user_data_dir("hostclaim", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOSTCLAIM_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    """Where the case database and the evidence locker live."""

    database_url: str | None = None
    """SQLAlchemy URL; default: SQLite ``<home>/hostclaim.db``. PostgreSQL for a team."""

    lang: str | None = None
    """Interface language (``en`` or ``zh``); default from the locale."""

    tz: str | None = None
    """The user's display time zone (IANA); default: the machine's zone."""

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'hostclaim.db'}"

    @property
    def blob_root(self) -> Path:
        return self.home / "blobs"
