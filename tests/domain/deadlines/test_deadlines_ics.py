"""iCalendar export: parse it back with icalendar and compare UIDs, times and alarms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from hostclaim.domain.deadlines import (
    Contact,
    Deadline,
    DeadlineInputs,
    Direction,
    LetterIssued,
    Party,
    SlaClaimDeadline,
    SourceStatus,
    compute_deadlines,
)
from hostclaim.domain.deadlines.ics import EVENT_LENGTH, PRODID, deadline_uid, to_ics
from hostclaim.domain.timeutil import parse_time as at

Case = Callable[..., DeadlineInputs]
STAMP = datetime(2026, 10, 25, 1, 2, 3, tzinfo=UTC)


@pytest.fixture
def deadlines(case: Case) -> list[Deadline]:
    inputs = case(
        now=at("2026-10-25T09:00:00+08:00"),
        provider=Party("GB", "Europe/London"),
        complaint_first_made=at("2026-10-03T09:00:00+08:00"),
        contacts=[Contact(at("2026-10-03T09:00:00+08:00"), Direction.OUTBOUND, ref="T-1")],
        letters=[
            LetterIssued(at("2026-10-10T15:00:00+08:00"), "L-1"),
            LetterIssued(at("2026-10-10T16:00:00+08:00"), "L-2"),  # same day: same due time
        ],
        sla_claims=[
            SlaClaimDeadline(
                due_at=at("2026-10-06T02:00:00Z"),
                incident_at=at("2026-10-03T02:00:00Z"),
                policy="vultr@2025",
                source="Vultr SLA",
                status=SourceStatus.UNCONFIRMED,
                url="https://example.com/vultr-sla",
                incident_ref="INC-7",
            )
        ],
    )
    found = compute_deadlines(inputs)
    assert len(found) >= 5
    return found


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_round_trip_uids_times_and_alarms(deadlines: list[Deadline]) -> None:
    data = to_ics(deadlines, calendar_name="Case HC-1", case_ref="HC-1", lang="en", stamp=STAMP)
    calendar = parse(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Case HC-1"
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(deadlines)
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {deadline_uid(d, "HC-1") for d in deadlines}
    for deadline in deadlines:
        event = by_uid[deadline_uid(deadline, "HC-1")]
        end = event.decoded("DTEND")
        assert end == deadline.due_at
        assert end.utcoffset() == timedelta(0)
        assert event.decoded("DTSTART") == deadline.due_at - EVENT_LENGTH
        assert event.decoded("DTSTAMP") == STAMP
        assert str(event["SUMMARY"]) == deadline.title.render("en")
        description = str(event["DESCRIPTION"])
        assert deadline.rule_text.render("en") in description
        assert deadline.source.citation in description
        alarms = list(event.walk("VALARM"))
        assert [a.decoded("TRIGGER") for a in alarms] == [-timedelta(days=3), -timedelta(days=1)]
        assert all(a["TRIGGER"].params["RELATED"] == "END" for a in alarms)
        assert all(str(a["ACTION"]) == "DISPLAY" for a in alarms)
        if deadline.source.url:
            assert str(event["URL"]) == deadline.source.url


def test_uids_are_stable_and_case_specific(deadlines: list[Deadline]) -> None:
    first = to_ics(deadlines, calendar_name="c", case_ref="HC-1", stamp=STAMP)
    again = to_ics(deadlines, calendar_name="c", case_ref="HC-1", stamp=STAMP)
    assert first == again
    other = to_ics(deadlines, calendar_name="c", case_ref="HC-2", stamp=STAMP)
    uids = {str(e["UID"]) for e in parse(first).walk("VEVENT")}
    other_uids = {str(e["UID"]) for e in parse(other).walk("VEVENT")}
    assert uids.isdisjoint(other_uids)
    # Two letters sent the same day share rule and due time; the subject keeps them apart.
    letters = [d for d in deadlines if d.rule_id == "reply_due.letter"]
    assert letters[0].due_at == letters[1].due_at
    assert deadline_uid(letters[0], "HC-1") != deadline_uid(letters[1], "HC-1")


def test_duplicate_deadlines_written_once(deadlines: list[Deadline]) -> None:
    data = to_ics(deadlines + deadlines[:2], calendar_name="c", case_ref="HC-1", stamp=STAMP)
    assert len(list(parse(data).walk("VEVENT"))) == len(deadlines)


def test_chinese_text_and_custom_alarms(deadlines: list[Deadline]) -> None:
    data = to_ics(
        deadlines,
        calendar_name="案件 HC-1",
        case_ref="HC-1",
        lang="zh",
        stamp=STAMP,
        alarms=[timedelta(hours=12)],
    )
    calendar = parse(data)
    assert str(calendar["X-WR-CALNAME"]) == "案件 HC-1"
    event = next(iter(calendar.walk("VEVENT")))
    assert "来源" in str(event["DESCRIPTION"])
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=12)
    assert "12 小时" in str(alarm["DESCRIPTION"])


def test_empty_calendar_is_still_valid() -> None:
    calendar = parse(to_ics([], calendar_name="empty", case_ref="HC-0", stamp=STAMP))
    assert list(calendar.walk("VEVENT")) == []


def test_default_stamp_is_now(deadlines: list[Deadline]) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    event = next(iter(parse(to_ics(deadlines, calendar_name="c", case_ref="x")).walk("VEVENT")))
    assert event.decoded("DTSTAMP") >= before
