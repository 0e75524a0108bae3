"""Appending to a case's hash-chained ledger, inside the transaction that made the change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from hostclaim.domain.ledger import GENESIS, canonical, entry_hash, sha256_text
from hostclaim.domain.timeutil import iso_utc, now_utc
from hostclaim.storage.tables import Base, Case, LedgerEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value


def snapshot(row: Base) -> dict[str, Any]:
    """Every column of a row, JSON-safe; what ``verify`` compares the database against."""
    mapper = inspect(type(row))
    return {column.key: _jsonable(getattr(row, column.key)) for column in mapper.column_attrs}


def record_ref(row: Base) -> dict[str, Any]:
    return {"table": row.__tablename__, "id": row.id, "state": snapshot(row)}  # type: ignore[attr-defined]


def append(
    session: Session, case: Case, kind: str, event: dict[str, Any], records: list[Base]
) -> LedgerEntry:
    """Chain a new entry recording ``event`` and the new state of ``records``."""
    session.flush()
    last = session.execute(
        select(LedgerEntry)
        .where(LedgerEntry.case_id == case.id)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.entry_hash
    payload = canonical({"event": _jsonable(event), "records": [record_ref(r) for r in records]})
    payload_hash = sha256_text(payload)
    at = iso_utc(now_utc())
    entry = LedgerEntry(
        case_id=case.id,
        seq=seq,
        at=at,
        kind=kind,
        payload=payload,
        payload_hash=payload_hash,
        prev_hash=prev,
        entry_hash=entry_hash(
            case_ref=case.ref,
            seq=seq,
            at=at,
            kind=kind,
            payload_hash=payload_hash,
            prev_hash=prev,
        ),
    )
    session.add(entry)
    session.flush()
    return entry
