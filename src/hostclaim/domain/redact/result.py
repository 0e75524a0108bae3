"""What a redaction returns: the new bytes, what was masked where, or why it was refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from hostclaim.i18n import t


@dataclass(frozen=True, slots=True)
class MaskedSpan:
    """One masked value.

    ``start``/``end`` are character offsets into the decoded text of ``location`` — the whole file
    for text, logs and CSV; ``header From`` / ``part 1.2 (text/plain)`` for mail; ``page 3`` for a
    PDF. ``line`` is 1-based within that text. The value itself is never kept: only its SHA-256
    (of its UTF-8 bytes), so a reviewer can confirm what was removed against the original.
    """

    kind: str
    start: int
    end: int
    line: int
    original_sha256: str
    replacement: str
    location: str = ""


@dataclass(frozen=True, slots=True)
class Note:
    """A limit the user should know about (catalog key + parameters)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        params = dict(self.params)
        if isinstance(params.get("reason"), str):  # a nested refusal, itself a catalog key
            params["reason"] = t(str(params["reason"]), lang)
        return t(self.key, lang, **params)


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """``data`` is the redacted copy (None when refused); the input is never changed."""

    data: bytes | None
    media_type: str
    spans: tuple[MaskedSpan, ...] = ()
    refused_reason: str | None = None  # a catalog key; see reason()
    refused_params: dict[str, object] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def refused(self) -> bool:
        return self.refused_reason is not None

    def reason(self, lang: str | None = None) -> str | None:
        """Why the file was refused, in ``lang`` (default: the current language)."""
        if self.refused_reason is None:
            return None
        return t(self.refused_reason, lang, **self.refused_params)


class Refused(Exception):
    """Raised inside a format handler; redact_bytes turns it into a refused result."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
