"""Domain errors. Services raise these; interfaces translate them (exit code, HTTP status).

Each error carries a catalog key and parameters, so the message is rendered in the user's
language at the edge, and says what to do next.
"""

from __future__ import annotations

from hostclaim.i18n import t


class HostclaimError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 2
    http_status = 400

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render()


class NotFound(HostclaimError):
    http_status = 404


class InvalidInput(HostclaimError):
    http_status = 422


class Conflict(HostclaimError):
    http_status = 409


class StorageProblem(HostclaimError):
    """The home directory or database cannot be used as it is."""

    http_status = 500
