"""Deadlines that follow from contact with the provider: replies owed, follow-ups, SLA claims."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from hostclaim.domain.deadlines.calendar_math import (
    BusinessCalendar,
    Period,
    Unit,
    business_calendar,
    due_after,
    local_date,
)
from hostclaim.domain.deadlines.inputs import DeadlineInputs
from hostclaim.domain.deadlines.model import (
    Deadline,
    DeadlineKind,
    EventKind,
    Message,
    Severity,
    Source,
    SourceKind,
    SourceStatus,
    StartEvent,
)
from hostclaim.domain.deadlines.rule import text_of, title_of
from hostclaim.domain.timeutil import iso_utc

DEFAULT_REPLY_DAYS = 14
DEFAULT_FOLLOW_UP_DAYS = 7

PRE_ACTION_PD = Source(
    citation=(
        "hostclaim default, after the Practice Direction – Pre-Action Conduct and Protocols "
        "(England & Wales): a reply within 14 days in a simple case"
    ),
    status=SourceStatus.VERIFIED,
    kind=SourceKind.DEFAULT,
    url="https://www.justice.gov.uk/courts/procedure-rules/civil/rules/pd_pre-action_conduct",
)


def schedule_caveats(
    calendar: BusinessCalendar, start: datetime, due: datetime, tz: str
) -> tuple[Message, ...]:
    """A caveat when a business-day count crosses a year whose make-up days are not published."""
    years = calendar.unpublished_years(local_date(start, tz), local_date(due, tz))
    if not years:
        return ()
    return (
        Message(
            "deadlines.caveat.schedule_unpublished",
            {"country": calendar.country, "years": ", ".join(str(y) for y in years)},
        ),
    )


@dataclass(frozen=True)
class ReplyDueRule:
    """Each formal letter not yet answered: a reply is due after the period the letter states
    (default 14 days), counted on the complainant's calendar — the date the letter prints."""

    default_days: int = DEFAULT_REPLY_DAYS
    rule_id: str = "reply_due.letter"
    kind: DeadlineKind = DeadlineKind.REPLY_DUE

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        for letter in inputs.letters:
            if inputs.first_answer_after(letter.at) is not None:
                continue
            stated = letter.reply_days is not None
            days = letter.reply_days if letter.reply_days is not None else self.default_days
            source = (
                Source(
                    citation=letter.ref,
                    status=SourceStatus.VERIFIED,
                    kind=SourceKind.CASE,
                )
                if stated
                else PRE_ACTION_PD
            )
            yield Deadline(
                kind=self.kind,
                due_at=due_after(letter.at, Period(days, Unit.DAYS), inputs.complainant.zone),
                title=title_of(self.rule_id, letter=letter.ref),
                rule_id=self.rule_id,
                rule_text=text_of(self.rule_id, days=days, zone=inputs.complainant.zone),
                source=source,
                starts_from=StartEvent(EventKind.LETTER_ISSUED, letter.at, letter.ref),
                severity=Severity.WARNING,
                subject=letter.ref or iso_utc(letter.at),
            )


@dataclass(frozen=True)
class HandlingTimeRule:
    """The provider's own stated handling time, from the first of the complainant's messages it
    has not answered since its last answer. Hours are elapsed time; business days are counted on
    the provider's calendar (country, subdivision, zone)."""

    rule_id: str = "reply_due.handling_time"
    kind: DeadlineKind = DeadlineKind.REPLY_DUE

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        stated = inputs.handling_time
        if stated is None:
            return
        answers = inputs.answers()
        last_answer = max((a.at for a in answers), default=None)
        waiting = [e for e in inputs.outbound() if last_answer is None or e.at > last_answer]
        if not waiting:
            return
        start = min(waiting, key=lambda e: e.at)
        provider = inputs.provider
        calendar = (
            business_calendar(provider.country, provider.subdivision)
            if stated.period.unit is Unit.BUSINESS_DAYS
            else None
        )
        due = due_after(start.at, stated.period, provider.zone, calendar)
        deadline = Deadline(
            kind=self.kind,
            due_at=due,
            title=title_of(self.rule_id),
            rule_id=self.rule_id,
            rule_text=Message(
                f"deadlines.rule.{self.rule_id}.{stated.period.unit}",
                {
                    "amount": stated.period.amount,
                    "country": provider.country,
                    "zone": provider.zone,
                },
            ),
            source=Source(
                citation=stated.source,
                status=stated.status,
                kind=SourceKind.PROVIDER,
                url=stated.url,
            ),
            starts_from=start,
            severity=Severity.WARNING,
        )
        if calendar is not None:
            caveats = schedule_caveats(calendar, start.at, due, provider.zone)
            deadline = replace(deadline, caveats=caveats)
        yield deadline


@dataclass(frozen=True)
class FollowUpCadenceRule:
    """While the provider has not answered the complainant's last message, follow up every
    ``every_days`` days after it. Only the next follow-up is produced: once it is logged as an
    outbound contact, the one after it follows."""

    every_days: int = DEFAULT_FOLLOW_UP_DAYS
    rule_id: str = "follow_up_cadence"
    kind: DeadlineKind = DeadlineKind.FOLLOW_UP

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        last = inputs.last_outbound()
        if last is None or inputs.first_answer_after(last.at) is not None:
            return
        yield Deadline(
            kind=self.kind,
            due_at=due_after(last.at, Period(self.every_days, Unit.DAYS), inputs.complainant.zone),
            title=title_of(self.rule_id),
            rule_id=self.rule_id,
            rule_text=text_of(self.rule_id, days=self.every_days, zone=inputs.complainant.zone),
            source=Source(
                citation=(
                    "hostclaim default follow-up cadence (the source guide, §二.3: follow up "
                    "regularly and keep a record of each contact)"
                ),
                status=SourceStatus.UNCONFIRMED,
                kind=SourceKind.DEFAULT,
            ),
            starts_from=last,
            severity=Severity.INFO,
        )


@dataclass(frozen=True)
class SlaClaimWindowRule:
    """Wraps claim deadlines computed from the SLA policy elsewhere: due exactly as computed."""

    rule_id: str = "sla_claim_window"
    kind: DeadlineKind = DeadlineKind.SLA_CLAIM_WINDOW

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]:
        for claim in inputs.sla_claims:
            incident = claim.incident_ref or iso_utc(claim.incident_at)
            yield Deadline(
                kind=self.kind,
                due_at=claim.due_at,
                title=title_of(self.rule_id, policy=claim.policy, incident=incident),
                rule_id=self.rule_id,
                rule_text=text_of(self.rule_id, policy=claim.policy),
                source=Source(
                    citation=claim.source,
                    status=claim.status,
                    kind=SourceKind.PROVIDER,
                    url=claim.url,
                ),
                starts_from=StartEvent(EventKind.INCIDENT, claim.incident_at, claim.incident_ref),
                severity=Severity.CRITICAL,
                subject=f"{claim.policy}/{incident}",
            )
