"""Opening, describing and moving cases."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hostclaim.domain import lifecycle
from hostclaim.domain.case import ComplainantType, EvidenceKind, Goal, Liability
from hostclaim.domain.checklist import ChecklistItem, EvidenceFacts, evaluate
from hostclaim.domain.timeutil import now_utc, zone
from hostclaim.errors import InvalidInput
from hostclaim.services.facts import CASE_FIELDS, parse_case_field
from hostclaim.services.records import as_dict, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Communication, Evidence, Incident, StageChange


@dataclass
class CaseDetails:
    """What a user says about a case; None means "not given" (on edit: unchanged)."""

    title: str | None = None
    complainant_type: ComplainantType | None = None
    complainant_name: str | None = None
    complainant_org: str | None = None
    complainant_role: str | None = None
    complainant_contact: str | None = None
    complainant_account_id: str | None = None
    complainant_country: str | None = None
    provider_name: str | None = None
    provider_country: str | None = None
    provider_website: str | None = None
    provider_key: str | None = None
    contract_ref: str | None = None
    product: str | None = None
    service_start: date | None = None
    monthly_fee: Decimal | None = None
    currency: str | None = None
    billing_day: int | None = None
    service_tz: str | None = None
    sla_policy: str | None = None
    goals: list[Goal] = field(default_factory=list)
    liability: Liability | None = None
    # Follow-up and escalation (parsed by ``services.facts.CASE_FIELDS``).
    complainant_tz: str | None = None
    complainant_employees: int | None = None
    complainant_turnover: Decimal | None = None
    complainant_turnover_currency: str | None = None
    provider_memberships: list[str] | None = None
    governing_law: str | None = None
    venue: str | None = None
    venue_country: str | None = None
    arbitration: bool | None = None
    deadlock_letter_at: datetime | None = None
    management_escalation_at: datetime | None = None
    lawyer_consulted_on: date | None = None
    statement_of_claim: str | None = None
    evidence_list: str | None = None
    claim_filed_on: date | None = None
    hearing_on: date | None = None
    judgment_on: date | None = None
    judgment_enforced_on: date | None = None

    def given(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or (item.name == "goals" and not value):
                continue
            if item.name == "goals":
                value = sorted({goal.value for goal in value})
            elif isinstance(value, Decimal):
                value = str(value)
            elif hasattr(value, "value"):
                value = value.value
            elif item.name in ("complainant_country", "provider_country"):
                value = _country(value)
            values[item.name] = value
        if "service_tz" in values:
            zone(values["service_tz"])
        return values


def _country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput("error.bad_country", value=value)
    return code


def _new_ref(session: Any, year: int) -> str:
    prefix = f"HC-{year}-"
    count = session.execute(select(func.count()).where(Case.ref.like(f"{prefix}%"))).scalar()
    return f"{prefix}{int(count or 0) + 1:04d}"


def create_case(ws: Workspace, details: CaseDetails) -> Case:
    values = details.given()
    if not values.get("provider_name"):
        raise InvalidInput("error.provider_required")
    if not values.get("complainant_name"):
        raise InvalidInput("error.complainant_required")
    values.setdefault("service_tz", "UTC")
    values.setdefault("complainant_type", ComplainantType.BUSINESS.value)
    values.setdefault("goals", [])
    values.setdefault("title", f"{values['provider_name']}")
    for attempt in range(5):
        try:
            with ws.transaction() as session:
                now = now_utc()
                case = Case(
                    ref=_new_ref(session, now.year),
                    created_at=now,
                    updated_at=now,
                    stage=lifecycle.Stage.PREPARING.value,
                    **values,
                )
                session.add(case)
                session.flush()
                ledger.append(session, case, "case_opened", {"ref": case.ref}, [case])
                return case
        except IntegrityError:
            # Another process took the same number (PostgreSQL); count again.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def update_case(ws: Workspace, ref: str, details: CaseDetails) -> Case:
    values = details.given()
    if not values:
        raise InvalidInput("error.nothing_to_change")
    with ws.transaction() as session:
        case = load_case(session, ref, lock=True)
        changed = {k: v for k, v in values.items() if getattr(case, k) != v}
        if not changed:
            raise InvalidInput("error.nothing_to_change")
        for key, value in changed.items():
            setattr(case, key, value)
        case.updated_at = now_utc()
        ledger.append(session, case, "case_updated", {"changed": sorted(changed)}, [case])
        return case


def list_cases(ws: Workspace) -> list[Case]:
    with ws.reading() as session:
        return list(session.execute(select(Case).order_by(Case.id)).scalars())


def get_case(ws: Workspace, ref: str) -> Case:
    with ws.reading() as session:
        return load_case(session, ref)


def move_stage(ws: Workspace, ref: str, target: lifecycle.Stage, reason: str) -> StageChange:
    with ws.transaction() as session:
        case = load_case(session, ref, lock=True)
        current = lifecycle.Stage(case.stage)
        lifecycle.check_move(current, target, reason)
        now = now_utc()
        change = StageChange(
            case_id=case.id,
            number=next_number(session, StageChange, case.id),
            created_at=now,
            from_stage=current.value,
            to_stage=target.value,
            reason=reason.strip(),
        )
        case.stage = target.value
        case.updated_at = now
        session.add(change)
        ledger.append(
            session,
            case,
            "stage_changed",
            {"from": current.value, "to": target.value, "reason": reason.strip()},
            [case, change],
        )
        return change


def stage_history(ws: Workspace, ref: str) -> list[StageChange]:
    with ws.reading() as session:
        case = load_case(session, ref)
        return list(
            session.execute(
                select(StageChange)
                .where(StageChange.case_id == case.id)
                .order_by(StageChange.number)
            ).scalars()
        )


def checklist(ws: Workspace, ref: str) -> list[ChecklistItem]:
    with ws.reading() as session:
        case = load_case(session, ref)
        evidence = session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars()
        comms = session.execute(
            select(Communication).where(Communication.case_id == case.id)
        ).scalars()
        incidents = session.execute(select(Incident).where(Incident.case_id == case.id)).scalars()
        facts = EvidenceFacts(
            evidence=[(ref_of(e), EvidenceKind(e.kind)) for e in evidence],
            communications=[ref_of(c) for c in comms],
            incidents_with_evidence=[ref_of(i) for i in incidents if i.evidence_numbers],
        )
    return evaluate(facts)


def case_summary(ws: Workspace, ref: str) -> dict[str, Any]:
    """Everything ``case show`` displays, as plain data."""
    with ws.reading() as session:
        case = load_case(session, ref)
        counts = {}
        for model in (Evidence, Communication, Incident):
            counts[model.__tablename__] = session.execute(
                select(func.count()).where(model.case_id == case.id)
            ).scalar()
        data = as_dict(case)
        data["counts"] = counts
        data["next_stages"] = [s.value for s in lifecycle.next_stages(lifecycle.Stage(case.stage))]
        return data


_TEXT_FIELDS = {
    "title",
    "complainant_name",
    "complainant_org",
    "complainant_role",
    "complainant_contact",
    "complainant_account_id",
    "complainant_country",
    "provider_name",
    "provider_country",
    "provider_website",
    "provider_key",
    "contract_ref",
    "product",
    "service_tz",
    "sla_policy",
}


def details_from_text(values: dict[str, str | list[str] | None]) -> CaseDetails:
    """Build ``CaseDetails`` from what a form or the command line gave, validating each field."""
    from hostclaim.domain.case import (
        parse_billing_day,
        parse_choice,
        parse_currency,
        parse_money,
    )
    from hostclaim.domain.timeutil import parse_date

    details = CaseDetails()
    known = {item.name for item in fields(CaseDetails)}
    for key, raw in values.items():
        if raw is None or raw == [] or raw == "":
            continue
        if key not in known:
            raise InvalidInput("error.unknown_field", field=key, fields=", ".join(sorted(known)))
        if key == "goals":
            items = raw if isinstance(raw, list) else str(raw).split(",")
            details.goals = [parse_choice(Goal, item, "goal") for item in items if item.strip()]
            continue
        text = str(raw).strip()
        if key in CASE_FIELDS:
            setattr(details, key, parse_case_field(key, text))
        elif key in _TEXT_FIELDS:
            setattr(details, key, text)
        elif key == "complainant_type":
            details.complainant_type = parse_choice(ComplainantType, text, "complainant type")
        elif key == "liability":
            details.liability = parse_choice(Liability, text, "liability")
        elif key == "service_start":
            details.service_start = parse_date(text)
        elif key == "monthly_fee":
            details.monthly_fee = parse_money(text)
        elif key == "currency":
            details.currency = parse_currency(text)
        elif key == "billing_day":
            if not text.isdigit():
                raise InvalidInput("error.bad_billing_day", value=text)
            details.billing_day = parse_billing_day(int(text))
    return details
