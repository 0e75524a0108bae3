"""Deadlines set by complaint bodies: when a body may be used, when it must answer, and when a
complaint to it is too late.

A scheme's rules apply when the provider is in the scheme's country, the complainant is of a
kind the scheme accepts (or of unknown kind: the caveat then says who may use it) and the
complaint has not been filed with that body yet. Periods are counted on the calendar of the
body's seat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from hostclaim.domain.deadlines.calendar_math import (
    Period,
    Unit,
    business_calendar,
    due_after,
    local_date,
)
from hostclaim.domain.deadlines.contact_rules import schedule_caveats
from hostclaim.domain.deadlines.inputs import DeadlineInputs, DisputeKind
from hostclaim.domain.deadlines.model import (
    Deadline,
    DeadlineKind,
    EventKind,
    Message,
    Severity,
    Source,
    StartEvent,
)
from hostclaim.domain.deadlines.rule import text_of, title_of
from hostclaim.domain.deadlines.schemes import Scheme
from hostclaim.domain.timeutil import iso_utc

TWO_MONTHS = Period(2, Unit.MONTHS)
ONE_MONTH = Period(1, Unit.MONTHS)


def _applies(scheme: Scheme, inputs: DeadlineInputs) -> bool:
    return (
        inputs.provider.country == scheme.provider_country
        and scheme.open_to(inputs.complainant_kind)
        and not inputs.filed_with(scheme.scheme_id)
    )


def _who(scheme: Scheme) -> Message:
    return Message(scheme.who_may_use)


@dataclass(frozen=True)
class EscalationRule:
    """A body may be used once the provider has had ``period`` from the first complaint, or at
    once when an answer of a kind in ``opened_by`` arrives first (a deadlock letter, or for
    MIIT any answer the complainant is not satisfied with).

    ``periods`` lists (complaints made on or after this local date, period), oldest first.
    """

    scheme: Scheme
    periods: tuple[tuple[date, Period], ...]
    source: Source
    opened_by: frozenset[EventKind] = frozenset()
    kind: DeadlineKind = DeadlineKind.ESCALATION_ELIGIBILITY

    @property
    def rule_id(self) -> str:
        return f"escalation.{self.scheme.scheme_id}"

    def period_for(self, complained_on: date) -> Period:
        chosen = self.periods[0][1]
        for since, period in self.periods:
            if complained_on >= since:
                chosen = period
        return chosen

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        complaint = inputs.complaint_start()
        if complaint is None or not _applies(self.scheme, inputs):
            return
        period = self.period_for(local_date(complaint.at, self.scheme.zone))
        due = due_after(complaint.at, period, self.scheme.zone)
        start = complaint
        early = min(
            (a for a in inputs.answers() if a.event in self.opened_by and a.at >= complaint.at),
            key=lambda a: a.at,
            default=None,
        )
        if early is not None and early.at < due:
            due, start = early.at, early
        yield Deadline(
            kind=self.kind,
            due_at=due,
            title=title_of(self.rule_id),
            rule_id=self.rule_id,
            rule_text=text_of(self.rule_id, amount=period.amount, zone=self.scheme.zone),
            source=self.source,
            starts_from=start,
            severity=Severity.INFO,
            caveats=(_who(self.scheme),),
        )


@dataclass(frozen=True)
class FrenchMediatorRule:
    """Médiateur des communications électroniques: straight away once the written complaint has
    gone two months without an answer; otherwise one month after the complaint was taken to the
    provider's consumer service (second level), or at its answer if that comes first."""

    scheme: Scheme
    source: Source
    unanswered: Period = TWO_MONTHS
    after_second_level: Period = ONE_MONTH
    kind: DeadlineKind = DeadlineKind.ESCALATION_ELIGIBILITY

    @property
    def rule_id(self) -> str:
        return f"escalation.{self.scheme.scheme_id}"

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        complaint = inputs.complaint_start()
        if complaint is None or not _applies(self.scheme, inputs):
            return
        zone = self.scheme.zone
        options: list[tuple[StartEvent, Period | None]] = []
        if inputs.first_answer_after(complaint.at) is None:
            options.append((complaint, self.unanswered))
        if inputs.internal_escalation_at is not None:
            second = StartEvent(EventKind.INTERNAL_ESCALATION, inputs.internal_escalation_at)
            options.append((second, self.after_second_level))
            answer = inputs.first_answer_after(second.at)
            if answer is not None:
                options.append((answer, None))
        if not options:
            return  # answered at the first level: take it to the consumer service first
        due, start = min(
            (((due_after(ev.at, p, zone) if p else ev.at), ev) for ev, p in options),
            key=lambda option: option[0],
        )
        yield Deadline(
            kind=self.kind,
            due_at=due,
            title=title_of(self.rule_id),
            rule_id=self.rule_id,
            rule_text=text_of(
                self.rule_id,
                months=self.unanswered.amount,
                second_months=self.after_second_level.amount,
                zone=zone,
            ),
            source=self.source,
            starts_from=start,
            severity=Severity.INFO,
            caveats=(_who(self.scheme),),
        )


@dataclass(frozen=True)
class BodyReplyRule:
    """After a filing with the body, its decision on accepting the complaint is due within
    ``period`` working days on the body's calendar."""

    scheme: Scheme
    period: Period
    source: Source
    kind: DeadlineKind = DeadlineKind.REPLY_DUE

    @property
    def rule_id(self) -> str:
        return f"body_reply.{self.scheme.scheme_id}"

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        calendar = business_calendar(self.scheme.provider_country)
        zone = self.scheme.zone
        for filing in inputs.body_filings:
            if filing.body != self.scheme.scheme_id:
                continue
            due = due_after(filing.at, self.period, zone, calendar)
            yield Deadline(
                kind=self.kind,
                due_at=due,
                title=title_of(self.rule_id, ref=filing.ref),
                rule_id=self.rule_id,
                rule_text=text_of(self.rule_id, amount=self.period.amount, zone=zone),
                source=self.source,
                starts_from=StartEvent(EventKind.BODY_FILING, filing.at, filing.ref),
                severity=Severity.WARNING,
                subject=filing.ref or iso_utc(filing.at),
                caveats=schedule_caveats(calendar, filing.at, due, zone),
            )


@dataclass(frozen=True)
class TimeBarRule:
    """The last day a complaint to the body is in time: ``period`` after the dispute arose, or
    (``from_complaint``) after the written complaint to the provider.

    Without a recorded date for the dispute, the earliest dated event of the case stands in, with
    a caveat: the real bar may be earlier. ``start_is_reading`` marks a start point that the
    sources in REFERENCE.md do not state.
    """

    scheme: Scheme
    period: Period
    source: Source
    suffix: str = ""
    dispute_kind: DisputeKind | None = None
    from_complaint: bool = False
    start_is_reading: bool = False
    kind: DeadlineKind = DeadlineKind.TIME_BAR

    @property
    def rule_id(self) -> str:
        base = f"time_bar.{self.scheme.scheme_id}"
        return f"{base}.{self.suffix}" if self.suffix else base

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        if not _applies(self.scheme, inputs):
            return
        if self.dispute_kind is not None and inputs.dispute_kind not in (None, self.dispute_kind):
            return
        caveats = [_who(self.scheme)]
        start: StartEvent | None
        if self.from_complaint:
            start = inputs.complaint_start()
        elif inputs.dispute_arose_at is not None:
            start = StartEvent(EventKind.DISPUTE_AROSE, inputs.dispute_arose_at)
        else:
            start = inputs.earliest_known_event()
            if start is not None:
                event = Message(f"deadlines.event.{start.event}")
                caveats.append(Message("deadlines.caveat.start_assumed", {"event": event}))
        if start is None:
            return
        if self.start_is_reading:
            caveats.append(Message("deadlines.caveat.start_reading"))
        yield Deadline(
            kind=self.kind,
            due_at=due_after(start.at, self.period, self.scheme.zone),
            title=title_of(self.rule_id),
            rule_id=self.rule_id,
            rule_text=text_of(self.rule_id, amount=self.period.amount, zone=self.scheme.zone),
            source=self.source,
            starts_from=start,
            severity=Severity.CRITICAL,
            caveats=tuple(caveats),
        )
