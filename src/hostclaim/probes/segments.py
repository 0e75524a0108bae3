"""Buffer probe rows and hand them over as closed segments (pyarrow Tables in PROBE_SCHEMA).

    writer = SegmentWriter(lambda table: store_segment(ws, case_ref, table, source=..., title=...))
    writer.add("https://shop.example", "home", at_us, State.UP, 12.3, None, "HTTP 200")
    writer.poll()      # closes the open segment once it is max_age_s old
    writer.close()     # closes the last one and waits until every segment is stored

A segment closes when it holds ``max_rows`` rows, when its first row is ``max_age_s`` old, and
on ``flush()`` / ``close()`` (the runner closes on stop, SIGINT and SIGTERM). A closed segment
is never reopened or appended to: an interrupted run loses at most the open buffer, and every
table handed to ``on_segment`` is complete.

``on_segment`` runs in one worker thread, one segment at a time, in order, so storing (SQLite,
fsync) never stalls the prober's event loop. When it raises, the segment is kept and tried
again (after ``retry_delays``, then before each later segment, then at close); a segment
that still cannot be stored makes ``close()`` raise ``StorageProblem``, and ``unstored()``
gives the tables back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pyarrow as pa

from hostclaim.domain.probes import PROBE_SCHEMA
from hostclaim.errors import InvalidInput, StorageProblem

_LOG = logging.getLogger("hostclaim.probes")

OnSegment = Callable[[pa.Table], object]
Row = tuple[str, str, int, int, float | None, str | None, str | None]
"""target, vantage, at_us, state, latency_ms, error, detail."""


class SegmentWriter:
    def __init__(
        self,
        on_segment: OnSegment,
        *,
        max_rows: int = 100_000,
        max_age_s: float = 900.0,
        retry_delays: Sequence[float] = (1.0, 5.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_rows < 1:
            raise InvalidInput("probes.error.bad_number", field="max_rows", value=max_rows)
        if max_age_s <= 0:
            raise InvalidInput("probes.error.bad_number", field="max_age_s", value=max_age_s)
        self._on_segment = on_segment
        self.max_rows = max_rows
        self.max_age_s = max_age_s
        self._retry_delays = tuple(retry_delays)
        self._clock = clock
        self._rows: list[Row] = []
        self._opened_at: float | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._futures: list[Future[None]] = []
        self._lock = threading.Lock()
        self._failed: list[pa.Table] = []
        self._last_error: BaseException | None = None
        self._closed = False
        self.rows_added = 0
        self.segments_closed = 0
        self.segments_stored = 0
        self.rows_stored = 0

    # -- on the caller's thread ------------------------------------------------------------

    @property
    def open_rows(self) -> int:
        return len(self._rows)

    @property
    def closed(self) -> bool:
        return self._closed

    def add(
        self,
        target: str,
        vantage: str,
        at_us: int,
        state: int,
        latency_ms: float | None,
        error: str | None,
        detail: str | None,
    ) -> Future[None] | None:
        return self.add_row((target, vantage, at_us, int(state), latency_ms, error, detail))

    def add_row(self, row: Row) -> Future[None] | None:
        """Buffer one row; returns the hand-over future when this row closed the segment."""
        if self._closed:
            raise RuntimeError("SegmentWriter is closed")
        if not self._rows:
            self._opened_at = self._clock()
        self._rows.append(row)
        self.rows_added += 1
        if len(self._rows) >= self.max_rows:
            return self.flush()
        return None

    def poll(self) -> Future[None] | None:
        """Close the open segment if it has reached ``max_age_s``."""
        opened = self._opened_at
        if self._rows and opened is not None and self._clock() - opened >= self.max_age_s:
            return self.flush()
        return None

    def flush(self) -> Future[None] | None:
        """Close the open segment now (if it has rows) and hand it over."""
        if not self._rows:
            return None
        rows, self._rows, self._opened_at = self._rows, [], None
        self.segments_closed += 1
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="hostclaim-segments")
        future = self._executor.submit(self._store, rows)
        self._futures = [f for f in self._futures if not f.done()]
        self._futures.append(future)
        return future

    def close(self) -> None:
        """Close the last segment, wait until all are stored; raise if some could not be."""
        if not self._closed:
            self.flush()
            self._closed = True
        for future in list(self._futures):
            future.result()
        self._finish()

    async def aclose(self) -> None:
        """``close()`` without blocking the event loop."""
        if not self._closed:
            self.flush()
            self._closed = True
        for future in list(self._futures):
            await asyncio.wrap_future(future)
        await asyncio.to_thread(self._finish)

    def unstored(self) -> list[pa.Table]:
        """Segments that were closed but could not be stored (yet)."""
        with self._lock:
            return list(self._failed)

    def _finish(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._futures = []
        with self._lock:
            self._retry_failed(())
            failed = list(self._failed)
        if failed:
            raise StorageProblem(
                "probes.error.segments_not_stored",
                segments=len(failed),
                rows=sum(t.num_rows for t in failed),
                detail=str(self._last_error),
            )

    # -- in the worker thread ---------------------------------------------------------------

    def _store(self, rows: list[Row]) -> None:
        columns = list(zip(*rows, strict=True))
        table = pa.Table.from_arrays(
            [pa.array(col, type=f.type) for col, f in zip(columns, PROBE_SCHEMA, strict=True)],
            schema=PROBE_SCHEMA,
        )
        with self._lock:
            self._retry_failed(())
            if self._failed:  # keep the order: an older segment is still waiting
                self._failed.append(table)
                return
        if not self._hand_over(table, self._retry_delays):
            with self._lock:
                self._failed.append(table)

    def _retry_failed(self, delays: Sequence[float]) -> None:
        while self._failed:
            if not self._hand_over(self._failed[0], delays):
                return
            self._failed.pop(0)

    def _hand_over(self, table: pa.Table, delays: Sequence[float]) -> bool:
        for attempt in range(len(delays) + 1):
            try:
                self._on_segment(table)
            except Exception as exc:
                self._last_error = exc
                _LOG.warning(
                    "storing a probe segment of %d rows failed (attempt %d): %s",
                    table.num_rows,
                    attempt + 1,
                    exc,
                )
                if attempt < len(delays):
                    time.sleep(delays[attempt])
                continue
            self.segments_stored += 1
            self.rows_stored += table.num_rows
            return True
        return False
