"""SegmentWriter: closes on size, age and stop; hands over exactly the rows, in schema, in order."""

from __future__ import annotations

import asyncio
import threading

import pyarrow as pa
import pytest

from hostclaim.domain.probes import PROBE_SCHEMA, State
from hostclaim.errors import StorageProblem
from hostclaim.probes import SegmentWriter


def row(i: int) -> tuple[str, str, int, int, float | None, str | None, str | None]:
    if i % 3 == 0:
        return (
            f"t{i % 5}",
            "home",
            1_700_000_000_000_000 + i,
            int(State.DOWN),
            None,
            "connect",
            "cannot connect",
        )
    return (
        f"t{i % 5}",
        "home",
        1_700_000_000_000_000 + i,
        int(State.UP),
        1.5 + i,
        None,
        "HTTP 200",
    )


class Collector:
    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.threads: set[str] = set()

    def __call__(self, table: pa.Table) -> None:
        self.threads.add(threading.current_thread().name)
        self.tables.append(table)

    def rows(self) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for table in self.tables:
            out.extend(zip(*(table[c].to_pylist() for c in PROBE_SCHEMA.names), strict=True))
        return out


def test_closes_on_size_and_on_close_with_exactly_the_rows() -> None:
    got = Collector()
    writer = SegmentWriter(got, max_rows=4, max_age_s=3600)
    rows = [row(i) for i in range(10)]
    for r in rows:
        writer.add_row(r)
    writer.close()
    assert [t.num_rows for t in got.tables] == [4, 4, 2]
    assert all(t.schema.equals(PROBE_SCHEMA) for t in got.tables)
    assert got.rows() == rows
    assert got.threads and "MainThread" not in got.threads  # stored off the caller's thread
    assert (writer.segments_stored, writer.rows_stored, writer.segments_closed) == (3, 10, 3)
    with pytest.raises(RuntimeError):
        writer.add_row(row(11))  # a closed writer is never reopened


def test_closes_on_age() -> None:
    now = [0.0]
    got = Collector()
    writer = SegmentWriter(got, max_rows=1000, max_age_s=60, clock=lambda: now[0])
    writer.add_row(row(0))
    now[0] = 30.0
    writer.add_row(row(1))
    assert writer.poll() is None
    now[0] = 60.0
    future = writer.poll()
    assert future is not None
    future.result()
    assert [t.num_rows for t in got.tables] == [2]
    now[0] = 200.0
    assert writer.poll() is None  # an empty buffer never makes an empty segment
    writer.add_row(row(2))  # the age counts from the first row of the new segment
    now[0] = 259.0
    assert writer.poll() is None
    writer.close()
    assert [t.num_rows for t in got.tables] == [2, 1]


def test_nothing_written_means_no_segment() -> None:
    got = Collector()
    SegmentWriter(got).close()
    assert got.tables == []


def test_a_failing_store_is_retried_in_order_then_reported() -> None:
    attempts: list[int] = []
    stored: list[pa.Table] = []
    broken = [True]

    def store(table: pa.Table) -> None:
        attempts.append(table.num_rows)
        if broken[0]:
            raise OSError("disk full")
        stored.append(table)

    writer = SegmentWriter(store, max_rows=2, retry_delays=(0.0,))
    writer.add_row(row(0))
    writer.add_row(row(1)).result()  # type: ignore[union-attr]
    assert attempts == [2, 2]  # first try and one retry
    assert [t.num_rows for t in writer.unstored()] == [2]
    broken[0] = False
    writer.add_row(row(2))
    writer.add_row(row(3)).result()  # type: ignore[union-attr]
    # the older segment goes first, then the new one
    assert [t["at_us"][0].as_py() for t in stored] == [row(0)[2], row(2)[2]]
    writer.close()
    assert writer.unstored() == []

    broken[0] = True
    failing = SegmentWriter(store, max_rows=100, retry_delays=())
    failing.add_row(row(5))
    with pytest.raises(StorageProblem) as caught:
        failing.close()
    assert caught.value.key == "probes.error.segments_not_stored"
    assert caught.value.params["rows"] == 1
    assert "disk full" in caught.value.render("en")
    assert [t.num_rows for t in failing.unstored()] == [1]


def test_aclose_does_not_block_the_loop() -> None:
    release = threading.Event()
    got = Collector()

    def slow_store(table: pa.Table) -> None:
        release.wait(5)
        got(table)

    async def main() -> int:
        writer = SegmentWriter(slow_store)
        writer.add_row(row(0))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        asyncio.get_running_loop().call_later(0.2, release.set)
        await writer.aclose()
        task.cancel()
        return ticks

    assert asyncio.run(main()) >= 10
    assert got.rows() == [row(0)]
