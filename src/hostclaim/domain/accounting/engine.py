"""``analyze``: raw probe rows in, incidents and availability per period out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from hostclaim.domain.accounting import incidents as inc
from hostclaim.domain.accounting import periods as per
from hostclaim.domain.accounting.columns import Columns, Unsorted, as_table, columns, sorted_columns
from hostclaim.domain.accounting.latency import summarise
from hostclaim.domain.accounting.model import (
    Exclusion,
    Incident,
    IntervalRule,
    LatencySummary,
    Method,
    PeriodAvailability,
    Timeline,
    from_us,
    to_us,
)
from hostclaim.domain.accounting.timeline import UNKNOWN, Runs, Spans, combine, vantage_runs
from hostclaim.domain.timeutil import zone
from hostclaim.errors import InvalidInput, NotFound

Seconds = timedelta | float | int


def analyze(
    probes: Any,
    *,
    tz: str = "UTC",
    periods: Sequence[tuple[datetime, datetime]] | None = None,
    quorum: float = 0.5,
    max_gap: Seconds | None = None,
    min_duration: Seconds = 0,
    merge_tolerance: Seconds = 0,
    granularity_s: int | None = 60,
    interval_rule: IntervalRule = "any",
    exclusions: Sequence[Exclusion | tuple[datetime, datetime]] = (),
    presorted: bool = False,
) -> AnalysisResult:
    """Account for the outages in ``probes`` (a pyarrow Table or polars DataFrame of
    ``PROBE_SCHEMA`` rows). See the package docstring for the method."""
    if not 0 < quorum <= 1:
        raise InvalidInput("accounting.error.quorum", value=quorum)
    if granularity_s is not None and granularity_s <= 0:
        raise InvalidInput("accounting.error.granularity", value=granularity_s)
    if interval_rule not in ("any", "all"):
        raise InvalidInput("accounting.error.interval_rule", value=interval_rule)
    gap_us = None if max_gap is None else _us(max_gap, "max_gap")
    min_us = _us(min_duration, "min_duration")
    merge_us = _us(merge_tolerance, "merge_tolerance")
    windows = [_exclusion(x) for x in exclusions]

    table = as_table(probes)
    try:
        cols = columns(table, trusted=presorted)
        runs = vantage_runs(cols, gap_us)
    except Unsorted:
        cols = sorted_columns(table)
        runs = vantage_runs(cols, gap_us)

    # Every row with a value of its own starts a run, so the runs show every value present.
    odd = runs.state[(runs.state < 0) | (runs.state > UNKNOWN)]
    if odd.size:
        raise InvalidInput("accounting.error.bad_state", value=int(odd[0]))
    spans = combine(runs, cols.series_target, quorum)
    found = inc.find(spans, min_us, merge_us)
    period_us = _periods(periods, tz, cols, runs)
    method = Method(
        tz=tz,
        quorum=quorum,
        max_gap_s=None if gap_us is None else gap_us / 1e6,
        min_duration_s=min_us / 1e6,
        merge_tolerance_s=merge_us / 1e6,
        granularity_s=granularity_s,
        interval_rule=interval_rule,
        vantages=len(set(cols.series_vantage)),
        exclusions=len(windows),
        calendar_months=periods is None,
    )
    return AnalysisResult(
        cols=cols,
        runs=runs,
        spans=spans,
        found=found,
        period_us=period_us,
        windows=windows,
        method=method,
    )


class AnalysisResult:
    """The outcome of ``analyze``. Figures are computed on first access and kept."""

    def __init__(
        self,
        *,
        cols: Columns,
        runs: Runs,
        spans: Spans,
        found: inc.Found,
        period_us: list[tuple[int, int]],
        windows: list[tuple[int, int, str | None]],
        method: Method,
    ) -> None:
        self._cols = cols
        self._runs = runs
        self._spans = spans
        self._found = found
        self._period_us = period_us
        self._windows = windows
        self.method = method
        self.targets: tuple[str, ...] = tuple(cols.targets)
        self._span_bounds = np.searchsorted(spans.target, np.arange(len(cols.targets) + 1))

    @cached_property
    def incidents(self) -> list[Incident]:
        """All incidents, by target (in order of first appearance) then start."""
        found, cols = self._found, self._cols
        ev = inc.evidence(found, self._runs, cols)
        rows = ev.first_row
        picked = rows[rows >= 0]
        errors: list[Any] = [None] * rows.size
        details: list[Any] = [None] * rows.size
        where = np.flatnonzero(rows >= 0).tolist()
        for name, out in (("error", errors), ("detail", details)):
            if cols.has(name) and picked.size:
                values = cols.take(name, picked)
                for i, v in zip(where, values, strict=True):
                    out[i] = v
        result = []
        for i in range(found.target.size):
            start, end = int(found.start[i]), int(found.end[i])
            result.append(
                Incident(
                    target=cols.targets[int(found.target[i])],
                    start=from_us(start),
                    end=from_us(end),
                    duration=timedelta(microseconds=end - start),
                    down_s=int(found.down_us[i]) / 1e6,
                    unknown_s=int(found.unknown_us[i]) / 1e6,
                    vantages=tuple(sorted(cols.series_vantage[s] for s in ev.vantages[i])),
                    samples=int(ev.samples[i]),
                    down_samples=int(ev.down_samples[i]),
                    first_error=errors[i],
                    first_detail=details[i],
                )
            )
        return result

    @cached_property
    def periods(self) -> list[PeriodAvailability]:
        """Per period: one entry per target (in order of first appearance), then the pooled
        figure of all targets (``target`` None)."""
        cols, spans = self._cols, self._spans
        n = len(cols.targets)
        if not self._period_us or n == 0:
            return []
        index = {name: i for i, name in enumerate(cols.targets)}
        windows: list[tuple[int, int, int]] = []
        for start, end, target in self._windows:
            chosen = range(n) if target is None else [index[target]] if target in index else []
            windows.extend((i, start, end) for i in chosen)
        horizon = (min(s for s, _ in self._period_us), max(e for _, e in self._period_us))
        # A target without a single known moment is unknown all through the horizon.
        first = np.full(n, horizon[1], np.int64)
        last = np.full(n, horizon[1], np.int64)
        has = self._span_bounds[1:] > self._span_bounds[:-1]
        first[has] = spans.start[self._span_bounds[:-1][has]]
        last[has] = spans.end[self._span_bounds[1:][has] - 1]
        cats = per.categorise(spans, self._found, windows, (first, last), horizon)
        granularity = (
            None if self.method.granularity_s is None else self.method.granularity_s * 1_000_000
        )
        out = []
        for p0, p1 in self._period_us:
            f = per.figures(cats, self._found, (p0, p1), n, granularity, self.method.interval_rule)
            for i in range(n):
                out.append(self._period(cols.targets[i], p0, p1, f, i, 1))
            out.append(self._period(None, p0, p1, f, slice(None), n))
        return out

    def _period(
        self, target: str | None, p0: int, p1: int, f: per.Figures, i: Any, count: int
    ) -> PeriodAvailability:
        total = (p1 - p0) * count
        excluded = int(np.sum(f.excluded[i]))
        down = int(np.sum(f.down[i]))
        unknown = int(np.sum(f.unknown[i]))
        counted = total - excluded
        return PeriodAvailability(
            target=target,
            start=from_us(p0),
            end=from_us(p1),
            total_s=total / 1e6,
            excluded_s=excluded / 1e6,
            down_s=down / 1e6,
            unknown_s=unknown / 1e6,
            degraded_s=int(np.sum(f.degraded[i])) / 1e6,
            short_down_s=int(np.sum(f.short[i])) / 1e6,
            coverage=(counted - unknown) / counted if counted else None,
            availability=(counted - down) / counted if counted else None,
            availability_if_unknown_down=(counted - down - unknown) / counted if counted else None,
            incidents=int(np.sum(f.incidents[i])),
            method=self.method,
        )

    @cached_property
    def latency(self) -> list[LatencySummary]:
        """Per target and vantage point, in row order."""
        return summarise(self._cols, self._runs)

    def timeline(self, target: str) -> Timeline:
        """The target's state by quorum of its vantage points, contiguous from its first sample
        to its last (UNKNOWN where no vantage point knows)."""
        i = self._target_index(target)
        lo, hi = self._span_bounds[i], self._span_bounds[i + 1]
        s = self._spans
        return Timeline(s.start[lo:hi].copy(), s.end[lo:hi].copy(), s.state[lo:hi].copy())

    def vantage_timeline(self, target: str, vantage: str) -> Timeline:
        """One vantage point's own states, UNKNOWN filling the gaps between its runs."""
        i = self._target_index(target)
        cols, runs = self._cols, self._runs
        series = next(
            (
                k
                for k in np.flatnonzero(cols.series_target == i).tolist()
                if cols.series_vantage[k] == vantage
            ),
            None,
        )
        if series is None:
            raise NotFound("accounting.error.no_vantage", target=target, vantage=vantage)
        lo, hi = np.searchsorted(runs.series, [series, series + 1])
        start, end, state = runs.start[lo:hi], runs.end[lo:hi], runs.state[lo:hi]
        live = end > start
        start, end, state = start[live], end[live], state[live]
        holes = np.flatnonzero(start[1:] > end[:-1])
        if holes.size:
            start = np.concatenate((start, end[holes]))
            end = np.concatenate((end, start[holes + 1]))
            state = np.concatenate((state, np.full(holes.size, UNKNOWN, np.int8)))
            order = np.argsort(start, kind="stable")
            start, end, state = start[order], end[order], state[order]
        return Timeline(start, end, state.astype(np.int8))

    def _target_index(self, target: str) -> int:
        try:
            return self.targets.index(target)
        except ValueError:
            raise NotFound("accounting.error.no_target", target=target) from None


def _us(value: Seconds, name: str) -> int:
    us = (
        value // timedelta(microseconds=1)
        if isinstance(value, timedelta)
        else round(float(value) * 1e6)
    )
    if us < 0:
        raise InvalidInput("accounting.error.negative", name=name)
    return int(us)


def _exclusion(item: Exclusion | tuple[datetime, datetime]) -> tuple[int, int, str | None]:
    if isinstance(item, Exclusion):
        start, end, target = item.start, item.end, item.target
    else:
        (start, end), target = item, None
    s, e = _instant(start), _instant(end)
    if e <= s:
        raise InvalidInput("accounting.error.empty_window", start=start, end=end)
    return s, e, target


def _instant(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise InvalidInput("accounting.error.naive_time", value=moment.isoformat())
    return to_us(moment)


def _periods(
    periods: Sequence[tuple[datetime, datetime]] | None, tz: str, cols: Columns, runs: Runs
) -> list[tuple[int, int]]:
    zone_info = zone(tz)
    if periods is not None:
        out = [(_instant(s), _instant(e)) for s, e in periods]
        for (s, e), given in zip(out, periods, strict=True):
            if e <= s:
                raise InvalidInput("accounting.error.empty_period", start=given[0], end=given[1])
        return out
    if runs.series.size == 0:
        return []
    last_sample = cols.at[runs.row0 + runs.rows - 1]
    first = from_us(int(runs.start.min())).astimezone(zone_info).date()
    last = from_us(int(last_sample.max())).astimezone(zone_info).date()
    return per.calendar_months(zone_info, first, last)
