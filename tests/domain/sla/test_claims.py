"""Claim deadlines across month ends, leap years and DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostclaim.domain.sla import (
    ClaimWindow,
    claim_deadline,
    days_remaining,
    list_policies,
    load_policy,
    window_open,
)
from hostclaim.domain.sla.claims import claim_procedure, start_of_day
from hostclaim.errors import InvalidInput


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=UTC)


def deadline(ref: str, end: datetime, **kwargs: Any) -> ClaimWindow:
    return claim_deadline(load_policy(ref), incident_end=end, **kwargs)


# --- AWS: end of the 2nd billing cycle after the incident's ------------------------------------


def test_aws_end_of_second_billing_cycle() -> None:
    window = deadline("aws-ec2-region", utc(2026, 1, 15, 10))
    assert window.deadline == utc(2026, 4, 1)
    assert window.last_day == date(2026, 3, 31)
    assert window.status == "verified"
    assert window.kind == "end_of_nth_billing_cycle_after_incident"
    assert "2nd billing cycle" in window.rule_text("en")
    assert "第 2 个账单周期" in window.rule_text("zh")


def test_incident_ending_at_midnight_belongs_to_the_month_before() -> None:
    # [31 Jan 23:00, 1 Feb 00:00) happened in January: the window must not run a month longer.
    assert deadline("aws-ec2-region", utc(2026, 2, 1)).deadline == utc(2026, 4, 1)
    assert deadline("aws-ec2-region", utc(2026, 2, 1, 0, 0, 1)).deadline == utc(2026, 5, 1)


def test_aws_across_the_year_end() -> None:
    assert deadline("aws-ec2-instance", utc(2026, 11, 30, 23)).deadline == utc(2027, 2, 1)
    assert deadline("aws-ec2-instance", utc(2026, 12, 31, 23)).deadline == utc(2027, 3, 1)


@pytest.mark.parametrize(
    ("cycle_day", "end", "expected"),
    [
        (15, utc(2026, 1, 20), utc(2026, 4, 15)),  # cycle from 15 Jan
        (15, utc(2026, 1, 10), utc(2026, 3, 15)),  # cycle from 15 Dec
        (31, utc(2026, 2, 28, 12), utc(2026, 5, 31)),  # the cycle day clamps to 28 Feb
        (31, utc(2026, 2, 27, 12), utc(2026, 4, 30)),  # cycle from 31 Jan; April has 30 days
        (30, utc(2028, 2, 29, 12), utc(2028, 5, 30)),  # leap year: cycle from 29 Feb
        (30, utc(2027, 2, 28, 12), utc(2027, 5, 30)),  # no 29 Feb: cycle from 28 Feb
        (29, utc(2027, 11, 30, 12), utc(2028, 2, 29)),  # the deadline falls on a leap day
    ],
)
def test_billing_cycle_day(cycle_day: int, end: datetime, expected: datetime) -> None:
    assert deadline("aws-ec2-region", end, billing_cycle_day=cycle_day).deadline == expected


def test_billing_cycle_in_the_billing_zone() -> None:
    # 31 Oct 23:30 UTC is already 1 Nov in Berlin: a November incident on a Berlin calendar.
    end = utc(2026, 10, 31, 23, 30)
    assert deadline("aws-ec2-region", end).deadline == utc(2027, 1, 1)
    berlin = deadline("aws-ec2-region", end, tz="Europe/Berlin")
    assert berlin.deadline == utc(2027, 1, 31, 23)  # 1 Feb 00:00 CET
    assert berlin.last_day == date(2027, 1, 31)
    # Summer time: 1 Jun 00:00 CEST is 31 May 22:00 UTC.
    assert deadline("aws-ec2-region", utc(2026, 3, 10), tz="Europe/Berlin").deadline == utc(
        2026, 5, 31, 22
    )


# --- GCP: 30 days from the close of the month -------------------------------------------------


def test_gcp_thirty_days_after_the_month_closes() -> None:
    window = deadline("gcp-compute-single-instance", utc(2026, 11, 3, 10))
    assert window.deadline == utc(2026, 12, 31)
    assert window.last_day == date(2026, 12, 30)
    explicit = deadline(
        "gcp-compute-single-instance", utc(2026, 11, 3, 10), period_end=utc(2026, 12, 1)
    )
    assert explicit.deadline == window.deadline


def test_gcp_in_leap_and_common_years() -> None:
    # January closes 1 Feb; 30 days later is 2 March in a leap year, 3 March otherwise.
    assert deadline("gcp-compute-multi-zone", utc(2028, 1, 20)).deadline == utc(2028, 3, 2)
    assert deadline("gcp-compute-multi-zone", utc(2027, 1, 20)).deadline == utc(2027, 3, 3)
    assert deadline("gcp-compute-multi-zone", utc(2028, 2, 29, 12)).deadline == utc(2028, 3, 31)


def test_gcp_across_a_dst_change() -> None:
    # October in New York closes 1 Nov 00:00 EDT (04:00 UTC); DST ends that night, so 30 days
    # later is 1 Dec 00:00 EST (05:00 UTC): local midnight, not 30 × 24 h.
    window = deadline("gcp-compute-single-instance", utc(2026, 10, 20), tz="America/New_York")
    assert window.deadline == utc(2026, 12, 1, 5)
    assert window.last_day == date(2026, 11, 30)


def test_gcp_period_must_contain_the_incident(check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        deadline("gcp-compute-single-instance", utc(2026, 12, 2), period_end=utc(2026, 12, 1))
    check_error(info.value, "sla.error.incident_after_period")


# --- Azure / DigitalOcean: N months after the end of the billing month -------------------------


def test_azure_two_months_after_the_billing_month() -> None:
    window = deadline("azure-vm-availability-set", utc(2026, 12, 15))
    assert window.deadline == utc(2027, 3, 1)
    assert window.last_day == date(2027, 2, 28)
    leap = deadline("azure-vm-availability-set", utc(2027, 12, 10))
    assert leap.last_day == date(2028, 2, 29)


def test_digitalocean_three_months_by_version() -> None:
    old = deadline("digitalocean-droplets@pre-2025-06-03", utc(2025, 5, 20))
    assert old.deadline == utc(2025, 9, 1)
    assert old.status == "verified"
    new = deadline("digitalocean-droplets", utc(2026, 11, 20))
    assert new.deadline == utc(2027, 3, 1)
    assert new.status == "unconfirmed"  # §4: the newer text's window is unconfirmed
    assert "unconfirmed" in new.deadline_text("en")
    assert "未确认" in new.deadline_text("zh")


# --- Vultr, OVHcloud, Equinix -------------------------------------------------------------------


def test_vultr_three_days_from_the_incident_is_unconfirmed() -> None:
    window = deadline("vultr", utc(2026, 11, 3, 10, 45))
    assert window.deadline == utc(2026, 11, 6, 10, 45)
    assert window.status == "unconfirmed"
    assert "counted from its end" in window.rule_text("en")


def test_vultr_across_month_end_and_dst() -> None:
    # 3 days are 72 hours, whatever the calendar does meanwhile.
    assert deadline("vultr", utc(2028, 2, 27, 12)).deadline == utc(2028, 3, 1, 12)
    dst = deadline("vultr", utc(2026, 3, 28, 12), tz="Europe/Berlin")
    assert dst.deadline == utc(2026, 3, 31, 12)


def test_ovh_sixty_calendar_days() -> None:
    window = deadline("ovhcloud-dedicated", utc(2026, 11, 3, 10))
    assert window.last_day == date(2027, 1, 2)
    assert window.deadline == utc(2027, 1, 3)
    assert deadline("ovhcloud-dedicated", utc(2028, 1, 15, 8)).last_day == date(2028, 3, 15)
    assert deadline("ovhcloud-dedicated", utc(2027, 1, 15, 8)).last_day == date(2027, 3, 16)


def test_ovh_deadline_on_a_day_whose_midnight_does_not_exist() -> None:
    # Santiago skips 6 Sep 2026 00:00 (clocks go to 01:00): that day starts at 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    assert start_of_day(date(2026, 9, 6), santiago) == utc(2026, 9, 6, 4)
    end = datetime(2026, 7, 7, 12, tzinfo=santiago)
    window = deadline("ovhcloud-dedicated", end, tz=santiago)
    assert window.last_day == date(2026, 9, 5)
    assert window.deadline == utc(2026, 9, 6, 4)


def test_equinix_invoice_dispute_window(check_error: Any) -> None:
    window = deadline("equinix-colocation", utc(2026, 10, 15), invoice_date=date(2026, 11, 1))
    assert window.last_day == date(2027, 1, 30)
    assert window.deadline == utc(2027, 1, 31)
    with pytest.raises(InvalidInput) as info:
        deadline("equinix-colocation", utc(2026, 10, 15))
    check_error(info.value, "sla.error.invoice_date_needed")


@pytest.mark.parametrize("ref", ["linode-compute", "hetzner-cloud", "leaseweb-public-cloud"])
def test_unknown_windows_say_to_claim_at_once(ref: str, check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        deadline(ref, utc(2026, 11, 3))
    check_error(info.value, "sla.error.window_unknown")


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"billing_cycle_day": 0}, "sla.error.bad_cycle_day"),
        ({"billing_cycle_day": 32}, "sla.error.bad_cycle_day"),
        ({"tz": "Mars/Base"}, "error.bad_zone"),
    ],
)
def test_bad_claim_input(kwargs: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        deadline("aws-ec2-region", utc(2026, 11, 3), **kwargs)
    assert info.value.key == key


def test_naive_incident_end_is_refused(check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        deadline("aws-ec2-region", datetime(2026, 11, 3))
    check_error(info.value, "sla.error.naive_time")


# --- open windows and days left -----------------------------------------------------------------


def test_window_open_and_days_remaining(check_error: Any) -> None:
    due = utc(2027, 2, 1)
    assert window_open(due, utc(2027, 1, 31, 23, 59, 59))
    assert not window_open(due, due)
    assert days_remaining(due, utc(2027, 1, 31, 23, 59, 59)) == 0
    assert days_remaining(due, utc(2027, 1, 29)) == 3
    assert days_remaining(due, utc(2027, 1, 28, 12)) == 3  # 3.5 days: whole days only
    assert days_remaining(due, utc(2027, 3, 1)) == 0
    shanghai = datetime(2027, 2, 1, 7, 59, tzinfo=ZoneInfo("Asia/Shanghai"))  # 31 Jan 23:59 UTC
    assert window_open(due, shanghai)
    window = deadline("aws-ec2-region", utc(2026, 11, 3))
    assert window.is_open(utc(2026, 12, 1))
    assert window.days_remaining(utc(2027, 1, 30)) == 2
    with pytest.raises(InvalidInput) as info:
        window_open(due, datetime(2027, 1, 1))
    check_error(info.value, "sla.error.naive_time")


# --- claim procedure ----------------------------------------------------------------------------


def test_claim_procedure_in_both_languages() -> None:
    items = claim_procedure(load_policy("aws-ec2-region"))
    en = [i.step.render("en") for i in items]
    assert 'the subject must contain "SLA Credit Request"' in en
    assert "include request logs showing the errors, with confidential data redacted" in en
    assert all(i.status == "verified" for i in items)
    zh = [i.step.render("zh") for i in claim_procedure(load_policy("azure-vm-availability-zones"))]
    assert "标题须包含“Refund Request”" in zh
    vultr = [i.step.render("en") for i in claim_procedure(load_policy("vultr"))]
    assert any("explicit request for a credit" in line for line in vultr)
    assert claim_procedure(load_policy("hetzner-cloud")) == ()


# --- properties ---------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Shanghai",
    "America/Santiago",
    "Asia/Beirut",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
]
WINDOWED = [
    p.ref
    for p in list_policies()
    if p.claim.window.value is not None and p.claim.window.value.kind != "days_after_invoice"
]
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


@settings(database=None, max_examples=400, deadline=None)
@given(
    ref=st.sampled_from(WINDOWED),
    end=moments,
    tz=st.sampled_from(ZONES),
    cycle_day=st.none() | st.integers(min_value=1, max_value=31),
)
def test_a_deadline_never_falls_before_the_incident_end(
    ref: str, end: datetime, tz: str, cycle_day: int | None
) -> None:
    window = claim_deadline(load_policy(ref), incident_end=end, billing_cycle_day=cycle_day, tz=tz)
    assert window.deadline.tzinfo is UTC
    assert window.deadline > end
    assert window.last_day >= (end - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()
    assert window_open(window.deadline, end)


@settings(database=None, max_examples=300, deadline=None)
@given(
    ref=st.sampled_from(WINDOWED),
    a=moments,
    b=moments,
    tz=st.sampled_from(ZONES),
    cycle_day=st.none() | st.integers(min_value=1, max_value=31),
)
def test_a_later_incident_never_gets_an_earlier_deadline(
    ref: str, a: datetime, b: datetime, tz: str, cycle_day: int | None
) -> None:
    early, late = sorted((a, b))
    policy = load_policy(ref)
    first = claim_deadline(policy, incident_end=early, billing_cycle_day=cycle_day, tz=tz)
    second = claim_deadline(policy, incident_end=late, billing_cycle_day=cycle_day, tz=tz)
    assert first.deadline <= second.deadline
