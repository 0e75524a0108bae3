"""Generic CSV and JSON Lines: one check per row, columns found by their usual names.

Column names are matched case-insensitively, with spaces and dashes read as underscores; the
first name of each list below that the file has wins, and an option names the column outright:

- time     (``time_column``):    timestamp, time, date, datetime, ts, checked_at, at
- state    (``state_column``):   up, status, state, ok, success, result, status_code, code,
                                 http_status
- latency  (``latency_column``): latency_ms, latency, response_time_ms, response_time, ping,
                                 rtt, duration_ms, duration
- target   (``target_column``):  target, name, monitor, url, host, endpoint
- vantage  (``vantage_column``): vantage, location, probe, region, source
- detail   (``detail_column``):  detail, message, msg, error

Times: ISO 8601 with an offset, or epoch seconds / ms / µs / ns chosen by magnitude (or
``time_unit``). A time without offset needs ``tz`` (an IANA zone); without it the import stops.
States: up/down words, booleans, 0/1, or an HTTP status code (2xx/3xx up, error
``http_status``); a column named like ``status_code`` accepts codes only. Latency: milliseconds
unless the column name or ``latency_unit`` says otherwise (``_s``, ``_us``, ``_ns`` suffixes);
``12 ms`` and ``0.5s`` cells carry their own unit. Target and vantage fall back to the ``target``
and ``vantage`` options, then to the file name and the format name.

Both formats are read line by line; rows go to Arrow in batches.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers.base import (
    BATCH_ROWS,
    BadRows,
    ImportResult,
    Note,
    RowBuilder,
    finish,
    progress_of,
    text_option,
)
from hostclaim.importers.values import (
    LATENCY_UNITS,
    TIME_UNITS,
    RowRejected,
    classify_error,
    parse_latency,
    parse_state,
    parse_timestamp,
    tz_option,
)

CANDIDATES: dict[str, tuple[str, ...]] = {
    "time": ("timestamp", "time", "date", "datetime", "ts", "checked_at", "at", "time_utc"),
    "state": (
        "up",
        "status",
        "state",
        "ok",
        "success",
        "result",
        "status_code",
        "code",
        "http_status",
    ),
    "latency": (
        "latency_ms",
        "latency",
        "response_time_ms",
        "response_time",
        "ping",
        "ping_ms",
        "rtt",
        "rtt_ms",
        "duration_ms",
        "duration",
        "latency_s",
        "response_time_s",
        "duration_s",
        "latency_us",
        "duration_ns",
    ),
    "target": ("target", "name", "monitor", "url", "host", "endpoint"),
    "vantage": ("vantage", "location", "probe", "region", "source"),
    "detail": ("detail", "message", "msg", "error"),
}
HTTP_CODE_COLUMNS = frozenset({"status_code", "code", "http_status", "http_code"})
REQUIRED = ("time", "state")

OPTIONS = frozenset(
    {f"{name}_column" for name in CANDIDATES}
    | {"tz", "time_unit", "latency_unit", "target", "vantage"}
)


def normalise(name: str) -> str:
    return name.strip().strip('"').lower().replace(" ", "_").replace("-", "_")


def latency_unit_of(column: str) -> str:
    """The unit a column name announces (``rtt_us``, ``duration_s``); milliseconds otherwise."""
    for suffix, unit in (
        ("_ns", "ns"),
        ("_us", "us"),
        ("_ms", "ms"),
        ("_seconds", "s"),
        ("_sec", "s"),
        ("_s", "s"),
    ):
        if column.endswith(suffix):
            return unit
    return "ms"


@dataclass
class Layout:
    """Which key or index holds each field, and how to read it."""

    keys: dict[str, Any]
    names: dict[str, str]

    @classmethod
    def resolve(
        cls,
        columns: list[str],
        keys: list[Any],
        options: Mapping[str, Any],
    ) -> Layout:
        by_name: dict[str, Any] = {}
        for column, key in zip(columns, keys, strict=True):
            by_name.setdefault(normalise(column), key)
        found: dict[str, Any] = {}
        names: dict[str, str] = {}
        for field_name, candidates in CANDIDATES.items():
            chosen = text_option(options, f"{field_name}_column")
            if chosen is not None:
                if normalise(chosen) not in by_name:
                    raise InvalidInput(
                        "importers.error.no_such_column",
                        column=chosen,
                        columns=", ".join(columns),
                    )
                found[field_name] = by_name[normalise(chosen)]
                names[field_name] = normalise(chosen)
                continue
            for candidate in candidates:
                if candidate in by_name and by_name[candidate] not in found.values():
                    found[field_name] = by_name[candidate]
                    names[field_name] = candidate
                    break
        for field_name in REQUIRED:
            if field_name not in found:
                raise InvalidInput(
                    "importers.error.no_column",
                    field=field_name,
                    option=f"{field_name}_column",
                    candidates=", ".join(CANDIDATES[field_name]),
                    columns=", ".join(columns) or "-",
                )
        return cls(found, names)


class _Rows:
    """Shared row logic of CSV and JSONL: one record in, one probe row or one bad row out."""

    def __init__(self, fmt: str, path: Path, options: Mapping[str, Any]) -> None:
        self.fmt = fmt
        self.tz = tz_option(text_option(options, "tz"))
        self.time_unit = text_option(options, "time_unit")
        if self.time_unit is not None and self.time_unit not in TIME_UNITS:
            raise InvalidInput(
                "importers.error.bad_choice",
                option="time_unit",
                value=self.time_unit,
                choices=", ".join(TIME_UNITS),
            )
        self.latency_unit = text_option(options, "latency_unit")
        if self.latency_unit is not None and self.latency_unit not in LATENCY_UNITS:
            raise InvalidInput(
                "importers.error.bad_choice",
                option="latency_unit",
                value=self.latency_unit,
                choices=", ".join(LATENCY_UNITS),
            )
        self.target = text_option(options, "target")
        self.vantage = text_option(options, "vantage") or fmt
        self.stem = path.stem
        self.progress = progress_of(options)
        self.rows = RowBuilder()
        self.bad = BadRows()
        self.notes: list[Note] = []
        self.read = 0
        self.layout: Layout | None = None
        self._lat_unit = "ms"
        self._http_only = False

    def set_layout(self, layout: Layout) -> None:
        self.layout = layout
        if "latency" in layout.keys:
            self._lat_unit = self.latency_unit or latency_unit_of(layout.names["latency"])
        self._http_only = layout.names["state"] in HTTP_CODE_COLUMNS
        if "target" not in layout.keys and self.target is None:
            self.target = self.stem
            self.notes.append(Note("importers.note.target_from_file", {"target": self.stem}))

    def add(self, line: int, get: Callable[[Any], Any], raw: object) -> None:
        """One record; ``get`` takes a column index (CSV) or key (JSON) to its value."""
        self.read += 1
        if self.progress is not None and self.read % BATCH_ROWS == 0:
            self.progress(self.read)
        assert self.layout is not None
        keys = self.layout.keys

        def cell(field_name: str) -> Any:
            return get(keys[field_name])

        try:
            at_us = parse_timestamp(cell("time"), tz=self.tz, unit=self.time_unit, line=line)
            state, error, detail = parse_state(cell("state"), http_only=self._http_only)
            latency = parse_latency(cell("latency"), self._lat_unit) if "latency" in keys else None
            target = _text(cell("target")) if "target" in keys else None
            target = target or self.target
            if not target:
                raise RowRejected("importers.bad_row.missing_target")
            vantage = (_text(cell("vantage")) if "vantage" in keys else None) or self.vantage
            message = _text(cell("detail")) if "detail" in keys else None
        except RowRejected as rejected:
            self.bad.add(line, rejected.reason, raw)
            return
        if message:
            detail = f"{detail}; {message}" if detail else message
            if error is None and state == State.DOWN:
                error = classify_error(message)
        self.rows.add(target, vantage, at_us, state, latency, error, detail)

    def result(self) -> ImportResult:
        if self.progress is not None:
            self.progress(self.read)
        return finish(self.fmt, self.rows, rows_read=self.read, bad_rows=self.bad, notes=self.notes)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip() or None


def _open_text(path: Path) -> io.TextIOWrapper:
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def _head_text(head: bytes) -> str:
    return head.decode("utf-8-sig", errors="replace")


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvImporter:
    """Comma, semicolon, tab or pipe separated values with a header row."""

    name = "csv"
    options = OPTIONS | {"delimiter"}

    def detect(self, path: Path, head: bytes) -> float:
        if b"\x00" in head:
            return 0.0
        lines = _head_text(head).splitlines()
        if not lines:
            return 0.0
        header = lines[0]
        if header.lstrip().startswith(("{", "[")):
            return 0.0
        delimiter = sniff_delimiter(header)
        names = {normalise(c) for c in next(csv.reader([header], delimiter=delimiter), [])}
        has_time = any(c in names for c in CANDIDATES["time"])
        has_state = any(c in names for c in CANDIDATES["state"])
        if has_time and has_state:
            return 0.7 if len(lines) > 1 else 0.5
        if has_time or has_state or self._regular(lines, delimiter):
            # Table-shaped: reading it names the columns it lacks, which helps more than
            # "no known format".
            return 0.5
        return 0.0

    @staticmethod
    def _regular(lines: list[str], delimiter: str) -> bool:
        sample = [line for line in lines[:20] if line.strip()]
        if len(sample) < 2:
            return False
        widths = {len(row) for row in csv.reader(sample, delimiter=delimiter)}
        return len(widths) == 1 and widths.pop() >= 2

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        rows = _Rows(self.name, path, options)
        with _open_text(path) as handle:
            first = handle.readline()
            if not first.strip():
                raise InvalidInput("importers.error.no_header", path=str(path))
            delimiter = text_option(options, "delimiter") or sniff_delimiter(first)
            header = next(csv.reader([first], delimiter=delimiter))
            rows.set_layout(Layout.resolve(header, list(range(len(header))), options))
            width = len(header)
            reader = csv.reader(handle, delimiter=delimiter)
            end = 1  # the header's line
            for record in reader:
                line = end + 1
                end = reader.line_num + 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                if len(record) != width:
                    rows.read += 1
                    rows.bad.add(line, "importers.bad_row.field_count", delimiter.join(record))
                    continue
                rows.add(line, record.__getitem__, _LazyJoin(delimiter, record))
        return rows.result()


class _LazyJoin:
    """The raw text of a CSV record, built only if the row is rejected."""

    __slots__ = ("delimiter", "record")

    def __init__(self, delimiter: str, record: list[str]) -> None:
        self.delimiter = delimiter
        self.record = record

    def __str__(self) -> str:
        return self.delimiter.join(self.record)


class JsonlImporter:
    """JSON Lines: one JSON object per line."""

    name = "jsonl"
    options = OPTIONS
    HEAD_OBJECTS = 1000
    """Keys are gathered from this many leading objects (a DOWN row may lack ``latency``)."""

    def detect(self, path: Path, head: bytes) -> float:
        lines = [line for line in _head_text(head).splitlines() if line.strip()]
        if not lines:
            return 0.0
        try:
            first = json.loads(lines[0])
        except ValueError:
            return 0.0
        if not isinstance(first, dict):
            return 0.0
        names = {normalise(str(k)) for k in first}
        if any(c in names for c in CANDIDATES["time"]) and any(
            c in names for c in CANDIDATES["state"]
        ):
            return 0.7
        return 0.2

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        rows = _Rows(self.name, path, options)
        with _open_text(path) as handle:
            records = _json_lines(handle)
            head: list[_JsonLine] = []
            keys: dict[str, None] = {}
            for item in records:
                head.append(item)
                if isinstance(item[1], dict):
                    keys.update(dict.fromkeys(item[1]))
                if len(head) >= self.HEAD_OBJECTS:
                    break
            rows.set_layout(Layout.resolve([str(k) for k in keys], list(keys), options))
            for number, obj, text in itertools.chain(head, records):
                if isinstance(obj, dict):
                    rows.add(number, obj.get, text)
                else:
                    rows.read += 1
                    rows.bad.add(number, obj, text)
        return rows.result()


_JsonLine = tuple[int, "dict[str, Any] | str", str]
"""Line number, the object or the reason it was rejected, the raw text."""


def _json_lines(handle: io.TextIOWrapper) -> Iterator[_JsonLine]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            yield number, "importers.bad_row.bad_json", text
            continue
        if isinstance(obj, dict):
            yield number, obj, text
        else:
            yield number, "importers.bad_row.not_object", text
