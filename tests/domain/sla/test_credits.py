"""Credits, with numbers checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostclaim.domain.sla import CreditResult, compute_credit, list_policies, load_policy
from hostclaim.errors import InvalidInput

D = Decimal
NOV = datetime(2026, 11, 1, tzinfo=UTC)  # 30 days: 720 h
DEC = datetime(2026, 12, 1, tzinfo=UTC)
JAN = datetime(2027, 1, 1, tzinfo=UTC)  # December has 31 days: 744 h


def credit(ref: str, **kwargs: Any) -> CreditResult:
    args: dict[str, Any] = {
        "availability": None,
        "incidents": [],
        "monthly_fee": D("89.00"),
        "currency": "EUR",
        "period_start": NOV,
        "period_end": DEC,
    }
    args.update(kwargs)
    return compute_credit(load_policy(ref), **args)


def outage(start: datetime, minutes: float) -> tuple[datetime, datetime]:
    return start, start + timedelta(minutes=minutes)


# --- availability tiers: AWS -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("availability", "rate", "amount"),
    [
        (D("99.995"), 0, "0.00"),
        (D("99.99"), 0, "0.00"),  # the commitment itself is met
        (D("99.98"), 10, "8.90"),
        (D("99.5"), 10, "8.90"),
        (D("99.0"), 10, "8.90"),  # lower bound belongs to the tier
        (D("98"), 30, "26.70"),
        (D("97.32"), 30, "26.70"),
        (D("95.0"), 30, "26.70"),
        (D("94.99"), 100, "89.00"),
        (D("0"), 100, "89.00"),
    ],
)
def test_aws_region_tiers(availability: Decimal, rate: int, amount: str) -> None:
    result = credit("aws-ec2-region", availability=availability)
    assert result.rate_percent == rate
    assert result.amount == D(amount)
    assert result.kind == "availability_tiers"
    assert (result.tier is None) == (rate == 0)


def test_aws_region_computation_lines_in_both_languages() -> None:
    result = credit("aws-ec2-region", availability=97.32)  # a float is read as written
    assert result.availability == D("97.32")
    en = result.lines("en")
    assert "availability 97.32% < 99.0% and ≥ 95.0% → 30% × €89.00 = €26.70" in en
    assert en[-1].startswith("note:")  # the terms it used that §4 does not confirm
    assert en.index("credit: €26.70 (credited against future bills only)") < len(en) - 1
    zh = result.lines("zh")
    assert "可用率 97.32% < 99.0% 且 ≥ 95.0% → 30% × €89.00 = €26.70" in zh
    assert "赔偿：€26.70（仅抵扣以后的账单）" in zh
    assert set(result.unconfirmed) == {"credit.form", "credit.sole_remedy"}


def test_aws_instance_tiers_and_boundaries() -> None:
    assert credit("aws-ec2-instance", availability=D("99.5")).amount == D("0.00")
    assert credit("aws-ec2-instance", availability=D("99.49")).amount == D("8.90")
    assert credit("aws-ec2-instance", availability=D("98")).amount == D("26.70")
    assert credit("aws-ec2-instance", availability=D("94")).amount == D("89.00")


def test_aws_minimum_credit_of_one_dollar() -> None:
    small = credit(
        "aws-ec2-instance", availability=D("99.2"), monthly_fee=D("9.00"), currency="USD"
    )
    assert small.rate_percent == 10
    assert small.amount == D("0.00")
    assert small.below_minimum
    assert "$0.90 is below the minimum credit of $1.00 → no credit is issued" in small.lines("en")
    assert "credit.minimum" not in small.unconfirmed  # verified for the instance level

    # 10 % of $9.99 is $0.999: under the minimum, though it would round to $1.00.
    edge = credit("aws-ec2-instance", availability=D("99.2"), monthly_fee=D("9.99"), currency="USD")
    assert edge.amount == D("0.00")
    assert edge.below_minimum

    enough = credit("aws-ec2-instance", availability=D("99.2"), monthly_fee=D("10"), currency="USD")
    assert enough.amount == D("1.00")
    assert not enough.below_minimum

    # Region level: §4 states the minimum only for the instance row, so using it is flagged.
    region = credit("aws-ec2-region", availability=D("99.2"), monthly_fee=D("5"), currency="USD")
    assert region.amount == D("0.00")
    assert "credit.minimum" in region.unconfirmed


def test_rounding_is_half_up_to_the_currency_unit() -> None:
    # 10 % of 12.25 = 1.225: half up gives 1.23 (banker's rounding would give 1.22).
    assert credit("aws-ec2-region", availability=D("99.5"), monthly_fee=D("12.25")).amount == D(
        "1.23"
    )
    # Yen have no minor unit: 10 % of ¥1005 = ¥100.5 → ¥101.
    yen = credit("aws-ec2-region", availability=D("99.5"), monthly_fee=D(1005), currency="JPY")
    assert yen.amount == D("101")
    assert "JP¥101" in "\n".join(yen.lines("en"))


# --- availability tiers: GCP, Azure, Leaseweb -------------------------------------------------


def test_gcp_single_instance_tiers_are_flagged_unconfirmed() -> None:
    result = credit("gcp-compute-single-instance", availability=D("99.0"))
    assert result.amount == D("8.90")
    assert "credit.schedule" in result.unconfirmed
    assert not result.confirmed
    assert credit("gcp-compute-single-instance", availability=D("92")).rate_percent == 25
    assert credit("gcp-compute-single-instance", availability=D("89.9")).rate_percent == 100
    assert credit("gcp-compute-single-instance", availability=D("99.9")).amount == 0


@pytest.mark.parametrize(
    ("availability", "rate"),
    [
        (D("99.99"), 0),
        (D("99.95"), 10),
        (D("99.9"), 10),
        (D("99.5"), 25),
        (D("97"), 50),
        (D("94"), 100),
    ],
)
def test_leaseweb_tiers(availability: Decimal, rate: int) -> None:
    result = credit("leaseweb-public-cloud", availability=availability, monthly_fee=D("40.00"))
    assert result.rate_percent == rate
    assert result.amount == D("40.00") * rate / 100


def test_azure_tiers_cannot_exceed_the_months_fee() -> None:
    result = credit("azure-vm-availability-zones", availability=D("90"), monthly_fee=D("300"))
    assert result.amount == D("300.00")
    assert not result.capped
    assert "credit.schedule" in result.unconfirmed


# --- full credit: DigitalOcean ----------------------------------------------------------------


def test_digitalocean_full_credit_for_the_affected_droplet() -> None:
    below = credit(
        "digitalocean-droplets", availability=D("99.98"), monthly_fee=D("12.00"), currency="USD"
    )
    assert below.kind == "full_credit"
    assert below.amount == D("12.00")
    assert "availability 99.98% < 99.99% → 100% × $12.00 = $12.00" in below.lines("en")
    met = credit(
        "digitalocean-droplets", availability=D("99.99"), monthly_fee=D("12.00"), currency="USD"
    )
    assert met.amount == D("0.00")


def test_older_digitalocean_version_has_no_computable_schedule(check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        credit("digitalocean-droplets@pre-2025-06-03", availability=D("99"))
    check_error(info.value, "sla.error.term_unknown")


# --- per outage duration: Vultr ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0.5, 12),
        (9.99, 12),
        (10, 24),
        (45, 24),
        (59.99, 24),
        (60, 48),
        (119, 48),
        (120, 120),
        (239, 120),
        (240, 240),
        (419, 240),
        (420, 672),
        (5000, 672),
    ],
)
def test_vultr_brackets(minutes: float, hours: int) -> None:
    result = credit("vultr", incidents=[outage(NOV + timedelta(days=2), minutes)], currency="USD")
    assert result.credit_hours == hours
    assert result.outages[0].credit_hours == hours


def test_vultr_45_minutes_earns_24_hours_at_the_months_hourly_fee() -> None:
    # $24.00 a month, November has 720 hours: 24 h × 24.00 / 720 = $0.80
    result = credit(
        "vultr",
        incidents=[outage(datetime(2026, 11, 3, 10, tzinfo=UTC), 45)],
        monthly_fee=D("24.00"),
        currency="USD",
    )
    assert result.kind == "per_outage_duration"
    assert result.credit_hours == 24
    assert result.amount == D("0.80")
    assert "24 h × $24.00 ÷ 720 h in the period = $0.80" in result.lines("en")
    assert "24 小时 × $24.00 ÷ 本周期 720 小时 = $0.80" in result.lines("zh")
    assert "claim.window" not in result.unconfirmed  # the window is not a credit term
    assert "credit.cap_percent" in result.unconfirmed  # no cap is confirmed


def test_vultr_sums_credits_per_outage() -> None:
    # December: 744 hours. 5 min → 12 h; 90 min → 48 h; 8 h → 672 h. Total 732 h.
    # 732 × 31.00 / 744 = 30.50
    start = datetime(2026, 12, 1, tzinfo=UTC)
    result = credit(
        "vultr",
        incidents=[
            outage(start + timedelta(days=1), 5),
            outage(start + timedelta(days=2), 90),
            outage(start + timedelta(days=3), 480),
        ],
        monthly_fee=D("31.00"),
        currency="USD",
        period_start=start,
        period_end=JAN,
    )
    assert result.credit_hours == 732
    assert [o.credit_hours for o in result.outages] == [12, 48, 672]
    assert result.amount == D("30.50")


def test_vultr_without_outages_owes_nothing() -> None:
    result = credit("vultr", incidents=[], currency="USD")
    assert result.amount == D("0.00")
    assert result.credit_hours == 0


# --- per started interval beyond the allowance: OVHcloud ---------------------------------------


def ovh(
    minutes: float, *, ticket_after: float | None = 0, period_hours: int = 730, **kwargs: Any
) -> CreditResult:
    start = NOV + timedelta(days=2, hours=10)
    incident = outage(start, minutes)
    ticket = None if ticket_after is None else start + timedelta(minutes=ticket_after)
    return credit(
        "ovhcloud-dedicated",
        incidents=[incident],
        period_end=NOV + timedelta(hours=period_hours),
        ticket_opened_at=kwargs.pop("tickets", [ticket]),
        **kwargs,
    )


def test_ovh_95_minutes_with_a_43_8_minute_allowance() -> None:
    # 0.1 % of 730 h = 43.8 min; 95 − 43.8 = 51.2 min beyond: 2 started half hours → 10 %.
    result = ovh(95)
    assert result.kind == "per_started_interval"
    assert result.intervals == 2
    assert result.rate_percent == 10
    assert result.amount == D("8.90")
    en = result.lines("en")
    assert (
        "counted downtime 95 min − allowance 43.8 min (0.1% of 730 h) = 51.2 min beyond the SLA"
        in en
    )
    assert "2 started interval(s) of 30 min × 5% = 10%" in en
    assert (
        "计入的停机 95 分钟 − 允许停机 43.8 分钟（730 小时的 0.1%）= 超出 SLA 51.2 分钟"
        in result.lines("zh")
    )


def test_ovh_allowance_follows_the_period_length() -> None:
    # A calendar November (720 h) leaves 43.2 min; 73.2 min is exactly one half hour beyond.
    assert ovh(73.2, period_hours=720).intervals == 1
    assert ovh(73.3, period_hours=720).intervals == 2
    assert ovh(43.2, period_hours=720).amount == 0
    assert ovh(40).intervals == 0


def test_ovh_counts_only_from_the_ticket() -> None:
    assert ovh(95, ticket_after=20).intervals == 2  # 75 counted: 31.2 beyond
    assert ovh(95, ticket_after=30).intervals == 1  # 65 counted: 21.2 beyond
    late = ovh(95, ticket_after=120)  # ticket after the outage ended
    assert late.outages[0].counted == timedelta(0)
    assert late.amount == 0
    none = ovh(95, ticket_after=None)
    assert none.amount == 0
    assert any("no ticket was opened" in line for line in none.lines("en"))


def test_ovh_tickets_by_incident_start() -> None:
    start = NOV + timedelta(days=2, hours=10)
    result = ovh(95, tickets={start: start + timedelta(minutes=20)})
    assert result.intervals == 2


def test_ovh_cap_is_half_the_monthly_fee() -> None:
    # 10 h: (600 − 43.8) / 30 → 19 started intervals → 95 %, capped at 50 % of €89.00.
    result = ovh(600)
    assert result.intervals == 19
    assert result.rate_percent == 95
    assert result.capped
    assert result.amount == D("44.50")
    assert "€84.55 is capped at 50% of €89.00 = €44.50" in result.lines("en")


def test_ovh_needs_ticket_times(check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        ovh(95, tickets=None)
    check_error(info.value, "sla.error.tickets_needed")
    with pytest.raises(InvalidInput) as count:
        ovh(95, tickets=[])
    check_error(count.value, "sla.error.ticket_count")


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["linode-compute", "hetzner-cloud", "gcp-compute-multi-zone"])
def test_unconfirmed_schedules_are_not_computed(ref: str, check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        credit(ref, availability=D("99"))
    check_error(info.value, "sla.error.term_unknown")


def test_placeholder_is_not_computed(check_error: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        credit("equinix-colocation", availability=D("99"))
    check_error(info.value, "sla.error.placeholder")


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"availability": None}, "sla.error.availability_needed"),
        ({"availability": D("100.1")}, "sla.error.bad_availability"),
        ({"availability": "n/a"}, "sla.error.bad_availability"),
        ({"availability": True}, "sla.error.bad_availability"),
        ({"availability": D("99"), "monthly_fee": 89.0}, "sla.error.fee_float"),
        ({"availability": D("99"), "monthly_fee": D("-1")}, "sla.error.bad_fee"),
        ({"availability": D("99"), "currency": "euro"}, "sla.error.bad_currency"),
        ({"availability": D("99"), "period_end": NOV}, "sla.error.period_order"),
        ({"availability": D("99"), "period_start": datetime(2026, 11, 1)}, "sla.error.naive_time"),
        ({"availability": D("99"), "incidents": [(DEC, NOV)]}, "sla.error.incident_order"),
        ({"availability": D("99"), "incidents": [(NOV,)]}, "sla.error.bad_incident"),
        ({"availability": D("99"), "incidents": [("2026-11-01", DEC)]}, "sla.error.not_a_time"),
    ],
)
def test_bad_input_is_refused_with_advice(
    kwargs: dict[str, Any], key: str, check_error: Any
) -> None:
    with pytest.raises(InvalidInput) as info:
        credit("aws-ec2-region", **kwargs)
    check_error(info.value, key)


def test_every_shipped_policy_computes_or_says_why(check_error: Any) -> None:
    for policy in list_policies():
        try:
            result = compute_credit(
                policy,
                availability=D("98"),
                incidents=[outage(NOV + timedelta(days=1), 180)],
                monthly_fee=D("100"),
                currency="USD",
                period_start=NOV,
                period_end=DEC,
                ticket_opened_at=[NOV + timedelta(days=1)],
            )
        except InvalidInput as exc:
            assert exc.key in {"sla.error.term_unknown", "sla.error.placeholder"}, policy.ref
            check_error(exc, exc.key)
            continue
        for lang in ("en", "zh"):
            for line in result.lines(lang):
                assert "{" not in line and "sla." not in line, (policy.ref, line)
        assert D(0) <= result.amount <= D(100)


# --- properties -------------------------------------------------------------------------------

TIERED = [
    "aws-ec2-region",
    "aws-ec2-instance",
    "leaseweb-public-cloud",
    "gcp-compute-single-instance",
]
percent = st.decimals(min_value=0, max_value=100, places=4)
fees = st.decimals(min_value=0, max_value=100_000, places=2)


@settings(database=None, max_examples=200, deadline=None)
@given(ref=st.sampled_from(TIERED), a=percent, b=percent, fee=fees)
def test_lower_availability_never_earns_less(
    ref: str, a: Decimal, b: Decimal, fee: Decimal
) -> None:
    low, high = sorted((a, b))
    worse = credit(ref, availability=low, monthly_fee=fee, currency="EUR")
    better = credit(ref, availability=high, monthly_fee=fee, currency="EUR")
    assert worse.amount >= better.amount
    assert D(0) <= worse.amount <= fee
    assert worse.amount == worse.amount.quantize(D("0.01"))


@settings(database=None, max_examples=200, deadline=None)
@given(
    minutes=st.lists(st.integers(min_value=1, max_value=2000), min_size=1, max_size=6),
    fee=fees,
)
def test_ovh_credit_is_capped_and_grows_with_downtime(minutes: list[int], fee: Decimal) -> None:
    start = NOV + timedelta(hours=1)
    incidents = []
    for i, m in enumerate(minutes):
        begin = start + timedelta(days=i * 2)
        incidents.append((begin, begin + timedelta(minutes=m)))
    kwargs = {"monthly_fee": fee, "currency": "EUR"}
    full = credit(
        "ovhcloud-dedicated",
        incidents=incidents,
        ticket_opened_at=[s for s, _ in incidents],
        **kwargs,
    )
    fewer = credit(
        "ovhcloud-dedicated",
        incidents=incidents[:-1],
        ticket_opened_at=[s for s, _ in incidents[:-1]],
        **kwargs,
    )
    assert fewer.amount <= full.amount <= (fee / 2).quantize(D("0.01"), rounding="ROUND_HALF_UP")
