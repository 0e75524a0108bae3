"""The prober's health timeline: when is a check's result trustworthy?"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostclaim.errors import InvalidInput
from hostclaim.probes import HealthConfig, MonitorSpec, default_route_interface, interface_up
from hostclaim.probes.health import HealthTimeline, SampledSource


def test_sampled_source_taints_from_last_good_to_next_good() -> None:
    src = SampledSource("reference")
    src.add(0, True)
    src.add(10, True)
    assert src.verdict(2, 3) == ("ok", "")
    assert src.verdict(11, 12) == ("pending", "")  # nothing said after 12 yet
    src.add(20, False, "reference check failed")
    # everything after the last good sample (10) is tainted until a good one comes
    assert src.verdict(11, 12) == ("bad", "reference check failed")
    assert src.verdict(25, 26) == ("bad", "reference check failed")
    assert src.verdict(2, 3) == ("ok", "")
    src.add(30, False, "again")
    src.add(40, True)
    assert src.verdict(35, 36) == ("bad", "reference check failed")
    assert src.verdict(41, 42) == ("pending", "")
    src.add(50, True)
    assert src.verdict(41, 42) == ("ok", "")
    assert src.verdict(9, 11) == ("bad", "reference check failed")  # spans into the bad stretch
    assert src.verdict(5, 9) == ("ok", "")


def test_failure_before_the_first_good_sample_taints_the_start() -> None:
    src = SampledSource("reference")
    src.add(5, False, "down at start")
    assert src.verdict(0, 1) == ("bad", "down at start")
    src.add(10, True)
    assert src.verdict(11, 12) == ("pending", "")


def test_out_of_order_samples_and_pruning() -> None:
    src = SampledSource("reference")
    for t in (0, 20, 10, 30):
        src.add(t, True)
    src.add(25, False, "late round")
    assert src.verdict(21, 22) == ("bad", "late round")
    src.prune(22)
    assert len(src) == 3  # keeps the good sample at 20, the bad one and what follows
    assert src.verdict(21, 22) == ("bad", "late round")


@given(
    st.lists(st.tuples(st.integers(0, 1000), st.booleans()), max_size=30, unique_by=lambda s: s[0]),
    st.integers(0, 1000),
    st.integers(0, 50),
)
def test_verdict_matches_the_definition(samples, start, length) -> None:
    """Brute force: bad iff a failed sample's (last good before, first good after) window
    meets [start, end]; ok iff not bad and a good sample exists at or after end."""
    end = start + length
    src = SampledSource("x")
    ordered = sorted(samples, key=lambda s: s[0])
    for t, ok in samples:
        src.add(t, ok, "" if ok else "bad")
    bad = False
    for t, ok in ordered:
        if ok:
            continue
        before = [u for u, good in ordered if good and u < t]
        after = [u for u, good in ordered if good and u > t]
        low = max(before) if before else -1
        high = min(after) if after else 10**9
        if low < end and start < high:
            bad = True
    verdict, _ = src.verdict(start, end)
    if bad:
        assert verdict == "bad"
    elif any(ok and t >= end for t, ok in ordered):
        assert verdict == "ok"
    else:
        assert verdict == "pending"


def test_timeline_combines_sources_and_stalls() -> None:
    line = HealthTimeline(reference=True, interface=True)
    assert line.verdict(0, 5) == ("pending", "")
    line.watermark_ns = 100
    line.reference.add(0, True)  # type: ignore[union-attr]
    line.reference.add(50, True)  # type: ignore[union-attr]
    line.interface.add(10, True)  # type: ignore[union-attr]
    assert line.verdict(20, 30) == ("pending", "")  # the interface has not spoken past 30
    line.interface.add(40, False, "network interface down")  # type: ignore[union-attr]
    assert line.verdict(20, 30) == ("bad", "network interface down")
    line.interface.add(45, True)  # type: ignore[union-attr]
    assert line.verdict(2, 5) == ("ok", "")
    line.add_stall(60, 70, "prober's event loop stalled for 1.2 s")
    line.reference.add(90, True)  # type: ignore[union-attr]
    line.interface.add(90, True)  # type: ignore[union-attr]
    assert line.verdict(65, 80)[0] == "bad"
    assert line.verdict(71, 80) == ("ok", "")
    assert line.healthy_now() == (True, "")


def test_health_config_forms() -> None:
    ref = MonitorSpec(kind="tcp", target="127.0.0.1:1", interval_s=5, timeout_s=1)
    assert HealthConfig.of(None).references == ()
    assert HealthConfig.of(ref).references == (ref,)
    assert HealthConfig.of([ref]).references == (ref,)
    with pytest.raises(InvalidInput):
        HealthConfig.of("1.1.1.1")
    with pytest.raises(InvalidInput):
        HealthConfig(max_loop_lag_s=0)


def test_interface_helpers(tmp_path: Path) -> None:
    assert interface_up("lo") in (True, None)
    assert interface_up("no-such-if0") in (False, None)
    routes = tmp_path / "route"
    routes.write_text(
        "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
        "wlan0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
        "wlan0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n"
    )
    assert default_route_interface(routes) == "wlan0"
    assert default_route_interface(tmp_path / "missing") is None
