"""Incidents: runs of DOWN of a target, short gaps bridged, at least the minimum length."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hostclaim.domain.accounting.arrays import ranks, search, search_grouped
from hostclaim.domain.accounting.columns import Columns
from hostclaim.domain.accounting.timeline import DOWN, I64, UNKNOWN, Runs, Spans

Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Found:
    """Incidents as arrays, sorted by target then start; ``first``/``last`` index the spans."""

    target: I64
    start: I64
    end: I64
    first: I64
    last: I64
    down_us: I64
    unknown_us: I64
    counted: Bool
    """Per span: a DOWN span that belongs to an incident (its down time counts)."""


@dataclass(frozen=True)
class Evidence:
    """Per incident: who saw it, how many samples, and the row of the first DOWN sample."""

    vantages: list[list[int]]
    samples: I64
    down_samples: I64
    first_row: I64
    """Row of the earliest DOWN sample in effect during the incident, -1 if none."""


def find(spans: Spans, min_duration_us: int, merge_us: int) -> Found:
    down = np.flatnonzero(spans.state == DOWN)
    counted = np.zeros(spans.target.size, bool)
    if down.size == 0:
        empty = np.empty(0, np.int64)
        return Found(empty, empty, empty, empty, empty, empty, empty, counted)
    g, s, e = spans.target[down], spans.start[down], spans.end[down]
    fresh = np.ones(down.size, bool)
    fresh[1:] = (g[1:] != g[:-1]) | (s[1:] - e[:-1] >= merge_us)
    head = np.flatnonzero(fresh)
    tail = np.append(head[1:] - 1, down.size - 1)
    keep = e[tail] - s[head] >= min_duration_us
    head, tail = head[keep], tail[keep]
    first, last = down[head], down[tail]

    length = spans.end - spans.start
    cum_down = np.concatenate(([0], np.cumsum(np.where(spans.state == DOWN, length, 0))))
    cum_unknown = np.concatenate(([0], np.cumsum(np.where(spans.state == UNKNOWN, length, 0))))
    # Mark the DOWN spans between each kept head and tail: +1 at the head, -1 after the tail.
    mark = np.zeros(down.size + 1, np.int64)
    np.add.at(mark, head, 1)
    np.add.at(mark, tail + 1, -1)
    counted[down] = np.cumsum(mark[:-1]) > 0
    return Found(
        target=g[head],
        start=s[head],
        end=e[tail],
        first=first,
        last=last,
        down_us=cum_down[last + 1] - cum_down[first],
        unknown_us=cum_unknown[last + 1] - cum_unknown[first],
        counted=counted,
    )


def evidence(found: Found, runs: Runs, cols: Columns) -> Evidence:
    """Who saw each incident (vantage points with DOWN in effect during it), its first DOWN
    sample, and its samples: rows of known state taken during it, plus each vantage point's
    row in effect at its start when taken before it."""
    n = found.target.size
    if n == 0:
        empty = np.empty(0, np.int64)
        return Evidence([], empty, empty, empty)
    samples, down_samples = _counts(found, runs, cols)

    down = np.flatnonzero((runs.state == DOWN) & (runs.end > runs.start))
    run_target = cols.series_target[runs.series[down]]
    # Incidents of a target are disjoint and sorted: those overlapping a run form a range.
    lo = search_grouped(found.target, found.end, run_target, runs.start[down], right=True)
    hi = search_grouped(found.target, found.start, run_target, runs.end[down], right=False)
    width = np.maximum(hi - lo, 0)
    run = np.repeat(down, width)
    inc = np.repeat(lo, width) + ranks(width)
    # The rows of a run tile it: the first row in effect is the last one at or before the start.
    window_start = np.maximum(runs.start[run], found.start[inc])
    row_lo, row_hi = runs.row0[run], runs.row0[run] + runs.rows[run]
    first_row = search(cols.at, row_lo, row_hi, window_start, right=True) - 1

    pick = np.full(n, -1, np.int64)
    if inc.size:
        # Earliest first; of samples taken at the same moment, the vantage point named first.
        names = np.array(cols.series_vantage, dtype=object)
        name_rank = np.empty(names.size, np.int64)
        name_rank[np.argsort(names, kind="stable")] = np.arange(names.size)
        order = np.lexsort((name_rank[runs.series[run]], cols.at[first_row], inc))
        d_inc, d_row = inc[order], first_row[order]
        head = np.ones(d_inc.size, bool)
        head[1:] = d_inc[1:] != d_inc[:-1]
        pick[d_inc[head]] = d_row[head]
    vantages: list[list[int]] = [[] for _ in range(n)]
    pairs = np.unique(np.stack((inc, runs.series[run])), axis=1)
    for i, series in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
        vantages[i].append(series)
    return Evidence(vantages, samples, down_samples, pick)


def _counts(found: Found, runs: Runs, cols: Columns) -> tuple[I64, I64]:
    n_targets = len(cols.targets)
    by_target = np.argsort(cols.series_target, kind="stable")
    bounds = np.searchsorted(cols.series_target[by_target], np.arange(n_targets + 1))
    width = bounds[found.target + 1] - bounds[found.target]
    inc = np.repeat(np.arange(found.target.size), width)
    series = by_target[np.repeat(bounds[found.target], width) + ranks(width)]
    a, b = cols.series_start[series], cols.series_start[series + 1]
    start, end = found.start[inc], found.end[inc]
    row_s = search(cols.at, a, b, start, right=False)
    row_e = search(cols.at, a, b, end, right=False)

    # Rows of a state before row x, from the runs (which partition the rows in order).
    def before(x: I64, cum: I64, state: int) -> I64:
        r = np.searchsorted(runs.row0, x, "right") - 1
        return cum[r] + np.where(runs.state[r] == state, x - runs.row0[r], 0)

    cum_unknown = np.concatenate(([0], np.cumsum(np.where(runs.state == UNKNOWN, runs.rows, 0))))
    cum_down = np.concatenate(([0], np.cumsum(np.where(runs.state == DOWN, runs.rows, 0))))
    known = (row_e - row_s) - (
        before(row_e, cum_unknown, UNKNOWN) - before(row_s, cum_unknown, UNKNOWN)
    )
    down = before(row_e, cum_down, DOWN) - before(row_s, cum_down, DOWN)

    # The row in effect at the start, taken before it (its state holds until the next row of
    # its run, or to the end of the run).
    prev = row_s - 1
    has = prev >= a
    p = np.where(has, prev, a)
    r = np.searchsorted(runs.row0, p, "right") - 1
    last_of_run = p == runs.row0[r] + runs.rows[r] - 1
    held_to = np.where(last_of_run, runs.end[r], cols.at[np.minimum(p + 1, cols.rows - 1)])
    has &= held_to > start
    state = cols.state[p]
    known += has & (state != UNKNOWN)
    down += has & (state == DOWN)
    samples = np.bincount(inc, weights=known, minlength=found.target.size).astype(np.int64)
    downs = np.bincount(inc, weights=down, minlength=found.target.size).astype(np.int64)
    return samples, downs
