"""Benchmark: ``hostclaim mail import`` of a 20,000-message mbox (~200 MB), end to end.

    ./run bench mail_import                   # 20,000 messages, ~200 MB, 3 runs each
    ./run bench mail_import --messages 2000   # a quick run

Generates the mailbox of ``bench_mail.py`` in a temporary directory (not timed): provider
replies and customer mails with quoted history, ticket numbers, RFC 2047 subjects, a share
with attachments, a share DKIM-signed with a key made for the run. Then, each run in a fresh
process and into a fresh home (so peak memory and the database are its own), median of
``--runs``:

* service:  ``import_mail`` called in-process (split, parse, DKIM verified with a local key
            source, blobs stored and synced per batch, rows and ledger committed per batch,
            threads settled); the big-import default, the parser in a second process
* serial:   the same with ``parallel=False``: everything in one process
* cli:      ``python -m hostclaim mail import CASE MBOX --dkim-keys FILE`` as a subprocess,
            interpreter start-up included
* parse:    ``hostclaim.mail.parse_mailbox`` alone (split + parse + DKIM), for comparison

``--only service,cli`` runs some of them. Prints messages/s, MB/s, peak RSS (psutil, sampled
every 10 ms: the importing process, and the parser process beside it) and the ratio to the
target of 1,000 messages/s. ``import_mail`` is called without ``parallel`` for ``service``, so
older versions of hostclaim can be measured the same way (``PYTHONPATH=old/src``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mail import PROVIDER, SELECTOR, generate, make_key

TARGET = 1000  # messages per second
KEY_NAME = f"{SELECTOR}._domainkey.{PROVIDER}"
CONTACT = "Wang Min <wang.min@shop.example>"


class Sampler:
    """Peak RSS of a process and of its children (summed), sampled every 10 ms.

    Finding the children scans every process of the machine, so they are looked up again only
    every half second; reading the RSS of known processes is cheap.
    """

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.own = self.children = self.total = 0
        self._known: list[psutil.Process] = []
        self._looked = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        now = time.monotonic()
        try:
            if now - self._looked >= 0.5:
                self._known = self.process.children(recursive=True)
                self._looked = now
            own = self.process.memory_info().rss
        except psutil.Error:
            return
        children = 0
        for child in self._known:
            with contextlib.suppress(psutil.Error):  # it may have ended meanwhile
                children += child.memory_info().rss
        self.own = max(self.own, own)
        self.children = max(self.children, children)
        self.total = max(self.total, own + children)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self._sample()

    def __enter__(self) -> Sampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def as_json(self) -> dict[str, int]:
        return {"peak_rss": self.own, "peak_rss_children": self.children, "peak_total": self.total}


def make_case(home: Path) -> str:
    from hostclaim.services import cases
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(home)
    try:
        details = cases.CaseDetails(
            provider_name="Nordstern Hosting GmbH",
            complainant_name="Wang Min",
            complainant_contact=CONTACT,
            service_tz="Europe/Berlin",
        )
        return cases.create_case(ws, details).ref
    finally:
        ws.close()


def warm(path: Path) -> None:
    """Read the mailbox once so every run reads it from the page cache."""
    with path.open("rb") as handle:
        while handle.read(16 * 1024 * 1024):
            pass


# --- timed work, each run in its own process ------------------------------------------------


def worker_service(path: Path, record: str, home: Path, ref: str, parallel: bool | None) -> None:
    from hostclaim.mail import StaticKeySource
    from hostclaim.services.mail_import import import_mail
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(home)
    keys = StaticKeySource({KEY_NAME: record})
    warm(path)
    start_rss = psutil.Process().memory_info().rss
    with Sampler(psutil.Process()) as sampler:
        started = time.perf_counter()
        # Without the argument when it is the default, so older versions can be measured too.
        choice = {} if parallel is None else {"parallel": parallel}
        report = import_mail(ws, ref, [path], keys=keys, **choice)
        seconds = time.perf_counter() - started
    ws.close()
    verified = sum(1 for m in report.messages if m.dkim.value == "verified")
    result = {
        "messages": report.imported,
        "duplicates": len(report.duplicates),
        "malformed": len(report.malformed),
        "verified": verified,
        "seconds": seconds,
        "start_rss": start_rss,
        **sampler.as_json(),
    }
    print(json.dumps(result))


def worker_parse(path: Path, record: str) -> None:
    from hostclaim.mail import BadMessage, StaticKeySource, parse_mailbox

    keys = StaticKeySource({KEY_NAME: record})
    warm(path)
    start_rss = psutil.Process().memory_info().rss
    count = verified = 0
    with Sampler(psutil.Process()) as sampler:
        started = time.perf_counter()
        for item in parse_mailbox(path, own_addresses={"@shop.example"}, dkim_keys=keys):
            if not isinstance(item, BadMessage):
                count += 1
                verified += item.dkim.verified is True
        seconds = time.perf_counter() - started
    result = {
        "messages": count,
        "verified": verified,
        "seconds": seconds,
        "start_rss": start_rss,
        **sampler.as_json(),
    }
    print(json.dumps(result))


def run_worker(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def run_service(path: Path, record: str, tmp: Path, mode: str) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"{mode}-", dir=tmp))
    ref = make_case(home)
    return run_worker(mode, str(path), record, str(home), ref)


def run_cli(path: Path, key_file: Path, tmp: Path) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="cli-", dir=tmp))
    ref = make_case(home)
    warm(path)
    command = [sys.executable, "-m", "hostclaim", "--home", str(home)]
    command += ["mail", "import", ref, str(path), "--dkim-keys", str(key_file)]
    env = {**os.environ, "HOSTCLAIM_LANG": "en"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with Sampler(psutil.Process(proc.pid)) as sampler:
        stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"hostclaim mail import failed:\n{stderr.decode()}")
    return {"seconds": seconds, "output": stdout.decode().strip(), **sampler.as_json()}


# --- report ----------------------------------------------------------------------------------


def line(label: str, runs: list[dict[str, Any]], messages: int, megabytes: float) -> float:
    seconds = statistics.median(r["seconds"] for r in runs)
    own = statistics.median(r["peak_rss"] for r in runs) / 1e6
    children = statistics.median(r["peak_rss_children"] for r in runs) / 1e6
    rate = messages / seconds
    memory = f"peak RSS {own:6.1f} MB"
    if children:
        memory += f" + parser {children:5.1f} MB"
    print(
        f"{label:8s} {seconds:7.2f} s  {rate:7.0f} msg/s  {megabytes / seconds:6.1f} MB/s  "
        f"{memory}  x{rate / TARGET:.2f} of target  [runs: "
        + ", ".join(f"{r['seconds']:.2f}" for r in runs)
        + "]"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--signed", type=float, default=0.3, help="share of messages signed")
    parser.add_argument("--attachments", type=float, default=0.12, help="share with a file")
    parser.add_argument(
        "--only", default="service,serial,cli,parse", help="modes to run, comma-separated"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, *rest = args.worker
        if mode == "parse":
            worker_parse(Path(rest[0]), rest[1])
        else:
            parallel = {"service": None, "serial": False}[mode]
            worker_service(Path(rest[0]), rest[1], Path(rest[2]), rest[3], parallel)
        return

    with tempfile.TemporaryDirectory(prefix="bench_mail_import_") as name:
        tmp = Path(name)
        path = tmp / "support.mbox"
        pem, record = make_key()
        key_file = tmp / "keys.json"
        key_file.write_text(json.dumps({KEY_NAME: record}))
        started = time.perf_counter()
        info = generate(path, args.messages, pem, args.signed, args.attachments)
        megabytes = info["bytes"] / 1e6
        print(
            f"mailbox: {args.messages} messages, {megabytes:.1f} MB "
            f"({info['signed']} DKIM-signed, {info['attached']} with attachments), "
            f"generated in {time.perf_counter() - started:.1f} s (not timed); "
            f"{psutil.cpu_count()} CPUs"
        )

        modes: dict[str, Callable[[], dict[str, Any]]] = {
            "service": lambda: run_service(path, record, tmp, "service"),
            "serial": lambda: run_service(path, record, tmp, "serial"),
            "cli": lambda: run_cli(path, key_file, tmp),
            "parse": lambda: run_worker("parse", str(path), record),
        }
        modes = {mode: run for mode, run in modes.items() if mode in args.only.split(",")}
        results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for _ in range(args.runs):
            for mode, run in modes.items():
                results[mode].append(run())

        for mode in ("service", "serial"):
            if mode in results:
                check = results[mode][-1]
                print(
                    f"{mode}: imported {check['messages']} messages ({check['verified']} DKIM "
                    f"verified, {check['duplicates']} duplicates, {check['malformed']} malformed)"
                )
        if "cli" in results:
            print(f"cli said: {results['cli'][-1]['output'].splitlines()[0]}")
        rates = {mode: line(mode, runs, args.messages, megabytes) for mode, runs in results.items()}
        if "parse" in rates:
            print(
                "import/parse-only throughput: "
                + ", ".join(
                    f"{mode} {rate / rates['parse']:.2f}"
                    for mode, rate in rates.items()
                    if mode != "parse"
                )
            )
        for mode in ("service", "serial", "cli"):
            if mode in rates:
                verdict = "met" if rates[mode] >= TARGET else "MISSED"
                print(f"target >= {TARGET} msg/s ({mode}): {verdict} ({rates[mode]:.0f})")


if __name__ == "__main__":
    main()
