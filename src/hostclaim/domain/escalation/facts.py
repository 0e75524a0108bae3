"""What the escalation rules need to know about a case (input), reduced to plain values.

Dates are calendar days: the service building these facts converts the case's aware UTC times
to dates in the complainant's zone, since waiting periods and time bars count days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from hostclaim.domain.case import Channel, ComplainantType, Direction, EvidenceKind
from hostclaim.domain.directory.models import Anchor
from hostclaim.domain.directory.regions import normalise_country
from hostclaim.domain.directory.values import Model, Money
from hostclaim.domain.lifecycle import Stage
from hostclaim.errors import InvalidInput

WRITTEN_CHANNELS = frozenset(
    {Channel.EMAIL, Channel.TICKET, Channel.PORTAL, Channel.LETTER, Channel.CHAT}
)


class LetterKind(StrEnum):
    SUPPORT_TICKET = "support_ticket"
    COMPLAINT_LETTER = "complaint_letter"
    FOLLOW_UP = "follow_up"
    ESCALATION_MANAGEMENT = "escalation_management"
    REGULATOR_COMPLAINT = "regulator_complaint"
    CONSUMER_BODY_COMPLAINT = "consumer_body_complaint"
    MEDIATION_REQUEST = "mediation_request"
    LETTER_BEFORE_ACTION = "letter_before_action"
    LAWYER_BRIEF = "lawyer_brief"


class Contact(Model):
    """One contact with the provider. ``answered``: an outbound message got a reply."""

    at: date
    direction: Direction
    channel: Channel
    answered: bool = False
    letter: LetterKind | None = None  # the kind of letter this contact was, if it was one


class Complainant(Model):
    type: ComplainantType
    country: str
    employees: int | None = Field(default=None, ge=0)
    full_time_equivalents: Decimal | None = Field(default=None, ge=0)
    annual_turnover: Money | None = None

    @field_validator("country")
    @classmethod
    def _code(cls, value: str) -> str:
        return normalise_country(value)


class ContractForum(Model):
    """Governing law and venue as the contract states them (free text), and where the venue is."""

    governing_law: str | None = None
    venue: str | None = None
    venue_country: str | None = None
    arbitration: bool = False

    @field_validator("venue_country")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else normalise_country(value)


class CaseFacts(Model):
    complainant: Complainant
    provider_key: str | None = None
    provider_country: str | None = None  # taken from the directory when the provider is known
    provider_memberships: tuple[str, ...] = ()  # body keys of schemes the provider belongs to
    stage: Stage = Stage.PREPARING
    contacts: tuple[Contact, ...] = ()
    complaint_first_made_at: date | None = None
    deadlock_letter_at: date | None = None
    management_escalation_at: date | None = None
    incidents: tuple[date, ...] = ()  # the day each incident started
    amounts_claimed: tuple[Money, ...] = ()
    contract_forum: ContractForum | None = None
    today: date

    @field_validator("provider_country")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else normalise_country(value)

    @model_validator(mode="after")
    def _nothing_after_today(self) -> CaseFacts:
        dated = [c.at for c in self.contacts] + list(self.incidents)
        dated += [
            d
            for d in (
                self.complaint_first_made_at,
                self.deadlock_letter_at,
                self.management_escalation_at,
            )
            if d is not None
        ]
        later = [day for day in dated if day > self.today]
        if later:
            # Not a ValueError: pydantic lets it through, so callers get the catalog message.
            raise InvalidInput(
                "error.escalation.dated_after_today", day=max(later), today=self.today
            )
        return self

    def _first_outbound(
        self, *, written: bool = False, letter: LetterKind | None = None
    ) -> date | None:
        days = [
            c.at
            for c in self.contacts
            if c.direction is Direction.OUTBOUND
            and (not written or c.channel in WRITTEN_CHANNELS)
            and (letter is None or c.letter is letter)
        ]
        return min(days, default=None)

    def anchor(self, which: Anchor) -> date | None:
        """The day an anchor event happened, or None if it has not happened (or is not recorded)."""
        if which is Anchor.COMPLAINT_FIRST_MADE:
            # Any contact raising the problem counts as the complaint when no date was given.
            return self.complaint_first_made_at or self._first_outbound()
        if which is Anchor.WRITTEN_COMPLAINT:
            return self._first_outbound(written=True)
        if which is Anchor.MANAGEMENT_ESCALATION:
            return self.management_escalation_at or self._first_outbound(
                letter=LetterKind.ESCALATION_MANAGEMENT
            )
        if which is Anchor.DEADLOCK_LETTER:
            return self.deadlock_letter_at
        if which is Anchor.LETTER_BEFORE_ACTION:
            return self._first_outbound(letter=LetterKind.LETTER_BEFORE_ACTION)
        if which is Anchor.FIRST_INCIDENT:
            return min(self.incidents, default=None)
        return max(self.incidents, default=None)

    def replied_between(self, start: date, end: date) -> bool:
        """Whether the provider answered in ``[start, end]`` (an outbound contact marked answered
        after ``start`` counts, its reply date being unknown)."""
        return any(
            (c.direction is Direction.INBOUND and start <= c.at <= end)
            or (c.direction is Direction.OUTBOUND and c.answered and c.at >= start)
            for c in self.contacts
        )

    def last_unanswered(self) -> Contact | None:
        outbound = [c for c in self.contacts if c.direction is Direction.OUTBOUND]
        if not outbound:
            return None
        last = max(outbound, key=lambda c: c.at)
        if last.answered or any(
            c.direction is Direction.INBOUND and c.at >= last.at for c in self.contacts
        ):
            return None
        return last


class EvidenceSummary(Model):
    """What the case holds for a court: evidence kinds present and the legal documents' state."""

    kinds: frozenset[EvidenceKind] = frozenset()
    statement_of_claim: bool = False  # 起诉状
    evidence_list: bool = False
    lawyer_consulted: bool = False
    filed_on: date | None = None
    hearing_on: date | None = None
    judgment_on: date | None = None
    judgment_enforced: bool = False
