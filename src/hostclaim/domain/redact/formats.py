"""Choose the handler for a file, run it, and wrap the outcome in a RedactionResult."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from hostclaim.domain.redact.detect import ContactAllowList
from hostclaim.domain.redact.result import MaskedSpan, Note, RedactionResult, Refused
from hostclaim.domain.redact.text import decode_text, mask_text

_TEXT_SUFFIXES = frozenset(
    [
        ".txt",
        ".log",
        ".out",
        ".err",
        ".md",
        ".json",
        ".jsonl",
        ".ndjson",
        ".xml",
        ".yaml",
        ".yml",
        ".ini",
        ".conf",
        ".cfg",
        ".toml",
        ".env",
        ".html",
        ".htm",
        ".sh",
        ".py",
        ".sql",
        ".properties",
        ".trace",
    ]
)
_TEXT_TYPES = frozenset(
    [
        "application/json",
        "application/xml",
        "application/x-yaml",
        "application/yaml",
        "application/toml",
        "application/x-ndjson",
        "application/javascript",
        "application/sql",
    ]
)
_MEDIA = {
    "text": "text/plain",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "eml": "message/rfc822",
    "pdf": "application/pdf",
}


def detect_format(data: bytes, hint: str) -> str:
    """``text`` · ``csv`` · ``tsv`` · ``eml`` · ``pdf`` · ``binary`` from a media type or name."""
    label = hint.strip().lower().split(";")[0]
    suffix = PurePath(label).suffix if "/" not in label or "." in PurePath(label).name else ""
    if label == "application/pdf" or suffix == ".pdf" or data.startswith(b"%PDF-"):
        return "pdf"
    if label == "message/rfc822" or suffix == ".eml":
        return "eml"
    if label in ("text/csv", "application/csv") or suffix == ".csv":
        return "csv"
    if label == "text/tab-separated-values" or suffix == ".tsv":
        return "tsv"
    if label.startswith("text/") or label in _TEXT_TYPES or suffix in _TEXT_SUFFIXES:
        return "text"
    return "text" if decode_text(data[:65536]) is not None else "binary"


def _allow(keep: ContactAllowList | Iterable[str]) -> ContactAllowList:
    return keep if isinstance(keep, ContactAllowList) else ContactAllowList(keep)


def redact_bytes(
    data: bytes,
    media_type_or_name: str,
    *,
    keep: ContactAllowList | Iterable[str] = (),
    extra: Iterable[str] = (),
    _depth: int = 0,
) -> RedactionResult:
    """A redacted copy of ``data``; ``data`` itself is never changed.

    ``media_type_or_name`` is a media type (``text/csv``) or a file name (``server.log``).
    ``keep`` lists contacts that may stay (the complainant's and the provider's; ``@domain``
    keeps a whole domain); ``extra`` lists literal strings to mask as well (names, host names,
    account ids). Masks say what was there (``[PHONE]``, ``[CARD ****1234]`` …), never the value.
    """
    source = bytes(data)  # work on a private copy: a bytearray caller keeps its bytes
    allow = _allow(keep)
    literals = tuple(extra)
    kind = detect_format(source, media_type_or_name)
    media_type = _MEDIA.get(kind, "application/octet-stream")
    try:
        out, spans, notes = _dispatch(kind, source, allow, literals, _depth)
    except Refused as refusal:
        return RedactionResult(None, media_type, refused_reason=refusal.key,
                               refused_params=refusal.params)  # fmt: skip
    return RedactionResult(out, media_type, tuple(spans), notes=tuple(notes))


def _dispatch(
    kind: str, data: bytes, allow: ContactAllowList, literals: tuple[str, ...], depth: int
) -> tuple[bytes, list[MaskedSpan], list[Note]]:
    if kind == "pdf":
        from hostclaim.domain.redact.pdf import redact_pdf

        return redact_pdf(data, allow=allow, literals=literals)
    if kind == "eml":
        from hostclaim.domain.redact.eml import redact_eml

        return redact_eml(data, allow=allow, literals=literals, depth=depth)
    decoded = decode_text(data)
    if decoded is None:
        raise Refused("redact.refused.binary")
    if kind in ("csv", "tsv"):
        from hostclaim.domain.redact.tabular import redact_csv

        masked, spans = redact_csv(
            decoded.text, allow=allow, literals=literals, delimiter="\t" if kind == "tsv" else None
        )
    else:
        masked, spans = mask_text(decoded.text, allow=allow, literals=literals)
    return (decoded.encode(masked) if spans else data), spans, []


@dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str | None
    reason: str | None = None  # catalog key when there is no text


def attachment_text(data: bytes, name: str) -> ExtractedText:
    """The readable text of an attachment, for the linter's privacy rules."""
    kind = detect_format(data, name)
    if kind == "pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                return ExtractedText(None, "redact.refused.encrypted_pdf")
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, ValueError, KeyError):
            return ExtractedText(None, "redact.refused.bad_pdf")
        if not any(p.strip() for p in pages):
            return ExtractedText(None, "redact.refused.image_only_pdf")
        return ExtractedText("\n\f\n".join(pages))
    if kind == "eml":
        from hostclaim.domain.redact.eml import email_text

        return ExtractedText(email_text(data))
    decoded = decode_text(data)
    if decoded is None:
        return ExtractedText(None, "redact.refused.binary")
    return ExtractedText(decoded.text)
