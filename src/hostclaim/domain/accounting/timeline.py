"""State timelines: per vantage point from the samples, then per target by quorum.

Per vantage point, a sample's state holds from its time until the next sample of the same series,
but at most ``max_gap`` (default: twice the series' median sampling interval); the last sample of
a series holds for one median interval (capped the same way). Consecutive samples with the same
state and no gap between them collapse into one *run*, so everything after this first pass works
on runs, not rows: a month of one-minute samples that were all up is one run.

Per target, a sweep over the runs' start and end points counts, for every stretch of time, the
vantage points that know the state, and how many of them say DOWN, MAINTENANCE or DEGRADED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from hostclaim.domain.accounting.columns import Columns, Unsorted
from hostclaim.domain.probes import State

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

_BATCH_ROWS = 1 << 16
"""Rows per batch of the first pass: small enough to stay in cache, large enough for numpy."""
_NO_GAP = np.iinfo(np.int64).max

DOWN, UP, DEGRADED, MAINTENANCE, UNKNOWN = (int(s) for s in State)


@dataclass(frozen=True)
class Runs:
    """Per-vantage runs: rows ``row0 : row0 + rows`` of series ``series`` hold ``state`` over
    ``[start, end)``. Sorted by series, then time; the rows of a run tile its interval."""

    series: I64
    start: I64
    end: I64
    state: I8
    row0: I64
    rows: I64
    median_us: I64
    """Per series: the median sampling interval (lower middle of the positive steps), -1 for a
    single sample."""
    gap_us: I64
    """Per series: the longest a sample's state is taken to hold."""


@dataclass(frozen=True)
class Spans:
    """Per-target runs ``[start, end)`` with one state each; contiguous inside a target."""

    target: I64
    start: I64
    end: I64
    state: I8


def vantage_runs(cols: Columns, max_gap_us: int | None) -> Runs:
    """Collapse the rows of every series into runs (one pass over the rows, in batches)."""
    bounds = batches(cols.series_start)
    parts = [_batch(cols, lo, hi, max_gap_us) for lo, hi in pairwise(bounds)]
    if not parts:
        empty = np.empty(0, np.int64)
        return Runs(empty, empty, empty, np.empty(0, np.int8), empty, empty, empty, empty)
    fields = list(zip(*parts, strict=True))
    return Runs(
        series=np.concatenate(fields[0]),
        start=np.concatenate(fields[1]),
        end=np.concatenate(fields[2]),
        state=np.concatenate(fields[3]),
        row0=np.concatenate(fields[4]),
        rows=np.concatenate(fields[5]),
        median_us=np.concatenate(fields[6]),
        gap_us=np.concatenate(fields[7]),
    )


def batches(series_start: I64) -> list[int]:
    """Series indexes where batches begin: whole series, about ``_BATCH_ROWS`` rows each."""
    cuts = np.searchsorted(series_start, np.arange(0, series_start[-1], _BATCH_ROWS), "right") - 1
    out = np.unique(cuts).tolist()
    return [*out, series_start.size - 1] if out else []


def _batch(
    cols: Columns, first: int, last: int, max_gap_us: int | None
) -> tuple[I64, I64, I64, I8, I64, I64, I64, I64]:
    lo, hi = int(cols.series_start[first]), int(cols.series_start[last])
    at = cols.at[lo:hi]
    state = cols.state[lo:hi]
    local = cols.series_start[first : last + 1] - lo
    step = at[1:] - at[:-1]
    inner = local[1:-1] - 1
    step[inner] = _NO_GAP  # a series boundary always ends a run
    smallest = step.min() if step.size else 1
    if smallest < 0:
        raise Unsorted

    count = last - first
    median = np.full(count, -1, np.int64)
    for j in range(count):
        seg = step[local[j] : local[j + 1] - 1]
        if seg.size:
            median[j] = _median_step(seg, repeats=bool(smallest == 0))
    if max_gap_us is None:
        gap = np.where(median >= 0, 2 * median, 0)
        tail = np.maximum(median, 0)
    else:
        gap = np.full(count, max_gap_us, np.int64)
        tail = np.where(median >= 0, np.minimum(median, max_gap_us), max_gap_us)

    breaks = state[1:] != state[:-1]
    row_gap = gap[0] if count == 1 else np.repeat(gap, np.diff(local))[:-1]
    breaks |= step > row_gap
    run_first = np.flatnonzero(breaks)
    run_first += 1
    run_first = np.concatenate(([0], run_first))
    run_last = np.empty_like(run_first)
    run_last[:-1] = run_first[1:] - 1
    run_last[-1] = at.size - 1
    run_series = np.searchsorted(local, run_first, "right") - 1
    at_series_end = run_last == local[run_series + 1] - 1
    next_step = step[np.minimum(run_last, max(step.size - 1, 0))] if step.size else run_last
    hold = np.where(at_series_end, tail[run_series], np.minimum(next_step, gap[run_series]))
    return (
        run_series + first,
        at[run_first],
        at[run_last] + hold,
        state[run_first],
        run_first + lo,
        run_last - run_first + 1,
        median,
        gap,
    )


def _median_step(steps: I64, repeats: bool) -> int:
    """The lower median of the positive steps (samples repeated at one time make no step: a
    table imported twice must not make every interval look like a silence)."""
    if repeats:
        steps = steps[steps > 0]
        if steps.size == 0:
            return 0
    mid = (steps.size - 1) // 2
    return int(np.partition(steps, mid)[mid])


def sweep(
    group: I64, start: I64, end: I64, layers: Sequence[npt.NDArray[np.int64]]
) -> tuple[I64, I64, I64, npt.NDArray[np.int64]]:
    """Cut the intervals of each group at every start and end point.

    Returns ``(group, start, end, counts)`` of the elementary stretches between consecutive
    points of a group; ``counts[0]`` is how many intervals cover the stretch and ``counts[i]``
    the sum of ``layers[i - 1]`` over them.
    """
    m = group.size
    if m == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, empty, np.empty((len(layers) + 1, 0), np.int64)
    times = np.concatenate((start, end))
    groups = np.concatenate((group, group))
    order = order_by_group(groups, times)
    delta = np.empty((len(layers) + 1, 2 * m), np.int64)
    delta[0, :m], delta[0, m:] = 1, -1
    for i, layer in enumerate(layers, 1):
        delta[i, :m], delta[i, m:] = layer, -layer
    g, t = groups[order], times[order]
    counts = np.cumsum(delta[:, order], axis=1)
    last = np.flatnonzero((g[1:] != g[:-1]) | (t[1:] != t[:-1]))
    last = np.append(last, 2 * m - 1)
    g, t, counts = g[last], t[last], counts[:, last]
    inside = g[:-1] == g[1:]
    return g[:-1][inside], t[:-1][inside], t[1:][inside], counts[:, :-1][:, inside]


def order_by_group(group: I64, time: I64) -> I64:
    """Indexes sorting by (group, time); one integer sort when the composite key fits."""
    if group.size == 0:
        return np.empty(0, np.int64)
    low, span = int(time.min()), int(time.max()) - int(time.min()) + 1
    if (int(group.max()) + 1) * span < 2**62:
        return np.argsort(group * span + (time - low), kind="stable")
    return np.lexsort((time, group))


def merge_equal(g: I64, start: I64, end: I64, state: I8) -> Spans:
    """Join neighbouring stretches of a group that touch and carry the same state."""
    if g.size == 0:
        return Spans(g, start, end, state)
    joins = (g[1:] == g[:-1]) & (state[1:] == state[:-1]) & (start[1:] == end[:-1])
    first = np.flatnonzero(~np.concatenate(([False], joins)))
    last = np.append(first[1:] - 1, g.size - 1)
    return Spans(g[first], start[first], end[last], state[first])


def combine(runs: Runs, series_target: I64, quorum: float) -> Spans:
    """Per target: DOWN where at least ``quorum`` of the vantage points that know the state say
    DOWN; MAINTENANCE where any says so; DEGRADED where any says so (and no quorum for DOWN);
    UP otherwise; UNKNOWN where none knows. Outside the first and last sample: no span."""
    keep = (runs.state != UNKNOWN) & (runs.end > runs.start)
    state = runs.state[keep]
    layers = [
        (state == DOWN).astype(np.int64),
        (state == MAINTENANCE).astype(np.int64),
        (state == DEGRADED).astype(np.int64),
    ]
    target = series_target[runs.series[keep]]
    g, s, e, counts = sweep(target, runs.start[keep], runs.end[keep], layers)
    known, down, maintenance, degraded = counts
    # Integer counts against a float share: the tolerance keeps 2/3 × 3 from missing 2.
    quorate = (down > 0) & (down + 1e-9 >= quorum * known)
    combined = np.full(g.size, UP, np.int8)
    combined[degraded > 0] = DEGRADED
    combined[quorate] = DOWN
    combined[maintenance > 0] = MAINTENANCE
    combined[known == 0] = UNKNOWN
    return merge_equal(g, s, e, combined)
