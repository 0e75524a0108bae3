"""The case file's vocabulary: kinds, channels, stages, goals, demands (glossary names)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from hostclaim.errors import InvalidInput


class EvidenceKind(StrEnum):
    CONTRACT = "contract"
    COMMUNICATION = "communication"
    SYSTEM_LOG = "system_log"
    PAYMENT = "payment"
    TECHNICAL_REPORT = "technical_report"
    OTHER = "other"


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    TICKET = "ticket"
    PORTAL = "portal"
    LETTER = "letter"
    IN_PERSON = "in_person"


class Direction(StrEnum):
    OUTBOUND = "outbound"  # from the complainant to the provider (or a body)
    INBOUND = "inbound"  # to the complainant


class Goal(StrEnum):
    REPAIR = "repair"
    COMPENSATION = "compensation"
    TERMINATION = "termination"


class Liability(StrEnum):
    PROVIDER_FULL = "provider_full"
    SHARED = "shared"


class DemandKind(StrEnum):
    SERVICE_CREDIT = "service_credit"
    REFUND = "refund"
    COMPENSATION = "compensation"
    FIX_BY = "fix_by"
    TERMINATE_WITHOUT_PENALTY = "terminate_without_penalty"
    APOLOGY_AND_REPORT = "root_cause_report"
    OTHER = "other"


class DemandStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ComplainantType(StrEnum):
    BUSINESS = "business"
    CONSUMER = "consumer"


E = TypeVar("E", bound=StrEnum)


def parse_choice(enum: type[E], value: str, what: str) -> E:
    """Turn user text into an enum member, or a clear error listing the choices."""
    normalised = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum(normalised)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput("error.bad_choice", what=what, value=value, choices=choices) from None


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def parse_currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput("error.bad_currency", value=value)
    return code


def parse_money(value: str) -> Decimal:
    """A non-negative amount with at most 2 decimals after stripping separators."""
    cleaned = value.strip().replace(",", "").replace("_", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput("error.bad_amount", value=value) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput("error.bad_amount", value=value)
    return amount


def parse_billing_day(value: int) -> int:
    if not 1 <= value <= 31:
        raise InvalidInput("error.bad_billing_day", value=value)
    return value
