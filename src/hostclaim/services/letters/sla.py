"""The SLA's side of a letter: the claim terms of the case's policy and, from the recorded
incidents, the month's availability, the credit and the claim deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hostclaim.domain.timeutil import zone
from hostclaim.errors import HostclaimError
from hostclaim.i18n import t
from hostclaim.letters.model import LocalText, SlaInfo
from hostclaim.services.letters.case_file import CaseFile
from hostclaim.services.letters.wording import both, month_label
from hostclaim.services.records import ref_of
from hostclaim.services.workspace import Workspace


@dataclass
class SlaFacts:
    info: SlaInfo = field(default_factory=SlaInfo)
    credit: Decimal | None = None
    amounts: list[tuple[Decimal, str | None]] = field(default_factory=list)
    """Every sum the credit computation states (fee, minimum, credit), for the linter."""
    calculation: tuple[LocalText, ...] = ()
    deadline_day: date | None = None
    notes: list[str] = field(default_factory=list)


def _union_seconds(pairs: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(pairs):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def sla_facts(ws: Workspace, data: CaseFile, now: datetime) -> SlaFacts:
    """The SLA's claim terms and, from the recorded incidents, the availability and credit."""
    from hostclaim.domain.deadlines.calendar_math import start_of_day
    from hostclaim.domain.sla import claim_deadline, compute_credit
    from hostclaim.services.sla_report import case_policy

    result = SlaFacts()
    if not (data.case.sla_policy or "").strip():
        return result
    try:
        choice = case_policy(ws, data.case.ref)
    except HostclaimError as exc:
        result.notes.append(exc.render())
        return result
    if choice is None:
        return result
    policy = choice.policy
    terms = policy.claim
    subject = terms.subject_must_contain
    info = terms.required_information
    required: tuple[LocalText, ...] = ()
    if info is not None and info.known and info.value:
        required = tuple(both(f"sla.info.{item}") for item in info.value)
    target = policy.commitment.target_percent.value
    values: dict[str, Any] = {
        "policy_key": policy.key,
        "policy_name": f"{policy.provider} SLA ({policy.product})",
        "policy_version": policy.version,
        "subject_words": subject.value if subject is not None and subject.known else None,
        "required_information": required,
        "commitment": None if target is None else Decimal(str(target)),
    }

    ended = [row for row in data.incidents if row.end_at is not None]
    if ended:
        tz = policy.measurement.timezone.value or data.case.service_tz or "UTC"
        latest = max(ended, key=lambda row: row.start_at)
        local = latest.start_at.astimezone(zone(tz))
        year, month = local.year, local.month
        p0 = start_of_day(date(year, month, 1), tz)
        p1 = start_of_day(date(year + month // 12, month % 12 + 1, 1), tz)
        pairs = [
            (max(row.start_at, p0), min(row.end_at or now, p1))
            for row in data.incidents
            if row.start_at < p1 and (row.end_at or now) > p0
        ]
        in_period = [row for row in ended if row.start_at < p1 and row.end_at and row.end_at > p0]
        down = _union_seconds(pairs)
        share = Decimal(str(down)) / Decimal(str((p1 - p0).total_seconds()))
        availability = ((1 - share) * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        refs = ", ".join(ref_of(row) for row in in_period)
        values["availability"] = availability.normalize()
        values["period"] = {
            "en": t("letter_cli.sla.period", "en", month=month_label(year, month, "en"), zone=tz),
            "zh": t("letter_cli.sla.period", "zh", month=month_label(year, month, "zh"), zone=tz),
        }
        values["method"] = both("letter_cli.sla.method", refs=refs)
        fee, currency = data.case.monthly_fee, data.case.currency
        if fee and currency:
            try:
                credit = compute_credit(
                    policy,
                    availability=availability,
                    incidents=pairs,
                    monthly_fee=Decimal(fee),
                    currency=currency,
                    period_start=p0,
                    period_end=p1,
                )
            except HostclaimError as exc:
                result.notes.append(exc.render())
            else:
                lines: tuple[LocalText, ...] = tuple(
                    {"en": en, "zh": zh}
                    for en, zh in zip(credit.lines("en"), credit.lines("zh"), strict=True)
                )
                values["credit_lines"] = lines
                result.credit = credit.amount
                result.amounts += [(credit.amount, currency), (credit.base_fee, currency)]
                minimum = policy.credit.minimum
                if minimum is not None and minimum.value is not None:
                    result.amounts.append(
                        (Decimal(str(minimum.value.amount)), minimum.value.currency)
                    )
                result.calculation = lines
        first = min(in_period or ended, key=lambda row: row.end_at or now)
        assert first.end_at is not None
        try:
            window = claim_deadline(
                policy, incident_end=first.end_at, billing_cycle_day=data.case.billing_day
            )
        except HostclaimError as exc:
            result.notes.append(exc.render())
        else:
            values["claim_deadline"] = window.last_day
            result.deadline_day = window.last_day
    result.info = SlaInfo(**values)
    return result
