"""The shape of an SLA policy: one provider's terms for one product, at one version.

Every fact is a :class:`~hostclaim.domain.sla.sourced.Sourced` value. The same schema serves the
policies shipped in ``hostclaim/data/sla`` and a case's own contract SLA loaded from a file.

Percentages are availability or credit percents (``99.99`` means 99.99 %). Availability tiers are
half-open ranges ``[lower, upper)``: a tier applies when ``lower <= availability < upper``.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from hostclaim.domain.sla.sourced import Model, Number, Percent, Sourced

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"


# --- credit schedules -------------------------------------------------------------------------


class Tier(Model):
    """``lower <= availability < upper`` earns ``percent`` of the credit base."""

    lower: Percent | None = None
    upper: Percent | None = None
    percent: Percent

    @model_validator(mode="after")
    def _ordered(self) -> Tier:
        if self.upper is None:
            raise ValueError("a tier needs an upper bound (availability below it earns credit)")
        if self.lower is not None and self.lower >= self.upper:
            raise ValueError(f"tier lower bound {self.lower} must be below upper {self.upper}")
        return self


class AvailabilityTiers(Model):
    """AWS, GCP, Azure, Leaseweb: monthly availability → percent of the base."""

    kind: Literal["availability_tiers"]
    tiers: Annotated[list[Tier], Field(min_length=1)]

    @model_validator(mode="after")
    def _contiguous(self) -> AvailabilityTiers:
        for higher, lower in zip(self.tiers, self.tiers[1:], strict=False):
            if higher.lower is None or higher.lower != lower.upper:
                raise ValueError(
                    "tiers must run from the highest availability down, each starting where "
                    f"the previous one ends (got {higher.lower} then {lower.upper})"
                )
        return self


class DurationBracket(Model):
    """An outage lasting ``min_minutes <= d < max_minutes`` earns ``credit_hours`` of service."""

    min_minutes: Annotated[Number, Field(ge=0)]
    max_minutes: Number | None = None
    credit_hours: Annotated[Number, Field(gt=0)]


class OutageDurationBrackets(Model):
    """Vultr: each outage earns hours of credit by its length; hours become money at the fee per
    hour of the month (``month_hours`` when the provider fixes it, else the period's own hours)."""

    kind: Literal["per_outage_duration"]
    brackets: Annotated[list[DurationBracket], Field(min_length=1)]
    month_hours: Annotated[Number, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _contiguous(self) -> OutageDurationBrackets:
        if self.brackets[0].min_minutes != 0:
            raise ValueError("the first bracket must start at 0 minutes")
        for shorter, longer in zip(self.brackets, self.brackets[1:], strict=False):
            if shorter.max_minutes is None or shorter.max_minutes != longer.min_minutes:
                raise ValueError(
                    "brackets must be contiguous, each starting where the previous one ends"
                )
        if self.brackets[-1].max_minutes is not None:
            raise ValueError("the last bracket must be open-ended (no max_minutes)")
        return self


class StartedIntervals(Model):
    """OVHcloud: ``percent_per_interval`` for each started interval of downtime beyond the
    allowance the commitment leaves (e.g. 0.1 % of the period for 99.9 %)."""

    kind: Literal["per_started_interval"]
    interval_minutes: Annotated[Number, Field(gt=0)]
    percent_per_interval: Percent
    beyond: Literal["sla_allowance", "nothing"]


class FullCredit(Model):
    """DigitalOcean: any shortfall below the commitment earns ``percent`` (100 %) of the base."""

    kind: Literal["full_credit"]
    percent: Percent


Schedule = Annotated[
    AvailabilityTiers | OutageDurationBrackets | StartedIntervals | FullCredit,
    Field(discriminator="kind"),
]
ScheduleKind = Literal[
    "availability_tiers", "per_outage_duration", "per_started_interval", "full_credit"
]

CreditBase = Literal[
    "monthly_fee",  # the monthly fee of the affected service item
    "regional_service_charges",  # AWS region-level: the service's charges in the region
    "instance_charges",  # the charges for the affected instance
    "contract",  # whatever the contract names
]
CreditForm = Literal["future_bills", "account_credit", "contract"]


class Money(Model):
    amount: Annotated[Number, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class CreditTerms(Model):
    schedule: Sourced[Schedule]
    base: Sourced[CreditBase]
    cap_percent: Sourced[Percent] | None = None
    """Most the credit can be, as a percent of the base (100 = the month's fee)."""
    minimum: Sourced[Money] | None = None
    """Credits below this amount are not issued (AWS: none under $1)."""
    form: Sourced[CreditForm] | None = None
    expires_after_months: Sourced[Annotated[int, Field(gt=0)]] | None = None
    sole_remedy: Sourced[bool] | None = None


# --- commitment and measurement ---------------------------------------------------------------


class Commitment(Model):
    target_percent: Sourced[Percent]
    scope: Sourced[str]
    """What the target applies to: per instance, per region across zones, per service item."""
    unavailable_when: Sourced[str]
    """What counts as unavailable, in the provider's terms."""


class Exclusion(Model):
    kind: Literal["announced_maintenance", "other"]
    notice_hours: Annotated[int, Field(ge=0)] | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Exclusion:
        if self.kind == "announced_maintenance" and self.notice_hours is None:
            raise ValueError("announced maintenance needs notice_hours (the notice required)")
        if self.kind == "other" and not self.description:
            raise ValueError("an 'other' exclusion needs a description")
        return self


Granularity = Annotated[int, Field(gt=0)] | Literal["continuous"]
"""Length of the measured interval in seconds (60, 300), or ``continuous``."""


class Measurement(Model):
    period: Sourced[Literal["calendar_month", "billing_cycle"]]
    timezone: Sourced[str]
    granularity: Sourced[Granularity]
    interval_rule: Sourced[str] | None = None
    """How an interval counts as down (e.g. 'a minute with no external connectivity')."""
    minimum_downtime_seconds: Sourced[Annotated[int, Field(ge=0)]] | None = None
    exclusions: list[Sourced[Exclusion]] = Field(default_factory=list)
    counts_from_ticket: Sourced[bool] | None = None
    """Downtime counts only from when the customer opened a ticket (OVHcloud)."""
    measured_by: Sourced[str] | None = None
    """Whose measurement decides, when the SLA says (e.g. the provider's own host metrics)."""

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, value: Sourced[str]) -> Sourced[str]:
        if value.value is not None:
            try:
                ZoneInfo(value.value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value.value!r}; use an IANA name") from None
        return value


# --- claim window and procedure ---------------------------------------------------------------


class DaysAfterIncident(Model):
    """Vultr: N days (N × 24 h) after the incident."""

    kind: Literal["days_after_incident"]
    days: Annotated[int, Field(gt=0)]


class CalendarDaysAfterIncident(Model):
    """OVHcloud US: until the end of the Nth calendar day after the day of the incident."""

    kind: Literal["calendar_days_after_incident"]
    days: Annotated[int, Field(gt=0)]


class EndOfNthBillingCycle(Model):
    """AWS: by the end of the Nth billing cycle after the one in which the incident occurred."""

    kind: Literal["end_of_nth_billing_cycle_after_incident"]
    cycles: Annotated[int, Field(gt=0)]


class DaysAfterPeriodClose(Model):
    """GCP: N days from the close of the measurement month."""

    kind: Literal["days_after_period_close"]
    days: Annotated[int, Field(gt=0)]


class MonthsAfterBillingPeriodEnd(Model):
    """Azure, DigitalOcean: N months after the end of the billing month of the incident."""

    kind: Literal["months_after_billing_period_end"]
    months: Annotated[int, Field(gt=0)]


class DaysAfterInvoice(Model):
    """Equinix: invoice disputes within N days of the invoice date."""

    kind: Literal["days_after_invoice"]
    days: Annotated[int, Field(gt=0)]


ClaimRule = Annotated[
    DaysAfterIncident
    | CalendarDaysAfterIncident
    | EndOfNthBillingCycle
    | DaysAfterPeriodClose
    | MonthsAfterBillingPeriodEnd
    | DaysAfterInvoice,
    Field(discriminator="kind"),
]

ChannelKind = Literal[
    "support_case", "support_request", "claim_form", "support_ticket", "control_panel", "contract"
]
InfoItem = Literal[
    "incident_times",  # dates and times of each incident
    "resource_ids",  # affected instance / volume / resource ids
    "project_ids",  # GCP project ids
    "redacted_logs",  # request logs with confidential data redacted
    "no_sensitive_data",  # remove sensitive data from what is sent
    "tracking_id",  # the provider's incident tracking id (Azure Service Health)
    "ticket_number",  # the ticket opened about the outage
    "explicit_credit_request",  # the ticket must ask for a credit in so many words
]


class Channel(Model):
    kind: ChannelKind
    detail: str | None = None


class ClaimTerms(Model):
    window: Sourced[ClaimRule]
    channel: Sourced[Channel]
    subject_must_contain: Sourced[str] | None = None
    required_information: Sourced[list[InfoItem]] | None = None


# --- the policy -------------------------------------------------------------------------------


class Policy(Model):
    key: Annotated[str, Field(pattern=KEY_PATTERN)]
    version: Annotated[str, Field(pattern=VERSION_PATTERN)]
    supersedes: Annotated[str, Field(pattern=VERSION_PATTERN)] | None = None
    """The version this one replaces; the newest version is the one nothing supersedes."""
    provider: Annotated[str, Field(min_length=1)]
    product: Annotated[str, Field(min_length=1)]
    placeholder: bool = False
    """Terms are per contract: copy this file, fill in the contract's terms, load it as a file."""
    sources: Annotated[list[Annotated[str, Field(min_length=3)]], Field(min_length=1)]
    reference: str | None = None
    commitment: Commitment
    measurement: Measurement
    credit: CreditTerms
    claim: ClaimTerms
    notes: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.supersedes == self.version:
            raise ValueError(f"version {self.version} cannot supersede itself")
        schedule = self.credit.schedule.value
        target = self.commitment.target_percent.value
        if isinstance(schedule, AvailabilityTiers) and target is not None:
            top = schedule.tiers[0].upper
            if top != target:
                raise ValueError(
                    f"the highest credit tier ends at {top} % but the commitment is {target} %"
                )
        return self


def split_ref(ref: str) -> tuple[str, str | None]:
    """``aws-ec2-region@2023-05-25`` → (key, version); no ``@`` → (key, None)."""
    key, sep, version = ref.strip().partition("@")
    return key, (version if sep else None)


def valid_ref_part(text: str, *, version: bool = False) -> bool:
    return re.fullmatch(VERSION_PATTERN if version else KEY_PATTERN, text) is not None
