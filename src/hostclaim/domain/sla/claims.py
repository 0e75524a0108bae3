"""Until when a credit can be claimed, by the policy's claim-window rule.

Deadlines are instants in UTC and *exclusive*: the claim must reach the provider before the
deadline. Day-based rules end at a local midnight in the zone that governs the rule (the policy's
measurement zone unless the caller names the billing zone), so month ends, leap days and DST
changes fall where a calendar on the provider's wall would put them.

Where a rule is open to two readings, the earlier deadline is not guessed silently: the rule text
says which reading was used (e.g. "N days after the incident" is counted from its end).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hostclaim.domain.sla.render import Phrase, Step, When
from hostclaim.domain.sla.schema import (
    CalendarDaysAfterIncident,
    DaysAfterIncident,
    DaysAfterInvoice,
    DaysAfterPeriodClose,
    EndOfNthBillingCycle,
    MonthsAfterBillingPeriodEnd,
    Policy,
)
from hostclaim.domain.sla.sourced import Status
from hostclaim.domain.timeutil import iso_utc, zone
from hostclaim.errors import InvalidInput

_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class ClaimWindow:
    policy_ref: str
    kind: str
    deadline: datetime
    """Aware UTC, exclusive: the claim must arrive before this instant."""
    last_day: date
    """The last day to claim, on the calendar of ``tz``."""
    tz: str
    status: Status
    """How sure the rule is (``unconfirmed`` rules come from secondary sources or none)."""
    source: str
    rule: Step

    def rule_text(self, lang: str | None = None) -> str:
        return self.rule.render(lang)

    def deadline_text(self, lang: str | None = None) -> str:
        return Step(
            "sla.claim.deadline",
            {
                "deadline": When(self.deadline, self.tz),
                "last_day": self.last_day.isoformat(),
                "status": Phrase(f"sla.status.{self.status}"),
            },
        ).render(lang)

    def is_open(self, now: datetime) -> bool:
        return window_open(self.deadline, now)

    def days_remaining(self, now: datetime) -> int:
        return days_remaining(self.deadline, now)


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput("sla.error.not_a_time", what=what, value=repr(value))
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("sla.error.naive_time", what=what, value=value.isoformat())
    return value.astimezone(UTC)


def window_open(deadline: datetime, now: datetime) -> bool:
    """Whether a claim sent at ``now`` is still in time."""
    return _aware(now, "now") < _aware(deadline, "deadline")


def days_remaining(deadline: datetime, now: datetime) -> int:
    """Whole days left before the deadline, rounded down (0 once the window has closed)."""
    left = _aware(deadline, "deadline") - _aware(now, "now")
    return max(0, left // timedelta(days=1))


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` on the wall calendar of ``tz``, in UTC.

    Midnight skipped by a DST change maps to the change itself (fold=0 takes the offset before
    the gap), which is when that day begins.
    """
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _cycle_start(day: date, cycle_day: int) -> date:
    """Start of the billing cycle containing ``day``; cycles start on ``cycle_day`` of each
    month, or on the month's last day when it is shorter (31 → 28/29 February)."""
    candidate = day.replace(day=min(cycle_day, monthrange(day.year, day.month)[1]))
    if day >= candidate:
        return candidate
    return _shift(candidate, -1, cycle_day)


def _shift(start: date, months: int, cycle_day: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return date(year, month, min(cycle_day, monthrange(year, month)[1]))


_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _nth(n: int) -> str:
    """English ordinal for the rule text (the Chinese text uses 第 {n} 个)."""
    suffix = "th" if 10 <= n % 100 <= 20 else _SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def claim_deadline(
    policy: Policy,
    *,
    incident_end: datetime,
    period_end: datetime | None = None,
    billing_cycle_day: int | None = None,
    tz: str | ZoneInfo | None = None,
    invoice_date: date | None = None,
) -> ClaimWindow:
    """The claim deadline for an incident under ``policy``'s claim-window rule.

    ``period_end`` is the end of the measurement period (default: the calendar month of the
    incident in ``tz``); ``billing_cycle_day`` the day of the month the customer's billing cycle
    starts (default 1: calendar months); ``tz`` the zone of the billing calendar (default: the
    policy's measurement zone); ``invoice_date`` only for invoice-dispute windows.
    """
    fact = policy.claim.window
    if fact.value is None:
        raise InvalidInput("sla.error.window_unknown", ref=policy.ref)
    if fact.status == "wrong-in-source":
        raise InvalidInput("sla.error.wrong_in_source", ref=policy.ref, field="claim.window")
    rule = fact.value

    zone_info = _zone(policy, tz)
    end = _aware(incident_end, "incident end")
    cycle_day = 1 if billing_cycle_day is None else billing_cycle_day
    if isinstance(cycle_day, bool) or not isinstance(cycle_day, int) or not 1 <= cycle_day <= 31:
        raise InvalidInput("sla.error.bad_cycle_day", value=repr(billing_cycle_day))
    # The incident is the half-open [start, end): its last instant decides its day and cycle, so
    # an incident ending exactly at midnight belongs to the day (and month) before.
    incident_day = (end - _TICK).astimezone(zone_info).date()
    zone_name = str(zone_info.key)

    step: Step
    if isinstance(rule, DaysAfterIncident):
        deadline = end + timedelta(days=rule.days)
        step = Step(f"sla.claim.rule.{rule.kind}", {"days": rule.days})
    elif isinstance(rule, CalendarDaysAfterIncident):
        deadline = start_of_day(incident_day + timedelta(days=rule.days + 1), zone_info)
        step = Step(f"sla.claim.rule.{rule.kind}", {"days": rule.days, "tz": zone_name})
    elif isinstance(rule, EndOfNthBillingCycle):
        first = _cycle_start(incident_day, cycle_day)
        deadline = start_of_day(_shift(first, rule.cycles + 1, cycle_day), zone_info)
        step = Step(
            f"sla.claim.rule.{rule.kind}",
            {"n": rule.cycles, "nth": _nth(rule.cycles), "day": cycle_day, "tz": zone_name},
        )
    elif isinstance(rule, MonthsAfterBillingPeriodEnd):
        first = _cycle_start(incident_day, cycle_day)
        deadline = start_of_day(_shift(first, rule.months + 1, cycle_day), zone_info)
        step = Step(
            f"sla.claim.rule.{rule.kind}",
            {"months": rule.months, "day": cycle_day, "tz": zone_name},
        )
    elif isinstance(rule, DaysAfterPeriodClose):
        close = _period_close(end, incident_day, period_end, zone_info)
        local_close = close.astimezone(zone_info)
        if start_of_day(local_close.date(), zone_info) == close:
            deadline = start_of_day(local_close.date() + timedelta(days=rule.days), zone_info)
        else:
            deadline = close + timedelta(days=rule.days)
        step = Step(
            f"sla.claim.rule.{rule.kind}",
            {"days": rule.days, "close": When(close, zone_name)},
        )
    elif isinstance(rule, DaysAfterInvoice):
        if invoice_date is None:
            raise InvalidInput("sla.error.invoice_date_needed", ref=policy.ref)
        if isinstance(invoice_date, datetime) or not isinstance(invoice_date, date):
            raise InvalidInput("sla.error.bad_invoice_date", value=repr(invoice_date))
        deadline = start_of_day(invoice_date + timedelta(days=rule.days + 1), zone_info)
        step = Step(
            f"sla.claim.rule.{rule.kind}",
            {"days": rule.days, "invoice": invoice_date.isoformat()},
        )
    else:  # pragma: no cover - the schema admits no other kind
        raise AssertionError(rule)

    return ClaimWindow(
        policy_ref=policy.ref,
        kind=rule.kind,
        deadline=deadline,
        last_day=(deadline - _TICK).astimezone(zone_info).date(),
        tz=zone_name,
        status=fact.status,
        source=fact.source,
        rule=step,
    )


def _zone(policy: Policy, tz: str | ZoneInfo | None) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    if tz is not None:
        return zone(tz)
    return zone(policy.measurement.timezone.value or "UTC")


def _period_close(
    end: datetime, incident_day: date, period_end: datetime | None, tz: ZoneInfo
) -> datetime:
    if period_end is None:
        return start_of_day(_shift(incident_day.replace(day=1), 1, 1), tz)
    close = _aware(period_end, "period end")
    if close < end:
        raise InvalidInput(
            "sla.error.incident_after_period", end=iso_utc(end), period_end=iso_utc(close)
        )
    return close


@dataclass(frozen=True)
class ProcedureItem:
    """One thing the claim must do or include, with how sure the policy is of it."""

    step: Step
    status: Status


def claim_procedure(policy: Policy) -> tuple[ProcedureItem, ...]:
    """How to claim under ``policy``: channel, subject words, what to include.

    Terms no source gives are left out; unconfirmed ones are kept with their status.
    """
    terms = policy.claim
    items: list[ProcedureItem] = []
    channel = terms.channel
    if channel.known and channel.value is not None:
        kind = Phrase(f"sla.channel.{channel.value.kind}")
        if channel.value.detail:
            step = Step(
                "sla.procedure.channel_detail", {"channel": kind, "detail": channel.value.detail}
            )
        else:
            step = Step("sla.procedure.channel", {"channel": kind})
        items.append(ProcedureItem(step, channel.status))
    subject = terms.subject_must_contain
    if subject is not None and subject.known and subject.value is not None:
        items.append(
            ProcedureItem(Step("sla.procedure.subject", {"words": subject.value}), subject.status)
        )
    info = terms.required_information
    if info is not None and info.known and info.value is not None:
        for item in info.value:
            step = Step("sla.procedure.include", {"item": Phrase(f"sla.info.{item}")})
            items.append(ProcedureItem(step, info.status))
    return tuple(items)
