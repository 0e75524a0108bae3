"""Outage accounting speed: hostclaim's engine vs a plain Python loop vs Uptime Kuma's SQL.

    python benchmarks/bench_analysis.py             # 50 million rows (about 6 GB of RAM)
    python benchmarks/bench_analysis.py --rows 5e6  # a quicker run

Generates probe rows in PROBE_SCHEMA (500 targets × 3 vantage points, one sample a minute,
random outages seen by one to three vantage points, prober hiccups, missing samples), sorted by
(target, vantage, at_us) as probe segments are written. Generation and loading are not timed.

(a) hostclaim: ``analyze(presorted=True)`` to incidents and monthly availability (Europe/Berlin,
    1-minute intervals), median of 3 runs; the latency summary is timed on its own.
(b) a plain Python loop over the rows doing the same per-vantage time-weighted accounting per
    month (no quorum, no intervals: less work than (a)), on a subset.
(c) Uptime Kuma's method: SQLite ``heartbeat`` table (its columns and index), the SQL that counts
    up and down beats per monitor and month, on a subset.

Memory: "peak RSS" is the peak RSS increase over the RSS before the step, sampled every 5 ms by
a thread reading psutil (a peak shorter than 5 ms can be missed, and memory the process freed
earlier is reused without raising RSS); "peak traced" is tracemalloc's peak for one extra,
untimed run (numpy buffers included, Arrow's memory pool not). The input table itself (about
3.5 GB at 50 M rows) is not counted: the engine reads its time and state columns in place.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from hostclaim.domain.accounting import analyze
from hostclaim.domain.probes import PROBE_SCHEMA, State

TARGETS = 500
VANTAGES = ("fra-1", "sin-1", "iad-1")
STEP_US = 60_000_000
START = datetime(2026, 9, 20, tzinfo=UTC)


# --- data ------------------------------------------------------------------------------------


def generate(rows: int, seed: int = 7) -> pa.Table:
    """About ``rows`` probe rows (a few hundredths of a percent fewer: the missing samples),
    sorted by (target, vantage, at_us)."""
    rng = np.random.default_rng(seed)
    small = rows < TARGETS * len(VANTAGES) * 2
    targets = max(1, rows // (2 * len(VANTAGES))) if small else TARGETS
    per_series = -(-rows // (targets * len(VANTAGES)))
    n_series = targets * len(VANTAGES)
    n = n_series * per_series
    t0 = int(START.timestamp()) * 1_000_000
    slot = np.tile(np.arange(per_series, dtype=np.int64), n_series)
    jitter = rng.integers(-400_000, 400_000, n)
    at = t0 + slot * STEP_US + jitter
    state = np.full(n, int(State.UP), np.int8)
    span = per_series

    # Outages: about one every four days per target, 2–240 minutes, seen by 1–3 vantages.
    n_out = max(1, int(targets * per_series / (4 * 1440)))
    out_target = rng.integers(0, targets, n_out)
    out_start = rng.integers(0, span, n_out)
    out_len = np.clip(rng.exponential(35, n_out).astype(np.int64), 2, 240)
    seen = rng.choice([1, 2, 3], n_out, p=[0.3, 0.4, 0.3])
    for tg, st, ln, k in zip(out_target, out_start, out_len, seen, strict=True):
        for v in rng.choice(len(VANTAGES), k, replace=False):
            base = (tg * len(VANTAGES) + v) * per_series
            state[base + st : base + min(st + ln, span)] = int(State.DOWN)
    # Prober hiccups: ~one UNKNOWN sample per series per day; 0.1 % degraded.
    state[rng.random(n) < 1 / 1440] = int(State.UNKNOWN)
    state[(rng.random(n) < 0.001) & (state == int(State.UP))] = int(State.DEGRADED)
    # Missing samples (a prober down for a while): drop ~0.05 % of rows in short bursts.
    keep = np.ones(n, bool)
    holes = rng.integers(0, n, max(1, n // 20_000))
    for h in holes:
        keep[h : h + rng.integers(3, 20)] = False

    latency = rng.gamma(2.0, 20.0, n)
    lat_null = state != int(State.UP)
    lat_null &= state != int(State.DEGRADED)
    names = [f"https://t{i:04d}.example.net/health" for i in range(targets)]
    series = np.repeat(np.arange(n_series, dtype=np.int32), per_series)
    target_ix = series // len(VANTAGES)
    vantage_ix = series % len(VANTAGES)

    idx = np.flatnonzero(keep)
    down = state[idx] == int(State.DOWN)
    unknown = state[idx] == int(State.UNKNOWN)
    error = pc.if_else(
        pa.array(down),
        pa.scalar("timeout"),
        pc.if_else(pa.array(unknown), pa.scalar("prober"), pa.scalar(None, pa.string())),
    )
    return pa.table(
        [
            pa.DictionaryArray.from_arrays(pa.array(target_ix[idx]), pa.array(names)).cast(
                pa.string()
            ),
            pa.DictionaryArray.from_arrays(pa.array(vantage_ix[idx]), pa.array(VANTAGES)).cast(
                pa.string()
            ),
            pa.array(at[idx]),
            pa.array(state[idx]),
            pa.array(latency[idx], mask=lat_null[idx]),
            error,
            pa.nulls(idx.size, pa.string()),
        ],
        schema=PROBE_SCHEMA,
    )


# --- measuring -------------------------------------------------------------------------------


class PeakRss:
    """Peak RSS above the level at entry, sampled by a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.peak = 0

    def __enter__(self) -> PeakRss:
        gc.collect()
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def delta_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    with PeakRss() as mem:
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
    return dt, mem.delta_mb, out


def traced_peak_mb(fn: Callable[[], Any]) -> float:
    """Peak of memory allocated through Python's allocators (numpy buffers included; Arrow's
    own memory pool is not) while ``fn`` runs. Run apart from the timed runs: it slows them."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# --- (a) hostclaim ---------------------------------------------------------------------------


def hostclaim_full(table: pa.Table, presorted: bool = True) -> tuple[int, int]:
    result = analyze(table, tz="Europe/Berlin", presorted=presorted, granularity_s=60)
    return len(result.incidents), len(result.periods)


# --- (b) a plain Python loop -----------------------------------------------------------------


def python_loop(table: pa.Table) -> dict[tuple[str, str], list[float]]:
    """Per target and UTC month: down and known seconds, each sample holding until the next
    sample of its series (at most two minutes). Rows sorted by (target, vantage, at_us)."""
    totals: dict[tuple[str, str], list[float]] = {}
    prev_key: tuple[str, str] | None = None
    prev_at = 0
    prev_state = 0
    month_of: dict[int, str] = {}
    cols = [table.column(c).to_pylist() for c in ("target", "vantage", "at_us", "state")]
    for target, vantage, at, state in zip(*cols, strict=True):
        key = (target, vantage)
        if key == prev_key:
            held = min(at - prev_at, 2 * STEP_US)
            day = prev_at // 86_400_000_000
            month = month_of.get(day)
            if month is None:
                month = month_of[day] = time.strftime("%Y-%m", time.gmtime(day * 86_400))
            acc = totals.setdefault((target, month), [0.0, 0.0])
            if prev_state == 0:
                acc[0] += held / 1e6
            if prev_state != 4:
                acc[1] += held / 1e6
        prev_key, prev_at, prev_state = key, at, state
    return totals


# --- (c) Uptime Kuma's SQL -------------------------------------------------------------------

KUMA_SCHEMA = """
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY AUTOINCREMENT, important BOOLEAN NOT NULL DEFAULT 0,
    monitor_id INTEGER NOT NULL, status SMALLINT NOT NULL DEFAULT 0, msg TEXT,
    time INTEGER NOT NULL, ping INTEGER, duration INTEGER NOT NULL DEFAULT 0,
    down_count INTEGER NOT NULL DEFAULT 0, end_time INTEGER, retries INTEGER NOT NULL DEFAULT 0,
    response TEXT);
CREATE INDEX monitor_time_index ON heartbeat (monitor_id, time);
"""
KUMA_QUERY = """
SELECT monitor_id, strftime('%Y-%m', time / 1000, 'unixepoch') AS month,
       SUM(status = 1) AS up, SUM(status IN (0, 2)) AS down, COUNT(*) AS beats
FROM heartbeat GROUP BY monitor_id, month
"""
KUMA_STATUS = {0: 0, 1: 1, 2: 1, 3: 3, 4: 2}
"""hostclaim state -> Kuma status (UNKNOWN has no Kuma equivalent: PENDING is the closest)."""


def load_kuma(table: pa.Table, path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.executescript(KUMA_SCHEMA)
    monitor = (
        np.unique(
            pc.binary_join_element_wise(table["target"], table["vantage"], "|").to_numpy(
                zero_copy_only=False
            ),
            return_inverse=True,
        )[1]
        + 1
    )
    status = np.vectorize(KUMA_STATUS.get)(table["state"].to_numpy())
    ms = table["at_us"].to_numpy() // 1000
    ping = np.nan_to_num(table["latency_ms"].to_numpy(zero_copy_only=False)).astype(np.int64)
    with con:
        con.executemany(
            "INSERT INTO heartbeat (monitor_id, status, time, ping, msg) VALUES (?, ?, ?, ?, '')",
            zip(monitor.tolist(), status.tolist(), ms.tolist(), ping.tolist(), strict=True),
        )
    con.execute("ANALYZE")
    con.execute(KUMA_QUERY).fetchall()  # warm the page cache
    return con


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, default=50e6, help="probe rows (default 5e7)")
    parser.add_argument("--loop-rows", type=float, default=1.5e6)
    parser.add_argument("--sql-rows", type=float, default=5e6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = int(args.rows)
    python = sys.version.split()[0]
    print(f"hostclaim accounting benchmark — {os.cpu_count()} CPUs, Python {python}")
    t0 = time.perf_counter()
    table = generate(rows)
    print(f"generated {table.num_rows:,} rows in {time.perf_counter() - t0:.1f} s (not timed)")

    times, mems = [], []
    for _ in range(args.runs):
        dt, mb, (n_inc, n_per) = timed(lambda: hostclaim_full(table))
        times.append(dt)
        mems.append(mb)
    t_h = statistics.median(times)
    rate_h = table.num_rows / t_h
    traced = traced_peak_mb(lambda: hostclaim_full(table))
    print(
        f"(a) hostclaim analyze (presorted): {n_inc:,} incidents, {n_per:,} period figures; "
        f"runs {', '.join(f'{x:.2f}' for x in times)} s; median {t_h:.2f} s = "
        f"{rate_h / 1e6:.1f} M rows/s; peak RSS +{max(mems):,.0f} MB, "
        f"peak traced {traced:,.0f} MB"
    )
    dt, mb, _ = timed(lambda: hostclaim_full(table, presorted=False))
    print(
        f"    without the presorted promise (every adjacent key compared): {dt:.2f} s = "
        f"{table.num_rows / dt / 1e6:.1f} M rows/s; peak RSS +{mb:,.0f} MB"
    )
    result = analyze(table, tz="Europe/Berlin", presorted=True)
    dt, mb, lat = timed(partial(getattr, result, "latency"))
    print(
        f"    + latency summary ({len(lat):,} series): {dt:.2f} s; with it "
        f"{table.num_rows / (t_h + dt) / 1e6:.1f} M rows/s; peak RSS +{mb:,.0f} MB"
    )

    loop_rows = min(int(args.loop_rows), table.num_rows)
    sub = table.slice(0, loop_rows)
    dt, mb, _ = timed(lambda: python_loop(sub))
    rate_loop = loop_rows / dt
    print(
        f"(b) Python loop: {loop_rows:,} rows in {dt:.2f} s = {rate_loop / 1e6:.2f} M rows/s; "
        f"peak RSS +{mb:,.0f} MB"
    )

    sql_rows = min(int(args.sql_rows), table.num_rows)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        con = load_kuma(table.slice(0, sql_rows), Path(tmp) / "kuma.db")
        load_s = time.perf_counter() - t0
        dt, mb, out = timed(lambda: con.execute(KUMA_QUERY).fetchall())
        con.close()
    rate_sql = sql_rows / dt
    print(
        f"(c) Uptime Kuma SQL (SQLite {sqlite3.sqlite_version}, file, warm cache): "
        f"{sql_rows:,} rows ({load_s:.0f} s to load, not timed) in {dt:.2f} s = "
        f"{rate_sql / 1e6:.2f} M rows/s; {len(out)} groups; peak RSS +{mb:,.0f} MB"
    )
    print(
        f"ratios: hostclaim/loop = {rate_h / rate_loop:,.0f}×, "
        f"hostclaim/SQLite = {rate_h / rate_sql:,.1f}×"
    )
    ok = rate_h >= 10e6 and rate_h >= 10 * rate_sql
    print("targets (≥10 M rows/s, ≥10× SQLite):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
