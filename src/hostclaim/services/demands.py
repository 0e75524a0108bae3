"""Structured demands: what the complainant asks for, with amounts and due dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from hostclaim.domain.case import DemandKind, DemandStatus
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.services.records import add_recorded, get_numbered, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Demand


@dataclass
class DemandInput:
    kind: DemandKind
    text: str
    amount: Decimal | None = None
    currency: str | None = None
    due_date: date | None = None


def add_demand(ws: Workspace, case_ref: str, demand: DemandInput) -> Demand:
    if not demand.text.strip():
        raise InvalidInput("error.demand_text_required")
    if demand.kind == DemandKind.FIX_BY and demand.due_date is None:
        raise InvalidInput("error.fix_by_needs_date")
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        currency = demand.currency
        if demand.amount is not None and currency is None:
            currency = case.currency
            if currency is None:
                raise InvalidInput("error.currency_required")
        row = Demand(
            case_id=case.id,
            number=next_number(session, Demand, case.id),
            created_at=now_utc(),
            kind=demand.kind.value,
            amount=None if demand.amount is None else str(demand.amount),
            currency=currency,
            due_date=demand.due_date,
            text=demand.text.strip(),
            status=DemandStatus.OPEN.value,
        )
        return add_recorded(session, case, row, "demand_added")


def set_status(ws: Workspace, case_ref: str, ref: str, status: DemandStatus, reason: str) -> Demand:
    if not reason.strip():
        raise InvalidInput("error.stage_reason_required")
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        row = get_numbered(session, Demand, case.id, ref)
        if row.status == status.value:
            raise InvalidInput("error.nothing_to_change")
        previous = row.status
        row.status = status.value
        ledger.append(
            session,
            case,
            "demand_changed",
            {"ref": ref_of(row), "from": previous, "to": status.value, "reason": reason.strip()},
            [row],
        )
        return row


def list_demands(ws: Workspace, case_ref: str) -> list[Demand]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Demand).where(Demand.case_id == case.id).order_by(Demand.number)
            ).scalars()
        )
