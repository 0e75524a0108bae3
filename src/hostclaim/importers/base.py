"""The importer contract: one protocol, one result shape, shared row and bad-row collectors.

Every importer turns a monitoring export into rows of ``PROBE_SCHEMA`` and says exactly what it
could not use. Rows are collected in Arrow batches, so a large file costs the size of its table,
not a Python object per row; rejected rows cost a few bytes each (see ``BadRows``).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, overload, runtime_checkable

import pyarrow as pa

from hostclaim.domain.probes import PROBE_SCHEMA, State
from hostclaim.errors import InvalidInput
from hostclaim.i18n import t

EXCERPT_CHARS = 200
"""A rejected row's raw text is kept up to this many characters."""

EXCERPTS_KEPT = 1000
"""Excerpts are kept for this many rejected rows; line numbers and reasons for all of them."""

BATCH_ROWS = 65_536

Progress = Callable[[int], None]
"""Called with the number of source records read so far."""

COMMON_OPTIONS = frozenset({"progress"})


@dataclass(frozen=True, slots=True)
class BadRow:
    """A source record that was rejected: where it is, why, and what it looked like.

    ``line_or_index`` is the 1-based line number for text formats, the row id or position for
    others. ``reason`` is a catalog key under ``importers.bad_row``; ``describe()`` renders it.
    """

    line_or_index: int
    reason: str
    excerpt: str | None

    def describe(self, lang: str | None = None) -> str:
        return t(
            "importers.bad_row.line",
            lang,
            line=self.line_or_index,
            reason=t(self.reason, lang),
            excerpt=self.excerpt if self.excerpt is not None else "",
        )


class BadRows(Sequence[BadRow]):
    """Every rejected record, compactly.

    Line numbers and reasons are kept for all of them (an ``array`` of int64 and one of small
    reason codes: about ten bytes a row); the raw excerpt (at most ``EXCERPT_CHARS``) only for
    the first ``max_excerpts``, so a file of millions of broken lines does not hold millions of
    strings. Reads like a list of ``BadRow``.
    """

    def __init__(self, max_excerpts: int = EXCERPTS_KEPT) -> None:
        self._lines: array[int] = array("q")
        self._codes: array[int] = array("H")
        self._reasons: list[str] = []
        self._reason_code: dict[str, int] = {}
        self._excerpts: list[str] = []
        self._max_excerpts = max_excerpts

    def add(self, line_or_index: int, reason: str, raw: object = None) -> None:
        code = self._reason_code.get(reason)
        if code is None:
            code = self._reason_code[reason] = len(self._reasons)
            self._reasons.append(reason)
        if len(self._lines) < self._max_excerpts:
            self._excerpts.append(excerpt(raw))
        self._lines.append(line_or_index)
        self._codes.append(code)

    def counts(self) -> dict[str, int]:
        """Rejected records per reason key."""
        counted = Counter(self._codes)
        return {self._reasons[code]: n for code, n in counted.items()}

    @property
    def lines(self) -> Sequence[int]:
        return self._lines

    def __len__(self) -> int:
        return len(self._lines)

    def _item(self, i: int) -> BadRow:
        text = self._excerpts[i] if i < len(self._excerpts) else None
        return BadRow(self._lines[i], self._reasons[self._codes[i]], text)

    @overload
    def __getitem__(self, index: int) -> BadRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[BadRow]: ...
    def __getitem__(self, index: int | slice) -> BadRow | list[BadRow]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __iter__(self) -> Iterator[BadRow]:
        for i in range(len(self)):
            yield self._item(i)

    def __repr__(self) -> str:
        return f"BadRows({len(self)} rows, {self.counts()!r})"


def excerpt(raw: object) -> str:
    text = "" if raw is None else raw if isinstance(raw, str) else str(raw)
    text = text.rstrip("\r\n")
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Note:
    """Something the user must know about the imported data (coverage, a mapping rule)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class ImportResult:
    """What an importer produced: the rows, and an honest account of what it read."""

    table: pa.Table
    """Rows in ``PROBE_SCHEMA``, sorted by target, vantage, at_us."""
    format: str
    targets: list[str]
    vantages: list[str]
    rows_read: int
    """Source records looked at (lines, heartbeats, samples, results), used or rejected."""
    bad_rows: BadRows
    notes: list[Note]


@runtime_checkable
class Importer(Protocol):
    """One monitoring export format.

    ``detect`` gets the first bytes of the file and answers how sure it is that it can read it
    (0 = no, 1 = certain); ``read`` imports it. ``options`` names the options ``read`` accepts
    besides the common ``progress``.
    """

    name: str
    options: frozenset[str]

    def detect(self, path: Path, head: bytes) -> float: ...

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult: ...


class RowBuilder:
    """Collects probe rows column by column and turns them into Arrow batches as it goes."""

    def __init__(self, batch_rows: int = BATCH_ROWS) -> None:
        self._batch_rows = batch_rows
        self._batches: list[pa.RecordBatch] = []
        self._clear()

    def _clear(self) -> None:
        self._target: list[str] = []
        self._vantage: list[str] = []
        self._at: list[int] = []
        self._state: list[int] = []
        self._latency: list[float | None] = []
        self._error: list[str | None] = []
        self._detail: list[str | None] = []

    def add(
        self,
        target: str,
        vantage: str,
        at_us: int,
        state: State,
        latency_ms: float | None = None,
        error: str | None = None,
        detail: str | None = None,
    ) -> None:
        self._target.append(target)
        self._vantage.append(vantage)
        self._at.append(at_us)
        self._state.append(int(state))
        self._latency.append(latency_ms)
        self._error.append(error)
        self._detail.append(detail)
        if len(self._at) >= self._batch_rows:
            self.flush()

    def flush(self) -> None:
        if not self._at:
            return
        columns = [
            pa.array(self._target, pa.string()),
            pa.array(self._vantage, pa.string()),
            pa.array(self._at, pa.int64()),
            pa.array(self._state, pa.int8()),
            pa.array(self._latency, pa.float64()),
            pa.array(self._error, pa.string()),
            pa.array(self._detail, pa.string()),
        ]
        self._batches.append(pa.RecordBatch.from_arrays(columns, schema=PROBE_SCHEMA))
        self._clear()

    def __len__(self) -> int:
        return sum(b.num_rows for b in self._batches) + len(self._at)

    def table(self) -> pa.Table:
        """All rows, sorted by target, vantage, at_us (stable: equal keys keep file order)."""
        self.flush()
        table = pa.Table.from_batches(self._batches, schema=PROBE_SCHEMA)
        self._batches = []
        if table.num_rows == 0:
            return table
        order = [("target", "ascending"), ("vantage", "ascending"), ("at_us", "ascending")]
        return table.sort_by(order).combine_chunks()


def finish(
    fmt: str,
    rows: RowBuilder,
    *,
    rows_read: int,
    bad_rows: BadRows,
    notes: list[Note] | None = None,
) -> ImportResult:
    table = rows.table()
    targets = sorted(set(table.column("target").unique().to_pylist())) if table.num_rows else []
    vantages = sorted(set(table.column("vantage").unique().to_pylist())) if table.num_rows else []
    notes = list(notes or [])
    if bad_rows:
        notes.append(Note("importers.note.bad_rows", {"count": len(bad_rows)}))
    return ImportResult(
        table=table,
        format=fmt,
        targets=targets,
        vantages=vantages,
        rows_read=rows_read,
        bad_rows=bad_rows,
        notes=notes,
    )


def progress_of(options: Mapping[str, Any]) -> Progress | None:
    value = options.get("progress")
    if value is not None and not callable(value):
        raise InvalidInput("importers.error.bad_option", option="progress", value=repr(value))
    return value


def text_option(options: Mapping[str, Any], name: str) -> str | None:
    """A string option; empty means unset."""
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("importers.error.bad_option", option=name, value=repr(value))
    value = value.strip()
    return value or None
