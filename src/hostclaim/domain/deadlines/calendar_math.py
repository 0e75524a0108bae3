"""Calendar arithmetic for deadlines: count on local dates, answer in aware UTC.

A period of days, weeks, months or years is counted on the calendar of the IANA zone a rule
names, and ends at the end of its last local day (23:59:59). A DST change inside the period
therefore moves the UTC offset of the answer, never its day. Hours are elapsed time: 24 hours
across a spring-forward night end at 25 wall-clock hours.

Business days come from the ``holidays`` package, with two choices made here on purpose:

* when in doubt whether a day is a business day, it is not one — a reply is then never called
  late too early. So Hong Kong counts Saturday as weekend (the package follows the statutory
  week, where only Sunday is a general holiday) and adds its general (bank) holidays to the
  statutory ones; Japan adds the bank holidays around the New Year (31 Dec, 2–3 Jan).
* China's 调休: ``holidays.China`` models the State Council's yearly schedule — holidays moved
  onto weekdays ("Day off (substituted from …)") and the weekend days worked in exchange
  (``weekend_workdays``, e.g. Sunday 2026-09-20 and Saturday 2026-10-10). Both are used. The
  schedule is only known once the State Council publishes it (each November for the next year);
  for a later year the package still gives the statutory holidays but no make-up days, which
  :meth:`BusinessCalendar.unpublished_years` reports so a rule can say so.
"""

from __future__ import annotations

import calendar as _calendar
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from hostclaim.domain.timeutil import zone as _zone
from hostclaim.errors import InvalidInput

SATURDAY, SUNDAY = 5, 6

#: Subdivision used when none is given: a GB provider without a stated nation is taken to be in
#: England (England and Wales share their bank holidays).
DEFAULT_SUBDIVISIONS: dict[str, str] = {"GB": "ENG"}

#: Weekend used for business days where it differs from the package's (see module docstring).
_BUSINESS_WEEKEND: dict[str, frozenset[int]] = {"HK": frozenset({SATURDAY, SUNDAY})}

#: Holiday categories that close offices, where more than the package's "public" ones do.
_BUSINESS_CATEGORIES: dict[str, tuple[str, ...]] = {
    "HK": ("public", "optional"),  # "optional" = HK general holidays (banks, offices closed)
    "JP": ("public", "bank"),  # 31 Dec, 2 and 3 Jan: banks and most offices closed
}

#: Countries whose business calendar depends on a yearly published make-up schedule.
_MAKEUP_SCHEDULE_COUNTRIES = frozenset({"CN"})


class Unit(StrEnum):
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    BUSINESS_DAYS = "business_days"


@dataclass(frozen=True)
class Period:
    """A length of time as a rule states it, e.g. ``Period(8, Unit.WEEKS)``."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise InvalidInput("error.deadlines.negative_period", amount=self.amount)


def as_zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else _zone(tz)


def local_date(at: datetime, tz: str | ZoneInfo) -> date:
    """The calendar date of the instant ``at`` on the wall clock of ``tz``."""
    if at.tzinfo is None:
        raise InvalidInput("error.deadlines.naive_time", value=at.isoformat())
    return at.astimezone(as_zone(tz)).date()


def start_of_day(day: date, tz: str | ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz``, as aware UTC.

    ``fold=0`` on a midnight that a DST change skips gives the pre-change offset, which maps to
    the instant of the change itself: the first moment the local date is ``day``.
    """
    return datetime.combine(day, time(0), tzinfo=as_zone(tz)).astimezone(UTC)


def end_of_day(day: date, tz: str | ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz`` (23:59:59 local), as aware UTC.

    Taken as one second before the next local midnight, so it is right even in zones whose DST
    change happens at midnight (the day then has 23 or 25 hours, or repeats its last hour).
    """
    return start_of_day(day + timedelta(days=1), tz) - timedelta(seconds=1)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def add_weeks(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


def add_months(day: date, months: int) -> date:
    """Same day of month ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    last = _calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``years`` later on the same date; 29 Feb becomes 28 Feb in a common year."""
    return add_months(day, 12 * years)


class BusinessCalendar:
    """Business days of one country (and subdivision), from the ``holidays`` package."""

    def __init__(
        self,
        country: str,
        subdivision: str | None = None,
        *,
        weekend: frozenset[int] | None = None,
    ) -> None:
        code = country.strip().upper()
        subdiv = subdivision or DEFAULT_SUBDIVISIONS.get(code)
        try:
            self._holidays = holidays.country_holidays(
                code,
                subdiv=subdiv,
                categories=_BUSINESS_CATEGORIES.get(code, ("public",)),
            )
        except NotImplementedError:
            raise InvalidInput(
                "error.deadlines.unknown_calendar", country=country, subdivision=subdiv or "-"
            ) from None
        self.country = code
        self.subdivision = subdiv
        self.weekend = (
            weekend
            if weekend is not None
            else _BUSINESS_WEEKEND.get(code, frozenset(self._holidays.weekend))
        )
        # The package fills a year's holidays on first use; keep that safe across threads.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.country!r}, {self.subdivision!r})"

    def is_business_day(self, day: date) -> bool:
        with self._lock:
            is_holiday = day in self._holidays  # populates the year, make-up days included
            if day.weekday() in self.weekend:
                return day in self._holidays.weekend_workdays
            return not is_holiday

    def holiday_name(self, day: date) -> str | None:
        with self._lock:
            return self._holidays.get(day)

    def add_business_days(self, day: date, days: int) -> date:
        """The ``days``-th business day after ``day`` (``day`` itself is not counted).

        With ``days == 0`` the answer is ``day`` itself.
        """
        if days < 0:
            raise InvalidInput("error.deadlines.negative_period", amount=days)
        current = day
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def unpublished_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years in ``first..last`` whose make-up working-day schedule is not yet known."""
        if self.country not in _MAKEUP_SCHEDULE_COUNTRIES:
            return ()
        missing = []
        for year in range(first.year, last.year + 1):
            with self._lock:
                _ = date(year, 1, 1) in self._holidays  # populate the year
                known = any(d.year == year for d in self._holidays.weekend_workdays)
            if not known:
                missing.append(year)
        return tuple(missing)


@lru_cache(maxsize=128)
def business_calendar(country: str, subdivision: str | None = None) -> BusinessCalendar:
    """A shared :class:`BusinessCalendar` per country and subdivision."""
    return BusinessCalendar(country, subdivision)


def add_period_to_date(day: date, period: Period, calendar: BusinessCalendar | None = None) -> date:
    """The local date ``period`` after ``day`` (not for hours, which are not counted in days)."""
    match period.unit:
        case Unit.DAYS:
            return add_days(day, period.amount)
        case Unit.WEEKS:
            return add_weeks(day, period.amount)
        case Unit.MONTHS:
            return add_months(day, period.amount)
        case Unit.YEARS:
            return add_years(day, period.amount)
        case Unit.BUSINESS_DAYS:
            if calendar is None:
                raise InvalidInput("error.deadlines.no_calendar")
            return calendar.add_business_days(day, period.amount)
        case Unit.HOURS:
            raise InvalidInput("error.deadlines.hours_on_dates")


def due_after(
    start: datetime,
    period: Period,
    tz: str | ZoneInfo,
    calendar: BusinessCalendar | None = None,
) -> datetime:
    """When ``period`` counted from the instant ``start`` ends, as aware UTC.

    Hours are elapsed time from ``start``. Every other unit is counted on local dates in ``tz``
    from the local date of ``start`` and ends at 23:59:59 local on the last day.
    """
    if start.tzinfo is None:
        raise InvalidInput("error.deadlines.naive_time", value=start.isoformat())
    if period.unit is Unit.HOURS:
        return start.astimezone(UTC) + timedelta(hours=period.amount)
    target = as_zone(tz)
    last_day = add_period_to_date(local_date(start, target), period, calendar)
    # A zero-length period started in the last second of a day (23:59:59.5) would otherwise end
    # at 23:59:59, before it began.
    return max(end_of_day(last_day, target), start.astimezone(UTC))
