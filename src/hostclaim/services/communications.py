"""Logging contacts with the provider: every contact, its time and person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hostclaim.domain.case import Channel, Direction
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.services.records import add_recorded, check_evidence_refs, next_number
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Communication


@dataclass
class ContactInput:
    at: datetime
    channel: Channel
    direction: Direction
    summary: str
    counterpart: str | None = None
    subject: str | None = None
    ticket_ref: str | None = None
    evidence: list[str] = field(default_factory=list)


def log_contact(ws: Workspace, case_ref: str, contact: ContactInput) -> Communication:
    if not contact.summary.strip():
        raise InvalidInput("error.summary_required")
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        numbers = check_evidence_refs(session, case.id, contact.evidence)
        row = Communication(
            case_id=case.id,
            number=next_number(session, Communication, case.id),
            created_at=now_utc(),
            at=contact.at,
            channel=contact.channel.value,
            direction=contact.direction.value,
            counterpart=contact.counterpart,
            subject=contact.subject,
            summary=contact.summary.strip(),
            ticket_ref=contact.ticket_ref,
            evidence_numbers=numbers,
        )
        return add_recorded(session, case, row, "communication_logged")


def list_contacts(ws: Workspace, case_ref: str) -> list[Communication]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Communication)
                .where(Communication.case_id == case.id)
                .order_by(Communication.at, Communication.number)
            ).scalars()
        )
