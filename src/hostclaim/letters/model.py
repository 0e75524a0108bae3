"""The facts a letter is drafted from: a plain input model, independent of storage.

Every field is optional. A letter kind names the facts it cannot do without; when one is missing
the draft shows a ``[[TO FILL: …]]`` placeholder instead of guessing (see ``facts.py``).

Free text that a person wrote (an impact, a summary, a demand) may be given once, in the language
it was written in, or per language (``{"en": "...", "zh": "..."}``) so the English letter and the
Chinese copy each read naturally.
"""

from __future__ import annotations

import datetime as _dt
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

LocalText = str | dict[Literal["en", "zh"], str]
"""Text written by a person: one string, or one string per language."""


def _aware_utc(value: datetime) -> datetime:
    # A naive time in a letter is how a claim ends up eight hours off: refuse it.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("time must carry a zone (aware datetime)")
    return value.astimezone(UTC)


def _currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError("currency must be an ISO 4217 code such as EUR")
    return code


def _short_hash(value: str) -> str:
    text = value.strip().lower()
    if len(text) < 12 or len(text) > 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("sha256 must be at least 12 hex digits")
    return text[:12]


UtcTime = Annotated[datetime, AfterValidator(_aware_utc)]
Currency = Annotated[str, AfterValidator(_currency)]
ShortHash = Annotated[str, AfterValidator(_short_hash)]


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Complainant(_Facts):
    name: str | None = None
    organisation: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    customer_id: str | None = None
    is_consumer: bool | None = None
    """True for a private person; decides whether consumer schemes are open at all."""


class Provider(_Facts):
    name: str | None = None
    legal_name: str | None = None
    country: str | None = None
    address: str | None = None
    website: str | None = None
    support_email: str | None = None
    zone: str | None = None
    """IANA time zone of the provider, e.g. ``Europe/Berlin``."""


class Service(_Facts):
    contract_ref: str | None = None
    product: str | None = None
    start_date: date | None = None
    monthly_fee: Decimal | None = None
    currency: Currency | None = None
    billing_day: int | None = Field(default=None, ge=1, le=31)
    zone: str | None = None


Goal = Literal["repair", "compensation", "termination"]


class Liability(_Facts):
    position: Literal["provider_full", "shared"]
    note: LocalText | None = None


DemandKind = Literal[
    "sla_credit", "refund", "compensation", "fix_by", "terminate_without_penalty", "other"
]


class Demand(_Facts):
    kind: DemandKind
    text: LocalText | None = None
    amount: Decimal | None = None
    currency: Currency | None = None
    due: date | None = None
    calculation: tuple[LocalText, ...] = ()


class Incident(_Facts):
    number: int
    start: UtcTime
    end: UtcTime | None = None
    """None while the incident is still going on."""
    duration: timedelta | None = None
    """As established (e.g. by the outage accounting); computed from start/end when absent."""
    targets: tuple[str, ...] = ()
    """Affected resources: server names, instance ids, IP addresses."""
    impact: LocalText | None = None
    cause: LocalText | None = None
    evidence_refs: tuple[str, ...] = ()
    ticket_ref: str | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> Incident:
        if self.end is not None and self.end < self.start:
            raise ValueError("incident end is before its start")
        return self

    @property
    def length(self) -> timedelta | None:
        if self.duration is not None:
            return self.duration
        return None if self.end is None else self.end - self.start


Channel = Literal["email", "portal", "phone", "chat", "letter", "other"]


class Communication(_Facts):
    at: UtcTime
    channel: Channel
    direction: Literal["outbound", "inbound"]
    counterpart: str | None = None
    summary: LocalText | None = None
    ticket_ref: str | None = None


class Clause(_Facts):
    ref: str
    text: LocalText | None = None


class SlaInfo(_Facts):
    policy_key: str | None = None
    policy_name: str | None = None
    """How the policy is called in a letter; the key is shown when absent."""
    policy_version: str | None = None
    subject_words: str | None = None
    """Words the provider requires in the subject line, e.g. ``SLA Credit Request``."""
    required_information: tuple[LocalText, ...] = ()
    commitment: Decimal | None = None
    """Committed availability in percent, e.g. 99.9."""
    availability: Decimal | None = None
    """Measured availability in percent for the period claimed."""
    period: LocalText | None = None
    method: LocalText | None = None
    """How the availability was measured (the accounting method statement)."""
    credit_lines: tuple[LocalText, ...] = ()
    claim_deadline: date | None = None


class Enclosure(_Facts):
    title: LocalText
    date: _dt.date | None = None
    sha256: ShortHash | None = None
    file_name: str | None = None


class Forum(_Facts):
    kind: Literal["court", "small_claims", "arbitration"]
    name: str | None = None
    limit: Decimal | None = None
    currency: Currency | None = None
    basis: LocalText | None = None
    """Why this forum: e.g. the contract's jurisdiction clause."""


class Escalation(_Facts):
    body: str | None = None
    """The addressee: provider management, a regulator, a consumer body, a mediator."""
    contact: str | None = None
    reference: str | None = None
    address: str | None = None
    email: str | None = None


class LetterContext(_Facts):
    case_ref: str | None = None
    complainant: Complainant = Complainant()
    provider: Provider = Provider()
    service: Service = Service()
    goals: tuple[Goal, ...] = ()
    liability: Liability | None = None
    demands: tuple[Demand, ...] = ()
    incidents: tuple[Incident, ...] = ()
    communications: tuple[Communication, ...] = ()
    clauses: tuple[Clause, ...] = ()
    sla: SlaInfo = SlaInfo()
    enclosures: tuple[Enclosure, ...] = ()
    letter_date: date | None = None
    """Issue date; the draft uses today when absent."""
    reply_days: int = Field(default=14, ge=1, le=366)
    reply_by: date | None = None
    """Explicit reply deadline; overrides ``letter_date + reply_days``."""
    missed_deadline: date | None = None
    """A deadline set in an earlier letter that passed unanswered (for follow-ups)."""
    recipient_zone: str | None = None
    """Zone every time is also shown in; defaults to the provider's zone."""
    forum: Forum | None = None
    escalation: Escalation | None = None
    open_questions: tuple[LocalText, ...] = ()

    def issue_date(self, today: date | None = None) -> date:
        return self.letter_date or today or datetime.now(UTC).date()

    def reply_deadline(self, today: date | None = None) -> date:
        return self.reply_by or self.issue_date(today) + timedelta(days=self.reply_days)

    def zone_for_recipient(self) -> str | None:
        return self.recipient_zone or self.provider.zone
