"""Computation steps as catalog keys with typed parameters, rendered in English or 简体中文.

A step keeps its numbers (money, percents, durations, instants), not finished text, so one result
can be shown in either language and still be checked digit by digit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from types import MappingProxyType

from hostclaim.domain.timeutil import show
from hostclaim.i18n import t

# ISO 4217 currencies without minor units; everything else is shown and rounded to cents.
_ZERO_DECIMAL = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND"}
    | {"VUV", "XAF", "XOF", "XPF"}
)
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CNY": "CN¥", "JPY": "JP¥", "HKD": "HK$"}


def quantum(currency: str) -> Decimal:
    return Decimal(1) if currency in _ZERO_DECIMAL else Decimal("0.01")


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (cents for most)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def fmt_money(amount: Decimal, currency: str) -> str:
    value = round_money(amount, currency)
    places = 0 if currency in _ZERO_DECIMAL else 2
    number = f"{value:,.{places}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def plain(number: Decimal) -> str:
    """``Decimal('10.000')`` → ``10``; ``Decimal('43.80')`` → ``43.8``; never exponent form."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Pct:
    """A percent shown as written (``99.0`` stays ``99.0 %``, as in the provider's table)."""

    value: Decimal


@dataclass(frozen=True)
class Availability:
    """Measured availability: shown to at most 4 decimals, rounded down, so a figure below a
    tier bound never displays as equal to it."""

    value: Decimal


@dataclass(frozen=True)
class Minutes:
    value: Decimal


@dataclass(frozen=True)
class Hours:
    value: Decimal


@dataclass(frozen=True)
class When:
    at: datetime
    tz: str


@dataclass(frozen=True)
class Phrase:
    """A catalog phrase used inside another step (a credit base, a credit form …)."""

    key: str


Param = str | int | Decimal | Money | Pct | Availability | Minutes | Hours | When | Phrase


def render_param(value: Param, lang: str | None) -> str:
    if isinstance(value, Money):
        return fmt_money(value.amount, value.currency)
    if isinstance(value, Pct):
        return f"{format(value.value, 'f')}%"
    if isinstance(value, Availability):
        shown = value.value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        return f"{plain(shown)}%"
    if isinstance(value, Minutes):
        return t("sla.unit.minutes", lang, n=plain(value.value.quantize(Decimal("0.1"))))
    if isinstance(value, Hours):
        return t("sla.unit.hours", lang, n=plain(value.value.quantize(Decimal("0.01"))))
    if isinstance(value, When):
        return show(value.at, value.tz)
    if isinstance(value, Phrase):
        return t(value.key, lang)
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


@dataclass(frozen=True)
class Step:
    """One line of a computation: a catalog key and its parameters."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params))))

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **{k: render_param(v, lang) for k, v in self.params.items()})
