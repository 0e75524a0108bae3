"""What the directory knows: providers, the bodies that take complaints, the source guide's table.

Every fact is a :class:`Sourced` value. The only unsourced fields are our own identifiers
(``key``). The rules a body applies (who may use it, when it opens, its time bars) are data
here and are evaluated by :mod:`hostclaim.domain.escalation`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from hostclaim.domain.directory.regions import normalise_country
from hostclaim.domain.directory.values import Model, Money, Period, Sourced, Text

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class BodyKind(StrEnum):
    REGULATOR = "regulator"
    CONSUMER_BODY = "consumer_body"
    ADR_SCHEME = "adr_scheme"
    MEDIATION = "mediation"
    SMALL_CLAIMS = "small_claims"
    COURT = "court"
    ARBITRATION = "arbitration"
    ADVICE_ONLY = "advice_only"
    REPORT_CENTRE = "report_centre"  # takes reports (spam, harmful content), not disputes


class BodyState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class HostingScope(StrEnum):
    """Whether a dispute with a hosting / cloud / colocation provider is something it handles."""

    IN_SCOPE = "in_scope"
    CHECK = "check"  # handles telecom services; hosting often falls outside
    LIKELY_OUT_OF_SCOPE = "likely_out_of_scope"
    OUT_OF_SCOPE = "out_of_scope"


class Membership(StrEnum):
    """Whether a provider must belong to the body for it to hear a complaint."""

    NOT_REQUIRED = "not_required"  # regulators, courts: no membership involved
    VOLUNTARY = "voluntary"  # only providers that joined
    COMPULSORY = "compulsory"  # every provider in scope must belong


class ChannelKind(StrEnum):
    PORTAL = "portal"
    WEB_FORM = "web_form"
    PHONE = "phone"
    EMAIL = "email"
    POST = "post"
    CHAT = "chat"


class Anchor(StrEnum):
    """The event a waiting period or a time bar counts from."""

    COMPLAINT_FIRST_MADE = "complaint_first_made"
    WRITTEN_COMPLAINT = "written_complaint"
    MANAGEMENT_ESCALATION = "management_escalation"
    DEADLOCK_LETTER = "deadlock_letter"
    LETTER_BEFORE_ACTION = "letter_before_action"
    FIRST_INCIDENT = "first_incident"
    LAST_INCIDENT = "last_incident"


class ConditionKind(StrEnum):
    COMPLAINED_TO_PROVIDER = "complained_to_provider"
    WRITTEN_COMPLAINT = "written_complaint"
    MANAGEMENT_ESCALATION = "management_escalation"
    DEADLOCK_LETTER = "deadlock_letter"
    PROVIDER_REPLIED = "provider_replied"
    LETTER_BEFORE_ACTION = "letter_before_action"
    ELAPSED = "elapsed"  # period since anchor has passed
    NO_REPLY_WITHIN = "no_reply_within"  # period since anchor passed with no reply from provider


class Verdict(StrEnum):
    """Our finding on a row of the source guide's contact table."""

    VERIFIED = "verified"
    WRONG = "wrong"
    UNCONFIRMED = "unconfirmed"
    UNCONFIRMED_LIKELY_WRONG = "unconfirmed_likely_wrong"
    WRONG_ATTRIBUTION = "wrong_attribution"
    WRONG_BODY = "wrong_body"
    LIKELY_FABRICATED = "likely_fabricated"


def _country(value: str) -> str:
    return normalise_country(value)


class Names(Model):
    en: Sourced[str]
    zh: Sourced[str]
    aliases: tuple[Sourced[str], ...] = ()


class Channel(Model):
    kind: ChannelKind
    address: str = Field(min_length=1)  # URL, phone number, e-mail address, postal address
    label: Text | None = None


class Lifecycle(Model):
    state: BodyState
    no_new_cases_from: date | None = None
    closed_on: date | None = None


class Eligibility(Model):
    consumers: bool
    businesses: bool
    max_employees: int | None = Field(default=None, ge=0)
    max_full_time_equivalents: int | None = Field(default=None, ge=0)
    max_turnover: Money | None = None


class Jurisdiction(Model):
    provider_in: tuple[str, ...] = ()  # empty: wherever the provider is
    complainant_in: tuple[str, ...] = ()  # empty: wherever the complainant is
    cross_border: bool = False  # complainant and provider must be in different countries

    @field_validator("provider_in", "complainant_in")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_country(code) for code in value)


class Condition(Model):
    kind: ConditionKind
    period: Period | None = None
    since: Anchor | None = None
    in_force_from: date | None = None  # the rule applies on and after this day
    in_force_until: date | None = None  # the rule applies up to and including this day

    @model_validator(mode="after")
    def _timed_needs_period(self) -> Condition:
        timed = self.kind in (ConditionKind.ELAPSED, ConditionKind.NO_REPLY_WITHIN)
        if timed != (self.period is not None and self.since is not None):
            raise ValueError(f"{self.kind.value}: period and since go with elapsed/no_reply_within")
        return self


class OpeningPath(Model):
    """All of these conditions together open the body; a body opens by any of its paths."""

    conditions: tuple[Condition, ...] = Field(min_length=1)


class TimeBar(Model):
    period: Period
    since: Anchor
    applies_to: Text | None = None  # e.g. billing disputes only


class Clock(Model):
    """A response or acceptance time the body or the provider must keep (information)."""

    what: Text
    period: Period | None = None


class ClaimLimit(Model):
    maximum: Money | None = None
    by_consent: Money | None = None
    minimum: Money | None = None


class Body(Model):
    key: str = Field(pattern=KEY_PATTERN)
    names: Names
    kind: Sourced[BodyKind]
    country: Sourced[str]  # ISO 3166-1 alpha-2 or a region (EU)
    lifecycle: Sourced[Lifecycle]
    eligibility: Sourced[Eligibility]
    jurisdiction: Sourced[Jurisdiction]
    hosting_scope: Sourced[HostingScope]
    membership: Sourced[Membership]
    opens_when: tuple[
        Sourced[OpeningPath], ...
    ] = ()  # any one path opens it; none: no precondition
    time_bars: tuple[Sourced[TimeBar], ...] = ()
    clocks: tuple[Sourced[Clock], ...] = ()
    claim_limit: Sourced[ClaimLimit] | None = None
    scope_notes: tuple[Sourced[Text], ...] = ()
    channels: tuple[Sourced[Channel], ...] = ()

    @property
    def country_code(self) -> str:
        return _country(self.country.value)


class LegalEntity(Model):
    name: str = Field(min_length=1)
    country: str
    address: str | None = None
    applies_to: Text | None = None  # which customers contract with this entity

    @field_validator("country")
    @classmethod
    def _code(cls, value: str) -> str:
        return _country(value)


class Forum(Model):
    """Governing law and where disputes go, as the provider's standard terms say."""

    law: Text
    venue: Text | None = None
    venue_country: str | None = None
    arbitration: bool = False
    applies_to: Text | None = None

    @field_validator("venue_country")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else _country(value)


class HandlingTime(Model):
    what: Text
    period: Period | None = None


class Provider(Model):
    key: str = Field(pattern=KEY_PATTERN)
    names: Names
    country: Sourced[str]  # where the group is headquartered
    website: Sourced[str]
    legal_entities: tuple[Sourced[LegalEntity], ...] = ()
    support_channels: tuple[Sourced[Channel], ...] = ()
    complaint_route: tuple[Sourced[Text], ...] = ()
    escalation_route: tuple[Sourced[Text], ...] = ()
    handling_times: tuple[Sourced[HandlingTime], ...] = ()
    sla_policies: tuple[Sourced[str], ...] = ()  # keys of data/sla policies
    governing_law: tuple[Sourced[Forum], ...] = ()
    adr_memberships: tuple[Sourced[str], ...] = ()  # body keys

    @property
    def country_code(self) -> str:
        return _country(self.country.value)


class SourceGuideRow(Model):
    """One contact of the source guide's table, as written, with our verdict."""

    key: str = Field(pattern=KEY_PATTERN)
    section: Sourced[str]
    body_as_written: Sourced[Text]  # zh: the guide's words; en: our translation
    contact_as_written: Sourced[Channel]
    verdict: Sourced[Verdict]
    finding: Sourced[Text]
    correct_body: Sourced[str] | None = None  # body key
    see_also: tuple[Sourced[str], ...] = ()  # body keys
