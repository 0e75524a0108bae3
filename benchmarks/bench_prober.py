"""Benchmark: the prober keeping thousands of HTTP targets on their grid.

    python benchmarks/bench_prober.py                              # 2,000 targets, 10 s, 2 min
    python benchmarks/bench_prober.py --targets 200 --duration 20  # a quick run

A loopback aiohttp server runs in a separate process (its CPU is reported, not counted) and
answers ``/t/<n>`` for every target. This process runs ``hostclaim.probes.Prober`` over
``--targets`` distinct URLs every ``--interval`` seconds, with self-health on (a TCP reference
check to the server's port, the event-loop watchdog), and segments serialised to Parquet (zstd)
as ``store_segment`` would, minus the database.

Prints: lateness of probe starts (actual start - grid slot) p50 / p99 / max in ms, checks done
vs due, CPU used by the prober process ((user + sys) / wall = cores, from ``resource``), peak
RSS, and the ratios to the targets: p99 lateness < 250 ms and < 1 core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from array import array
from pathlib import Path

TARGET_P99_MS = 250.0
TARGET_CORES = 1.0

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


# -- the server (child process) ----------------------------------------------------------------


def serve(max_lifetime_s: float) -> None:
    from aiohttp import web

    async def target(request: web.Request) -> web.Response:
        return web.Response(text=f"target {request.match_info['n']} ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/t/{n}", target)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        loop = asyncio.get_running_loop()
        done = asyncio.Event()
        # stop when the parent closes our stdin, on SIGTERM, or after max_lifetime_s
        loop.add_reader(sys.stdin.fileno(), done.set)
        loop.add_signal_handler(signal.SIGTERM, done.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), max_lifetime_s)
        await runner.cleanup()

    asyncio.run(main())


# -- the prober (this process) -----------------------------------------------------------------


class RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._halt.wait(0.2):
            self.peak = max(self.peak, me.memory_info().rss)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def bench(args: argparse.Namespace) -> int:
    import psutil
    import pyarrow.parquet as pq

    from hostclaim.domain.probes import State
    from hostclaim.probes import HealthConfig, MonitorSpec, Prober, ProbeRecord, RunnerConfig

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--lifetime", str(args.duration + 120)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        server_proc = psutil.Process(server.pid)
        specs = [
            MonitorSpec(
                kind="http",
                target=f"http://127.0.0.1:{port}/t/{i}",
                name=f"target-{i:05d}",
                interval_s=args.interval,
                timeout_s=min(5.0, args.interval),
                expected_text="ok",
            )
            for i in range(args.targets)
        ]
        reference = HealthConfig(
            references=(
                MonitorSpec(
                    kind="tcp",
                    target=f"127.0.0.1:{port}",
                    name="reference",
                    interval_s=args.interval,
                    timeout_s=min(5.0, args.interval),
                ),
            ),
        )
        lateness = array("d")
        states = {"up": 0, "other": 0}
        segments: list[int] = []
        parquet_bytes = [0]

        def on_result(record: ProbeRecord) -> None:
            if record.skipped:
                return
            lateness.append(record.lateness_ms)
            states["up" if record.state == State.UP else "other"] += 1

        def on_segment(table: object) -> None:
            sink = io.BytesIO()
            pq.write_table(table, sink, compression="zstd")
            parquet_bytes[0] += sink.tell()
            segments.append(table.num_rows)  # type: ignore[attr-defined]

        prober = Prober(
            specs,
            vantage="bench",
            on_segment=on_segment,
            on_result=on_result,
            reference=reference,
            config=RunnerConfig(
                max_concurrency=args.concurrency,
                segment_rows=args.segment_rows,
                segment_seconds=60,
            ),
        )
        sampler = RssSampler()
        sampler.start()
        server_cpu0 = sum(server_proc.cpu_times()[:2])
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        wall0 = time.perf_counter()
        summary = asyncio.run(prober.run(duration_s=args.duration))
        wall = time.perf_counter() - wall0
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = sum(server_proc.cpu_times()[:2]) - server_cpu0
        sampler.stop()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.terminate()
            server.wait(timeout=10)

    cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    cores = cpu / wall
    peak_rss = max(sampler.peak, usage1.ru_maxrss * 1024)
    values = list(lateness)
    p50, p99, worst = percentile(values, 50), percentile(values, 99), max(values, default=0.0)
    print(
        f"prober benchmark: {args.targets} HTTP targets, every {args.interval:g} s, "
        f"for {args.duration:g} s (wall {wall:.1f} s incl. stop), concurrency {args.concurrency}"
    )
    print(
        f"  checks done      {summary.checks_done:>9,} of {summary.checks_due:,} due "
        f"({summary.checks_done / max(1, summary.checks_due):.2%}); skipped "
        f"{summary.checks_skipped}, cancelled at stop {summary.checks_cancelled}; "
        f"up {states['up']:,}, other {states['other']:,}"
    )
    print(
        f"  start lateness   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   max {worst:7.1f} ms"
        f"   (mean {statistics.fmean(values) if values else 0:.1f} ms)"
    )
    print(
        f"  prober CPU       {cpu:7.1f} s over {wall:.1f} s = {cores:.2f} cores "
        f"({cpu / max(1, summary.checks_done) * 1e3:.2f} ms per check); "
        f"server process {server_cpu / wall:.2f} cores (not counted)"
    )
    print(f"  peak RSS         {peak_rss / 2**20:7.1f} MiB")
    print(
        f"  rows             {summary.rows_written:,} in {len(segments)} segments "
        f"({parquet_bytes[0] / 2**10:.0f} KiB Parquet); prober-unknown rows "
        f"{summary.prober_unknown_rows}"
    )
    ok_p99 = p99 < TARGET_P99_MS
    ok_cpu = cores < TARGET_CORES
    print(
        f"  vs targets       p99 lateness {p99 / TARGET_P99_MS:.2f}× of {TARGET_P99_MS:g} ms "
        f"[{'ok' if ok_p99 else 'MISSED'}]   CPU {cores / TARGET_CORES:.2f}× of "
        f"{TARGET_CORES:g} core [{'ok' if ok_cpu else 'MISSED'}]"
    )
    return 0 if ok_p99 and ok_cpu else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--segment-rows", type=int, default=100_000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lifetime", type=float, default=600.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.lifetime)
        return 0
    return bench(args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
