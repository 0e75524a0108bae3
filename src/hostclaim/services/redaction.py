"""Redacted copies of evidence: third parties' contacts, ID and card numbers, passwords, keys and
strings the user names are masked; the copy enters the locker linked to its original.

The original is never changed. A copy is only made when something was masked; a file that cannot
be redacted (an image-only PDF, a binary file) is refused with the reason, and nothing is written.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import PurePath
from typing import Any

from hostclaim.domain.case import EvidenceKind
from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.services import evidence as evidence_service
from hostclaim.services.evidence import AddedEvidence
from hostclaim.services.records import ref_of
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Case, Evidence

ORIGIN = "redaction"


def _address(text: str | None) -> str | None:
    if not text or "@" not in text:
        return None
    found = parseaddr(text)[1]
    return found if "@" in found and " " not in found else None


def own_contacts(
    case: Case, provider_email: str | None = None, communications: Iterable[Any] = ()
) -> list[str]:
    """Contacts that are not third parties' private data: the complainant's own (and its
    domain), the provider's (its support address, its web domain) and the case's counterparts'."""
    own: list[str] = []
    for text in (case.complainant_contact, provider_email):
        found = _address(text)
        if found:
            own += [found, "@" + found.rpartition("@")[2].lower()]
        elif text and sum(ch.isdigit() for ch in text) >= 6:
            own.append(text)
    website = (case.provider_website or "").strip().lower()
    if website:
        host = website.split("://")[-1].split("/")[0].split(":")[0]
        host = host[4:] if host.startswith("www.") else host
        if host:
            own.append("@" + host)
    for contact in communications:
        found = _address(getattr(contact, "counterpart", None))
        if found:
            own.append(found)
    return list(dict.fromkeys(own))


def copy_name(name: str) -> str:
    """``server.log`` → ``server.redacted.log``."""
    path = PurePath(name)
    return f"{path.stem}.redacted{path.suffix}" if path.suffix else f"{name}.redacted"


@dataclass(frozen=True)
class PlannedRedaction:
    """A redaction computed but not yet stored."""

    source: Evidence
    result: Any  # hostclaim.domain.redact.RedactionResult

    @property
    def refused(self) -> bool:
        return bool(self.result.refused)

    def reason(self, lang: str | None = None) -> str | None:
        return self.result.reason(lang)

    @property
    def spans(self) -> tuple[Any, ...]:
        return tuple(self.result.spans)

    @property
    def data(self) -> bytes:
        return bytes(self.result.data or b"")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def name(self) -> str:
        return copy_name(self.source.original_name or f"{ref_of(self.source)}.txt")

    @property
    def media_type(self) -> str:
        return self.source.media_type or str(self.result.media_type)

    def notes(self, lang: str | None = None) -> list[str]:
        return [note.render(lang) for note in self.result.notes]


def plan(
    ws: Workspace,
    item: Evidence,
    *,
    keep: Iterable[str] = (),
    masks: Sequence[str] = (),
) -> PlannedRedaction:
    """Redact ``item``'s bytes in memory (nothing is written)."""
    from hostclaim.domain.redact import redact_bytes

    data = evidence_service.read_bytes(ws, item)
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise InvalidInput("error.blob_altered", ref=ref_of(item))
    hint = item.original_name or item.media_type
    if item.media_type in ("application/pdf", "message/rfc822", "text/csv"):
        hint = item.media_type
    result = redact_bytes(data, hint, keep=list(keep), extra=[m for m in masks if m.strip()])
    return PlannedRedaction(item, result)


def _summary(spans: Sequence[Any]) -> str:
    counts = Counter(span.kind for span in spans)
    return ", ".join(f"{kind} ×{count}" for kind, count in sorted(counts.items()))


def store(ws: Workspace, case_ref: str, planned: PlannedRedaction) -> AddedEvidence:
    """Put a planned redaction into the locker as a copy derived from its original."""
    source = planned.source
    return evidence_service.add_bytes(
        ws,
        case_ref,
        planned.data,
        name=planned.name,
        kind=EvidenceKind(source.kind),
        title=t("letter_cli.redact.title", title=source.title),
        captured_at=source.captured_at,
        note=t(
            "letter_cli.redact.note",
            ref=ref_of(source),
            count=len(planned.spans),
            kinds=_summary(planned.spans),
        ),
        origin=ORIGIN,
        media_type=planned.media_type,
        derived_from=source.number,
    )


@dataclass
class RedactionOutcome:
    source: Evidence
    copy: Evidence | None
    """None when nothing needed masking (no copy is made)."""
    spans: tuple[Any, ...]
    notes: list[str] = field(default_factory=list)
    existed: bool = False
    """The same redacted copy was already in the locker (nothing new was written)."""


def redact_evidence(
    ws: Workspace, case_ref: str, ref: str, *, masks: Sequence[str] = ()
) -> RedactionOutcome:
    """A redacted copy of evidence ``ref`` (E3), linked to it; refuses what it cannot redact."""
    from hostclaim.services.letters import provider_email_of

    source = evidence_service.get_evidence(ws, case_ref, ref)
    case = evidence_service.evidence_case(ws, source)
    provider_email, contacts = provider_email_of(ws, case.ref)
    planned = plan(ws, source, keep=own_contacts(case, provider_email, contacts), masks=masks)
    if planned.refused:
        raise InvalidInput(
            "letter_cli.error.redaction_refused",
            ref=ref_of(source),
            reason=planned.reason() or "",
        )
    if not planned.spans:
        return RedactionOutcome(source, None, (), planned.notes())
    for item in evidence_service.list_evidence(ws, case.ref):
        if item.derived_from == source.number and item.sha256 == planned.sha256:
            # The same redaction was made before: the copy already in the locker is the answer.
            return RedactionOutcome(source, item, planned.spans, planned.notes(), existed=True)
    added = store(ws, case.ref, planned)
    return RedactionOutcome(source, added.evidence, planned.spans, planned.notes())
