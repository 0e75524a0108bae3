"""From a probe table to plain numpy columns grouped by series (one target seen from one vantage).

The engine needs rows grouped by (target, vantage) and in time order inside each group. Probe
segments are written that way, so with ``presorted=True`` the groups are found by galloping over
the key columns (a few scalar look-ups per group instead of comparing every row) and spot-checked
(each key appears once; time never runs backwards inside a group, checked later on every row).
Without the flag every adjacent pair of keys is compared. Rows that are not grouped are put in
order through a permutation: time and state are gathered, the other columns are read through it
only where needed (names once per series, errors once per incident, latency per batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from hostclaim.errors import InvalidInput

REQUIRED = ("target", "vantage", "at_us", "state")


class Unsorted(Exception):
    """Raised inside the engine when rows are not grouped and time-ordered; the caller sorts."""


@dataclass(frozen=True)
class Columns:
    table: pa.Table
    at: npt.NDArray[np.int64]
    state: npt.NDArray[np.int8]
    """Time and state in the engine's row order (grouped by series, time-ordered inside)."""
    series_start: npt.NDArray[np.int64]
    """Row offsets: series ``i`` is rows ``series_start[i]:series_start[i + 1]``."""
    series_target: npt.NDArray[np.int64]
    series_vantage: list[str]
    targets: list[str]
    order: npt.NDArray[np.int64] | None = None
    """Engine row ``i`` is table row ``order[i]``; None when the table is in engine order."""

    @property
    def rows(self) -> int:
        return int(self.at.size)

    def has(self, name: str) -> bool:
        return name in self.table.column_names

    def take(self, name: str, rows: npt.NDArray[np.int64]) -> list[Any]:
        """Values of column ``name`` at engine rows ``rows``."""
        index = rows if self.order is None else self.order[rows]
        return list(self.table.column(name).take(index).to_pylist())

    def segment(self, name: str, lo: int, hi: int) -> pa.ChunkedArray:
        """Column ``name`` for engine rows ``lo:hi``."""
        col = self.table.column(name)
        if self.order is None:
            return col.slice(lo, hi - lo)
        return col.take(self.order[lo:hi])


def as_table(probes: Any) -> pa.Table:
    """A pyarrow Table, or anything with ``to_arrow()`` (a polars DataFrame)."""
    if isinstance(probes, pa.Table):
        table = probes
    elif hasattr(probes, "to_arrow"):
        table = probes.to_arrow()
    else:
        raise InvalidInput("accounting.error.not_a_table", kind=type(probes).__name__)
    missing = [name for name in REQUIRED if name not in table.column_names]
    if missing:
        raise InvalidInput("accounting.error.missing_columns", columns=", ".join(missing))
    for name in REQUIRED:
        if table.column(name).null_count:
            raise InvalidInput("accounting.error.null_values", column=name)
    return table


def columns(table: pa.Table, *, trusted: bool) -> Columns:
    """Numpy views of time and state, and the series boundaries; raises ``Unsorted``.

    ``trusted``: the caller promises sorted rows (gallop); otherwise every adjacent pair of keys
    is compared, giving up early on rows that are plainly not grouped.
    """
    n = table.num_rows
    at = _numpy(table.column("at_us"), np.int64)
    state = _numpy(table.column("state"), np.int8)
    target_col = table.column("target")
    vantage_col = table.column("vantage")
    if n == 0:
        starts: list[int] = [0]
    elif trusted:
        starts = _gallop(target_col, vantage_col, n)
    else:
        changed = np.flatnonzero(_changes(target_col) | _changes(vantage_col))
        if changed.size > max(1024, n // 16):
            raise Unsorted  # far more groups than series: interleaved rows, sort them
        starts = [0, *(changed + 1).tolist(), n]
    keys = [(_value(target_col, i), _value(vantage_col, i)) for i in starts[:-1]]
    if len(set(keys)) != len(keys):
        raise Unsorted
    return _grouped(table, at, state, np.asarray(starts, dtype=np.int64), keys, None)


def sorted_columns(table: pa.Table) -> Columns:
    """Columns of a table in any row order, through a stable permutation (of two samples of a
    series at the same time, the later row keeps the last word)."""
    target_codes, n_targets = _codes(table.column("target"))
    vantage_codes, n_vantages = _codes(table.column("vantage"))
    series = target_codes * n_vantages + vantage_codes
    at = _numpy(table.column("at_us"), np.int64)
    by_time = np.argsort(at, kind="stable")  # cheap when rows come roughly in time order
    series = series[by_time]
    # A stable sort of small integers is a radix sort in numpy.
    narrow = np.uint16 if n_targets * n_vantages <= 1 << 16 else np.int64
    by_series = np.argsort(series.astype(narrow), kind="stable")
    order = by_time[by_series]
    series = series[by_series]
    starts = np.concatenate(([0], np.flatnonzero(series[1:] != series[:-1]) + 1, [series.size]))
    target_col, vantage_col = table.column("target"), table.column("vantage")
    keys = [(_value(target_col, int(i)), _value(vantage_col, int(i))) for i in order[starts[:-1]]]
    state = _numpy(table.column("state"), np.int8)[order]
    return _grouped(table, at[order], state, starts.astype(np.int64), keys, order)


def _grouped(
    table: pa.Table,
    at: npt.NDArray[np.int64],
    state: npt.NDArray[np.int8],
    starts: npt.NDArray[np.int64],
    keys: list[tuple[str, str]],
    order: npt.NDArray[np.int64] | None,
) -> Columns:
    targets: dict[str, int] = {}
    series_target = np.array([targets.setdefault(k[0], len(targets)) for k in keys], np.int64)
    return Columns(
        table=table,
        at=at,
        state=state,
        series_start=starts,
        series_target=series_target,
        series_vantage=[k[1] for k in keys],
        targets=list(targets),
        order=order,
    )


def _numpy(col: pa.ChunkedArray, dtype: type[np.generic]) -> npt.NDArray[Any]:
    if not pa.types.is_integer(col.type):
        raise InvalidInput("accounting.error.column_type", column=col.type)
    chunks = [c for c in col.chunks if len(c)]
    if len(chunks) == 1 and chunks[0].type == pa.from_numpy_dtype(dtype):
        return chunks[0].to_numpy(zero_copy_only=True)
    if not chunks:
        return np.empty(0, dtype=dtype)
    if dtype is np.int8 and col.type != pa.int8():
        # A wider state column: values that do not fit would wrap around when narrowed.
        low, high = (v.as_py() for v in pc.min_max(col).values())
        if low < 0 or high > 127:
            raise InvalidInput("accounting.error.bad_state", value=low if low < 0 else high)
    return np.concatenate([c.to_numpy(zero_copy_only=False).astype(dtype) for c in chunks])


def _codes(col: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a name column (equal names, equal codes) and how many there are."""
    encoded = col if pa.types.is_dictionary(col.type) else pc.dictionary_encode(col)
    encoded = encoded.unify_dictionaries()
    if encoded.num_chunks == 0:
        return np.empty(0, np.int64), 0
    codes = np.concatenate(
        [c.indices.to_numpy(zero_copy_only=False).astype(np.int64) for c in encoded.chunks]
    )
    return codes, len(encoded.chunks[0].dictionary)


def _value(col: pa.ChunkedArray, i: int) -> str:
    return str(col[i].as_py())


def _changes(col: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """``out[i]``: row ``i + 1`` differs from row ``i``."""
    n = len(col)
    if pa.types.is_dictionary(col.type):
        codes, _ = _codes(col)
        return np.asarray(codes[1:] != codes[:-1])
    differs = pc.not_equal(col.slice(1), col.slice(0, n - 1))
    return np.asarray(differs.to_numpy(zero_copy_only=False), dtype=bool)


def _gallop(target: pa.ChunkedArray, vantage: pa.ChunkedArray, n: int) -> list[int]:
    """Group starts of sorted rows, guessing each group is as long as the previous one."""

    def key(i: int) -> tuple[object, object]:
        return (target[i].as_py(), vantage[i].as_py())

    starts = [0]
    i, guess = 0, 1
    while i < n:
        end = _run_end(key, i, n, guess)
        starts.append(end)
        guess, i = end - i, end
    return starts


def _run_end(key: Callable[[int], object], i: int, n: int, guess: int) -> int:
    """First row after ``i`` whose key differs from row ``i``'s (``n`` if none).

    Brackets the answer by galloping outwards from the guessed end, then bisects: a handful of
    look-ups when the guess is close, ``O(log n)`` when it is not.
    """
    k = key(i)
    g = min(i + guess, n)  # guessed end: rows i .. g - 1 share the key
    if key(g - 1) == k:
        lo, step = g - 1, 1  # key(lo) == k: search upwards
        while lo + step < n and key(lo + step) == k:
            lo += step
            step *= 2
        hi = min(lo + step, n)
    else:
        hi, step = g - 1, 1  # key(hi) != k: search downwards
        while hi - step > i and key(hi - step) != k:
            hi -= step
            step *= 2
        lo = max(hi - step, i)
    while hi - lo > 1:  # key(lo) == k; hi == n or key(hi) != k
        mid = (lo + hi) // 2
        if key(mid) == k:
            lo = mid
        else:
            hi = mid
    return hi
