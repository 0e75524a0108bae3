"""Small vectorised helpers over sorted numpy arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


def search(values: I64, lo: I64, hi: I64, target: I64, *, right: bool) -> I64:
    """``lo[i] + searchsorted(values[lo[i]:hi[i]], target[i])`` for every ``i`` at once.

    Each slice must be sorted; a plain bisection run on all slices in lockstep.
    """
    lo = np.array(lo, dtype=np.int64)
    hi = np.array(hi, dtype=np.int64)
    target = np.asarray(target)
    active = np.flatnonzero(lo < hi)
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        value = values[mid]
        goes_right = value <= target[active] if right else value < target[active]
        lo[active] = np.where(goes_right, mid + 1, lo[active])
        hi[active] = np.where(goes_right, hi[active], mid)
        active = active[lo[active] < hi[active]]
    return lo


def search_grouped(group: I64, values: I64, query_group: I64, query: I64, *, right: bool) -> I64:
    """``searchsorted`` of ``query[i]`` among the ``values`` of group ``query_group[i]``.

    ``group`` is sorted and ``values`` sorted inside each group; returns global indexes.
    """
    n_groups = int(max(group.max(initial=-1), query_group.max(initial=-1))) + 1
    bounds = np.searchsorted(group, np.arange(n_groups + 1))
    return search(values, bounds[query_group], bounds[query_group + 1], query, right=right)


def ranks(width: I64) -> I64:
    """``0, 1, …, w - 1`` for each ``w`` in ``width``, concatenated."""
    total = int(width.sum())
    if total == 0:
        return np.empty(0, np.int64)
    ends = np.cumsum(width)
    return np.arange(total) - np.repeat(ends - width, width)
