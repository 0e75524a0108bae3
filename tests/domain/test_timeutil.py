from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.domain.timeutil import fmt_duration, iso_utc, parse_time, show
from hostclaim.errors import InvalidInput


def test_offset_times_become_utc() -> None:
    assert parse_time("2026-10-03T14:25:00+08:00") == datetime(2026, 10, 3, 6, 25, tzinfo=UTC)
    assert parse_time("2026-10-03T06:25:00Z") == datetime(2026, 10, 3, 6, 25, tzinfo=UTC)


def test_naive_time_needs_a_zone() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_time("2026-10-03 14:25")
    assert "offset" in info.value.render("en")
    assert parse_time("2026-10-03 14:25", "Asia/Shanghai") == datetime(
        2026, 10, 3, 6, 25, tzinfo=UTC
    )


def test_dst_gap_and_fold_are_refused() -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_time("2026-03-29T02:30:00", "Europe/Berlin")
    with pytest.raises(InvalidInput, match="happens twice"):
        parse_time("2026-10-25T02:30:00", "Europe/Berlin")


def test_bad_zone_and_bad_time() -> None:
    with pytest.raises(InvalidInput, match="not a time zone"):
        parse_time("2026-10-03 14:25", "Mars/Olympus")
    with pytest.raises(InvalidInput, match="not a time"):
        parse_time("yesterday")


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_iso_utc_round_trips(moment: datetime) -> None:
    assert parse_time(iso_utc(moment)) == moment


def test_show_gives_zone_and_offset() -> None:
    moment = datetime(2026, 10, 3, 6, 25, tzinfo=UTC)
    assert show(moment, ZoneInfo("Asia/Shanghai")) == "2026-10-03 14:25 CST (+08:00)"
    assert show(moment, "Europe/Berlin") == "2026-10-03 08:25 CEST (+02:00)"


def test_durations_read_like_a_person_wrote_them() -> None:
    assert fmt_duration(timedelta(hours=19, minutes=55)) == "19 h 55 min"
    assert fmt_duration(timedelta(seconds=42)) == "42 s"
    assert fmt_duration(timedelta(days=1, minutes=5)) == "1 d 5 min"
