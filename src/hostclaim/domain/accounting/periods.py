"""Measurement periods and the seconds of each: excluded, down, unknown, per target.

A period is ``[start, end)`` in UTC microseconds. Calendar months are cut at local midnight of
the first day in the SLA's zone, so a month holds exactly the hours that zone lived through
(Europe/Berlin: October 2026 has 745 hours, March 2026 has 743).

Every moment of a target falls in one category, by priority: EXCLUDED (MAINTENANCE, or inside an
exclusion window) > DOWN (counted: part of an incident) > UNKNOWN (no vantage point knows; before
the first and after the last sample too) > SHORT (proven down, but in a run shorter than the
minimum incident length) > DEGRADED > UP. The last three count as up.

With a granularity, each period is cut into intervals of that length from its start, and each
interval is classified whole:

- rule ``any``: DOWN if it holds any counted down time; else EXCLUDED if wholly excluded; else
  UNKNOWN if it holds any unknown time; else UP.
- rule ``all``: DOWN if all of it is counted down; else EXCLUDED if wholly excluded; else
  UNKNOWN if all of it is down or unknown; else UP.

An interval only partly excluded is not excluded: its other time decides. Under either rule
interval down time is never less (``any``) or never more (``all``) than the continuous figure.

So UNKNOWN intervals are exactly those that would be DOWN if unknown time were down time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from hostclaim.domain.accounting.arrays import search_grouped
from hostclaim.domain.accounting.incidents import Found
from hostclaim.domain.accounting.model import IntervalRule, from_us, to_us
from hostclaim.domain.accounting.timeline import (
    DEGRADED,
    DOWN,
    I64,
    MAINTENANCE,
    UNKNOWN,
    Spans,
    merge_equal,
    sweep,
)
from hostclaim.domain.timeutil import zone
from hostclaim.errors import InvalidInput

F64 = npt.NDArray[np.float64]

EXCLUDED, COUNTED, MISSING, SHORT, SLOW = range(5)
"""Accounting categories in priority order (UP is the absence of all)."""


def month_start(year: int, month: int, tz: ZoneInfo) -> int:
    # A zone that skips local midnight (e.g. America/Havana) has fold=0 map it to the
    # transition instant, which is when that day really began.
    return to_us(datetime(year, month, 1, tzinfo=tz))


def calendar_months(tz: ZoneInfo, first: date, last: date) -> list[tuple[int, int]]:
    """The calendar months from ``first``'s to ``last``'s, inclusive, as UTC µs periods."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((month_start(y, m, tz), month_start(ny, nm, tz)))
        y, m = ny, nm
    return out


def month_periods(
    tz: str, first: str | date, last: str | date | None = None
) -> list[tuple[datetime, datetime]]:
    """Calendar months in ``tz`` from ``first`` to ``last`` (inclusive; default: just ``first``),
    as ``[start, end)`` pairs of aware UTC datetimes. Months are given as ``"2026-10"`` or a date.
    """
    zone_info = zone(tz)
    begin = _month(first)
    return [
        (from_us(s), from_us(e))
        for s, e in calendar_months(zone_info, begin, _month(last or begin))
    ]


def _month(value: str | date) -> date:
    if isinstance(value, date):
        return value
    try:
        year, month = value.strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise InvalidInput("accounting.error.bad_month", value=value) from None


@dataclass(frozen=True)
class Figures:
    """Per target (index) in one period, all in µs."""

    excluded: I64
    down: I64
    unknown: I64
    degraded: I64
    short: I64
    incidents: I64


def categorise(
    spans: Spans,
    found: Found,
    windows: Sequence[tuple[int, int, int]],
    data_range: tuple[I64, I64],
    horizon: tuple[int, int],
) -> Spans:
    """Per target, stretches of the categories above (UP left out), with exclusion windows
    ``(target index, start, end)`` laid over and unknown time before and after the data.
    The returned ``Spans`` carry a category, not a ``State``, in ``state``."""
    state = spans.state
    category = np.full(state.size, -1, np.int64)
    category[state == MAINTENANCE] = EXCLUDED
    category[(state == DOWN) & found.counted] = COUNTED
    category[(state == DOWN) & ~found.counted] = SHORT
    category[state == UNKNOWN] = MISSING
    category[state == DEGRADED] = SLOW
    keep = category >= 0
    first, last = data_range
    targets = np.arange(first.size)
    lo, hi = horizon
    before = first > lo
    after = last < hi
    win = np.asarray(windows, np.int64).reshape(-1, 3)
    group = np.concatenate((spans.target[keep], targets[before], targets[after], win[:, 0]))
    start = np.concatenate((spans.start[keep], np.full(before.sum(), lo), last[after], win[:, 1]))
    end = np.concatenate((spans.end[keep], first[before], np.full(after.sum(), hi), win[:, 2]))
    cat = np.concatenate(
        (
            category[keep],
            np.full(before.sum() + after.sum(), MISSING),
            np.full(win.shape[0], EXCLUDED),
        )
    )
    layers = [(cat == c).astype(np.int64) for c in range(5)]
    g, s, e, counts = sweep(group, start, end, layers)
    out = np.full(g.size, -1, np.int64)
    for c in reversed(range(5)):  # highest priority written last
        out[counts[c + 1] > 0] = c
    cover = out >= 0
    merged = merge_equal(g[cover], s[cover], e[cover], out[cover].astype(np.int8))
    return merged


def figures(
    cats: Spans,
    found: Found,
    period: tuple[int, int],
    n_targets: int,
    granularity_us: int | None,
    rule: IntervalRule,
) -> Figures:
    p0, p1 = period
    sel = (cats.start < p1) & (cats.end > p0)
    g = cats.target[sel]
    s = np.maximum(cats.start[sel], p0)
    e = np.minimum(cats.end[sel], p1)
    c = cats.state[sel].astype(np.int64)
    length = e - s

    def per_target(mask: npt.NDArray[np.bool_], weights: I64) -> I64:
        return _sum(g[mask], weights[mask], n_targets)

    degraded = per_target(c == SLOW, length)
    short = per_target(c == SHORT, length)
    incidents = _incidents(found, g[c == COUNTED], s[c == COUNTED], n_targets)
    if granularity_us is None:
        excluded = per_target(c == EXCLUDED, length)
        down = per_target(c == COUNTED, length)
        unknown = per_target(c == MISSING, length)
    else:
        cells = (c == EXCLUDED) | (c == COUNTED) | (c == MISSING)
        excluded, down, unknown = _intervals(
            g[cells],
            s[cells] - p0,
            e[cells] - p0,
            c[cells],
            p1 - p0,
            granularity_us,
            rule,
            n_targets,
        )
    return Figures(excluded, down, unknown, degraded, short, incidents)


def _sum(group: I64, weights: I64, n: int) -> I64:
    # float64 sums of whole µs stay exact below 2**53 µs (285 years).
    return np.bincount(group, weights=weights, minlength=n).astype(np.int64)


def _incidents(found: Found, g: I64, s: I64, n: int) -> I64:
    """Incidents per target with counted down time among the stretches ``(g, s)``."""
    if g.size == 0:
        return np.zeros(n, np.int64)
    which = search_grouped(found.target, found.start, g, s, right=True) - 1
    which = np.unique(which)
    return np.bincount(found.target[which], minlength=n).astype(np.int64)


def _intervals(
    g: I64, rs: I64, re: I64, c: I64, width: int, size: int, rule: IntervalRule, n: int
) -> tuple[I64, I64, I64]:
    """Excluded, down and unknown µs per target when time is counted in whole intervals.

    ``[rs, re)`` are disjoint stretches relative to the period start, ``width`` its length.
    Intervals wholly inside one stretch take its category; the others (at most two per stretch)
    are gathered and classified by the rule.
    """
    cells = -(-width // size)

    def cell_end(k: I64) -> I64:
        return np.minimum((k + 1) * size, width)

    c0 = rs // size
    f0 = -(-rs // size)
    f1 = np.where(re == width, cells - 1, re // size - 1)
    c1 = (re - 1) // size
    full = f1 >= f0
    full_us = np.where(full, cell_end(f1) - f0 * size, 0)
    out = [_sum(g[c == cat], full_us[c == cat], n) for cat in (EXCLUDED, COUNTED, MISSING)]

    head = c0 < f0
    tail = (c1 > f1) & ~(head & (c1 == c0))
    pg = np.concatenate((g[head], g[tail]))
    pc = np.concatenate((c0[head], c1[tail]))
    amount = np.concatenate(
        (np.minimum(cell_end(c0[head]), re[head]) - rs[head], re[tail] - c1[tail] * size)
    )
    cat = np.concatenate((c[head], c[tail]))
    if pg.size == 0:
        return out[0], out[1], out[2]
    key, inverse = np.unique(pg * cells + pc, return_inverse=True)
    inverse = inverse.reshape(-1)
    ex, dn, un = (
        np.bincount(inverse, weights=np.where(cat == k, amount, 0), minlength=key.size)
        for k in (EXCLUDED, COUNTED, MISSING)
    )
    cell_g, cell = key // cells, key % cells
    length = cell_end(cell) - cell * size
    if rule == "any":
        is_down = dn > 0
        would_be_down = (dn + un) > 0
    else:
        is_down = dn == length
        would_be_down = dn + un == length
    is_excluded = ~is_down & (ex == length)
    is_unknown = ~is_down & ~is_excluded & would_be_down
    return (
        out[0] + _sum(cell_g[is_excluded], length[is_excluded], n),
        out[1] + _sum(cell_g[is_down], length[is_down], n),
        out[2] + _sum(cell_g[is_unknown], length[is_unknown], n),
    )
