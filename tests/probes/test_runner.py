"""The runner against real loopback servers: the grid, self-health, overload, stop, storage."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from aiohttp import web

from hostclaim.domain.probes import PROBE_SCHEMA, ErrorClass, State
from hostclaim.probes import (
    CHECKS,
    HealthConfig,
    MonitorSpec,
    Prober,
    ProbeRecord,
    ProbeResult,
    RunnerConfig,
    register,
)
from hostclaim.probes.spec import KNOWN_KINDS

SRC = Path(__file__).resolve().parents[2] / "src"


class Sink:
    """on_segment + on_result collector."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.records: list[ProbeRecord] = []

    def segment(self, table: pa.Table) -> None:
        assert table.schema.equals(PROBE_SCHEMA)
        self.tables.append(table)

    def result(self, record: ProbeRecord) -> None:
        self.records.append(record)

    def rows(self, target: str | None = None) -> list[dict[str, Any]]:
        rows = [r for t in self.tables for r in t.to_pylist()]
        rows = [r for r in rows if target is None or r["target"] == target]
        return sorted(rows, key=lambda r: r["at_us"])


def prober(
    sink: Sink, specs: list[MonitorSpec], *, reference: object = None, **config: object
) -> Prober:
    return Prober(
        specs,
        vantage="test",
        on_segment=sink.segment,
        on_result=sink.result,
        reference=reference,  # type: ignore[arg-type]
        config=RunnerConfig(**config),  # type: ignore[arg-type]
    )


def test_fixed_grid_does_not_drift(srv, arun) -> None:
    sink = Sink()

    async def main() -> object:
        async with srv.tcp() as (_, port), srv.http() as base:
            fast = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{port}", name="fast", interval_s=0.1, timeout_s=0.09
            )
            # each check takes 0.12 s of a 0.2 s interval: slots must not slide by it
            slow = MonitorSpec(
                kind="http",
                target=f"{base}/slowish?s=0.12",
                name="slow",
                interval_s=0.2,
                timeout_s=0.19,
            )
            return await prober(sink, [fast, slow]).run(duration_s=2.5)

    summary = arun(main())
    for name, interval_us in (("fast", 100_000), ("slow", 200_000)):
        records = sorted(
            (r for r in sink.records if r.target == name), key=lambda r: r.scheduled_us
        )
        spec_phase = MonitorSpec(kind="tcp", target="x:1", name=records[0].target).phase_fraction
        slots = [r.scheduled_us for r in records]
        assert all(b - a == interval_us for a, b in itertools.pairwise(slots)), slots
        phase_us = int(spec_phase * interval_us * 1000) // 1000
        assert all(abs((s - phase_us) % interval_us) <= 1 for s in slots)
        late = [r.lateness_ms for r in records]
        assert max(late) < 250, late
        quarter = len(late) // 4
        # no creeping: the last quarter starts no later than the first, give or take noise
        assert statistics.mean(late[-quarter:]) - statistics.mean(late[:quarter]) < 20
        for r in records:
            assert abs((r.at_us - r.scheduled_us) / 1000 - r.lateness_ms) < 5
    assert summary.checks_done == summary.checks_due  # every slot inside the run, no more
    assert summary.checks_skipped == 0 and summary.prober_unknown_rows == 0
    rows = sink.rows()
    assert len(rows) == summary.rows_written == len(sink.records)
    assert {r["vantage"] for r in rows} == {"test"}
    assert all(r["state"] == State.UP for r in rows)
    by_key = {(r["target"], r["at_us"]) for r in rows}
    assert by_key == {(r.target, r.at_us) for r in sink.records}


def test_reference_down_turns_every_result_into_unknown(srv, arun) -> None:
    sink = Sink()
    dead = srv.closed_port()

    async def main() -> object:
        async with srv.http() as base:
            ref = MonitorSpec(
                kind="tcp",
                target=f"127.0.0.1:{srv.closed_port()}",
                name="ref",
                interval_s=0.2,
                timeout_s=0.1,
            )
            specs = [
                MonitorSpec(
                    kind="tcp",
                    target=f"127.0.0.1:{dead}",
                    name="down",
                    interval_s=0.1,
                    timeout_s=0.05,
                ),
                MonitorSpec(
                    kind="http", target=f"{base}/ok", name="up", interval_s=0.1, timeout_s=0.05
                ),
            ]
            return await prober(sink, specs, reference=ref).run(duration_s=1.2)

    summary = arun(main())
    for name in ("down", "up"):
        rows = sink.rows(name)
        assert len(rows) >= 8
        assert {(r["state"], r["error"]) for r in rows} == {(State.UNKNOWN, "prober")}
        assert all(r["latency_ms"] is None for r in rows)
        assert all("reference check failed: ref: connect" in r["detail"] for r in rows)
    assert "observed down connect" in sink.rows("down")[0]["detail"]
    assert "observed up: HTTP 200" in sink.rows("up")[0]["detail"]
    ref_rows = sink.rows("ref")  # the reference's own results are evidence too
    assert ref_rows and all(r["state"] == State.DOWN for r in ref_rows)
    assert summary.prober_unknown_rows == len(sink.rows("down")) + len(sink.rows("up"))
    # the live view showed the raw state meanwhile, and the prober's health
    assert not [r for r in sink.rows() if r["target"] != "ref" and r["state"] == State.DOWN]


def test_only_the_stretch_around_a_failed_reference_is_unknown(srv, arun) -> None:
    sink = Sink()
    dead = srv.closed_port()

    async def main() -> None:
        async with srv.tcp() as (reference_server, ref_port):
            ref = MonitorSpec(
                kind="tcp",
                target=f"127.0.0.1:{ref_port}",
                name="ref",
                interval_s=0.2,
                timeout_s=0.1,
            )
            target = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{dead}", name="down", interval_s=0.1, timeout_s=0.05
            )
            stop = asyncio.Event()
            task = asyncio.create_task(prober(sink, [target], reference=ref).run(stop_event=stop))
            await asyncio.sleep(0.8)
            reference_server.close()  # the prober's "internet" goes away ...
            await reference_server.wait_closed()
            await asyncio.sleep(0.8)
            async with srv.tcp(ref_port):  # ... and comes back
                await asyncio.sleep(0.8)
                stop.set()
                await task

    arun(main())
    refs = [(r["at_us"], r["state"] == State.DOWN) for r in sink.rows("ref")]
    rows = sink.rows("down")
    assert any(failed for _, failed in refs)
    states = [r["state"] for r in rows]
    assert State.DOWN in states and State.UNKNOWN in states
    first_unknown = states.index(State.UNKNOWN)
    last_unknown = len(states) - 1 - states[::-1].index(State.UNKNOWN)
    assert State.DOWN in states[:first_unknown] and State.DOWN in states[last_unknown + 1 :]
    for r in rows:
        at = r["at_us"]
        good_before = [t for t, failed in refs if not failed and t <= at]
        good_after = [t for t, failed in refs if not failed and t > at]
        low = max(good_before) if good_before else -1
        high = min(good_after) if good_after else 2**62
        tainted = any(failed and low < t < high for t, failed in refs)
        if tainted:  # a DOWN while the prober might have been cut off is never claimed
            assert (r["state"], r["error"]) == (State.UNKNOWN, "prober"), r
        else:
            assert r["state"] == State.DOWN, r


def test_an_event_loop_stall_makes_the_checks_in_flight_unknown(arun) -> None:
    sink = Sink()
    calls = [0]

    async def stall_once(request: web.Request) -> web.Response:
        calls[0] += 1
        if calls[0] == 2:
            time.sleep(0.7)  # blocks the whole loop: prober, server, timers
        await asyncio.sleep(0.05)
        return web.Response(text="fine")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/", stall_once)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            spec = MonitorSpec(
                kind="http",
                target=f"http://127.0.0.1:{port}/",
                name="web",
                interval_s=0.3,
                timeout_s=0.25,
            )
            health = HealthConfig(max_loop_lag_s=0.3, tick_s=0.05)
            await prober(sink, [spec], reference=health).run(duration_s=1.8)
        finally:
            await runner.cleanup()

    arun(main())
    rows = sink.rows("web")
    assert len(rows) >= 4
    unknown = [r["detail"] for r in rows if r["state"] == State.UNKNOWN]
    # the check in flight saw a timeout the stall caused; a slot the stall swallowed is skipped
    assert any("event loop stalled" in d and "observed down timeout" in d for d in unknown)
    assert all("stalled" in d or d.startswith("not run") for d in unknown), unknown
    assert all(r["state"] in (State.UP, State.UNKNOWN) for r in rows), rows
    assert rows[0]["state"] == State.UP and rows[-1]["state"] == State.UP


def test_interface_down_makes_results_unknown(srv, arun) -> None:
    sink = Sink()
    link = {"up": True}

    async def main() -> None:
        async with srv.http() as base:
            spec = MonitorSpec(
                kind="http", target=f"{base}/ok", name="web", interval_s=0.1, timeout_s=0.05
            )
            health = HealthConfig(interface_check=lambda: link["up"], tick_s=0.05)
            loop = asyncio.get_running_loop()
            loop.call_later(1.1, link.update, {"up": False})
            loop.call_later(2.2, link.update, {"up": True})
            await prober(sink, [spec], reference=health).run(duration_s=3.5)

    arun(main())
    rows = sink.rows("web")
    states = [r["state"] for r in rows]
    unknown = [r for r in rows if r["state"] == State.UNKNOWN]
    assert unknown and all("network interface down" in r["detail"] for r in unknown)
    assert states[0] == State.UP and states[-1] == State.UP
    assert set(states) == {State.UP, State.UNKNOWN}
    assert 5 <= len(unknown) <= 25  # about the second it was down, plus the stretch around it


def test_overload_skips_slots_as_unknown_not_down(srv, arun) -> None:
    sink = Sink()

    async def main() -> object:
        async with srv.http() as base:
            specs = [
                MonitorSpec(
                    kind="http",
                    target=f"{base}/slowish?s=0.15",
                    name=f"s{i}",
                    interval_s=0.2,
                    timeout_s=0.19,
                )
                for i in range(3)
            ]
            return await prober(sink, specs, max_concurrency=1).run(duration_s=1.5)

    summary = arun(main())
    skipped = [r for r in sink.rows() if r["error"] == ErrorClass.PROBER.value]
    assert summary.checks_skipped == len(skipped) > 0
    assert all("not run" in r["detail"] for r in skipped)
    assert not [r for r in sink.rows() if r["state"] == State.DOWN]


def test_a_bug_in_a_check_is_not_the_providers_outage(arun) -> None:
    class Broken:
        kind = "broken-test"

        async def check(self, target: MonitorSpec, ctx: object) -> ProbeResult:
            raise ZeroDivisionError("oops")

    register(Broken())
    try:
        sink = Sink()
        spec = MonitorSpec(kind="broken-test", target="x", interval_s=0.1, timeout_s=0.05)
        arun(prober(sink, [spec]).run(duration_s=0.5))
    finally:
        del CHECKS["broken-test"]
        KNOWN_KINDS.discard("broken-test")
    rows = sink.rows()
    assert rows and all((r["state"], r["error"]) == (State.UNKNOWN, "prober") for r in rows)
    assert "ZeroDivisionError" in rows[0]["detail"]


def test_live_status_and_stop_from_another_thread(srv, arun) -> None:
    sink = Sink()
    seen: list[object] = []

    async def main() -> object:
        async with srv.http() as base, srv.tcp() as (_, ref_port):
            specs = [
                MonitorSpec(
                    kind="http", target=f"{base}/ok", name="up", interval_s=0.1, timeout_s=0.05
                ),
                MonitorSpec(
                    kind="http",
                    target=f"{base}/status/500",
                    name="err",
                    interval_s=0.1,
                    timeout_s=0.05,
                ),
            ]
            ref = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{ref_port}", interval_s=0.2, timeout_s=0.1
            )
            p = prober(sink, specs, reference=ref)

            def watcher() -> None:
                time.sleep(1.0)
                seen.append(p.live_status())
                p.stop()

            thread = threading.Thread(target=watcher)
            thread.start()
            summary = await p.run()  # no duration: stops when asked
            await asyncio.to_thread(thread.join)
            return summary

    summary = arun(main())
    status = seen[0]
    targets = {t.name: t for t in status.targets}  # type: ignore[attr-defined]
    assert status.healthy is True and status.vantage == "test"  # type: ignore[attr-defined]
    assert targets["up"].state == State.UP and targets["up"].consecutive_failures == 0
    assert targets["err"].state == State.DOWN and targets["err"].error == "http_status"
    assert targets["err"].consecutive_failures == targets["err"].checks >= 5
    assert targets["up"].lateness_p99_ms is not None and targets["up"].latency_ms is not None
    assert status.lateness_p99_ms is not None  # type: ignore[attr-defined]
    assert summary.rows_written == sum(t.num_rows for t in sink.tables)


def test_segments_close_during_the_run_and_on_stop(srv, arun) -> None:
    sink = Sink()

    async def main() -> object:
        async with srv.tcp() as (_, port):
            spec = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{port}", interval_s=0.05, timeout_s=0.04
            )
            return await prober(sink, [spec], segment_rows=7).run(duration_s=1.0)

    summary = arun(main())
    sizes = [t.num_rows for t in sink.tables]
    assert sizes[:-1] == [7] * (len(sizes) - 1) and 1 <= sizes[-1] <= 7
    assert sum(sizes) == summary.rows_written == summary.checks_done
    assert summary.segments_stored == len(sizes)


def test_rows_are_stored_as_case_evidence(srv, arun, ws, case_ref) -> None:
    from hostclaim.services.segments import list_segments, load_probe_data, store_segment

    records: list[ProbeRecord] = []

    def store(table: pa.Table) -> None:
        store_segment(ws, case_ref, table, source="probe:test", title="probe test")

    async def main() -> object:
        async with srv.http() as base:
            specs = [
                MonitorSpec(
                    kind="http", target=f"{base}/ok", name="shop", interval_s=0.1, timeout_s=0.05
                ),
                MonitorSpec(
                    kind="tcp",
                    target=f"127.0.0.1:{srv.closed_port()}",
                    name="ssh",
                    interval_s=0.1,
                    timeout_s=0.05,
                ),
            ]
            p = Prober(
                specs,
                vantage="home",
                on_segment=store,
                on_result=records.append,
                config=RunnerConfig(segment_rows=10),
            )
            return await p.run(duration_s=1.0)

    summary = arun(main())
    table = load_probe_data(ws, case_ref)
    assert table.num_rows == summary.rows_written == len(records)
    assert len(list_segments(ws, case_ref)) == summary.segments_stored
    stored = {(r["target"], r["at_us"], r["state"]) for r in table.to_pylist()}
    assert stored == {(r.target, r.at_us, int(r.state)) for r in records}
    assert set(table["vantage"].to_pylist()) == {"home"}


def test_sigint_closes_the_last_segment(tmp_path: Path, srv) -> None:
    out = tmp_path / "rows.txt"
    script = textwrap.dedent(
        f"""
        import sys
        from hostclaim.probes import MonitorSpec, run_sync
        out = open({str(out)!r}, "a")
        def seg(table):
            out.write(f"{{table.num_rows}}\\n"); out.flush()
        first = []
        def res(record):
            if not first:
                first.append(1); print("ready", flush=True)
        spec = MonitorSpec(kind="tcp", target="127.0.0.1:{srv.closed_port()}", interval_s=0.05,
                           timeout_s=0.04)
        summary = run_sync([spec], vantage="sig", on_segment=seg, on_result=res)
        print("rows", summary.rows_written, flush=True)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    rest, _ = child.communicate(timeout=20)
    assert child.returncode == 0, rest
    written = int(rest.split()[-1])
    assert written > 3
    assert sum(int(n) for n in out.read_text().split()) == written


@pytest.mark.parametrize("bad", [[], "dup"])
def test_prober_refuses_bad_input(bad: object) -> None:
    from hostclaim.errors import InvalidInput

    spec = MonitorSpec(kind="tcp", target="127.0.0.1:1")
    specs = [] if bad == [] else [spec, spec]
    with pytest.raises(InvalidInput):
        Prober(specs, vantage="x", on_segment=lambda t: None)
    with pytest.raises(InvalidInput):
        Prober([spec], vantage=" ", on_segment=lambda t: None)


def test_a_clock_jump_puts_the_grid_back_and_taints_the_moment(srv, arun, monkeypatch) -> None:
    import types

    import hostclaim.probes.runner as runner_module

    offset = [0]
    fake = types.SimpleNamespace(
        time_ns=lambda: time.time_ns() + offset[0], monotonic_ns=time.monotonic_ns
    )
    monkeypatch.setattr(runner_module, "time", fake)
    sink = Sink()

    async def main() -> None:
        async with srv.tcp() as (_, port):
            spec = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{port}", name="t", interval_s=0.1, timeout_s=0.05
            )
            asyncio.get_running_loop().call_later(0.6, offset.__setitem__, 0, 5 * 10**9)
            await prober(sink, [spec]).run(duration_s=1.5)

    arun(main())
    # the ticker notices within a tick (0.25 s): from then on, slots are on the new grid
    after = [r for r in sink.records if r.at_us - sink.records[0].at_us > 6_000_000]
    assert len(after) >= 4
    assert all(abs(r.at_us - r.scheduled_us) < 50_000 for r in after)  # on the new grid
    details = [r["detail"] for r in sink.rows("t") if r["state"] == State.UNKNOWN]
    assert details and all("clock jumped by +5.0 s" in d for d in details)
    assert {r["state"] for r in sink.rows("t")} == {State.UP, State.UNKNOWN}


def test_cancelling_the_run_still_hands_over_every_row(srv, arun) -> None:
    sink = Sink()

    async def main() -> None:
        async with srv.tcp() as (_, port):
            spec = MonitorSpec(
                kind="tcp", target=f"127.0.0.1:{port}", interval_s=0.05, timeout_s=0.04
            )
            task = asyncio.create_task(prober(sink, [spec]).run())
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    arun(main())
    assert len(sink.records) >= 5
    assert len(sink.rows()) == len(sink.records)
