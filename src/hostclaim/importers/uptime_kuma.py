"""Uptime Kuma's SQLite database (``data/kuma.db``), 1.x and 2.x schemas.

The database is the user's evidence: it is opened read-only (``mode=ro``) and nothing is written
in its folder, not even the ``-shm`` file SQLite makes for a WAL database (see ``open_evidence``).

Monitors come from table ``monitor``; option ``monitor`` picks one by id or name, or ``all``
(each monitor becomes its own target, named after the monitor). With several monitors and no
choice the import stops and lists them.

Heartbeats (table ``heartbeat``) map as Kuma itself counts them:
``0 DOWN`` → DOWN, ``1 UP`` → UP, ``2 PENDING`` (a failed check while Kuma retries) → DOWN,
``3 MAINTENANCE`` → MAINTENANCE. ``time`` is UTC text ``YYYY-MM-DD HH:MM:SS.mmm`` in both
versions (2.x still writes ``R.isoDateTimeMillis(dayjs.utc())``); ``ping`` (ms) is the latency;
``msg`` is the detail and, for failed checks, gives the error class.

Kuma 2.x deletes non-important heartbeats (all but status changes) after 24 h and keeps
aggregates: ``stat_minutely`` (24 h), ``stat_hourly`` (30 days), ``stat_daily``; each row holds
``up``/``down`` counts (PENDING counted as down), the average ``ping`` of the UP checks and, in
``extras``, the ``maintenance`` count. Where a minute has no raw heartbeat but has a
``stat_minutely`` row, that row is imported as one sample at the start of the minute:

    DOWN if down > 0, else UP if up > 0, else MAINTENANCE if maintenance > 0
    (latency = the minute's average ping when up > 0; detail names the counts)

Option ``aggregates`` chooses the levels used this way: ``minutely`` (default), any of
``minutely,hourly,daily``, or ``none``. Coarser levels only fill spans that no finer data
covers; they mark a whole hour or day by one sample, so they are opt-in.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
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
from hostclaim.importers.values import RowRejected, classify_error, epoch_to_us, to_us

SQLITE_MAGIC = b"SQLite format 3\x00"
KUMA_STATUS = {0: State.DOWN, 1: State.UP, 2: State.DOWN, 3: State.MAINTENANCE}
PENDING = 2
LEVELS = {"minutely": 60, "hourly": 3600, "daily": 86400}
"""Aggregate tables (``stat_<level>``) and the seconds each row covers."""


def connect_readonly(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """Open an SQLite file read-only; a clear error when it cannot be.

    ``immutable`` also tells SQLite that nothing else writes the file, so it creates no
    ``-wal``/``-shm`` files beside it (a plain read-only open of a WAL database does).
    """
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as problem:
        raise InvalidInput("importers.error.sqlite", path=str(path), problem=str(problem)) from None
    return connection


@contextmanager
def open_evidence(path: Path) -> Iterator[tuple[sqlite3.Connection, bool]]:
    """The user's database, read without writing a byte in its folder; True if via a copy.

    With a ``-wal`` file beside it (Kuma running, or stopped uncleanly) the latest heartbeats
    are in that log: database and log are copied to a temporary folder and read there. A WAL
    database without its log is complete and opened immutable; a rollback-journal one is
    opened read-only, which takes a shared lock and creates nothing.
    """
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        with tempfile.TemporaryDirectory(prefix="hostclaim-kuma-") as folder:
            copy = Path(folder) / "kuma.db"
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(folder) / "kuma.db-wal")
            with closing(connect_readonly(copy)) as db:
                yield db, True
        return
    with open(path, "rb") as handle:
        header = handle.read(20)
    wal_mode = len(header) == 20 and header[18] == 2
    with closing(connect_readonly(path, immutable=wal_mode)) as db:
        yield db, False


@dataclass(frozen=True)
class Monitor:
    id: int
    name: str
    url: str | None
    type: str | None


def parse_kuma_time(value: object) -> int:
    """Kuma's ``time`` column to UTC µs: zone-less text is UTC (that is how Kuma writes it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return epoch_to_us(value)
    if not isinstance(value, str):
        raise RowRejected("importers.bad_row.bad_time")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowRejected("importers.bad_row.bad_time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return to_us(parsed)


class UptimeKumaImporter:
    name = "uptime-kuma"
    options = frozenset({"monitor", "target", "vantage", "aggregates"})

    def detect(self, path: Path, head: bytes) -> float:
        if not head.startswith(SQLITE_MAGIC):
            return 0.0
        try:
            with closing(connect_readonly(path, immutable=True)) as db:
                tables = _tables(db)
        except InvalidInput:
            return 0.0
        return 1.0 if {"monitor", "heartbeat"} <= tables else 0.0

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        levels = _levels(text_option(options, "aggregates"))
        vantage = text_option(options, "vantage") or self.name
        progress = progress_of(options)
        with open_evidence(path) as (db, copied):
            tables = _tables(db)
            if not {"monitor", "heartbeat"} <= tables:
                raise InvalidInput("importers.error.kuma_tables", path=str(path))
            v2 = "stat_minutely" in tables or "knex_migrations" in tables
            monitors = _choose(_monitors(db), options.get("monitor"))
            targets = _target_names(monitors, text_option(options, "target"))
            rows = RowBuilder()
            bad = BadRows()
            notes: list[Note] = []
            if copied:
                notes.append(Note("importers.note.kuma_wal", {}))
            read = 0
            counts = {"pending": 0, "maintenance": 0}
            covered: dict[int, set[int]] = {m.id: set() for m in monitors}
            for hb_id, monitor_id, status, msg, time, ping in _heartbeats(db, monitors):
                read += 1
                if progress is not None and read % BATCH_ROWS == 0:
                    progress(read)
                try:
                    state = KUMA_STATUS.get(status) if isinstance(status, int) else None
                    if state is None:
                        raise RowRejected("importers.bad_row.bad_state")
                    at_us = parse_kuma_time(time)
                except RowRejected as rejected:
                    bad.add(hb_id, rejected.reason, (status, time, msg))
                    continue
                detail = msg or None
                error = None
                if status == PENDING:
                    counts["pending"] += 1
                    detail = f"PENDING: {detail}" if detail else "PENDING"
                if state == State.MAINTENANCE:
                    counts["maintenance"] += 1
                elif state == State.DOWN:
                    error = classify_error(msg)
                latency = float(ping) if isinstance(ping, int | float) and ping >= 0 else None
                rows.add(targets[monitor_id], vantage, at_us, state, latency, error, detail)
                if v2 and levels:
                    covered[monitor_id].add(at_us // 60_000_000)
            if counts["pending"]:
                notes.append(Note("importers.note.kuma_pending", {"count": counts["pending"]}))
            if counts["maintenance"]:
                notes.append(
                    Note("importers.note.kuma_maintenance", {"count": counts["maintenance"]})
                )
            if v2:
                notes.append(Note("importers.note.kuma_v2_retention", {}))
                for level in levels:
                    if f"stat_{level}" not in tables:
                        continue
                    read += _fill_from_aggregates(
                        db, level, monitors, targets, vantage, covered, rows, notes
                    )
            if progress is not None:
                progress(read)
        return finish(self.name, rows, rows_read=read, bad_rows=bad, notes=notes)


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info([{table}])")}


def _levels(value: str | None) -> list[str]:
    if value is None:
        return ["minutely"]
    if value.lower() == "none":
        return []
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in LEVELS]
    if unknown:
        raise InvalidInput(
            "importers.error.bad_choice",
            option="aggregates",
            value=value,
            choices="none, " + ", ".join(LEVELS),
        )
    return [level for level in LEVELS if level in chosen]  # fine to coarse


def _monitors(db: sqlite3.Connection) -> list[Monitor]:
    columns = _columns(db, "monitor")
    url = "url" if "url" in columns else "NULL"
    kind = "type" if "type" in columns else "NULL"
    hostname = "hostname" if "hostname" in columns else "NULL"
    monitors = []
    for id_, name, url_value, type_value, host in db.execute(
        f"SELECT id, name, {url}, {kind}, {hostname} FROM monitor ORDER BY id"
    ):
        where = url_value if url_value and url_value != "https://" else host
        monitors.append(Monitor(int(id_), name or f"monitor #{id_}", where or None, type_value))
    return monitors


def _describe(monitors: list[Monitor]) -> str:
    return "; ".join(f"{m.id}: {m.name}" + (f" ({m.url})" if m.url else "") for m in monitors)


def _choose(monitors: list[Monitor], choice: object) -> list[Monitor]:
    if not monitors:
        raise InvalidInput("importers.error.kuma_no_monitors")
    if choice is None or (isinstance(choice, str) and not choice.strip()):
        if len(monitors) == 1:
            return monitors
        raise InvalidInput("importers.error.kuma_choose_monitor", monitors=_describe(monitors))
    if isinstance(choice, str) and choice.strip().lower() == "all":
        return monitors
    if isinstance(choice, int) and not isinstance(choice, bool):
        found = [m for m in monitors if m.id == choice]
    elif isinstance(choice, str):
        text = choice.strip()
        found = [m for m in monitors if m.name == text]
        if not found and text.isdigit():
            found = [m for m in monitors if m.id == int(text)]
    else:
        found = []
    if not found:
        raise InvalidInput(
            "importers.error.kuma_unknown_monitor",
            monitor=str(choice),
            monitors=_describe(monitors),
        )
    if len(found) > 1:
        raise InvalidInput(
            "importers.error.kuma_ambiguous", monitor=str(choice), monitors=_describe(found)
        )
    return found


def _target_names(monitors: list[Monitor], target: str | None) -> dict[int, str]:
    if target is not None:
        if len(monitors) != 1:
            raise InvalidInput("importers.error.target_needs_one_monitor")
        return {monitors[0].id: target}
    names = [m.name for m in monitors]
    return {m.id: m.name if names.count(m.name) == 1 else f"{m.name} (#{m.id})" for m in monitors}


def _heartbeats(db: sqlite3.Connection, monitors: list[Monitor]) -> Iterator[tuple[Any, ...]]:
    marks = ",".join("?" * len(monitors))
    cursor = db.execute(
        "SELECT id, monitor_id, status, msg, time, ping FROM heartbeat "
        f"WHERE monitor_id IN ({marks})",
        [m.id for m in monitors],
    )
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from batch


def _fill_from_aggregates(
    db: sqlite3.Connection,
    level: str,
    monitors: list[Monitor],
    targets: dict[int, str],
    vantage: str,
    covered: dict[int, set[int]],
    rows: RowBuilder,
    notes: list[Note],
) -> int:
    """Import ``stat_<level>`` rows for spans no finer data covers; return rows looked at."""
    width = LEVELS[level]
    minutes = width // 60
    columns = _columns(db, f"stat_{level}")
    extras = "extras" if "extras" in columns else "NULL"
    looked = used = skipped_covered = empty = 0
    for monitor in monitors:
        seen = covered[monitor.id]
        # A coarser bucket is covered when any minute inside it has data.
        seen_buckets = {m // minutes for m in seen} if minutes > 1 else seen
        cursor = db.execute(
            f"SELECT timestamp, up, down, ping, {extras} FROM stat_{level} "
            "WHERE monitor_id = ? ORDER BY timestamp",
            [monitor.id],
        )
        while batch := cursor.fetchmany(BATCH_ROWS):
            for timestamp, up, down, ping, extra in batch:
                looked += 1
                bucket = int(timestamp) // width
                if bucket in seen_buckets:
                    skipped_covered += 1
                    continue
                maintenance = _maintenance(extra)
                up, down = int(up or 0), int(down or 0)
                if down > 0:
                    state = State.DOWN
                elif up > 0:
                    state = State.UP
                elif maintenance > 0:
                    state = State.MAINTENANCE
                else:
                    empty += 1
                    continue
                latency = float(ping) if up > 0 and ping is not None and ping > 0 else None
                detail = f"stat_{level}: up={up} down={down}" + (
                    f" maintenance={maintenance}" if maintenance else ""
                )
                rows.add(
                    targets[monitor.id],
                    vantage,
                    int(timestamp) * 1_000_000,
                    state,
                    latency,
                    None,
                    detail,
                )
                used += 1
                first_minute = int(timestamp) // 60
                seen.update(range(first_minute, first_minute + minutes))
    if looked:
        notes.append(
            Note(
                f"importers.note.kuma_aggregates_{level}",
                {"used": used, "looked": looked, "covered": skipped_covered, "empty": empty},
            )
        )
    return looked


def _maintenance(extras: object) -> int:
    if not isinstance(extras, str) or not extras:
        return 0
    try:
        value = json.loads(extras).get("maintenance", 0)
    except (ValueError, AttributeError):
        return 0
    return int(value) if isinstance(value, int | float) else 0
