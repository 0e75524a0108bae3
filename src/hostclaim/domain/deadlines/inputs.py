"""What a case knows that deadlines are counted from.

Every time is an aware datetime (stored as UTC); a naive one is refused, because guessing its
zone moves a deadline by up to a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from hostclaim.domain.deadlines.calendar_math import Period, Unit
from hostclaim.domain.deadlines.model import EventKind, SourceStatus, StartEvent
from hostclaim.domain.timeutil import zone
from hostclaim.errors import InvalidInput


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput("error.deadlines.naive_time", value=f"{what}={value.isoformat()}")
    return value.astimezone(UTC)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


class Direction(StrEnum):
    INBOUND = "inbound"  # from the provider
    OUTBOUND = "outbound"  # from the complainant


class ComplainantKind(StrEnum):
    CONSUMER = "consumer"
    SMALL_BUSINESS = "small_business"  # micro / small: some schemes take them, with limits
    BUSINESS = "business"


class DisputeKind(StrEnum):
    BILLING = "billing"  # charges, invoices, refunds
    OTHER = "other"  # everything else: outages, quality, termination


@dataclass(frozen=True)
class Party:
    """Where the complainant or the provider is: ISO 3166 country, IANA zone, subdivision."""

    country: str
    zone: str
    subdivision: str | None = None

    def __post_init__(self) -> None:
        _set(self, "country", self.country.strip().upper())
        zone(self.zone)  # refuse an unknown zone now, not when a rule first needs it


@dataclass(frozen=True)
class Contact:
    """One logged contact. An automatic acknowledgement (a ticket number, "we received your
    message") is inbound but not ``substantive``: it answers nothing."""

    at: datetime
    direction: Direction
    substantive: bool = True
    ref: str = ""

    def __post_init__(self) -> None:
        _set(self, "at", _aware(self.at, "contact"))


@dataclass(frozen=True)
class LetterIssued:
    """A formal letter sent to the provider; ``reply_days`` is the period the letter states."""

    at: datetime
    ref: str
    reply_days: int | None = None

    def __post_init__(self) -> None:
        _set(self, "at", _aware(self.at, "letter"))
        if self.reply_days is not None and self.reply_days < 0:
            raise InvalidInput("error.deadlines.negative_period", amount=self.reply_days)


@dataclass(frozen=True)
class HandlingTime:
    """The provider's own stated time to handle a complaint, e.g. 48 hours or 5 business days."""

    period: Period
    source: str
    status: SourceStatus = SourceStatus.UNCONFIRMED
    url: str | None = None

    def __post_init__(self) -> None:
        if self.period.unit not in (Unit.HOURS, Unit.DAYS, Unit.BUSINESS_DAYS):
            raise InvalidInput("error.deadlines.bad_handling_time", unit=str(self.period.unit))


@dataclass(frozen=True)
class SlaClaimDeadline:
    """A claim deadline computed elsewhere from an SLA policy, for one incident.

    ``due_at`` is taken as given: the instant by which the claim must reach the provider
    (``hostclaim.domain.sla.ClaimWindow.deadline`` — exclusive, often a local midnight — can be
    passed as is). ``incident_at`` is the moment the window counts from (usually the incident's
    end); ``status`` may be given as the policy's status string.
    """

    due_at: datetime
    incident_at: datetime
    policy: str
    source: str
    status: SourceStatus
    url: str | None = None
    incident_ref: str = ""

    def __post_init__(self) -> None:
        _set(self, "due_at", _aware(self.due_at, "sla_claim.due_at"))
        _set(self, "incident_at", _aware(self.incident_at, "sla_claim.incident_at"))
        _set(self, "status", SourceStatus(self.status))
        if self.due_at < self.incident_at:
            raise InvalidInput(
                "error.deadlines.claim_before_incident",
                policy=self.policy,
                incident=self.incident_ref or self.incident_at.isoformat(),
            )


@dataclass(frozen=True)
class BodyFiling:
    """The complaint was filed with a body; ``body`` is its directory key (``data/bodies``),
    e.g. ``cn-12315``."""

    body: str
    at: datetime
    ref: str = ""

    def __post_init__(self) -> None:
        _set(self, "at", _aware(self.at, "body_filing"))


@dataclass(frozen=True, kw_only=True)
class DeadlineInputs:
    """Everything deadline rules read. Lists may be given; they are kept as tuples."""

    now: datetime
    complainant: Party
    provider: Party
    complainant_kind: ComplainantKind | None = None
    contacts: tuple[Contact, ...] = ()
    letters: tuple[LetterIssued, ...] = ()
    handling_time: HandlingTime | None = None
    complaint_first_made: datetime | None = None
    internal_escalation_at: datetime | None = None  # to management / the consumer service
    deadlock_letter_at: datetime | None = None
    dispute_arose_at: datetime | None = None  # when the problem started (or was known)
    dispute_kind: DisputeKind | None = None
    sla_claims: tuple[SlaClaimDeadline, ...] = ()
    body_filings: tuple[BodyFiling, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "now", _aware(self.now, "now"))
        for name in (
            "complaint_first_made",
            "internal_escalation_at",
            "deadlock_letter_at",
            "dispute_arose_at",
        ):
            value = getattr(self, name)
            if value is not None:
                _set(self, name, _aware(value, name))
        for name in ("contacts", "letters", "sla_claims", "body_filings"):
            _set(self, name, tuple(getattr(self, name)))

    # -- what the rules ask of a case ------------------------------------------------------

    def outbound(self) -> list[StartEvent]:
        """Every contact from the complainant: logged contacts, letters, the first complaint."""
        events = [
            StartEvent(EventKind.CONTACT_OUTBOUND, c.at, c.ref)
            for c in self.contacts
            if c.direction is Direction.OUTBOUND
        ]
        events += [StartEvent(EventKind.LETTER_ISSUED, lt.at, lt.ref) for lt in self.letters]
        if self.complaint_first_made is not None:
            events.append(StartEvent(EventKind.COMPLAINT_MADE, self.complaint_first_made))
        if self.internal_escalation_at is not None:
            events.append(StartEvent(EventKind.INTERNAL_ESCALATION, self.internal_escalation_at))
        return events

    def answers(self) -> list[StartEvent]:
        """Substantive answers from the provider; a deadlock letter is one."""
        events = [
            StartEvent(EventKind.PROVIDER_ANSWER, c.at, c.ref)
            for c in self.contacts
            if c.direction is Direction.INBOUND and c.substantive
        ]
        if self.deadlock_letter_at is not None:
            events.append(StartEvent(EventKind.DEADLOCK_LETTER, self.deadlock_letter_at))
        return events

    def first_answer_after(self, moment: datetime) -> StartEvent | None:
        return _earliest(a for a in self.answers() if a.at > moment)

    def last_outbound(self) -> StartEvent | None:
        events = self.outbound()
        return max(events, key=lambda e: e.at) if events else None

    def complaint_start(self) -> StartEvent | None:
        """When the complaint was first made to the provider: as recorded, else the earliest
        outbound contact (a complaint is first made by the first message about it)."""
        if self.complaint_first_made is not None:
            return StartEvent(EventKind.COMPLAINT_MADE, self.complaint_first_made)
        return _earliest(self.outbound())

    def earliest_known_event(self) -> StartEvent | None:
        """The earliest dated event of the case, for a period whose real start is unknown."""
        events = self.outbound() + self.answers()
        events += [
            StartEvent(EventKind.INCIDENT, claim.incident_at, claim.incident_ref)
            for claim in self.sla_claims
        ]
        return _earliest(events)

    def filed_with(self, body: str) -> bool:
        return any(filing.body == body for filing in self.body_filings)


def _earliest(events: Iterable[StartEvent]) -> StartEvent | None:
    return min(events, key=lambda e: e.at, default=None)
