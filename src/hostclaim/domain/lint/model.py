"""What the linter knows about a case, and what it reports."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount the case can back; ``currency`` is an ISO 4217 code, or None if unknown."""

    amount: Decimal
    currency: str | None = None


@dataclass(frozen=True)
class LintFacts:
    """The case's evidence, as far as the letter's claims can be checked against it.

    ``None`` means "not known": the matching check is skipped. An empty collection means "the case
    has none", so every date (or amount) in the letter is reported as unsupported.

    - ``dates``: every day the case can back — incident days, contacts, contract and invoice
      dates, deadlines set in demands, the letter's own date.
    - ``date_ranges``: inclusive spans of days (a multi-day incident).
    - ``date_tolerance_days``: a day either side is accepted by default, because a time near
      midnight UTC falls on another calendar day in Beijing or California.
    - ``amounts``: fees, invoice totals, demands, computed credits.
    - ``incident_proven``: False when the case has no proven incident, so the letter should not
      state an outage as fact.
    - ``own_contacts``: addresses and numbers that may appear (the complainant's, the
      provider's); ``@domain`` allows a whole domain.
    - ``people``: names of people met in the case (counterparts in communications).
    """

    dates: Collection[date] | None = None
    date_ranges: tuple[tuple[date, date], ...] = ()
    date_tolerance_days: int = 1
    amounts: Collection[Money | Decimal] | None = None
    incident_proven: bool | None = None
    own_contacts: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    def known_money(self) -> list[Money]:
        return [a if isinstance(a, Money) else Money(Decimal(a)) for a in self.amounts or ()]

    def knows_day(self, year: int | None, month: int, day: int) -> bool:
        """True when some known date (± tolerance) has this month and day (and year, if given)."""
        tolerance = self.date_tolerance_days
        known: list[date] = list(self.dates or ())
        spans = list(self.date_ranges)
        years = {d.year for d in known} | {y for a, b in spans for y in (a.year, b.year)}
        for candidate_year in [year] if year is not None else sorted(years):
            if candidate_year is None:
                continue
            try:
                mentioned = date(candidate_year, month, day)
            except ValueError:
                continue
            if any(abs((mentioned - k).days) <= tolerance for k in known):
                return True
            if any(
                (a - mentioned).days <= tolerance and (mentioned - b).days <= tolerance
                for a, b in spans
            ):
                return True
        return False

    @property
    def checks_dates(self) -> bool:
        return self.dates is not None or bool(self.date_ranges)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a letter: where it is, why it matters, what to do (in the user's language)."""

    rule: str
    severity: Severity
    line: int  # 1-based
    column: int  # 1-based, in characters
    span: tuple[int, int]  # character offsets into the text; (n, n) for something missing
    excerpt: str
    why: str
    fix: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule's raw result, before it is placed and translated."""

    rule: str
    start: int
    end: int
    excerpt: str | None = None  # None: take the text of the span
    params: dict[str, object] = field(default_factory=dict)
