"""The prober: run many checks on a fixed grid, judge its own health, write closed segments.

    summary = await run(specs, vantage="home", on_segment=store, duration_s=3600,
                        reference=HealthConfig(references=public_references()))
    summary = run_sync(specs, vantage="home", on_segment=store)   # until SIGINT / SIGTERM

    prober = Prober(specs, vantage="home", on_segment=store)       # for a live view
    task = asyncio.create_task(prober.run(stop_event=stop))
    prober.live_status()                                           # from any thread

Scheduling. Spec *s* fires at ``k·interval + phase(s)`` on the UTC epoch grid: ``phase`` is a
stable hash of the spec's name, so targets spread evenly across the interval, a restarted
prober keeps the same instants, and two vantages check one target at the same moments. Every
slot's time is computed from *k*, never by adding up sleeps, so the grid does not drift.
Checks run under a semaphore (``max_concurrency``) and share one aiohttp session. A check that
cannot start within one interval of its slot (prober overloaded) is not run: its slot is
written as ``UNKNOWN``/``prober``. If wall time jumps against the monotonic clock (suspend,
clock stepped), the grid is re-anchored.

Each result records the slot (``scheduled_us``), the actual start (``at_us``; lateness =
start - slot), latency, state, error class and detail. Rows carry ``at_us`` = actual start.

Self-health (``hostclaim.probes.health``): a result is held until the prober's health over
its check is known; checks that ran while the prober was unhealthy are written as
``UNKNOWN`` with error ``prober`` and the observed outcome in the detail, never as DOWN.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from hostclaim.domain.probes import ErrorClass, State
from hostclaim.errors import InvalidInput
from hostclaim.probes.checks import CheckContext, ProbeResult, get_check
from hostclaim.probes.health import HealthConfig, HealthTimeline
from hostclaim.probes.segments import OnSegment, Row, SegmentWriter
from hostclaim.probes.spec import MonitorSpec, check_unique
from hostclaim.probes.status import LiveStatus, StatusBoard

_LOG = logging.getLogger("hostclaim.probes")
_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    """``max_concurrency``: checks in flight at once (and open connections); the prober
    raises its open-file limit to fit when it can. Segments close every ``segment_rows``
    rows or ``segment_seconds``. On stop, running checks get ``stop_grace_s`` to finish."""

    max_concurrency: int = 1000
    segment_rows: int = 100_000
    segment_seconds: float = 900.0
    stop_grace_s: float = 2.0

    def __post_init__(self) -> None:
        if self.max_concurrency < 1:
            raise InvalidInput(
                "probes.error.bad_number", field="max_concurrency", value=self.max_concurrency
            )
        if self.stop_grace_s < 0:
            raise InvalidInput(
                "probes.error.bad_number", field="stop_grace_s", value=self.stop_grace_s
            )


@dataclass(frozen=True, slots=True)
class ProbeRecord:
    """One check as it happened (before the health verdict, unless ``error`` is prober)."""

    target: str
    kind: str
    scheduled_us: int
    at_us: int
    lateness_ms: float
    latency_ms: float | None
    state: State
    error: str | None
    detail: str | None
    start_ns: int
    end_ns: int
    reference: bool = False
    skipped: bool = False

    def row(self, vantage: str) -> Row:
        return (
            self.target,
            vantage,
            self.at_us,
            int(self.state),
            self.latency_ms,
            self.error,
            self.detail,
        )

    def as_prober_unknown(self, why: str) -> ProbeRecord:
        seen = self.state.name.lower()
        if self.error:
            seen += f" {self.error}"
        if self.detail:
            seen += f": {self.detail}"
        return replace(
            self,
            state=State.UNKNOWN,
            error=ErrorClass.PROBER.value,
            latency_ms=None,
            detail=f"prober unhealthy ({why}); observed {seen}",
        )


@dataclass(frozen=True, slots=True)
class RunSummary:
    vantage: str
    started_us: int
    ended_us: int
    checks_due: int
    """Grid slots of the monitored specs that fell inside the run."""
    checks_done: int
    checks_skipped: int
    checks_cancelled: int
    rows_written: int
    prober_unknown_rows: int
    segments_stored: int
    lateness_p50_ms: float | None
    lateness_p99_ms: float | None
    lateness_max_ms: float | None


def _raise_fd_limit(wanted: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class _Grid:
    """Slot times of one spec: wall ``k·interval + phase``, mapped to the monotonic clock."""

    __slots__ = ("handle", "interval_ns", "k", "phase_ns")

    def __init__(self, interval_s: float, phase: float) -> None:
        self.interval_ns = max(1, round(interval_s * _NS))
        self.phase_ns = int(phase * self.interval_ns)
        self.k = 0
        self.handle: asyncio.TimerHandle | None = None

    def first_k(self, wall_ns: int) -> int:
        return -(-(wall_ns - self.phase_ns) // self.interval_ns)

    def wall_ns(self, k: int) -> int:
        return k * self.interval_ns + self.phase_ns


class Prober:
    def __init__(
        self,
        specs: Iterable[MonitorSpec],
        *,
        vantage: str,
        on_segment: OnSegment,
        reference: HealthConfig | MonitorSpec | Sequence[MonitorSpec] | None = None,
        config: RunnerConfig | None = None,
        on_result: Callable[[ProbeRecord], object] | None = None,
    ) -> None:
        self.specs = tuple(specs)
        if not self.specs:
            raise InvalidInput("probes.error.no_specs")
        check_unique(self.specs)
        self.vantage = vantage.strip()
        if not self.vantage:
            raise InvalidInput("probes.error.no_vantage")
        self.health = HealthConfig.of(reference)
        check_unique(self.specs + self.health.references)
        for spec in self.specs + self.health.references:
            get_check(spec.kind)
        self.config = config or RunnerConfig()
        self._on_result = on_result
        self.writer = SegmentWriter(
            on_segment,
            max_rows=self.config.segment_rows,
            max_age_s=self.config.segment_seconds,
        )
        self._board = StatusBoard(self.vantage, ((s.name, s.kind, s.target) for s in self.specs))
        self._interface = self.health.checker()
        self._timeline = HealthTimeline(
            reference=bool(self.health.references), interface=self._interface is not None
        )
        shortest = min(s.interval_s for s in self.specs)
        self._reference_interval = self.health.interval_s or shortest
        for ref in self.health.references:
            if ref.timeout_s > self._reference_interval:
                raise InvalidInput(
                    "probes.error.bad_timeout",
                    timeout=ref.timeout_s,
                    interval=self._reference_interval,
                )
        longest = max(s.timeout_s for s in self.specs + self.health.references)
        self._horizon_ns = round((longest + 3.0) * _NS)
        """A check that started longer ago than this has finished (timeout, margin, close)."""
        self._pending: deque[ProbeRecord] = deque()
        self._inflight: set[asyncio.Task[None]] = set()
        self._grids: list[_Grid] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stopping = False
        self._ran = False
        self._anchor_wall_ns = 0
        self._anchor_mono_ns = 0
        self._rows_written = 0
        self._unknown_rows = 0
        self._cancelled = 0
        self._ctx: CheckContext | None = None
        self._sem: asyncio.Semaphore | None = None

    # -- public -----------------------------------------------------------------------------

    def live_status(self) -> LiveStatus:
        """A snapshot for a live view; safe to call from any thread."""
        return self._board.snapshot(
            rows_written=self._rows_written,
            rows_pending=len(self._pending) + self.writer.open_rows,
            segments=self.writer.segments_stored,
        )

    def stop(self) -> None:
        """Ask a running prober to stop (from any thread)."""
        loop, stop = self._loop, self._stop
        if loop is None or stop is None:
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            stop.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(stop.set)

    async def run(
        self,
        *,
        stop_event: asyncio.Event | None = None,
        duration_s: float | None = None,
        handle_signals: bool = False,
    ) -> RunSummary:
        """Probe until ``stop_event`` is set, ``duration_s`` has passed, ``stop()`` or a signal
        (with ``handle_signals``: SIGINT/SIGTERM stop gracefully; a second one is not caught).
        Every row is handed over before this returns; a Prober runs once."""
        if self._ran:
            raise RuntimeError("a Prober runs once; make a new one")
        self._ran = True
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stop = stop = stop_event or asyncio.Event()
        _raise_fd_limit(self.config.max_concurrency + 256)
        self._ctx = CheckContext(max_connections=self.config.max_concurrency)
        for spec in self.specs + self.health.references:
            self._ctx.prepare(spec)
        self._sem = asyncio.Semaphore(self.config.max_concurrency)
        signals = self._install_signals(loop, stop) if handle_signals else []
        self._anchor()
        started_ns = self._anchor_wall_ns
        helpers: list[asyncio.Task[None]] = []
        try:
            self._grids = [_Grid(s.interval_s, s.phase_fraction) for s in self.specs]
            for index in range(len(self.specs)):
                self._arm_first(index)
            helpers.append(loop.create_task(self._ticker(), name="hostclaim-probe-ticker"))
            if self.health.references:
                helpers.append(loop.create_task(self._references(), name="hostclaim-probe-ref"))
            waiter = loop.create_task(stop.wait())
            try:
                await asyncio.wait(
                    [waiter, *helpers], timeout=duration_s, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                waiter.cancel()
            for helper in helpers:
                if helper.done() and not helper.cancelled():
                    failure = helper.exception()
                    if failure is not None:
                        raise failure
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)
            ended_ns = time.time_ns()
            await self._shutdown(helpers, ended_ns)
        return self._summary(started_ns, ended_ns)

    # -- scheduling ---------------------------------------------------------------------------

    def _anchor(self) -> None:
        self._anchor_wall_ns = time.time_ns()
        self._anchor_mono_ns = time.monotonic_ns()

    def _mono_of(self, wall_ns: int) -> int:
        return self._anchor_mono_ns + (wall_ns - self._anchor_wall_ns)

    def _arm_first(self, index: int) -> None:
        """Arm the first slot at or after the anchor (a slot a moment ago fires at once)."""
        grid = self._grids[index]
        grid.k = grid.first_k(self._anchor_wall_ns)
        self._arm(index)

    def _arm(self, index: int) -> None:
        assert self._loop is not None
        grid = self._grids[index]
        when = self._mono_of(grid.wall_ns(grid.k)) / _NS
        grid.handle = self._loop.call_at(when, self._fire, index)

    def _fire(self, index: int) -> None:
        if self._stopping:
            return
        assert self._loop is not None
        grid = self._grids[index]
        wall_ns = grid.wall_ns(grid.k)
        grid.k += 1
        self._arm(index)
        task = self._loop.create_task(self._run_slot(self.specs[index], wall_ns))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    def _reanchor(self) -> None:
        """Wall time moved against the monotonic clock: put every spec back on the grid."""
        self._anchor()
        for index, grid in enumerate(self._grids):
            if grid.handle is not None:
                grid.handle.cancel()
            self._arm_first(index)

    # -- checks -------------------------------------------------------------------------------

    async def _check(self, spec: MonitorSpec) -> ProbeResult:
        assert self._ctx is not None
        try:
            async with asyncio.timeout(spec.timeout_s + 1.0):
                return await get_check(spec.kind).check(spec, self._ctx)
        except TimeoutError:
            return ProbeResult(
                State.DOWN, None, ErrorClass.TIMEOUT, f"no answer within {spec.timeout_s:g} s"
            )
        except Exception as exc:  # a bug of ours is not the provider's outage
            _LOG.exception("check %s (%s) failed inside the prober", spec.name, spec.kind)
            return ProbeResult(
                State.UNKNOWN, None, ErrorClass.PROBER, f"prober error: {type(exc).__name__}: {exc}"
            )

    async def _run_slot(self, spec: MonitorSpec, slot_wall_ns: int) -> None:
        assert self._sem is not None
        slot_mono = self._mono_of(slot_wall_ns)
        try:
            async with self._sem:
                start_ns = time.monotonic_ns()
                at_us = time.time_ns() // 1000
                lateness_ms = (start_ns - slot_mono) / 1e6
                if lateness_ms > spec.interval_s * 1000.0:
                    result = ProbeResult(
                        State.UNKNOWN,
                        None,
                        ErrorClass.PROBER,
                        f"not run: started {lateness_ms:.0f} ms after its slot"
                        " (prober overloaded or stalled)",
                    )
                    skipped = True
                else:
                    result = await self._check(spec)
                    skipped = False
                end_ns = time.monotonic_ns()
        except asyncio.CancelledError:
            self._cancelled += 1
            raise
        record = ProbeRecord(
            target=spec.name,
            kind=spec.kind,
            scheduled_us=slot_wall_ns // 1000,
            at_us=at_us,
            lateness_ms=round(lateness_ms, 3),
            latency_ms=result.latency_ms,
            state=result.state,
            error=None if result.error is None else str(result.error),
            detail=result.detail,
            start_ns=start_ns,
            end_ns=end_ns,
            skipped=skipped,
        )
        self._board.record(
            spec.name,
            state=record.state,
            error=record.error,
            detail=record.detail,
            latency_ms=record.latency_ms,
            at_us=at_us,
            lateness_ms=record.lateness_ms,
            skipped=skipped,
        )
        self._notify(record)
        if record.error == ErrorClass.PROBER.value:
            self._emit(record)
        else:
            self._pending.append(record)
            self._drain()

    def _notify(self, record: ProbeRecord) -> None:
        if self._on_result is None:
            return
        try:
            self._on_result(record)
        except Exception:
            _LOG.exception("on_result callback failed")

    # -- health -------------------------------------------------------------------------------

    async def _references(self) -> None:
        grid = _Grid(self._reference_interval, 0.0)
        grid.k = grid.first_k(time.time_ns())
        rounds: set[asyncio.Task[None]] = set()
        try:
            await self._reference_round(time.time_ns())  # judge the first results quickly
            while not self._stopping:
                wall_ns = grid.wall_ns(grid.k)
                grid.k += 1
                delay = (self._mono_of(wall_ns) - time.monotonic_ns()) / _NS
                if abs(delay) > self._reference_interval:
                    grid.k = grid.first_k(time.time_ns())  # the clock jumped: back on the grid
                    continue
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.get_running_loop().create_task(self._reference_round(wall_ns))
                rounds.add(task)
                task.add_done_callback(rounds.discard)
        finally:
            for task in rounds:
                task.cancel()
            if rounds:
                await asyncio.gather(*rounds, return_exceptions=True)

    async def _reference_round(self, slot_wall_ns: int) -> None:
        refs = self.health.references
        start_ns = time.monotonic_ns()
        at_us = time.time_ns() // 1000
        results = await asyncio.gather(*(self._check(ref) for ref in refs))
        end_ns = time.monotonic_ns()
        ok = any(r.ok for r in results)
        why = ""
        if not ok:
            why = "reference check failed: " + "; ".join(
                f"{ref.name}: {r.error or ''} {r.detail or ''}".strip()
                for ref, r in zip(refs, results, strict=True)
            )
        self._timeline.reference.add(start_ns, ok, why)  # type: ignore[union-attr]
        if self.health.record_references:
            for ref, result in zip(refs, results, strict=True):
                self._emit(
                    ProbeRecord(
                        target=ref.name,
                        kind=ref.kind,
                        scheduled_us=slot_wall_ns // 1000,
                        at_us=at_us,
                        lateness_ms=0.0,
                        latency_ms=result.latency_ms,
                        state=result.state,
                        error=None if result.error is None else str(result.error),
                        detail=result.detail,
                        start_ns=start_ns,
                        end_ns=end_ns,
                        reference=True,
                    )
                )
        self._update_health()
        self._drain()

    def _sample_interface(self, now_ns: int) -> None:
        if self._interface is None or self._timeline.interface is None:
            return
        try:
            up = self._interface()
        except Exception:
            _LOG.exception("interface check failed")
            up = None
        if up is None:
            return
        self._timeline.interface.add(now_ns, up, "" if up else "network interface down")

    async def _ticker(self) -> None:
        """Watch the loop's own timeliness and the clocks; poll the interface and the writer."""
        tick_ns = round(self.health.tick_s * _NS)
        stall_ns = round(self.health.max_loop_lag_s * _NS)
        prev_mono, prev_wall = time.monotonic_ns(), time.time_ns()
        self._timeline.watermark_ns = prev_mono
        self._sample_interface(prev_mono)
        next_interface = prev_mono + _NS
        while True:
            expected = prev_mono + tick_ns
            await asyncio.sleep(max(0, expected - time.monotonic_ns()) / _NS)
            now, wall = time.monotonic_ns(), time.time_ns()
            late = now - expected
            jump = (wall - prev_wall) - (now - prev_mono)
            if late > stall_ns:
                self._timeline.add_stall(
                    prev_mono, now, f"prober's event loop stalled for {late / _NS:.1f} s"
                )
            if abs(jump) > stall_ns:
                self._timeline.add_stall(
                    prev_mono, now, f"clock jumped by {jump / _NS:+.1f} s (suspend or clock set)"
                )
                self._reanchor()
            self._timeline.watermark_ns = now
            if now >= next_interface:
                self._sample_interface(now)
                next_interface = now + _NS
            self.writer.poll()
            # keep what a result still pending or a check still running may need
            oldest = now - self._horizon_ns
            if self._pending:  # completion order, not start order: look at them all
                oldest = min(oldest, min(r.start_ns for r in self._pending))
            self._timeline.prune(oldest - _NS)
            self._update_health()
            self._drain()
            prev_mono, prev_wall = now, wall

    def _update_health(self) -> None:
        healthy, why = self._timeline.healthy_now()
        if healthy is not None:
            self._board.set_health(healthy, why or None)

    def _drain(self) -> None:
        pending = self._pending
        while pending:
            record = pending[0]
            verdict, why = self._timeline.verdict(record.start_ns, record.end_ns)
            if verdict == "pending":
                return
            pending.popleft()
            self._emit(record if verdict == "ok" else record.as_prober_unknown(why))

    def _emit(self, record: ProbeRecord) -> None:
        self.writer.add_row(record.row(self.vantage))
        self._rows_written += 1
        if record.error == ErrorClass.PROBER.value:
            self._unknown_rows += 1

    # -- stopping -----------------------------------------------------------------------------

    def _install_signals(
        self, loop: asyncio.AbstractEventLoop, stop: asyncio.Event
    ) -> list[signal.Signals]:
        installed: list[signal.Signals] = []

        def on_signal(sig: signal.Signals) -> None:
            _LOG.info("%s: stopping the prober", sig.name)
            stop.set()
            for each in installed:  # a second signal is not caught: it interrupts the stop
                loop.remove_signal_handler(each)
            installed.clear()

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            installed.append(sig)
        return installed

    async def _shutdown(self, helpers: list[asyncio.Task[None]], ended_ns: int) -> None:
        for index, grid in enumerate(self._grids):
            # a slot that came due this very moment, its timer not yet run, still belongs in
            while grid.wall_ns(grid.k) < ended_ns and not self._stopping:
                if grid.handle is not None:
                    grid.handle.cancel()
                self._fire(index)
        self._stopping = True
        for grid in self._grids:
            if grid.handle is not None:
                grid.handle.cancel()
        try:
            running = list(self._inflight)
            if running:
                _, late = await asyncio.wait(running, timeout=self.config.stop_grace_s)
                for task in late:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            if self._pending:
                await self._final_judgement()
        finally:
            try:
                for record in self._pending:
                    self._emit(
                        record.as_prober_unknown("the prober stopped before its health was known")
                    )
                self._pending.clear()
                await self.writer.aclose()
            finally:
                if self._ctx is not None:
                    await self._ctx.aclose()

    async def _final_judgement(self) -> None:
        """One last look at the prober's health, so the last results can be judged."""
        now = time.monotonic_ns()
        self._timeline.watermark_ns = now
        self._sample_interface(now)
        if self.health.references:
            with contextlib.suppress(Exception):
                await self._reference_round(time.time_ns())
        self._drain()

    def _summary(self, started_ns: int, ended_ns: int) -> RunSummary:
        due = 0
        for spec in self.specs:
            grid = _Grid(spec.interval_s, spec.phase_fraction)
            first = grid.first_k(started_ns)
            last = grid.first_k(ended_ns)  # first slot at or after the end
            due += max(0, last - first)
        lateness = self._board.lateness()
        status = self.live_status()
        return RunSummary(
            vantage=self.vantage,
            started_us=started_ns // 1000,
            ended_us=ended_ns // 1000,
            checks_due=due,
            checks_done=status.checks_done,
            checks_skipped=status.checks_skipped,
            checks_cancelled=self._cancelled,
            rows_written=self._rows_written,
            prober_unknown_rows=self._unknown_rows,
            segments_stored=self.writer.segments_stored,
            lateness_p50_ms=lateness.percentile(50),
            lateness_p99_ms=lateness.percentile(99),
            lateness_max_ms=lateness.max_ms if lateness.count else None,
        )


async def run(
    specs: Iterable[MonitorSpec],
    *,
    vantage: str,
    on_segment: OnSegment,
    stop_event: asyncio.Event | None = None,
    duration_s: float | None = None,
    reference: HealthConfig | MonitorSpec | Sequence[MonitorSpec] | None = None,
    config: RunnerConfig | None = None,
    on_result: Callable[[ProbeRecord], object] | None = None,
    handle_signals: bool = False,
) -> RunSummary:
    """Probe ``specs`` from ``vantage`` until ``stop_event`` / ``duration_s``; see ``Prober``."""
    prober = Prober(
        specs,
        vantage=vantage,
        on_segment=on_segment,
        reference=reference,
        config=config,
        on_result=on_result,
    )
    return await prober.run(
        stop_event=stop_event, duration_s=duration_s, handle_signals=handle_signals
    )


def run_sync(
    specs: Iterable[MonitorSpec],
    *,
    vantage: str,
    on_segment: OnSegment,
    duration_s: float | None = None,
    reference: HealthConfig | MonitorSpec | Sequence[MonitorSpec] | None = None,
    config: RunnerConfig | None = None,
    on_result: Callable[[ProbeRecord], object] | None = None,
) -> RunSummary:
    """``run`` in a fresh event loop, stopping cleanly on SIGINT / SIGTERM (main thread)."""
    handle = threading.current_thread() is threading.main_thread()
    return asyncio.run(
        run(
            specs,
            vantage=vantage,
            on_segment=on_segment,
            duration_s=duration_s,
            reference=reference,
            config=config,
            on_result=on_result,
            handle_signals=handle,
        )
    )


__all__ = [
    "ProbeRecord",
    "Prober",
    "RunSummary",
    "RunnerConfig",
    "run",
    "run_sync",
]
