"""Hand-checked figures for the accounting engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from accounting_kit import T0_US, D, Row, U, X, at, series, table

from hostclaim.domain.accounting import Exclusion, analyze, month_periods
from hostclaim.domain.probes import State
from hostclaim.domain.timeutil import fmt_duration
from hostclaim.errors import InvalidInput, NotFound
from hostclaim.i18n import catalog

MINUTES_OCT = 31 * 24 * 60  # October 2026 has 31 days; UTC has no DST


def us(seconds: float) -> int:
    return T0_US + int(seconds * 1_000_000)


def october_with_outage(down_from: int, down_minutes: int, vantages: str = "a") -> pa.Table:
    states = "U" * down_from + "D" * down_minutes
    states += "U" * (MINUTES_OCT - len(states))
    return table(r for v in vantages for r in series("web", v, states))


# --- availability: the headline numbers ------------------------------------------------------


def test_19h55_down_in_a_31_day_month() -> None:
    result = analyze(october_with_outage(600, 19 * 60 + 55), tz="UTC")
    (inc,) = result.incidents
    assert fmt_duration(inc.duration) == "19 h 55 min"
    assert inc.start == at(600 * 60)
    assert inc.down_s == 71_700.0
    (month, pooled) = result.periods
    assert month.target == "web" and pooled.target is None
    assert (month.start, month.end) == (at(0), at(MINUTES_OCT * 60))
    assert month.total_s == 2_678_400.0
    assert month.down_s == 71_700.0
    assert month.unknown_s == 0.0
    assert month.excluded_s == 0.0
    assert month.coverage == 1.0
    # 1 - 71 700 / 2 678 400 = 0.973 230 2867…
    assert month.availability == pytest.approx(0.9732302867, abs=1e-10)
    assert month.availability_if_unknown_down == month.availability
    assert month.incidents == 1


def test_missing_days_lower_coverage_not_availability() -> None:
    # Data for the first 10 days only: the other 21 days are unknown, not up and not down.
    states = "U" * 600 + "D" * 120 + "U" * (10 * 1440 - 720)
    result = analyze(table(series("web", "a", states)), tz="UTC")
    month = result.periods[0]
    assert month.down_s == 7200.0
    assert month.unknown_s == 21 * 86_400
    assert month.coverage == pytest.approx(10 / 31)
    assert month.availability == pytest.approx(1 - 7200 / (31 * 86_400))
    assert month.availability_if_unknown_down == pytest.approx(
        1 - (7200 + 21 * 86_400) / (31 * 86_400)
    )


def test_berlin_october_has_745_hours_and_march_743() -> None:
    ((start, end),) = month_periods("Europe/Berlin", "2026-10")
    assert start == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert end - start == timedelta(hours=745)
    ((start, end),) = month_periods("Europe/Berlin", "2026-03")
    assert end - start == timedelta(hours=743)
    assert len(month_periods("America/New_York", "2026-01", "2026-12")) == 12


def test_months_default_to_those_the_data_touches_in_the_sla_zone() -> None:
    # 03:59Z to 05:59Z on 1 October: New York (UTC-4) passes midnight into October at 04:00Z.
    rows = series("web", "a", "U" * 120, start=4 * 3600 - 60)
    result = analyze(table(rows), tz="America/New_York")
    starts = sorted({p.start for p in result.periods})
    assert starts == [datetime(2026, 9, 1, 4, tzinfo=UTC), datetime(2026, 10, 1, 4, tzinfo=UTC)]


# --- the per-vantage timeline ----------------------------------------------------------------


def test_a_sample_holds_until_the_next_one_at_most_max_gap() -> None:
    # samples at 0, 60, 120 (median step 60, max gap 120); then silence until 600
    rows = [Row("t", "v", s, U) for s in (0, 60, 120, 600, 660)]
    tl = analyze(table(rows)).timeline("t")
    assert tl.intervals() == [
        (at(0), at(240), State.UP),
        (at(240), at(600), State.UNKNOWN),
        (at(600), at(720), State.UP),  # the last sample holds one median step
    ]
    tl = analyze(table(rows), max_gap=600).timeline("t")
    assert tl.intervals() == [(at(0), at(720), State.UP)]


def test_unknown_samples_are_unknown_time() -> None:
    result = analyze(table(series("t", "v", "UU??UD", step=60)), granularity_s=None)
    tl = result.timeline("t")
    assert tl.seconds(State.UNKNOWN) == 120
    assert tl.seconds(State.DOWN) == 60
    assert tl.seconds(State.UP) == 180
    vt = result.vantage_timeline("t", "v")
    assert vt.state.tolist() == [U, X, U, D]


def test_a_vantage_timeline_shows_its_silences() -> None:
    rows = [Row("t", "v", s, U) for s in (0, 60, 120, 600, 660)]
    vt = analyze(table(rows)).vantage_timeline("t", "v")
    assert vt.state.tolist() == [U, X, U]
    assert (vt.start_us.tolist(), vt.end_us.tolist()) == (
        [us(0), us(240), us(600)],
        [us(240), us(600), us(720)],
    )
    with pytest.raises(NotFound):
        analyze(table(rows)).vantage_timeline("t", "nowhere")


# --- quorum ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "quorum", "expect"),
    [
        ("DUU", 0.5, State.UP),  # 1 of 3 down: up
        ("DDU", 0.5, State.DOWN),  # 2 of 3: down
        ("DU", 0.5, State.DOWN),  # 1 of 2, the other known: down
        ("DU", 0.6, State.UP),
        ("D?", 0.5, State.DOWN),  # the silent one does not count
        ("D?U", 0.5, State.DOWN),  # 1 of the 2 that know
        ("DUUU", 0.25, State.DOWN),
        ("DDU", 2 / 3, State.DOWN),
        ("DDU", 1.0, State.UP),
        ("MDD", 0.5, State.MAINTENANCE),  # maintenance from any vantage is excluded time
        ("GUU", 0.5, State.DEGRADED),
        ("GDU", 0.5, State.DEGRADED),  # 1 of 3 down is no outage; the degraded one is reported
    ],
)
def test_quorum(states: str, quorum: float, expect: State) -> None:
    rows = [r for k, s in enumerate(states) for r in series("t", f"v{k}", s * 10, start=k)]
    tl = analyze(table(rows), quorum=quorum).timeline("t")
    # the moment everyone has reported: from the third vantage's first sample on
    mid = us(300)
    i = int(np.searchsorted(tl.start_us, mid, "right") - 1)
    assert State(int(tl.state[i])) is expect


# --- incidents -------------------------------------------------------------------------------


def test_minimum_length_and_merge_tolerance() -> None:
    # down 3 min, up 2 min, down 3 min, then a lone 1-minute blip much later
    states = "U" * 10 + "DDD" + "UU" + "DDD" + "U" * 30 + "D" + "U" * 10
    rows = table(series("t", "a", states))
    plain = analyze(rows)
    assert [i.duration for i in plain.incidents] == [timedelta(minutes=m) for m in (3, 3, 1)]

    merged = analyze(rows, merge_tolerance=timedelta(minutes=5), min_duration=timedelta(minutes=5))
    (inc,) = merged.incidents
    assert (inc.start, inc.end) == (at(600), at(600 + 8 * 60))
    assert inc.duration == timedelta(minutes=8)
    assert inc.down_s == 6 * 60  # the bridged 2 minutes are not down time
    month = merged.periods[0]
    assert month.down_s == 6 * 60
    assert month.short_down_s == 60  # the blip: proven down, shorter than the minimum
    assert month.incidents == 1


def test_unknown_inside_an_incident_is_reported_not_counted() -> None:
    states = "U" * 5 + "DD??DD" + "U" * 5
    result = analyze(table(series("t", "a", states)), merge_tolerance=180, granularity_s=None)
    (inc,) = result.incidents
    assert inc.duration == timedelta(minutes=6)
    assert (inc.down_s, inc.unknown_s) == (240, 120)
    assert result.periods[0].down_s == 240


def test_incident_evidence() -> None:
    rows = (
        series("web", "fra", "UUUDDDDUUU", start=0)
        + series("web", "sin", "UUUUDDDDUU", start=5)
        + series("web", "iad", "UUUUUUUUUU", start=10)
    )
    (inc,) = analyze(table(rows)).incidents
    # down from when the second vantage agrees (sin at 245) until fra is up again (420)
    assert (inc.start, inc.end) == (at(245), at(420))
    assert inc.vantages == ("fra", "sin")
    # samples in effect during [245, 420): fra 240, 300, 360 (its 180 ended at 240);
    # sin 245, 305, 365; iad 190, 250, 310, 370
    assert (inc.first_error, inc.first_detail) == ("timeout", "fra@240")
    assert inc.down_samples == 3 + 3
    assert inc.samples == 3 + 3 + 4


# --- exclusions and granularity --------------------------------------------------------------


def test_maintenance_and_exclusion_windows_are_excluded() -> None:
    states = "U" * 60 + "M" * 30 + "U" * 60 + "D" * 30 + "U" * 60
    rows = table(series("t", "a", states) + series("u", "a", "U" * 240))
    window = Exclusion(at(150 * 60), at(165 * 60), target="t")
    result = analyze(
        rows,
        periods=[(at(0), at(240 * 60))],
        exclusions=[window, (at(230 * 60), at(240 * 60))],
        granularity_s=None,
    )
    t_period, u_period, pooled = result.periods
    assert t_period.excluded_s == (30 + 10) * 60 + 15 * 60
    assert t_period.down_s == 15 * 60  # half the outage falls in the window
    assert t_period.availability == pytest.approx(1 - 15 / (240 - 55))
    assert u_period.excluded_s == 10 * 60
    assert pooled.total_s == 2 * 240 * 60
    assert pooled.excluded_s == t_period.excluded_s + u_period.excluded_s
    assert result.method.exclusions == 2


def test_interval_rules() -> None:
    # down from 00:30 to 02:00 (90 s): one partial and one full minute
    rows = [Row("t", "a", s, U) for s in range(0, 30, 10)]
    rows += [Row("t", "a", s, D) for s in range(30, 120, 10)]
    rows += [Row("t", "a", s, U) for s in range(120, 900, 10)]
    periods = [(at(0), at(900))]
    figures = {
        (g, rule): analyze(table(rows), periods=periods, granularity_s=g, interval_rule=rule)
        .periods[0]
        .down_s
        for g in (None, 60, 300)
        for rule in ("any", "all")
    }
    assert figures[(None, "any")] == figures[(None, "all")] == 90
    assert figures[(60, "any")] == 120
    assert figures[(60, "all")] == 60
    assert figures[(300, "any")] == 300
    assert figures[(300, "all")] == 0


def test_intervals_align_to_the_period_start_and_the_last_one_may_be_short() -> None:
    rows = [Row("t", "a", s, D if 95 <= s < 125 else U) for s in range(0, 200, 5)]
    period = [(at(10), at(130))]  # intervals 10–70, 70–130
    p = analyze(table(rows), periods=period, granularity_s=60).periods[0]
    assert p.down_s == 60
    period = [(at(10), at(100))]  # intervals 10–70, 70–100 (30 s)
    p = analyze(table(rows), periods=period, granularity_s=60).periods[0]
    assert p.down_s == 30


# --- latency ---------------------------------------------------------------------------------


def test_latency_and_loss() -> None:
    rng = np.random.default_rng(3)
    values = rng.gamma(2.0, 20.0, 500)
    states = [D if i % 10 == 0 else (X if i % 25 == 1 else U) for i in range(500)]
    rows = [
        Row("t", "a", i * 60, s, latency_ms=float(v) if s == U else None)
        for i, (s, v) in enumerate(zip(states, values, strict=True))
    ]
    (summary,) = analyze(table(rows)).latency
    ups = np.array([v for s, v in zip(states, values, strict=True) if s == U])
    assert summary.samples == 500
    assert summary.interval_s == 60.0
    assert summary.down_samples == 50
    assert summary.known_samples == 500 - states.count(X)
    assert summary.loss == pytest.approx(50 / summary.known_samples)
    assert [summary.p50_ms, summary.p95_ms, summary.p99_ms] == pytest.approx(
        np.percentile(ups, [50, 95, 99]).tolist(), rel=1e-12
    )


def test_latency_without_values() -> None:
    (summary,) = analyze(table(series("t", "a", "DDD"))).latency
    assert summary.p50_ms is None and summary.loss == 1.0


# --- input handling --------------------------------------------------------------------------


def test_polars_input_and_unsorted_rows_give_the_same_result() -> None:
    rows = series("web", "a", "UUUDDDUUU") + series("web", "b", "UUUUDDDUU", start=3)
    t = table(rows)
    shuffled = t.take(np.random.default_rng(1).permutation(t.num_rows))
    expected = analyze(t)
    assert analyze(pl.from_arrow(shuffled)).incidents == expected.incidents
    assert analyze(shuffled).periods == expected.periods
    # a false promise of sorted rows is caught when time runs backwards, and sorted out
    assert analyze(shuffled, presorted=True).incidents == expected.incidents


def test_dictionary_encoded_names() -> None:
    rows = series("web", "a", "UUDDUU") + series("web", "b", "UUDDUU", start=1)
    t = table(rows)
    t = t.set_column(0, "target", t["target"].dictionary_encode())
    t = t.set_column(1, "vantage", t["vantage"].dictionary_encode())
    expected = analyze(table(rows)).incidents
    assert analyze(t).incidents == expected
    shuffled = t.take(np.random.default_rng(2).permutation(t.num_rows))
    assert analyze(shuffled).incidents == expected


def test_a_table_in_several_chunks() -> None:
    rows = series("web", "a", "UUDDUU" * 5) + series("web", "b", "UUDDUU" * 5, start=1)
    expected = analyze(table(rows))
    chunked = pa.concat_tables([table(rows[:17]), table(rows[17:40]), table(rows[40:])])
    for presorted in (False, True):
        result = analyze(chunked, presorted=presorted)
        assert result.incidents == expected.incidents
        assert result.periods == expected.periods


def test_empty_input() -> None:
    result = analyze(table([]))
    assert result.incidents == [] and result.periods == [] and result.latency == []


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"quorum": 0}, "accounting.error.quorum"),
        ({"quorum": 1.5}, "accounting.error.quorum"),
        ({"granularity_s": 0}, "accounting.error.granularity"),
        ({"interval_rule": "most"}, "accounting.error.interval_rule"),
        ({"min_duration": -1}, "accounting.error.negative"),
        (
            {"periods": [(datetime(2026, 10, 1), datetime(2026, 11, 1))]},
            "accounting.error.naive_time",
        ),
        ({"periods": [(at(10), at(0))]}, "accounting.error.empty_period"),
        ({"exclusions": [(at(10), at(10))]}, "accounting.error.empty_window"),
        ({"tz": "Mars/Olympus"}, "error.bad_zone"),
    ],
)
def test_bad_options(kwargs: dict, key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        analyze(table(series("t", "a", "UU")), **kwargs)
    assert err.value.key == key


def test_bad_tables() -> None:
    with pytest.raises(InvalidInput) as err:
        analyze(table(series("t", "a", "UU")).drop_columns(["state"]))
    assert err.value.key == "accounting.error.missing_columns"
    with pytest.raises(InvalidInput) as err:
        analyze(table([Row("t", "a", 0, 7)]))
    assert err.value.key == "accounting.error.bad_state"
    with pytest.raises(InvalidInput) as err:
        analyze([("t", "a", 0, 1)])
    assert err.value.key == "accounting.error.not_a_table"


def test_error_and_method_keys_exist_in_both_languages() -> None:
    import re
    from pathlib import Path

    import hostclaim.domain.accounting as pkg

    source = "\n".join(p.read_text() for p in Path(pkg.__file__).parent.glob("*.py"))
    keys = set(re.findall(r'"(accounting\.(?:error|method)\.[a-z_]+)"', source))
    keys |= {"accounting.method.rule_any", "accounting.method.rule_all"}
    for lang in ("en", "zh"):
        assert keys - set(catalog(lang)) == set(), lang


def test_method_statement_in_both_languages() -> None:
    result = analyze(
        table(series("t", "a", "UU")),
        tz="Europe/Berlin",
        min_duration=60,
        merge_tolerance=120,
        granularity_s=300,
    )
    en, zh = result.method.statement("en"), result.method.statement("zh")
    for text in (
        "time-weighted",
        "50%",
        "never counted as up or down",
        "5-minute",
        "Europe/Berlin",
    ):
        assert text in en
    assert "at least 60 s" in en and "120 s apart" in en
    for text in ("按时间加权", "50%", "既不计为可用也不计为中断", "5 分钟", "Europe/Berlin"):
        assert text in zh
    assert "{" not in en + zh
    assert result.periods[0].method is result.method
    all_rule = analyze(table(series("t", "a", "UU")), interval_rule="all", granularity_s=None)
    assert "to the second" in all_rule.method.statement("en")


def test_rows_imported_twice_change_nothing() -> None:
    rows = series("web", "a", "UUUDDDUUU?UU") + series("web", "b", "UUUUDDUUUUUU", start=7)
    once = analyze(table(rows))
    twice = analyze(table(sorted(rows + rows, key=lambda r: (r.target, r.vantage, r.t))))
    assert [(i.start, i.end, i.down_s) for i in twice.incidents] == [
        (i.start, i.end, i.down_s) for i in once.incidents
    ]
    assert [p.down_s for p in twice.periods] == [p.down_s for p in once.periods]
    assert twice.timeline("web").intervals() == once.timeline("web").intervals()


def test_latency_of_many_small_series() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for k in range(300):  # many series in one batch: sorted together, not one by one
        n = int(rng.integers(1, 12))
        rows += [
            Row(f"t{k:03d}", "a", i * 60, U, latency_ms=float(rng.gamma(2.0, 20.0)))
            for i in range(n)
        ]
    summaries = analyze(table(rows)).latency
    assert len(summaries) == 300
    by_target: dict[str, list[float]] = {}
    for r in rows:
        by_target.setdefault(r.target, []).append(r.latency_ms or 0.0)
    for s in summaries:
        want = np.percentile(by_target[s.target], [50, 95, 99]).tolist()
        assert [s.p50_ms, s.p95_ms, s.p99_ms] == pytest.approx(want, rel=1e-12)


def test_catalog_entries_match_across_languages() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    en = {k: v for k, v in catalog("en").items() if k.startswith("accounting.")}
    zh = {k: v for k, v in catalog("zh").items() if k.startswith("accounting.")}
    assert set(en) == set(zh)
    assert [k for k in en if fields(en[k]) != fields(zh[k])] == []
