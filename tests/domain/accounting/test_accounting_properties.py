"""Property tests: the engine against a second-by-second model, and the method's promises."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from accounting_kit import T0_US, D, G, M, Model, Row, U, X, at, table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostclaim.domain.accounting import Exclusion, analyze, month_periods

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STATE_WEIGHTS = [U, U, U, D, D, G, M, X]


def us(seconds: int) -> int:
    return T0_US + seconds * 1_000_000


@dataclass
class Scenario:
    rows: list[Row]
    quorum: float
    max_gap: int | None
    min_duration: int
    merge: int
    periods: list[tuple[int, int]]
    granularity: int | None
    rule: str
    windows: list[tuple[int, int, str | None]]
    presorted: bool = False
    """Rows are generated grouped by (target, vantage) and in time order."""

    def analyze(self, rows: list[Row] | None = None, **changes):
        options: dict[str, Any] = {
            "periods": [(at(s), at(e)) for s, e in self.periods],
            "quorum": self.quorum,
            "max_gap": self.max_gap,
            "min_duration": self.min_duration,
            "merge_tolerance": self.merge,
            "granularity_s": self.granularity,
            "interval_rule": self.rule,
            "exclusions": [Exclusion(at(s), at(e), target) for s, e, target in self.windows],
            "presorted": self.presorted,
        }
        options.update(changes)
        return analyze(table(self.rows if rows is None else rows), **options)

    def model(self) -> Model:
        return Model(
            self.rows, self.quorum, self.max_gap, self.min_duration, self.merge, self.windows
        )


@st.composite
def series_rows(draw, target: str, vantage: str, offset: int) -> list[Row]:
    step = draw(st.sampled_from([10, 20, 30, 60]))
    states = draw(st.lists(st.sampled_from(STATE_WEIGHTS), min_size=1, max_size=25))
    # Mostly regular sampling, sometimes late by a few seconds, sometimes a long silence.
    late = draw(
        st.lists(st.sampled_from([0, 0, 0, 3, 6]), min_size=len(states), max_size=len(states))
    )
    silent = draw(
        # -1: the next sample has the same time (a row imported twice, or a late duplicate)
        st.lists(
            st.sampled_from([0, 0, 0, 0, 1, 3, 7, -1]), min_size=len(states), max_size=len(states)
        )
    )
    t = draw(st.integers(0, 120)) + offset
    rows = []
    for i, state in enumerate(states):
        rows.append(
            Row(
                target,
                vantage,
                t,
                state,
                latency_ms=float(i) if state in (U, G) else None,
                error=f"{vantage}@{t}" if state == D else None,
            )
        )
        t += 0 if silent[i] < 0 else step * (1 + silent[i]) + late[i]
    return rows


@st.composite
def scenarios(draw, *, vantages: tuple[int, int] = (1, 4), targets: int = 2) -> Scenario:
    rows: list[Row] = []
    names = ["alpha", "beta"][: draw(st.integers(1, targets))]
    for target in names:
        for k in range(draw(st.integers(*vantages))):
            # Distinct offsets per vantage point keep sample times apart across vantages.
            rows += draw(series_rows(target, f"v{k}", offset=k))
    end = max(r.t for r in rows) + 120
    periods = []
    for _ in range(draw(st.integers(1, 2))):
        p0 = draw(st.integers(-100, end - 60))
        periods.append((p0, p0 + draw(st.integers(1, 1500))))
    windows = []
    for _ in range(draw(st.integers(0, 2))):
        w0 = draw(st.integers(0, end))
        windows.append((w0, w0 + draw(st.integers(1, 400)), draw(st.sampled_from([None, *names]))))
    return Scenario(
        rows=rows,
        quorum=draw(st.sampled_from([0.5, 0.5, 1 / 3, 2 / 3, 1.0, 0.25])),
        max_gap=draw(st.sampled_from([None, None, 15, 45, 120, 400])),
        min_duration=draw(st.sampled_from([0, 0, 30, 90, 300])),
        merge=draw(st.sampled_from([0, 0, 20, 60, 200])),
        periods=periods,
        granularity=draw(st.sampled_from([None, 60, 60, 300, 45])),
        rule=draw(st.sampled_from(["any", "all"])),
        windows=windows,
        presorted=draw(st.booleans()),
    )


# --- the engine agrees with the model --------------------------------------------------------


@settings(FAST, max_examples=300)
@given(scenarios())
def test_engine_matches_the_second_by_second_model(sc: Scenario) -> None:
    result = sc.analyze()
    model = sc.model()

    got = [
        (i.target, i.start, i.end, i.down_s, i.unknown_s, set(i.vantages)) for i in result.incidents
    ]
    want = [
        (m.target, at(m.start), at(m.end), float(m.down), float(m.unknown), m.vantages)
        for m in model.incidents()
    ]
    assert got == want
    for inc, m in zip(result.incidents, model.incidents(), strict=True):
        assert (inc.samples, inc.down_samples) == (m.samples, m.down_samples)
        assert inc.first_error in m.first_errors

    by_key = {(p.target, p.start, p.end): p for p in result.periods}
    for p0, p1 in sc.periods:
        pooled = [0] * 6
        for target in result.targets:
            want_f = model.figures(target, p0, p1, sc.granularity, sc.rule)
            p = by_key[(target, at(p0), at(p1))]
            got_f = (p.total_s, p.excluded_s, p.down_s, p.unknown_s, p.degraded_s, p.short_down_s)
            assert got_f == (
                want_f.total,
                want_f.excluded,
                want_f.down,
                want_f.unknown,
                want_f.degraded,
                want_f.short,
            ), target
            assert p.incidents == want_f.incidents
            pooled = [a + b for a, b in zip(pooled, got_f, strict=True)]
        whole = by_key[(None, at(p0), at(p1))]
        assert [
            whole.total_s,
            whole.excluded_s,
            whole.down_s,
            whole.unknown_s,
            whole.degraded_s,
            whole.short_down_s,
        ] == pooled


@FAST
@given(scenarios(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(sc: Scenario, rnd: random.Random) -> None:
    # Of two samples at one time the later row wins, so keep one sample per time here.
    unique = list({(r.target, r.vantage, r.t): r for r in sc.rows}.values())
    shuffled = list(unique)
    rnd.shuffle(shuffled)
    a, b = sc.analyze(rows=unique), sc.analyze(rows=shuffled, presorted=False)
    # Targets are listed in order of first appearance: compare regardless of that order.
    assert sorted(a.incidents, key=repr) == sorted(b.incidents, key=repr)
    assert sorted(a.periods, key=repr) == sorted(b.periods, key=repr)


# --- promises of the method ------------------------------------------------------------------


@FAST
@given(scenarios())
def test_figures_stay_in_range(sc: Scenario) -> None:
    for p in sc.analyze().periods:
        assert p.excluded_s + p.down_s + p.unknown_s <= p.total_s
        assert min(p.excluded_s, p.down_s, p.unknown_s, p.up_s) >= 0
        if p.availability is None:
            assert p.excluded_s == p.total_s
            continue
        assert 0.0 <= p.availability <= 1.0
        assert p.coverage is not None and 0.0 <= p.coverage <= 1.0
        assert p.availability_if_unknown_down is not None
        assert 0.0 <= p.availability_if_unknown_down <= p.availability


@FAST
@given(scenarios(vantages=(1, 1)), st.randoms(use_true_random=False))
def test_unknown_is_never_counted_as_down(sc: Scenario, rnd: random.Random) -> None:
    """A prober that turns unhealthy (UP samples become UNKNOWN) adds unknown time and never
    changes the proven downtime. One vantage point per target: with several, the quorum is
    taken among those that know, so a silent vantage point hands the decision to the others."""
    changed = [
        Row(r.target, r.vantage, r.t, X) if r.state == U and rnd.random() < 0.4 else r
        for r in sc.rows
    ]
    before = sc.analyze(min_duration=0, merge_tolerance=0)
    after = sc.analyze(min_duration=0, merge_tolerance=0, rows=changed)
    assert [(i.start, i.end, i.down_s) for i in before.incidents] == [
        (i.start, i.end, i.down_s) for i in after.incidents
    ]
    for p, q in zip(before.periods, after.periods, strict=True):
        assert q.down_s == p.down_s
        assert q.unknown_s >= p.unknown_s
        assert q.availability == p.availability


@FAST
@given(scenarios(), st.integers(1, 5), st.data())
def test_parts_of_a_period_add_up_to_the_whole(sc: Scenario, parts: int, data) -> None:
    p0, p1 = sc.periods[0]
    size = sc.granularity or 1
    cells = -(-(p1 - p0) // size)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, max(cells - 1, 1)), max_size=parts))))
    # With a granularity, parts are cut on interval boundaries: the intervals stay the same.
    bounds = [p0, *[p0 + c * size for c in cuts if p0 + c * size < p1], p1]
    pieces = list(pairwise(bounds))
    whole = sc.analyze(periods=[(at(p0), at(p1))]).periods
    split = sc.analyze(periods=[(at(s), at(e)) for s, e in pieces]).periods
    fields = ("total_s", "excluded_s", "down_s", "unknown_s", "degraded_s", "short_down_s")
    for target in {p.target for p in whole}:
        w = next(p for p in whole if p.target == target)
        sums = [sum(getattr(p, f) for p in split if p.target == target) for f in fields]
        assert sums == [getattr(w, f) for f in fields]


@FAST
@given(scenarios(), st.sampled_from([60, 300]))
def test_intervals_round_down_time_up_with_any_and_down_with_all(sc: Scenario, size: int) -> None:
    exact = sc.analyze(granularity_s=None).periods
    anyrule = sc.analyze(granularity_s=size, interval_rule="any").periods
    allrule = sc.analyze(granularity_s=size, interval_rule="all").periods
    for e, a, b in zip(exact, anyrule, allrule, strict=True):
        assert b.down_s <= e.down_s <= a.down_s


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Shanghai"]),
    st.integers(2000, 2037),
    st.integers(1, 12),
)
def test_calendar_months_have_the_hours_the_zone_lived(zone: str, year: int, month: int) -> None:
    tz = ZoneInfo(zone)
    ((start, end),) = month_periods(zone, f"{year}-{month:02d}")
    days = calendar.monthrange(year, month)[1]
    nxt = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    this = datetime(year, month, 1, tzinfo=tz)
    shift = (this.utcoffset() - nxt.utcoffset()).total_seconds()  # type: ignore[operator]
    assert (end - start).total_seconds() == days * 86_400 + shift
    assert start.astimezone(tz).replace(tzinfo=None) == datetime(year, month, 1)
    assert end.astimezone(tz).replace(tzinfo=None) == nxt.replace(tzinfo=None)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.data(), st.sampled_from([0.25, 1 / 3, 0.5, 0.6, 2 / 3, 1.0]))
def test_quorum_counts_the_vantages_that_know(vantages: int, data, quorum: float) -> None:
    down = data.draw(st.integers(0, vantages))
    silent = data.draw(st.integers(0, vantages - down))
    rows = []
    for k in range(vantages):
        state = D if k < down else (X if k < down + silent else U)
        rows += [Row("t", f"v{k}", s, state) for s in range(0, 600, 60)]
    timeline = analyze(table(rows), quorum=quorum).timeline("t")
    known = vantages - silent
    if known == 0:
        assert len(timeline) == 0  # nobody knows anything: no interval at all, all unknown
    else:
        expect = D if down and down >= quorum * known - 1e-9 else U
        assert timeline.state.tolist() == [expect]


@settings(max_examples=60, deadline=None)
@given(st.integers(10, 120), st.integers(1, 10), st.integers(0, 2000))
def test_a_silence_longer_than_max_gap_is_unknown(step: int, factor: int, extra: int) -> None:
    rows = [Row("t", "v", s, U) for s in range(0, 10 * step, step)]
    last = rows[-1].t
    silence = 2 * step * factor + extra
    rows.append(Row("t", "v", last + silence, U))
    timeline = analyze(table(rows)).timeline("t")
    gap = 2 * step  # twice the median spacing
    start_unknown = last + min(silence, gap)
    unknown = [
        (s, e)
        for s, e, v in zip(timeline.start_us, timeline.end_us, timeline.state, strict=True)
        if v == X
    ]
    if silence > gap:
        assert unknown == [(us(start_unknown), us(last + silence))]
    else:
        assert unknown == []


def test_dst_months_by_name() -> None:
    hours = {
        ("Europe/Berlin", "2026-10"): 745,
        ("Europe/Berlin", "2026-03"): 743,
        ("America/New_York", "2026-03"): 743,
        ("America/New_York", "2026-11"): 721,
        ("Asia/Shanghai", "2026-10"): 744,
    }
    for (zone, month), want in hours.items():
        ((start, end),) = month_periods(zone, month)
        assert end - start == timedelta(hours=want), (zone, month)
    # and through analyze: a Berlin October is 745 h whatever the data
    rows = [Row("t", "v", s, U) for s in range(0, 3600, 60)]
    periods = analyze(table(rows), tz="Europe/Berlin").periods
    assert periods[0].total_s == 745 * 3600
    assert periods[0].start == datetime(2026, 9, 30, 22, tzinfo=UTC)
