"""Calendar arithmetic: month ends, DST, weekends, holidays and China's make-up working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.domain.deadlines import (
    BusinessCalendar,
    Period,
    Unit,
    add_months,
    add_years,
    business_calendar,
    due_after,
    end_of_day,
)
from hostclaim.domain.deadlines.calendar_math import add_period_to_date, local_date, start_of_day
from hostclaim.domain.timeutil import parse_time as at
from hostclaim.errors import InvalidInput

ZONES = [
    "Asia/Shanghai",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",  # DST changed at midnight until 2019
    "Asia/Kolkata",
]


# -- months and years clamp to the end of the month -------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 10, 15), 5, date(2027, 3, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_add_years_from_leap_day() -> None:
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(0, 240))
def test_add_months_lands_in_the_right_month_never_past_the_day(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(1)).day == 1)


# -- end of day, across DST --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "zone", "expected_utc"),
    [
        (date(2026, 3, 29), "Europe/Berlin", "2026-03-29T21:59:59+00:00"),  # spring forward
        (date(2026, 10, 25), "Europe/Berlin", "2026-10-25T22:59:59+00:00"),  # fall back
        (date(2026, 3, 29), "Europe/London", "2026-03-29T22:59:59+00:00"),
        (date(2026, 10, 25), "Europe/London", "2026-10-25T23:59:59+00:00"),
        (date(2026, 3, 8), "America/New_York", "2026-03-09T03:59:59+00:00"),
        (date(2026, 11, 1), "America/New_York", "2026-11-02T04:59:59+00:00"),
        (date(2026, 10, 1), "Asia/Shanghai", "2026-10-01T15:59:59+00:00"),
    ],
)
def test_end_of_day_is_last_local_second(day: date, zone: str, expected_utc: str) -> None:
    result = end_of_day(day, zone)
    assert result == datetime.fromisoformat(expected_utc)
    assert result.tzinfo is UTC


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.sampled_from(ZONES))
def test_end_of_day_is_the_last_second_of_that_local_date(day: date, zone: str) -> None:
    tz = ZoneInfo(zone)
    end = end_of_day(day, zone)
    assert end.astimezone(tz).date() == day
    assert (end + timedelta(seconds=1)).astimezone(tz).date() == day + timedelta(days=1)
    assert end + timedelta(seconds=1) == start_of_day(day + timedelta(days=1), zone)


def test_end_of_day_where_midnight_is_skipped() -> None:
    # São Paulo went from 00:00 to 01:00 on 2018-11-04: 3 Nov still ends at 23:59:59 local.
    end = end_of_day(date(2018, 11, 3), "America/Sao_Paulo")
    local = end.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert (local.date(), local.hour, local.minute, local.second) == (date(2018, 11, 3), 23, 59, 59)


def test_days_across_spring_forward_keep_the_local_day() -> None:
    # Saturday noon in Berlin, one day later: Sunday 29 March 2026 ends at 23:59:59 CEST.
    due = due_after(at("2026-03-28T12:00:00+01:00"), Period(1, Unit.DAYS), "Europe/Berlin")
    assert due == at("2026-03-29T23:59:59+02:00")


def test_weeks_across_bst_start_in_london() -> None:
    due = due_after(at("2026-03-22T10:00:00+00:00"), Period(1, Unit.WEEKS), "Europe/London")
    assert due == at("2026-03-29T23:59:59+01:00")


def test_days_across_fall_back_in_new_york() -> None:
    due = due_after(at("2026-10-31T09:00:00-04:00"), Period(1, Unit.DAYS), "America/New_York")
    assert due == at("2026-11-01T23:59:59-05:00")


def test_hours_are_elapsed_time_across_dst() -> None:
    # 24 hours from Saturday noon EST end at Sunday 13:00 EDT: the clock skipped an hour.
    start = at("2026-03-07T12:00:00-05:00")
    due = due_after(start, Period(24, Unit.HOURS), "America/New_York")
    assert due - start == timedelta(hours=24)
    assert due.astimezone(ZoneInfo("America/New_York")).hour == 13


def test_local_date_decides_not_utc_date() -> None:
    # 2026-10-03 01:00 in Shanghai is still 2 October in UTC: 1 day later is 4 October local.
    due = due_after(at("2026-10-03T01:00:00+08:00"), Period(1, Unit.DAYS), "Asia/Shanghai")
    assert due == at("2026-10-04T23:59:59+08:00")


def test_zero_days_is_end_of_same_local_day() -> None:
    start = at("2026-10-03T09:00:00+02:00")
    assert due_after(start, Period(0, Unit.DAYS), "Europe/Berlin") == at(
        "2026-10-03T23:59:59+02:00"
    )


@given(
    start=st.datetimes(
        min_value=datetime(2001, 1, 1),
        max_value=datetime(2035, 12, 31),
        timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]),
        allow_imaginary=False,
    ),
    unit=st.sampled_from(Unit),
    amount=st.integers(0, 2) | st.integers(0, 400),
    zone=st.sampled_from(ZONES),
    country=st.sampled_from(["CN", "DE", "GB", "US", "HK", "JP"]),
)
def test_due_after_never_before_start_and_ends_a_local_day(
    start: datetime, unit: Unit, amount: int, zone: str, country: str
) -> None:
    period = Period(amount, unit)
    due = due_after(start, period, zone, business_calendar(country))
    assert due >= start
    assert due.tzinfo is UTC
    if unit is Unit.HOURS:
        assert due - start == timedelta(hours=amount)
    else:
        expected = add_period_to_date(local_date(start, zone), period, business_calendar(country))
        assert due == max(end_of_day(expected, zone), start)
        assert due.astimezone(ZoneInfo(zone)).date() == expected
        # the last second of the local day (or the start itself, when it began in that second)
        assert (
            timedelta(0)
            < start_of_day(expected + timedelta(days=1), zone) - due
            <= timedelta(seconds=1)
        )


# -- business days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "subdivision", "day", "days", "expected"),
    [
        # China: golden week 1–7 Oct 2026 off; Sunday 20 Sep and Saturday 10 Oct are worked.
        ("CN", None, date(2026, 9, 30), 1, date(2026, 10, 8)),
        ("CN", None, date(2026, 10, 9), 1, date(2026, 10, 10)),
        ("CN", None, date(2026, 9, 19), 1, date(2026, 9, 20)),
        ("CN", None, date(2025, 9, 30), 1, date(2025, 10, 9)),  # 2025: 1–8 Oct off
        # Christmas
        ("GB", None, date(2026, 12, 24), 1, date(2026, 12, 29)),  # Boxing Day observed Mon 28
        ("DE", None, date(2026, 12, 24), 1, date(2026, 12, 28)),
        ("IE", None, date(2026, 12, 24), 1, date(2026, 12, 28)),  # no "observed" day in IE
        # Good Friday and Easter Monday (not holidays for the US federal calendar)
        ("GB", "ENG", date(2026, 4, 2), 1, date(2026, 4, 7)),
        ("DE", None, date(2026, 4, 2), 1, date(2026, 4, 7)),
        ("US", None, date(2026, 4, 2), 1, date(2026, 4, 3)),
        ("AU", "NSW", date(2026, 4, 2), 1, date(2026, 4, 7)),
        # Hong Kong: Saturday is not a business day; general holidays count
        ("HK", None, date(2026, 7, 3), 1, date(2026, 7, 6)),
        ("HK", None, date(2026, 4, 2), 1, date(2026, 4, 8)),
        # others
        ("FR", None, date(2026, 5, 7), 1, date(2026, 5, 11)),  # 8 May
        ("NL", None, date(2026, 4, 24), 1, date(2026, 4, 28)),  # King's Day 27 April
        ("SG", None, date(2026, 8, 7), 1, date(2026, 8, 11)),  # National Day observed 10 Aug
        ("JP", None, date(2026, 12, 30), 1, date(2027, 1, 4)),  # New Year bank holidays
        ("AU", "NSW", date(2026, 1, 23), 1, date(2026, 1, 27)),  # Australia Day
        ("IE", None, date(2026, 3, 16), 1, date(2026, 3, 18)),  # St Patrick's Day
        ("US", "NY", date(2026, 11, 25), 1, date(2026, 11, 27)),  # Thanksgiving
        # weekends
        ("DE", None, date(2026, 10, 9), 1, date(2026, 10, 12)),
        ("DE", None, date(2026, 10, 9), 5, date(2026, 10, 16)),
        ("DE", None, date(2026, 10, 10), 0, date(2026, 10, 10)),
    ],
)
def test_business_days(
    country: str, subdivision: str | None, day: date, days: int, expected: date
) -> None:
    assert business_calendar(country, subdivision).add_business_days(day, days) == expected


def test_gb_defaults_to_england() -> None:
    assert business_calendar("GB").subdivision == "ENG"
    assert not business_calendar("GB").is_business_day(date(2026, 8, 31))  # Summer bank holiday
    assert business_calendar("GB", "SCT").is_business_day(date(2026, 8, 31))


def test_china_make_up_days_are_business_days_and_substituted_days_are_not() -> None:
    cn = business_calendar("CN")
    assert cn.is_business_day(date(2026, 9, 20))  # Sunday, worked
    assert cn.is_business_day(date(2026, 10, 10))  # Saturday, worked
    assert not cn.is_business_day(date(2026, 10, 7))  # Wednesday, substituted day off
    assert not cn.is_business_day(date(2026, 10, 11))  # an ordinary Sunday


def test_china_unpublished_schedule_is_reported() -> None:
    cn = business_calendar("CN")
    assert cn.unpublished_years(date(2026, 1, 1), date(2026, 12, 31)) == ()
    assert cn.unpublished_years(date(2026, 12, 1), date(2027, 1, 10)) == (2027,)
    assert business_calendar("DE").unpublished_years(date(2030, 1, 1), date(2031, 1, 1)) == ()


def test_business_days_exact_in_provider_zone_across_dst() -> None:
    # Friday 23 Oct 2026 in Berlin + 2 business days = Tuesday 27 Oct (after fall back, CET).
    due = due_after(
        at("2026-10-23T16:00:00+02:00"),
        Period(2, Unit.BUSINESS_DAYS),
        "Europe/Berlin",
        business_calendar("DE"),
    )
    assert due == at("2026-10-27T23:59:59+01:00")


def test_custom_weekend() -> None:
    calendar = BusinessCalendar("DE", weekend=frozenset({4, 5}))  # Friday-Saturday
    assert calendar.add_business_days(date(2026, 10, 8), 1) == date(2026, 10, 11)


@given(
    st.sampled_from(["CN", "DE", "GB", "US", "FR", "NL", "HK", "SG", "JP", "AU", "IE"]),
    st.dates(date(2001, 1, 1), date(2035, 12, 31)),
    st.integers(1, 30),
)
def test_business_day_count_is_exact(country: str, day: date, days: int) -> None:
    calendar = business_calendar(country)
    result = calendar.add_business_days(day, days)
    assert result > day
    assert calendar.is_business_day(result)
    between = [day + timedelta(n) for n in range(1, (result - day).days + 1)]
    assert sum(calendar.is_business_day(d) for d in between) == days


# -- refusals ---------------------------------------------------------------------------------


def test_refuses_unknown_country_and_subdivision() -> None:
    with pytest.raises(InvalidInput) as error:
        BusinessCalendar("XX")
    assert error.value.key == "error.deadlines.unknown_calendar"
    with pytest.raises(InvalidInput):
        BusinessCalendar("DE", "ZZ")


def test_refuses_negative_period_and_naive_time() -> None:
    with pytest.raises(InvalidInput):
        Period(-1, Unit.DAYS)
    with pytest.raises(InvalidInput) as error:
        due_after(datetime(2026, 10, 3, 9), Period(1, Unit.DAYS), "Europe/Berlin")
    assert error.value.key == "error.deadlines.naive_time"


def test_business_days_need_a_calendar() -> None:
    with pytest.raises(InvalidInput):
        due_after(at("2026-10-03T09:00:00Z"), Period(1, Unit.BUSINESS_DAYS), "UTC")


def test_refuses_unknown_zone() -> None:
    with pytest.raises(InvalidInput) as error:
        due_after(at("2026-10-03T09:00:00Z"), Period(1, Unit.DAYS), "Mars/Olympus")
    assert error.value.key == "error.bad_zone"
