"""Deadlines on a case: each dated, with the rule and source that produced it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hostclaim.domain.timeutil import now_utc
from hostclaim.services.records import add_recorded, next_number
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Deadline


@dataclass
class DeadlineInput:
    due_at: datetime
    kind: str
    title: str
    rule: str
    source: str | None = None
    origin: str | None = None  # what started it, e.g. "I3" or "C7"


def add_deadline(ws: Workspace, case_ref: str, item: DeadlineInput) -> Deadline:
    """Add a deadline; the same rule for the same origin is not added twice."""
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        existing = session.execute(
            select(Deadline).where(
                Deadline.case_id == case.id,
                Deadline.rule == item.rule,
                Deadline.origin == item.origin,
                Deadline.due_at == item.due_at,
            )
        ).scalar_one_or_none()
        if existing is not None:
            return existing
        row = Deadline(
            case_id=case.id,
            number=next_number(session, Deadline, case.id),
            created_at=now_utc(),
            due_at=item.due_at,
            kind=item.kind,
            title=item.title,
            rule=item.rule,
            source=item.source,
            origin=item.origin,
            status="open",
        )
        return add_recorded(session, case, row, "deadline_added")


def list_deadlines(ws: Workspace, case_ref: str) -> list[Deadline]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.due_at)
            ).scalars()
        )
