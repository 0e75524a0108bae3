"""Latency and loss per target and vantage point."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from hostclaim.domain.accounting.columns import Columns
from hostclaim.domain.accounting.model import LatencySummary
from hostclaim.domain.accounting.timeline import DEGRADED, DOWN, UNKNOWN, UP, Runs, batches

F64 = npt.NDArray[np.float64]

_QUANTILES = (0.99, 0.95, 0.5)
"""Descending: each selection works on the part below the previous one."""
_FEW = 64
"""Up to this many series in a batch, select per series; more (small ones), sort them at once."""


def summarise(cols: Columns, runs: Runs) -> list[LatencySummary]:
    n_series = cols.series_start.size - 1
    per_state = {
        state: np.bincount(
            runs.series[runs.state == state],
            weights=runs.rows[runs.state == state],
            minlength=n_series,
        ).astype(np.int64)
        for state in (DOWN, UNKNOWN)
    }
    sizes = np.diff(cols.series_start)
    picked = np.full((n_series, 3), np.nan)
    if cols.has("latency_ms"):
        for first, last in pairwise(batches(cols.series_start)):
            _batch(cols, first, last, picked)
    out = []
    for i in range(n_series):
        known = int(sizes[i] - per_state[UNKNOWN][i])
        down = int(per_state[DOWN][i])
        p99, p95, p50 = (None if np.isnan(v) else float(v) for v in picked[i])
        out.append(
            LatencySummary(
                target=cols.targets[int(cols.series_target[i])],
                vantage=cols.series_vantage[i],
                interval_s=None if runs.median_us[i] < 0 else int(runs.median_us[i]) / 1e6,
                samples=int(sizes[i]),
                known_samples=known,
                down_samples=down,
                loss=down / known if known else None,
                p50_ms=p50,
                p95_ms=p95,
                p99_ms=p99,
            )
        )
    return out


def _batch(cols: Columns, first: int, last: int, out: F64) -> None:
    lo, hi = int(cols.series_start[first]), int(cols.series_start[last])
    values = _floats(cols.segment("latency_ms", lo, hi))
    state = cols.state[lo:hi]
    usable = ((state == UP) | (state == DEGRADED)) & ~np.isnan(values)
    local = cols.series_start[first : last + 1] - lo
    if last - first <= _FEW:
        for j in range(last - first):
            a, b = local[j], local[j + 1]
            chosen = values[a:b][usable[a:b]]
            if chosen.size:
                out[first + j] = quantiles(chosen, _QUANTILES)
        return
    series = np.repeat(np.arange(last - first), np.diff(local))[usable]
    chosen = values[usable]
    chosen = chosen[np.lexsort((chosen, series))]
    counts = np.bincount(series, minlength=last - first)
    starts = np.cumsum(counts) - counts
    has = counts > 0
    for k, q in enumerate(_QUANTILES):
        pos = q * (counts[has] - 1)
        low = np.floor(pos).astype(np.int64)
        high = np.minimum(low + 1, counts[has] - 1)
        a, b = chosen[starts[has] + low], chosen[starts[has] + high]
        out[first + np.flatnonzero(has), k] = a + (b - a) * (pos - low)


def quantiles(values: F64, qs: tuple[float, ...]) -> list[float]:
    """Quantiles ``qs`` (descending) of ``values``, linear interpolation as ``np.percentile``'s
    default; reorders ``values`` in place.

    One selection per quantile, each within the part below the previous one: three selections
    cost less than one ``np.percentile`` call with three quantiles.
    """
    n = values.size
    bound, last_lo = n, -1
    low_value = high_value = 0.0
    out = []
    for q in qs:
        pos = q * (n - 1)
        lo = int(pos)
        if lo != last_lo:
            values[:bound].partition(lo)
            low_value = float(values[lo])
            if lo + 1 < bound:
                high_value = float(values[lo + 1 : bound].min())
            else:
                high_value = float(values[bound]) if bound < n else low_value
            bound, last_lo = lo, lo
        out.append(low_value + (high_value - low_value) * (pos - lo))
    return out


def _floats(col: pa.ChunkedArray) -> F64:
    chunks = [c.cast(pa.float64()).to_numpy(zero_copy_only=False) for c in col.chunks]
    if not chunks:
        return np.empty(0, np.float64)
    merged = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
    return np.asarray(merged, dtype=np.float64)
