"""The shipped policies say what REFERENCE.md §4 says, with the status §4 gives each value.

A value §4 calls unconfirmed (secondary source, or none) must never be shipped as verified.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hostclaim.domain.sla import Sourced, list_policies, load_policy
from hostclaim.domain.sla.schema import (
    AvailabilityTiers,
    FullCredit,
    OutageDurationBrackets,
    StartedIntervals,
)

D = Decimal


def fact(ref: str, path: str) -> Sourced[Any]:
    node: Any = load_policy(ref)
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else getattr(node, part)
    assert isinstance(node, Sourced), path
    return node


def dump(value: object) -> object:
    return value.model_dump() if hasattr(value, "model_dump") else value


VERIFIED: list[tuple[str, str, object]] = [
    ("aws-ec2-region", "commitment.target_percent", D("99.99")),
    ("aws-ec2-region", "measurement.granularity", 60),
    ("aws-ec2-region", "credit.base", "regional_service_charges"),
    ("aws-ec2-region", "claim.subject_must_contain", "SLA Credit Request"),
    (
        "aws-ec2-region",
        "claim.required_information",
        ["incident_times", "resource_ids", "redacted_logs"],
    ),
    ("aws-ec2-instance", "commitment.target_percent", D("99.5")),
    (
        "aws-ec2-instance",
        "commitment.unavailable_when",
        "the instance has no external connectivity",
    ),
    ("aws-ec2-instance", "credit.minimum", {"amount": D(1), "currency": "USD"}),
    ("aws-ec2-instance", "credit.form", "future_bills"),
    ("aws-ec2-instance", "credit.sole_remedy", True),
    ("gcp-compute-single-instance", "commitment.target_percent", D("99.9")),
    ("gcp-compute-single-instance", "measurement.minimum_downtime_seconds", 60),
    ("gcp-compute-multi-zone", "commitment.target_percent", D("99.99")),
    ("gcp-compute-memory-optimized", "commitment.target_percent", D("99.95")),
    ("azure-vm-availability-zones", "commitment.target_percent", D("99.99")),
    ("azure-vm-availability-set", "commitment.target_percent", D("99.95")),
    ("azure-vm-single-instance", "commitment.target_percent", D("99.9")),
    ("azure-vm-single-instance", "credit.cap_percent", D(100)),
    ("azure-vm-availability-zones", "claim.subject_must_contain", "Refund Request"),
    ("azure-vm-availability-zones", "claim.required_information", ["tracking_id", "resource_ids"]),
    ("digitalocean-droplets@2025-06-03", "commitment.target_percent", D("99.99")),
    ("digitalocean-droplets@2025-06-03", "measurement.granularity", 60),
    ("digitalocean-droplets@2025-06-03", "credit.form", "future_bills"),
    ("linode-compute@1.1", "commitment.target_percent", D("99.99")),
    ("vultr", "commitment.target_percent", D(100)),
    ("vultr", "credit.expires_after_months", 12),
    ("vultr", "claim.required_information", ["ticket_number", "explicit_credit_request"]),
    ("hetzner-cloud", "commitment.target_percent", D("99.9")),
    ("ovhcloud-dedicated", "commitment.target_percent", D("99.9")),
    ("ovhcloud-dedicated", "measurement.counts_from_ticket", True),
    ("ovhcloud-dedicated", "credit.cap_percent", D(50)),
    ("leaseweb-public-cloud", "commitment.target_percent", D("99.99")),
    ("leaseweb-public-cloud", "credit.form", "future_bills"),
]


@pytest.mark.parametrize(
    ("ref", "path", "value"), VERIFIED, ids=[f"{r}:{p}" for r, p, _ in VERIFIED]
)
def test_verified_values(ref: str, path: str, value: object) -> None:
    got = fact(ref, path)
    assert got.status == "verified"
    assert dump(got.value) == value


UNCONFIRMED: list[tuple[str, str, object]] = [
    # secondary sources only
    ("gcp-compute-single-instance", "credit.schedule", "present"),
    ("azure-vm-availability-zones", "credit.schedule", "present"),
    ("azure-vm-availability-set", "credit.schedule", "present"),
    ("azure-vm-single-instance", "credit.schedule", "present"),
    ("vultr", "claim.window", {"kind": "days_after_incident", "days": 3}),
    # the newer DigitalOcean text: window unconfirmed (3 months comes from the older text)
    (
        "digitalocean-droplets@2025-06-03",
        "claim.window",
        {"kind": "months_after_billing_period_end", "months": 3},
    ),
    # no source at all
    ("gcp-compute-multi-zone", "credit.schedule", None),
    ("linode-compute@1.1", "credit.schedule", None),
    ("linode-compute@1.1", "claim.window", None),
    ("hetzner-cloud", "credit.schedule", None),
    ("hetzner-cloud", "claim.window", None),
    ("leaseweb-public-cloud", "claim.window", None),
    ("equinix-colocation", "credit.schedule", None),
    ("equinix-colocation", "commitment.target_percent", None),
]


@pytest.mark.parametrize(
    ("ref", "path", "value"), UNCONFIRMED, ids=[f"{r}:{p}" for r, p, _ in UNCONFIRMED]
)
def test_unconfirmed_values_are_never_verified(ref: str, path: str, value: object) -> None:
    got = fact(ref, path)
    assert got.status == "unconfirmed"
    if value == "present":
        assert got.value is not None
    else:
        assert dump(got.value) == value


def test_time_zones_are_assumed_not_verified() -> None:
    # §4 names no measurement zone for any provider: UTC is the design's default, unconfirmed.
    for policy in list_policies():
        assert policy.measurement.timezone.status == "unconfirmed", policy.ref
        assert policy.measurement.timezone.value == "UTC"


def test_credit_schedules_as_in_section_4() -> None:
    region = load_policy("aws-ec2-region").credit.schedule.value
    assert isinstance(region, AvailabilityTiers)
    assert [(t.lower, t.upper, t.percent) for t in region.tiers] == [
        (D("99.0"), D("99.99"), 10),
        (D("95.0"), D("99.0"), 30),
        (None, D("95.0"), 100),
    ]
    gcp = load_policy("gcp-compute-single-instance").credit.schedule.value
    assert isinstance(gcp, AvailabilityTiers)
    assert [(t.lower, t.upper, t.percent) for t in gcp.tiers] == [
        (95, D("99.9"), 10),
        (90, 95, 25),
        (None, 90, 100),
    ]
    leaseweb = load_policy("leaseweb-public-cloud").credit.schedule
    assert leaseweb.status == "verified"
    assert isinstance(leaseweb.value, AvailabilityTiers)
    assert [t.percent for t in leaseweb.value.tiers] == [10, 25, 50, 100]
    assert [t.lower for t in leaseweb.value.tiers] == [D("99.9"), 99, 95, None]

    vultr = load_policy("vultr").credit.schedule
    assert vultr.status == "verified"
    assert isinstance(vultr.value, OutageDurationBrackets)
    assert [(b.min_minutes, b.max_minutes, b.credit_hours) for b in vultr.value.brackets] == [
        (0, 10, 12),
        (10, 60, 24),
        (60, 120, 48),
        (120, 240, 120),
        (240, 420, 240),
        (420, None, 672),
    ]
    ovh = load_policy("ovhcloud-dedicated").credit.schedule
    assert ovh.status == "verified"
    assert isinstance(ovh.value, StartedIntervals)
    assert (ovh.value.interval_minutes, ovh.value.percent_per_interval) == (30, 5)

    do = load_policy("digitalocean-droplets").credit.schedule
    assert do.status == "verified"
    assert isinstance(do.value, FullCredit)
    assert do.value.percent == 100


def test_claim_windows_as_in_section_4() -> None:
    def window(ref: str) -> tuple[str, object]:
        got = fact(ref, "claim.window")
        return got.status, dump(got.value)

    cycles = {"kind": "end_of_nth_billing_cycle_after_incident", "cycles": 2}
    assert window("aws-ec2-region") == ("verified", cycles)
    assert window("aws-ec2-instance") == ("verified", cycles)
    close = {"kind": "days_after_period_close", "days": 30}
    assert window("gcp-compute-single-instance") == ("verified", close)
    months2 = {"kind": "months_after_billing_period_end", "months": 2}
    assert window("azure-vm-availability-set") == ("verified", months2)
    months3 = {"kind": "months_after_billing_period_end", "months": 3}
    assert window("digitalocean-droplets@pre-2025-06-03") == ("verified", months3)
    sixty = {"kind": "calendar_days_after_incident", "days": 60}
    assert window("ovhcloud-dedicated") == ("verified", sixty)
    invoice = {"kind": "days_after_invoice", "days": 90}
    assert window("equinix-colocation") == ("verified", invoice)


def test_maintenance_exclusions_as_in_section_4() -> None:
    for ref, hours in [("linode-compute", 24), ("leaseweb-public-cloud", 72)]:
        exclusions = load_policy(ref).measurement.exclusions
        assert len(exclusions) == 1
        assert exclusions[0].status == "verified"
        assert exclusions[0].value is not None
        assert exclusions[0].value.kind == "announced_maintenance"
        assert exclusions[0].value.notice_hours == hours


def test_hetzner_measures_by_its_own_metrics() -> None:
    measured_by = load_policy("hetzner-cloud").measurement.measured_by
    assert measured_by is not None
    assert measured_by.status == "verified"
    assert "host metrics" in str(measured_by.value)


def test_equinix_is_a_placeholder() -> None:
    assert load_policy("equinix-colocation").placeholder
    assert not any(p.placeholder for p in list_policies() if p.key != "equinix-colocation")
