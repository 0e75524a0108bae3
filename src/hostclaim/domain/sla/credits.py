"""The credit an SLA owes for one measurement period, with every step of the arithmetic shown.

Inputs are what the outage accounting produced: the period's availability and the counted
incidents (already clipped to the period, merged, minimum-length applied). The result keeps the
tier or brackets chosen, the rate, the amount (``Decimal``, rounded half up to the currency's
minor unit, after the cap) and the computation as steps renderable in English and 简体中文.
Any unconfirmed term the computation relied on is listed, so a claim never rests on one silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from hostclaim.domain.sla.render import (
    Availability,
    Hours,
    Minutes,
    Money,
    Pct,
    Phrase,
    Step,
    When,
    plain,
    round_money,
)
from hostclaim.domain.sla.schema import (
    AvailabilityTiers,
    DurationBracket,
    FullCredit,
    OutageDurationBrackets,
    Policy,
    ScheduleKind,
    StartedIntervals,
    Tier,
)
from hostclaim.domain.sla.sourced import Sourced
from hostclaim.domain.timeutil import iso_utc
from hostclaim.errors import InvalidInput

Incident = tuple[datetime, datetime]
TicketTimes = Sequence[datetime | None] | Mapping[datetime, datetime | None]

_HUNDRED = Decimal(100)
V = TypeVar("V")


@dataclass(frozen=True)
class CountedOutage:
    """One incident as the schedule counted it."""

    index: int  # 1-based, in the order given
    start: datetime
    end: datetime
    ticket_opened_at: datetime | None
    counted: timedelta  # after the ticket rule, when the SLA has one
    bracket: DurationBracket | None = None
    credit_hours: Decimal = Decimal(0)


@dataclass(frozen=True)
class CreditResult:
    policy_ref: str
    kind: ScheduleKind
    currency: str
    base_fee: Decimal
    availability: Decimal | None
    tier: Tier | None
    """Availability tiers: the tier that applied (None when the commitment was met)."""
    outages: tuple[CountedOutage, ...]
    intervals: int | None
    """Started intervals beyond the allowance (OVHcloud)."""
    credit_hours: Decimal | None
    """Hours of service credited (Vultr)."""
    rate_percent: Decimal
    """Percent of the base earned before the cap."""
    amount: Decimal
    """The credit: rounded, capped, zero under the minimum."""
    capped: bool
    below_minimum: bool
    unconfirmed: tuple[str, ...]
    """Policy fields the computation used that no primary source confirms."""
    computation: tuple[Step, ...]

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed

    def lines(self, lang: str | None = None) -> list[str]:
        """The computation as lines for people, in ``lang`` (default: the current language)."""
        return [step.render(lang) for step in self.computation]


# --- input checks -----------------------------------------------------------------------------


def _aware(value: object, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput("sla.error.not_a_time", what=what, value=repr(value))
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("sla.error.naive_time", what=what, value=value.isoformat())
    return value


def _decimal(value: object, key: str) -> Decimal:
    if isinstance(value, bool):
        raise InvalidInput(key, value=repr(value))
    if isinstance(value, float):
        value = str(value)  # the shortest repr: 97.32 → "97.32", not its binary expansion
    try:
        number = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(key, value=repr(value)) from None
    if not number.is_finite():
        raise InvalidInput(key, value=repr(value))
    return number


def _fee(value: object) -> Decimal:
    if isinstance(value, float):
        # Money is never binary floating point: 0.1 + 0.2 != 0.3.
        raise InvalidInput("sla.error.fee_float", value=repr(value))
    fee = _decimal(value, "sla.error.bad_fee")
    if fee < 0:
        raise InvalidInput("sla.error.bad_fee", value=str(fee))
    return fee


def _availability(value: object, required: bool) -> Decimal | None:
    if value is None:
        if required:
            raise InvalidInput("sla.error.availability_needed")
        return None
    number = _decimal(value, "sla.error.bad_availability")
    if not Decimal(0) <= number <= _HUNDRED:
        raise InvalidInput("sla.error.bad_availability", value=str(number))
    return number


def _incidents(incidents: Sequence[Incident]) -> list[Incident]:
    checked: list[Incident] = []
    for number, pair in enumerate(incidents, start=1):
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise InvalidInput("sla.error.bad_incident", n=number) from None
        start = _aware(start, f"incident {number} start")
        end = _aware(end, f"incident {number} end")
        if end <= start:
            raise InvalidInput(
                "sla.error.incident_order", n=number, start=iso_utc(start), end=iso_utc(end)
            )
        checked.append((start, end))
    return checked


def _tickets(incidents: list[Incident], given: TicketTimes | None) -> list[datetime | None]:
    if given is None:
        return [None] * len(incidents)
    if isinstance(given, Mapping):
        found = [given.get(start) for start, _ in incidents]
    else:
        found = list(given)
        if len(found) != len(incidents):
            raise InvalidInput(
                "sla.error.ticket_count", tickets=len(found), incidents=len(incidents)
            )
    return [None if t is None else _aware(t, "ticket opening time") for t in found]


# --- the computation --------------------------------------------------------------------------


class _Ledger:
    """Collects steps and the unconfirmed terms used on the way."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.steps: list[Step] = []
        self.unconfirmed: list[str] = []
        self.tz = policy.measurement.timezone.value or "UTC"

    def use(self, field: str, fact: Sourced[V] | None) -> V:
        """The value of a fact the computation needs; refuses unknown or wrong-in-source ones."""
        if fact is None or fact.value is None:
            raise InvalidInput("sla.error.term_unknown", ref=self.policy.ref, field=field)
        if fact.status == "wrong-in-source":
            raise InvalidInput("sla.error.wrong_in_source", ref=self.policy.ref, field=field)
        if fact.status == "unconfirmed" and field not in self.unconfirmed:
            self.unconfirmed.append(field)
        return fact.value

    def shown(self, field: str, fact: Sourced[V] | None) -> bool:
        """Whether an informative fact can be shown; notes it when unconfirmed."""
        if fact is None or not fact.known:
            return False
        if fact.status == "unconfirmed" and field not in self.unconfirmed:
            self.unconfirmed.append(field)
        return True

    def step(self, key: str, **params: object) -> None:
        self.steps.append(Step(key, params))  # type: ignore[arg-type]


def compute_credit(
    policy: Policy,
    *,
    availability: Decimal | float | int | None,
    incidents: Sequence[Incident],
    monthly_fee: Decimal | int | str,
    currency: str,
    period_start: datetime,
    period_end: datetime,
    ticket_opened_at: TicketTimes | None = None,
) -> CreditResult:
    """The credit ``policy`` owes for one measurement period.

    ``availability`` is a percent (97.32); ``incidents`` are the counted (start, end) pairs;
    ``monthly_fee`` is the credit base the policy names (the service's monthly fee, the regional
    charges …). ``ticket_opened_at`` gives, per incident (a list in the same order, or a mapping
    from incident start), when the ticket was opened — needed when downtime counts only from the
    ticket (OVHcloud).
    """
    if policy.placeholder:
        raise InvalidInput("sla.error.placeholder", ref=policy.ref)
    if not re.fullmatch(r"[A-Z]{3}", currency or ""):
        raise InvalidInput("sla.error.bad_currency", value=currency)
    fee = _fee(monthly_fee)
    start = _aware(period_start, "period start")
    end = _aware(period_end, "period end")
    if end <= start:
        raise InvalidInput("sla.error.period_order", start=iso_utc(start), end=iso_utc(end))
    pairs = _incidents(incidents)

    ledger = _Ledger(policy)
    schedule = ledger.use("credit.schedule", policy.credit.schedule)
    base = ledger.use("credit.base", policy.credit.base)
    ledger.step(
        "sla.credit.step.policy",
        ref=policy.ref,
        status=Phrase(f"sla.status.{policy.credit.schedule.status}"),
    )
    ledger.step("sla.credit.step.base", base=Phrase(f"sla.base.{base}"), fee=Money(fee, currency))

    tier: Tier | None = None
    outages: tuple[CountedOutage, ...] = ()
    intervals: int | None = None
    hours: Decimal | None = None
    measured: Decimal | None
    if isinstance(schedule, AvailabilityTiers):
        measured = _availability(availability, required=True)
        assert measured is not None
        tier, rate = _tiers(ledger, schedule, measured, fee, currency)
    elif isinstance(schedule, FullCredit):
        measured = _availability(availability, required=True)
        assert measured is not None
        rate = _full(ledger, schedule, measured, fee, currency)
    elif isinstance(schedule, OutageDurationBrackets):
        measured = _availability(availability, required=False)
        outages = _count(ledger, pairs, ticket_opened_at)
        outages, hours, rate = _brackets(ledger, schedule, outages, fee, currency, start, end)
    elif isinstance(schedule, StartedIntervals):
        measured = _availability(availability, required=False)
        outages = _count(ledger, pairs, ticket_opened_at)
        intervals, rate = _intervals(ledger, schedule, outages, fee, currency, start, end)
    else:  # pragma: no cover - the schema admits no other kind
        raise AssertionError(schedule)

    raw = fee * rate / _HUNDRED
    capped_raw, capped = _cap(ledger, raw, fee, currency)
    # The minimum is compared before rounding: 0.999 is under $1 even though it shows as 1.00.
    amount, below = _minimum(ledger, capped_raw, currency)
    amount = round_money(amount, currency)
    _closing(ledger, amount, currency)

    return CreditResult(
        policy_ref=policy.ref,
        kind=schedule.kind,
        currency=currency,
        base_fee=fee,
        availability=measured,
        tier=tier,
        outages=outages,
        intervals=intervals,
        credit_hours=hours,
        rate_percent=rate,
        amount=amount,
        capped=capped,
        below_minimum=below,
        unconfirmed=tuple(ledger.unconfirmed),
        computation=tuple(ledger.steps),
    )


def _tiers(
    ledger: _Ledger, schedule: AvailabilityTiers, measured: Decimal, fee: Decimal, currency: str
) -> tuple[Tier | None, Decimal]:
    for tier in schedule.tiers:
        assert tier.upper is not None  # the schema requires it
        if measured < tier.upper and (tier.lower is None or measured >= tier.lower):
            amount = Money(fee * tier.percent / _HUNDRED, currency)
            params: dict[str, object] = {
                "availability": Availability(measured),
                "upper": Pct(tier.upper),
                "rate": Pct(tier.percent),
                "fee": Money(fee, currency),
                "amount": amount,
            }
            if tier.lower is None:
                ledger.step("sla.credit.step.tier", **params)
            else:
                ledger.step("sla.credit.step.tier_bounded", lower=Pct(tier.lower), **params)
            return tier, tier.percent
    top = schedule.tiers[0].upper
    assert top is not None
    ledger.step("sla.credit.step.met", availability=Availability(measured), target=Pct(top))
    return None, Decimal(0)


def _full(
    ledger: _Ledger, schedule: FullCredit, measured: Decimal, fee: Decimal, currency: str
) -> Decimal:
    target = ledger.use("commitment.target_percent", ledger.policy.commitment.target_percent)
    if measured >= target:
        ledger.step("sla.credit.step.met", availability=Availability(measured), target=Pct(target))
        return Decimal(0)
    ledger.step(
        "sla.credit.step.tier",
        availability=Availability(measured),
        upper=Pct(target),
        rate=Pct(schedule.percent),
        fee=Money(fee, currency),
        amount=Money(fee * schedule.percent / _HUNDRED, currency),
    )
    return schedule.percent


def _count(
    ledger: _Ledger, pairs: list[Incident], given: TicketTimes | None
) -> tuple[CountedOutage, ...]:
    """Each incident's counted length, applying "downtime counts from the ticket" if the SLA
    says so."""
    from_ticket = ledger.policy.measurement.counts_from_ticket
    rule = from_ticket is not None and from_ticket.value is True
    if rule:
        ledger.use("measurement.counts_from_ticket", from_ticket)
        if given is None:
            raise InvalidInput("sla.error.tickets_needed", ref=ledger.policy.ref)
    tickets = _tickets(pairs, given)
    out = []
    for index, ((start, end), ticket) in enumerate(zip(pairs, tickets, strict=True), start=1):
        if not rule:
            counted = end - start
        elif ticket is None:
            counted = timedelta(0)
            ledger.step(
                "sla.credit.step.outage_no_ticket",
                n=index,
                start=When(start, ledger.tz),
                end=When(end, ledger.tz),
            )
        else:
            counted = max(end - max(start, ticket), timedelta(0))
            ledger.step(
                "sla.credit.step.outage_ticket",
                n=index,
                start=When(start, ledger.tz),
                end=When(end, ledger.tz),
                ticket=When(ticket, ledger.tz),
                counted=Minutes(_minutes(counted)),
            )
        out.append(CountedOutage(index, start, end, ticket, counted))
    return tuple(out)


def _minutes(delta: timedelta) -> Decimal:
    return Decimal(delta // timedelta(microseconds=1)) / Decimal(60_000_000)


def _hours(delta: timedelta) -> Decimal:
    return Decimal(delta // timedelta(microseconds=1)) / Decimal(3_600_000_000)


def _brackets(
    ledger: _Ledger,
    schedule: OutageDurationBrackets,
    outages: tuple[CountedOutage, ...],
    fee: Decimal,
    currency: str,
    start: datetime,
    end: datetime,
) -> tuple[tuple[CountedOutage, ...], Decimal, Decimal]:
    credited = []
    total = Decimal(0)
    for outage in outages:
        minutes = _minutes(outage.counted)
        if minutes <= 0:
            credited.append(outage)
            continue
        bracket = next(
            b
            for b in schedule.brackets
            if minutes >= b.min_minutes and (b.max_minutes is None or minutes < b.max_minutes)
        )
        total += bracket.credit_hours
        credited.append(
            CountedOutage(
                outage.index,
                outage.start,
                outage.end,
                outage.ticket_opened_at,
                outage.counted,
                bracket,
                bracket.credit_hours,
            )
        )
        ledger.step(
            "sla.credit.step.outage_bracket",
            n=outage.index,
            start=When(outage.start, ledger.tz),
            end=When(outage.end, ledger.tz),
            length=Minutes(minutes),
            hours=Hours(bracket.credit_hours),
        )
    if not credited or total == 0:
        ledger.step("sla.credit.step.no_outages")
        return tuple(credited), total, Decimal(0)
    if schedule.month_hours is not None:
        month_hours = schedule.month_hours
        basis = "sla.credit.step.hours_to_money_fixed"
    else:
        month_hours = _hours(end - start)
        basis = "sla.credit.step.hours_to_money"
    ledger.step(
        basis,
        hours=Hours(total),
        fee=Money(fee, currency),
        month_hours=Hours(month_hours),
        amount=Money(fee * total / month_hours, currency),
    )
    return tuple(credited), total, total / month_hours * _HUNDRED


def _intervals(
    ledger: _Ledger,
    schedule: StartedIntervals,
    outages: tuple[CountedOutage, ...],
    fee: Decimal,
    currency: str,
    start: datetime,
    end: datetime,
) -> tuple[int, Decimal]:
    counted = sum((o.counted for o in outages), timedelta(0))
    counted_min = _minutes(counted)
    if schedule.beyond == "sla_allowance":
        target = ledger.use("commitment.target_percent", ledger.policy.commitment.target_percent)
        share = _HUNDRED - target
        allowance_min = _minutes(end - start) * share / _HUNDRED
        excess = counted_min - allowance_min
        ledger.step(
            "sla.credit.step.allowance",
            counted=Minutes(counted_min),
            allowance=Minutes(allowance_min),
            share=Pct(share),
            period=Hours(_hours(end - start)),
            excess=Minutes(max(excess, Decimal(0))),
        )
    else:
        excess = counted_min
        ledger.step("sla.credit.step.downtime_total", counted=Minutes(counted_min))
    if excess <= 0:
        ledger.step("sla.credit.step.within_allowance")
        return 0, Decimal(0)
    started = math.ceil(excess / schedule.interval_minutes)
    rate = started * schedule.percent_per_interval
    ledger.step(
        "sla.credit.step.intervals",
        intervals=started,
        interval=Minutes(schedule.interval_minutes),
        per=Pct(schedule.percent_per_interval),
        rate=Pct(Decimal(plain(rate))),
    )
    ledger.step(
        "sla.credit.step.rate_times_fee",
        rate=Pct(Decimal(plain(rate))),
        fee=Money(fee, currency),
        amount=Money(fee * rate / _HUNDRED, currency),
    )
    return started, rate


def _cap(ledger: _Ledger, raw: Decimal, fee: Decimal, currency: str) -> tuple[Decimal, bool]:
    cap = ledger.policy.credit.cap_percent
    if cap is None:
        return raw, False
    if cap.value is None:
        if raw > 0:
            ledger.step("sla.credit.step.cap_unknown")
            if "credit.cap_percent" not in ledger.unconfirmed:
                ledger.unconfirmed.append("credit.cap_percent")
        return raw, False
    limit_pct = ledger.use("credit.cap_percent", cap)
    limit = fee * limit_pct / _HUNDRED
    if raw <= limit:
        return raw, False
    ledger.step(
        "sla.credit.step.cap",
        raw=Money(raw, currency),
        cap=Pct(limit_pct),
        fee=Money(fee, currency),
        amount=Money(limit, currency),
    )
    return limit, True


def _minimum(ledger: _Ledger, amount: Decimal, currency: str) -> tuple[Decimal, bool]:
    minimum = ledger.policy.credit.minimum
    if minimum is None or minimum.value is None or amount <= 0:
        return amount, False
    if minimum.value.currency != currency:
        ledger.step(
            "sla.credit.step.minimum_other_currency",
            minimum=Money(minimum.value.amount, minimum.value.currency),
        )
        return amount, False
    if amount >= minimum.value.amount:
        return amount, False
    ledger.use("credit.minimum", minimum)
    ledger.step(
        "sla.credit.step.below_minimum",
        amount=Money(amount, currency),
        minimum=Money(minimum.value.amount, currency),
    )
    return Decimal(0), True


def _closing(ledger: _Ledger, amount: Decimal, currency: str) -> None:
    credit = ledger.policy.credit
    if ledger.shown("credit.form", credit.form):
        assert credit.form is not None
        ledger.step(
            "sla.credit.step.total_form",
            amount=Money(amount, currency),
            form=Phrase(f"sla.form.{credit.form.value}"),
        )
    else:
        ledger.step("sla.credit.step.total", amount=Money(amount, currency))
    expiry = credit.expires_after_months
    if amount > 0 and ledger.shown("credit.expires_after_months", expiry):
        assert expiry is not None
        ledger.step("sla.credit.step.expiry", months=expiry.value)
    remedy = credit.sole_remedy
    if remedy is not None and remedy.value is True and ledger.shown("credit.sole_remedy", remedy):
        ledger.step("sla.credit.step.sole_remedy")
    for field in ledger.unconfirmed:
        ledger.step(
            "sla.credit.step.unconfirmed", field=Phrase(f"sla.field.{field.replace('.', '_')}")
        )
