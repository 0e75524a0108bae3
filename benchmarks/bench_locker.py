"""Adding a 1 GiB file to the evidence locker, beside its two physical limits.

Limits, measured on the same file in the same run:
  hash  — `openssl dgst -sha256 FILE` (hardware-accelerated SHA-256)
  copy  — `dd if=FILE of=OUT bs=4M conv=fsync` (a durable copy)
hostclaim's add (hash + store + fsync + record) should take at most 1.2× the slower limit,
because hashing and writing overlap in one pass; peak RSS should stay under 100 MiB.

Run: ./run bench locker [--size-mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    os.sync()  # each measurement starts with no dirty pages left by the one before
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(after, before)


def add_in_process(home: Path, ref: str, path: Path) -> tuple[float, int]:
    """Time the add inside a fresh process, excluding interpreter start-up; report its peak RSS."""
    os.sync()
    code = (
        "import sys,time,resource;from pathlib import Path;"
        "from hostclaim.services.workspace import open_workspace;"
        "from hostclaim.services.evidence import add_file;"
        "from hostclaim.domain.case import EvidenceKind;"
        "ws=open_workspace(Path(sys.argv[1]));t=time.perf_counter();"
        "add_file(ws,sys.argv[2],Path(sys.argv[3]),kind=EvidenceKind.SYSTEM_LOG);"
        "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(home), ref, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--dir", type=Path, default=None, help="work directory (default: a temp dir)"
    )
    args = parser.parse_args()
    if not shutil.which("openssl") or not shutil.which("dd"):
        sys.exit("openssl and dd are needed for the baseline")

    work = Path(tempfile.mkdtemp(prefix="hostclaim-bench-", dir=args.dir))
    try:
        source = work / "input.bin"
        with source.open("wb") as handle:
            block = os.urandom(4 * 1024 * 1024)
            for _ in range(args.size_mib // 4):
                handle.write(block[:1] + os.urandom(16) + block[17:])
        size = source.stat().st_size
        env = {**os.environ, "HOSTCLAIM_LANG": "en"}
        cli = [sys.executable, "-m", "hostclaim"]

        results: dict[str, list[float]] = {"openssl": [], "dd": [], "add": [], "cli": []}
        rss: dict[str, list[int]] = {"add": [], "cli": []}
        for round_no in range(args.rounds):
            home = work / f"home{round_no}"
            ref = subprocess.run(
                [*cli, "--home", str(home), "case", "new", "--provider", "P", "--name", "N"],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout.strip()
            results["openssl"].append(timed(["openssl", "dgst", "-sha256", str(source)])[0])
            out = work / "dd.out"
            results["dd"].append(
                timed(["dd", f"if={source}", f"of={out}", "bs=4M", "conv=fsync", "status=none"])[0]
            )
            out.unlink()
            seconds, peak = add_in_process(home, ref, source)
            results["add"].append(seconds)
            rss["add"].append(peak)
            shutil.rmtree(home / "blobs")
            seconds, peak = timed(
                [*cli, "--home", str(home), "evidence", "add", ref, str(source)], env
            )
            results["cli"].append(seconds)
            rss["cli"].append(peak)
            shutil.rmtree(home)

        med = {key: statistics.median(values) for key, values in results.items()}
        limit = max(med["openssl"], med["dd"])
        mib = size / 1024 / 1024
        print(f"file: {mib:.0f} MiB, {args.rounds} rounds, medians")
        print(
            f"  openssl dgst -sha256     {med['openssl']:7.3f} s  {mib / med['openssl']:7.0f} MiB/s"
        )
        print(f"  dd bs=4M conv=fsync      {med['dd']:7.3f} s  {mib / med['dd']:7.0f} MiB/s")
        print(
            f"  hostclaim add (in proc)  {med['add']:7.3f} s  {mib / med['add']:7.0f} MiB/s"
            f"  peak RSS {max(rss['add']) / 1024:.0f} MiB"
        )
        print(
            f"  hostclaim evidence add   {med['cli']:7.3f} s  (whole CLI incl. start-up)"
            f"  peak RSS {max(rss['cli']) / 1024:.0f} MiB"
        )
        print(
            f"  ratio add / slower limit ({'openssl' if med['openssl'] >= med['dd'] else 'dd'}): "
            f"{med['add'] / limit:.2f}x (target <= 1.20x)"
        )
        print(f"  ratio CLI / slower limit: {med['cli'] / limit:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
