"""Live status of a running prober: per target and overall, as immutable snapshots.

``StatusBoard`` is updated by the runner on the event loop and read with ``snapshot()`` from
anywhere (the CLI's Rich live view refreshes from its own thread), so it holds a lock.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from hostclaim.domain.probes import State

# Lateness histogram buckets (ms): 1 ms wide below 100 ms, 10 ms to 1 s, 100 ms to 10 s,
# 1 s to 100 s, then one overflow bucket.
_STEPS = ((100.0, 1.0), (1_000.0, 10.0), (10_000.0, 100.0), (100_000.0, 1_000.0))
_BUCKETS = 100 + 90 + 90 + 90 + 1


def _bucket(ms: float) -> int:
    low, index = 0.0, 0
    for high, width in _STEPS:
        if ms < high:
            return index + int((ms - low) // width)
        index += int((high - low) // width)
        low = high
    return _BUCKETS - 1


def _upper_edge(bucket: int) -> float:
    low, index = 0.0, 0
    for high, width in _STEPS:
        count = int((high - low) // width)
        if bucket < index + count:
            return low + (bucket - index + 1) * width
        index += count
        low = high
    return float("inf")


class LatenessHistogram:
    """Counts of lateness values in fixed buckets: constant memory, percentiles to ~1 %.

    A percentile is the upper edge of its bucket (never understated), capped at the maximum.
    """

    __slots__ = ("_counts", "count", "max_ms", "total_ms")

    def __init__(self) -> None:
        self._counts = array("Q", bytes(8 * _BUCKETS))
        self.count = 0
        self.max_ms = 0.0
        self.total_ms = 0.0

    def add(self, ms: float) -> None:
        ms = max(ms, 0.0)
        self._counts[_bucket(ms)] += 1
        self.count += 1
        self.total_ms += ms
        self.max_ms = max(self.max_ms, ms)

    def percentile(self, q: float) -> float | None:
        if self.count == 0:
            return None
        rank = max(1, int(q / 100.0 * self.count + 0.999999))
        seen = 0
        for bucket, n in enumerate(self._counts):
            seen += n
            if seen >= rank:
                return min(_upper_edge(bucket), self.max_ms)
        return self.max_ms


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """One target as last seen: raw check results, before the prober-health verdict."""

    name: str
    kind: str
    target: str
    state: State | None
    error: str | None
    detail: str | None
    latency_ms: float | None
    at_us: int | None
    consecutive_failures: int
    checks: int
    failures: int
    lateness_p99_ms: float | None


@dataclass(frozen=True, slots=True)
class LiveStatus:
    vantage: str
    healthy: bool | None
    """The prober's own health as last judged (None before the first judgement)."""
    health_detail: str | None
    checks_done: int
    checks_skipped: int
    rows_written: int
    rows_pending: int
    segments_stored: int
    lateness_p50_ms: float | None
    lateness_p99_ms: float | None
    lateness_max_ms: float | None
    targets: tuple[TargetStatus, ...]


class _Target:
    __slots__ = (
        "at_us",
        "checks",
        "consecutive",
        "detail",
        "error",
        "failures",
        "kind",
        "latency",
        "lateness",
        "state",
        "target",
    )

    def __init__(self, kind: str, target: str) -> None:
        self.kind = kind
        self.target = target
        self.state: State | None = None
        self.error: str | None = None
        self.detail: str | None = None
        self.latency: float | None = None
        self.at_us: int | None = None
        self.consecutive = 0
        self.checks = 0
        self.failures = 0
        self.lateness = LatenessHistogram()


class StatusBoard:
    def __init__(self, vantage: str, targets: Iterable[tuple[str, str, str]]) -> None:
        """``targets``: (name, kind, target) of every monitored spec."""
        self.vantage = vantage
        self._lock = threading.Lock()
        self._targets = {name: _Target(kind, target) for name, kind, target in targets}
        self._overall = LatenessHistogram()
        self._healthy: bool | None = None
        self._health_detail: str | None = None
        self.checks_done = 0
        self.checks_skipped = 0

    def record(
        self,
        name: str,
        *,
        state: State,
        error: str | None,
        detail: str | None,
        latency_ms: float | None,
        at_us: int,
        lateness_ms: float,
        skipped: bool,
    ) -> None:
        with self._lock:
            item = self._targets.get(name)
            if item is None:
                return
            if skipped:
                self.checks_skipped += 1
                return
            self.checks_done += 1
            self._overall.add(lateness_ms)
            item.lateness.add(lateness_ms)
            item.checks += 1
            item.state, item.error, item.detail = state, error, detail
            item.latency, item.at_us = latency_ms, at_us
            if state == State.DOWN:
                item.consecutive += 1
                item.failures += 1
            elif state in (State.UP, State.DEGRADED):
                item.consecutive = 0

    def set_health(self, healthy: bool, detail: str | None) -> None:
        with self._lock:
            self._healthy, self._health_detail = healthy, detail

    def lateness(self) -> LatenessHistogram:
        return self._overall

    def snapshot(self, *, rows_written: int, rows_pending: int, segments: int) -> LiveStatus:
        with self._lock:
            targets = tuple(
                TargetStatus(
                    name=name,
                    kind=item.kind,
                    target=item.target,
                    state=item.state,
                    error=item.error,
                    detail=item.detail,
                    latency_ms=item.latency,
                    at_us=item.at_us,
                    consecutive_failures=item.consecutive,
                    checks=item.checks,
                    failures=item.failures,
                    lateness_p99_ms=item.lateness.percentile(99),
                )
                for name, item in self._targets.items()
            )
            overall = self._overall
            return LiveStatus(
                vantage=self.vantage,
                healthy=self._healthy,
                health_detail=self._health_detail,
                checks_done=self.checks_done,
                checks_skipped=self.checks_skipped,
                rows_written=rows_written,
                rows_pending=rows_pending,
                segments_stored=segments,
                lateness_p50_ms=overall.percentile(50),
                lateness_p99_ms=overall.percentile(99),
                lateness_max_ms=overall.max_ms if overall.count else None,
                targets=targets,
            )
