"""What an import reports, and a mail record as people read it in a list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hostclaim.domain.timeutil import iso_utc
from hostclaim.services.mail_import.describe import Malformed
from hostclaim.services.records import PREFIX, ref_of

if TYPE_CHECKING:
    from hostclaim.storage.tables_mail import MailMessage


class DkimStatus(StrEnum):
    VERIFIED = "verified"  # ✔ the signature verifies with the key record
    FAILED = "failed"  # ✘ it does not: the message was changed, or the signature is bad
    UNCHECKED = "unchecked"  # ? signed, but no key record was available to check it
    UNSIGNED = "unsigned"  # – not signed at all


def dkim_status(signed: bool, verified: bool | None) -> DkimStatus:
    if not signed:
        return DkimStatus.UNSIGNED
    if verified is True:
        return DkimStatus.VERIFIED
    if verified is False:
        return DkimStatus.FAILED
    return DkimStatus.UNCHECKED


def _number_ref(table: str, number: int | None) -> str | None:
    return None if number is None else f"{PREFIX[table]}{number}"


@dataclass(frozen=True)
class MessageSummary:
    """One mail record as people read it in a list."""

    ref: str
    evidence_ref: str
    communication_ref: str | None
    message_id: str
    status: str
    at: datetime | None
    direction: str
    sender: str | None
    counterpart: str | None
    subject: str
    ticket: str | None
    tickets: list[str]
    dkim: DkimStatus
    dkim_domain: str | None
    dkim_reason: str | None
    thread_root: str
    attachments: int
    source: str

    @classmethod
    def of(cls, row: MailMessage) -> MessageSummary:
        tickets = [str(item["value"]) for item in row.ticket_refs]
        return cls(
            ref=ref_of(row),
            evidence_ref=f"{PREFIX['evidence']}{row.evidence_number}",
            communication_ref=_number_ref("communications", row.communication_number),
            message_id=row.message_id,
            status=row.status,
            at=row.sent_at,
            direction=row.direction,
            sender=row.sender,
            counterpart=row.counterpart,
            subject=row.subject,
            ticket=tickets[0] if tickets else None,
            tickets=tickets,
            dkim=dkim_status(row.dkim_signed, row.dkim_verified),
            dkim_domain=row.dkim_domain,
            dkim_reason=row.dkim_reason,
            thread_root=row.thread_root,
            attachments=len(row.attachments),
            source=f"{row.source_name}#{row.source_index}",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "evidence": self.evidence_ref,
            "communication": self.communication_ref,
            "message_id": self.message_id,
            "status": self.status,
            "at": iso_utc(self.at) if self.at else None,
            "direction": self.direction,
            "sender": self.sender,
            "counterpart": self.counterpart,
            "subject": self.subject,
            "tickets": self.tickets,
            "dkim": self.dkim.value,
            "dkim_domain": self.dkim_domain,
            "dkim_reason": self.dkim_reason,
            "thread_root": self.thread_root,
            "attachments": self.attachments,
            "source": self.source,
        }


@dataclass(frozen=True)
class Duplicate:
    """A message whose Message-ID the case already holds (or that came twice in the input)."""

    source: str
    index: int
    message_id: str
    same_bytes: bool
    existing: str | None = None  # the MSG ref holding the first copy

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "message_id": self.message_id,
            "same_bytes": self.same_bytes,
            "existing": self.existing,
        }


@dataclass
class ImportReport:
    case_ref: str
    provider_tz: str
    own_addresses: list[str]
    key_sources: list[str]
    files: list[str]
    messages: list[MessageSummary] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)  # MSG refs kept without a contact
    unaddressed: list[str] = field(default_factory=list)  # logged as received, own address absent
    threads_updated: int = 0

    @property
    def imported(self) -> int:
        return len(self.messages)

    @property
    def unchecked_signatures(self) -> int:
        return sum(1 for m in self.messages if m.dkim is DkimStatus.UNCHECKED)

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case_ref,
            "files": self.files,
            "own_addresses": self.own_addresses,
            "key_sources": self.key_sources,
            "imported": self.imported,
            "duplicates": len(self.duplicates),
            "malformed": len(self.malformed),
            "messages": [m.as_json() for m in self.messages],
            "duplicate_messages": [d.as_json() for d in self.duplicates],
            "malformed_messages": [m.as_json() for m in self.malformed],
            "undated": self.undated,
            "unaddressed": self.unaddressed,
            "threads_updated": self.threads_updated,
        }
