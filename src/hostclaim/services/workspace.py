"""The workspace: a home directory holding the case database and the evidence locker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hostclaim.errors import NotFound, StorageProblem
from hostclaim.settings import Settings
from hostclaim.storage.blobs import BlobStore
from hostclaim.storage.db import make_engine, migrate
from hostclaim.storage.tables import Case


@dataclass
class Workspace:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url())

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.settings.blob_root)

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def home(self) -> Path:
        return self.settings.home

    def open(self) -> Workspace:
        """Create the home if needed, apply migrations, and clean what a killed writer left."""
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.blobs.ensure()
        except OSError as exc:
            raise StorageProblem(
                "error.home_unusable", home=str(self.home), detail=str(exc)
            ) from exc
        migrate(self.engine, self.home / ".migrate.lock")
        self.blobs.clean_partials()
        return self

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def open_workspace(home: Path | None = None, database_url: str | None = None) -> Workspace:
    settings = Settings()
    if home is not None:
        settings.home = home
    if database_url is not None:
        settings.database_url = database_url
    return Workspace(settings).open()


def load_case(session: Session, ref: str, *, lock: bool = False) -> Case:
    """A case by its id (``HC-2026-0001``, case-insensitive), or a clear error."""
    statement = select(Case).where(Case.ref == ref.strip().upper())
    if lock:
        statement = statement.with_for_update()
    case = session.execute(statement).scalar_one_or_none()
    if case is None:
        raise NotFound("error.case_not_found", ref=ref)
    return case
