"""Redaction: mask third parties' contacts, ID and card numbers, passwords, keys and named
strings in text, logs, CSV, e-mail and PDF, before evidence leaves the case.

``redact_bytes(data, "server.log", keep=[...], extra=[...])`` returns a new copy and the list of
masked spans, or a refusal with its reason (for instance an image-only PDF). The detectors are
shared with the letter linter's privacy rules.
"""

from hostclaim.domain.redact.detect import (
    KINDS,
    ContactAllowList,
    Detection,
    find_sensitive,
    mask_for,
)
from hostclaim.domain.redact.formats import detect_format, redact_bytes
from hostclaim.domain.redact.result import MaskedSpan, Note, RedactionResult

__all__ = [
    "KINDS",
    "ContactAllowList",
    "Detection",
    "MaskedSpan",
    "Note",
    "RedactionResult",
    "detect_format",
    "find_sensitive",
    "mask_for",
    "redact_bytes",
]
