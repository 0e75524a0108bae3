"""A writer killed with SIGKILL leaves nothing verify would accept; two writers both succeed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostclaim.services.verify import verify_case
from hostclaim.services.workspace import open_workspace

HOSTCLAIM = [sys.executable, "-m", "hostclaim"]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOSTCLAIM_LANG": "en"}
    return subprocess.run(
        [*HOSTCLAIM, "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def case_home(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    created = _run(home, "case", "new", "--provider", "P", "--name", "N")
    assert created.returncode == 0, created.stderr
    return home, created.stdout.strip()


def test_kill_minus_9_during_evidence_add(case_home, tmp_path) -> None:
    home, ref = case_home
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:  # 1 GiB, mostly sparse: fast to make, slow enough to add
        handle.truncate(1024**3)
        handle.write(b"header")
    env = {**os.environ, "HOSTCLAIM_LANG": "en"}
    proc = subprocess.Popen(
        [*HOSTCLAIM, "--home", str(home), "evidence", "add", ref, str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tmp_dir = home / "blobs" / ".tmp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        parts = list(tmp_dir.glob("*.part"))
        if parts and parts[0].stat().st_size > 0:
            break
        time.sleep(0.002)
    else:
        proc.kill()
        pytest.fail("the writer never started writing")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    leftovers = list(tmp_dir.glob("*.part"))
    assert leftovers, "the killed writer should have left its partial file"
    # no record, no blob under a hash name
    ws = open_workspace(home)
    report = verify_case(ws, ref)
    assert report.intact and report.blobs == 0
    blobs = [p for p in (home / "blobs").rglob("*") if p.is_file() and ".tmp" not in p.parts]
    assert blobs == []
    # the next start removes the dead writer's leftovers (once they are not fresh)
    for part in leftovers:
        os.utime(part, (time.time() - 60, time.time() - 60))
    ws.close()
    assert _run(home, "evidence", "list", ref).returncode == 0
    assert list(tmp_dir.glob("*.part")) == []


def test_a_live_writers_partial_file_is_not_cleaned(tmp_path) -> None:
    import fcntl

    ws = open_workspace(tmp_path / "home")
    part = ws.blobs.tmp / "live.part"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.utime(part, (time.time() - 60, time.time() - 60))
    try:
        assert ws.blobs.clean_partials() == 0 and part.exists()
    finally:
        os.close(fd)
    assert ws.blobs.clean_partials() == 1 and not part.exists()


def test_two_processes_adding_at_once_both_succeed(case_home, tmp_path) -> None:
    home, ref = case_home
    files = []
    for index in range(4):
        path = tmp_path / f"log{index}.txt"
        path.write_bytes(os.urandom(3 * 1024 * 1024))
        files.append(path)
    env = {**os.environ, "HOSTCLAIM_LANG": "en"}
    procs = [
        subprocess.Popen(
            [
                *HOSTCLAIM,
                "--home",
                str(home),
                "evidence",
                "add",
                ref,
                str(p),
                "--kind",
                "system_log",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in files
    ]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert [r[2] for r in results] == [0, 0, 0, 0], results
    listing = json.loads(_run(home, "evidence", "list", ref, "--json").stdout)
    assert sorted(item["ref"] for item in listing) == ["E1", "E2", "E3", "E4"]
    assert _run(home, "verify", ref).returncode == 0
