"""Sourced values and the small value types the directory is built from.

Every fact in the directory is a :class:`Sourced` value: the value, where it comes from, when it
was checked, and whether it is ``verified``, ``unconfirmed`` or ``wrong-in-source``. A compound
value (a channel, an eligibility rule) is sourced as a whole; its parts share the source.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

T = TypeVar("T")


class Model(BaseModel):
    """Base of every directory model: immutable, and unknown keys in the YAML are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(StrEnum):
    VERIFIED = "verified"
    UNCONFIRMED = "unconfirmed"
    WRONG_IN_SOURCE = "wrong-in-source"


class Basis(StrEnum):
    """How the source supports a verified value: said there, by a third party, or our reading.

    Inferences are never shipped as verified (a test holds the data to that)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    INFERENCE = "inference"


class Sourced(Model, Generic[T]):
    value: T
    source: str = Field(min_length=1)
    checked: date
    status: Status
    basis: Basis = Basis.PRIMARY
    note: str | None = None

    @model_validator(mode="after")
    def _verified_needs_a_source(self) -> Sourced[T]:
        if self.status is Status.VERIFIED and not self.source.strip():
            raise ValueError("a verified value needs a source")
        return self

    @property
    def inference(self) -> bool:
        return self.basis is Basis.INFERENCE


class Text(Model):
    """Text for people, in both languages."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Money(Model):
    amount: Decimal = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, value: str) -> str:
        code = value.strip().upper()
        if not _CURRENCY.match(code):
            raise ValueError(f"not an ISO 4217 currency code: {value!r}")
        return code

    def __str__(self) -> str:
        amount = self.amount.normalize()
        text = f"{amount:,f}" if amount == amount.to_integral_value() else f"{self.amount:,}"
        return f"{self.currency} {text}"


class PeriodUnit(StrEnum):
    DAYS = "days"
    WORKING_DAYS = "working_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


_UNIT_WORDS = {
    "day": PeriodUnit.DAYS,
    "days": PeriodUnit.DAYS,
    "working day": PeriodUnit.WORKING_DAYS,
    "working days": PeriodUnit.WORKING_DAYS,
    "week": PeriodUnit.WEEKS,
    "weeks": PeriodUnit.WEEKS,
    "month": PeriodUnit.MONTHS,
    "months": PeriodUnit.MONTHS,
    "year": PeriodUnit.YEARS,
    "years": PeriodUnit.YEARS,
}
_PERIOD = re.compile(r"^\s*(\d+)\s+([a-z ]+?)\s*$")


class Period(Model):
    """A length of time as rules state it: ``8 weeks``, ``1 month``, ``5 working days``.

    Calendar arithmetic, not a fixed number of days: one month after 31 January is the last
    day of February. Working days skip Saturdays and Sundays only; public holidays differ by
    country and are not counted here.
    """

    amount: int = Field(ge=1)
    unit: PeriodUnit

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            match = _PERIOD.match(data.lower())
            unit = _UNIT_WORDS.get(match.group(2)) if match else None
            if match is None or unit is None:
                raise ValueError(f"not a period such as '8 weeks': {data!r}")
            return {"amount": int(match.group(1)), "unit": unit}
        return data

    def after(self, start: date) -> date:
        if self.unit is PeriodUnit.DAYS:
            return start + timedelta(days=self.amount)
        if self.unit is PeriodUnit.WEEKS:
            return start + timedelta(weeks=self.amount)
        if self.unit is PeriodUnit.WORKING_DAYS:
            day, left = start, self.amount
            while left:
                day += timedelta(days=1)
                if day.weekday() < 5:
                    left -= 1
            return day
        months = self.amount * (12 if self.unit is PeriodUnit.YEARS else 1)
        index = start.month - 1 + months
        year, month = start.year + index // 12, index % 12 + 1
        return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"
