"""Reading imported mail back: conversations, a message's attachments, promoting one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.case import EvidenceKind
from hostclaim.errors import InvalidInput, NotFound
from hostclaim.mail import parse_message
from hostclaim.services.evidence import add_bytes, read_bytes
from hostclaim.services.mail_import.report import MessageSummary
from hostclaim.services.records import PREFIX, get_numbered, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Evidence
from hostclaim.storage.tables_mail import MailMessage


@dataclass(frozen=True)
class MailThread:
    root: str
    subject: str
    messages: list[MessageSummary]

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "subject": self.subject,
            "messages": [m.as_json() for m in self.messages],
        }


@dataclass(frozen=True)
class MailListing:
    case_ref: str
    provider_tz: str
    threads: list[MailThread]

    @property
    def count(self) -> int:
        return sum(len(th.messages) for th in self.threads)

    def as_json(self) -> list[dict[str, Any]]:
        return [th.as_json() for th in self.threads]


def _order(message: MessageSummary) -> tuple[int, float, int]:
    number = int(message.ref[len(PREFIX["mail_messages"]) :])
    return (0, message.at.timestamp(), number) if message.at else (1, 0.0, number)


def list_messages(ws: Workspace, case_ref: str) -> MailListing:
    """The case's imported mail, grouped by conversation, oldest conversation first."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        rows = session.execute(
            select(MailMessage).where(MailMessage.case_id == case.id).order_by(MailMessage.number)
        ).scalars()
        groups: dict[str, list[MessageSummary]] = {}
        for row in rows:
            groups.setdefault(row.thread_root, []).append(MessageSummary.of(row))
        ref, tz = case.ref, case.service_tz
    threads = []
    for root, messages in groups.items():
        messages.sort(key=_order)
        head = next((m for m in messages if m.message_id == root), messages[0])
        threads.append(MailThread(root=root, subject=head.subject, messages=messages))
    threads.sort(key=lambda th: _order(th.messages[0]))
    return MailListing(case_ref=ref, provider_tz=tz, threads=threads)


@dataclass(frozen=True)
class AttachmentInfo:
    index: int
    filename: str | None
    content_type: str
    size: int
    sha256: str
    disposition: str
    promoted_as: list[str]

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AttachmentListing:
    message: MessageSummary
    attachments: list[AttachmentInfo]

    def as_json(self) -> dict[str, Any]:
        return {
            "message": self.message.as_json(),
            "attachments": [a.as_json() for a in self.attachments],
        }


def _attachments(session: Session, case_id: int, row: MailMessage) -> list[AttachmentInfo]:
    derived = session.execute(
        select(Evidence.number, Evidence.sha256)
        .where(Evidence.case_id == case_id, Evidence.derived_from == row.evidence_number)
        .order_by(Evidence.number)
    ).all()
    return [
        AttachmentInfo(
            index=int(item["index"]),
            filename=item.get("filename"),
            content_type=str(item.get("content_type", "")),
            size=int(item.get("size", 0)),
            sha256=str(item["sha256"]),
            disposition=str(item.get("disposition", "")),
            promoted_as=[
                f"{PREFIX['evidence']}{number}" for number, sha in derived if sha == item["sha256"]
            ],
        )
        for item in row.attachments
    ]


def list_attachments(ws: Workspace, case_ref: str, message_ref: str) -> AttachmentListing:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        row = get_numbered(session, MailMessage, case.id, message_ref)
        return AttachmentListing(MessageSummary.of(row), _attachments(session, case.id, row))


@dataclass(frozen=True)
class Promotion:
    evidence: Evidence
    message_ref: str
    message_evidence_ref: str
    attachment: AttachmentInfo
    already: bool


def promote_attachment(
    ws: Workspace,
    case_ref: str,
    message_ref: str,
    index: int,
    *,
    kind: EvidenceKind = EvidenceKind.OTHER,
    title: str | None = None,
) -> Promotion:
    """Make an attachment its own evidence item, ``derived_from`` the message's evidence.

    The bytes are extracted again from the stored message and checked against the SHA-256
    recorded at import. Promoting the same attachment twice gives back the first item.
    """
    with ws.reading() as session:
        case = load_case(session, case_ref)
        row = get_numbered(session, MailMessage, case.id, message_ref)
        infos = _attachments(session, case.id, row)
        message_evidence = get_numbered(session, Evidence, case.id, str(row.evidence_number))
        found = next((a for a in infos if a.index == index), None)
        if found is None:
            raise NotFound(
                "mail_import.error.no_attachment", ref=ref_of(row), index=index, count=len(infos)
            )
        if found.promoted_as:
            existing = get_numbered(session, Evidence, case.id, found.promoted_as[0])
            return Promotion(existing, ref_of(row), ref_of(message_evidence), found, True)
        msg_ref, sent_at = ref_of(row), row.sent_at
    raw = read_bytes(ws, message_evidence)
    if hashlib.sha256(raw).hexdigest() != message_evidence.sha256:
        raise InvalidInput("error.blob_altered", ref=ref_of(message_evidence))
    parsed = parse_message(raw)
    candidates = [a for a in parsed.attachments if a.sha256 == found.sha256]
    if not candidates:
        raise InvalidInput("error.blob_altered", ref=ref_of(message_evidence))
    data = candidates[0].read()
    name = found.filename or f"{msg_ref}-attachment-{index}"
    added = add_bytes(
        ws,
        case_ref,
        data,
        name=name,
        kind=kind,
        title=title or name,
        captured_at=sent_at,
        origin=f"mail-attachment:{msg_ref}#{index}",
        media_type=found.content_type or None,
        derived_from=message_evidence.number,
    )
    return Promotion(added.evidence, msg_ref, ref_of(message_evidence), found, False)
