"""What a deadline rule produces: a dated obligation or opportunity, with its rule and source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from hostclaim.errors import InvalidInput
from hostclaim.i18n import t

#: A deadline this close (or closer) to ``now`` is "due soon".
DUE_SOON = timedelta(days=7)


class DeadlineKind(StrEnum):
    REPLY_DUE = "reply_due"  # someone (the provider, or a body) owes an answer by then
    SLA_CLAIM_WINDOW = "sla_claim_window"  # the SLA credit must be claimed by then
    FOLLOW_UP = "follow_up_cadence"  # chase the provider by then if still no answer
    ESCALATION_ELIGIBILITY = "escalation_eligibility"  # from then on a body may be used
    TIME_BAR = "time_bar"  # after then a body (or court) will refuse the complaint


class Severity(StrEnum):
    INFO = "info"  # a reminder or an opportunity opening
    WARNING = "warning"  # someone else's obligation: when missed, act on it
    CRITICAL = "critical"  # a right of the complainant lapses when missed


class Urgency(StrEnum):
    """Where a deadline stands relative to ``now``.

    For an escalation eligibility, OVERDUE means the date has passed: the route is open.
    """

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    LATER = "later"


class SourceStatus(StrEnum):
    VERIFIED = "verified"
    UNCONFIRMED = "unconfirmed"
    WRONG_IN_SOURCE = "wrong-in-source"


class SourceKind(StrEnum):
    REGULATION = "regulation"  # a law, a body's published rules
    PROVIDER = "provider"  # the provider's own statement or SLA
    CASE = "case"  # a document of the case (the letter the complainant sent)
    DEFAULT = "default"  # a hostclaim default, not a rule of law


@dataclass(frozen=True)
class Source:
    """Where a deadline's value comes from: a document or URL, and how sure we are of it."""

    citation: str
    status: SourceStatus
    kind: SourceKind
    url: str | None = None
    checked: date | None = None


class EventKind(StrEnum):
    LETTER_ISSUED = "letter_issued"
    CONTACT_OUTBOUND = "contact_outbound"
    COMPLAINT_MADE = "complaint_made"
    INTERNAL_ESCALATION = "internal_escalation"
    PROVIDER_ANSWER = "provider_answer"
    DEADLOCK_LETTER = "deadlock_letter"
    DISPUTE_AROSE = "dispute_arose"
    INCIDENT = "incident"
    BODY_FILING = "body_filing"


@dataclass(frozen=True)
class StartEvent:
    """The event a deadline is counted from, and when it happened (aware UTC)."""

    event: EventKind
    at: datetime
    ref: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvalidInput("error.deadlines.naive_time", value=self.at.isoformat())
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True)
class Message:
    """Text for people, kept as a catalog key and parameters until it is shown."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    def render(self, lang: str | None = None) -> str:
        """The text in ``lang``; parameters that are messages themselves are rendered too."""
        params = {
            name: value.render(lang) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return t(self.key, lang, **params)


@dataclass(frozen=True, kw_only=True)
class Deadline:
    """A dated obligation or opportunity, with the rule that produced it.

    ``subject`` tells apart deadlines one rule makes several of (one per letter, per incident);
    it is empty when the rule makes at most one. ``urgency`` is filled in by
    :func:`~hostclaim.domain.deadlines.compute_deadlines` relative to the case's ``now``.
    """

    kind: DeadlineKind
    due_at: datetime
    title: Message
    rule_id: str
    rule_text: Message
    source: Source
    starts_from: StartEvent
    severity: Severity
    subject: str = ""
    caveats: tuple[Message, ...] = ()
    urgency: Urgency | None = None

    def __post_init__(self) -> None:
        if self.due_at.tzinfo is None:
            raise InvalidInput("error.deadlines.naive_time", value=self.due_at.isoformat())
        object.__setattr__(self, "due_at", self.due_at.astimezone(UTC))

    def urgency_at(self, now: datetime, soon: timedelta = DUE_SOON) -> Urgency:
        if self.due_at < now:
            return Urgency.OVERDUE
        if self.due_at <= now + soon:
            return Urgency.DUE_SOON
        return Urgency.LATER

    @property
    def overdue(self) -> bool:
        return self.urgency is Urgency.OVERDUE

    @property
    def due_soon(self) -> bool:
        return self.urgency is Urgency.DUE_SOON
