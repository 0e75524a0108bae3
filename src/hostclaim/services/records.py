"""Helpers shared by the services that add per-case records."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hostclaim.errors import NotFound
from hostclaim.storage import ledger
from hostclaim.storage.ledger import snapshot
from hostclaim.storage.tables import Base, Case, Evidence

T = TypeVar("T", bound=Base)

PREFIX = {
    "evidence": "E",
    "communications": "C",
    "incidents": "I",
    "demands": "D",
    "deadlines": "T",
    "stage_changes": "S",
    "probe_segments": "P",
    "mail_messages": "MSG",
    "monitors": "M",
    "letters": "L",
}


def next_number(session: Session, model: type[Base], case_id: int) -> int:
    column = model.number  # type: ignore[attr-defined]
    current = session.execute(
        select(func.max(column)).where(model.case_id == case_id)  # type: ignore[attr-defined]
    ).scalar()
    return int(current or 0) + 1


def ref_of(row: Base) -> str:
    return f"{PREFIX[row.__tablename__]}{row.number}"  # type: ignore[attr-defined]


def parse_ref(text: str, prefix: str) -> int:
    """``E3``, ``e3`` or ``3`` → 3."""
    raw = text.strip().upper()
    if raw.startswith(prefix):
        raw = raw[len(prefix) :]
    if not raw.isdigit():
        raise NotFound("error.bad_ref", ref=text, prefix=prefix)
    return int(raw)


def get_numbered(session: Session, model: type[T], case_id: int, ref: str) -> T:
    prefix = PREFIX[model.__tablename__]
    number = parse_ref(ref, prefix)
    row = session.execute(
        select(model).where(model.case_id == case_id, model.number == number)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("error.record_not_found", ref=f"{prefix}{number}")
    return row


def check_evidence_refs(session: Session, case_id: int, refs: list[str]) -> list[int]:
    """Validate ``E1``-style references against the case; return their numbers."""
    numbers = []
    for ref in refs:
        numbers.append(get_numbered(session, Evidence, case_id, ref).number)
    return sorted(set(numbers))


def add_recorded(session: Session, case: Case, row: T, kind: str) -> T:
    """Add a new per-case record and chain a ledger entry holding its state."""
    session.add(row)
    session.flush()
    ledger.append(session, case, kind, {"ref": ref_of(row)}, [row])
    return row


def as_dict(row: Base) -> dict[str, Any]:
    """A record for JSON output: its columns plus its human reference, without internal ids."""
    data = snapshot(row)
    data.pop("id", None)
    data.pop("case_id", None)
    if row.__tablename__ in PREFIX:
        data = {"ref": ref_of(row), **data}
    return data
