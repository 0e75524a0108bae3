from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers import read_file


def write(tmp_path: Path, text: str, name: str = "ping.log") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_real_ping_with_O_reports_each_unanswered_echo(fixtures: Path) -> None:
    result = read_file(fixtures / "ping_dO.log")
    df = pl.DataFrame(result.table)
    assert result.format == "ping"
    assert result.targets == ["127.0.0.1"]
    assert result.vantages == ["ping"]
    assert not result.bad_rows
    assert df.height == 40  # 40 echoes transmitted
    down = df.filter(pl.col("state") == State.DOWN)
    assert down.height == 12  # "30% packet loss" of 40
    assert set(down["error"]) == {"timeout"}
    up = df.filter(pl.col("state") == State.UP)
    assert up["latency_ms"].null_count() == 0
    assert (up["latency_ms"] < 5).all()


def test_real_ping_without_O_interpolates_missing_seqs(fixtures: Path) -> None:
    with_o = pl.DataFrame(read_file(fixtures / "ping_dO.log").table)
    result = read_file(fixtures / "ping_D.log")
    df = pl.DataFrame(result.table)
    assert result.rows_read == 28  # replies logged
    assert df.height == 40
    down = df.filter(pl.col("state") == State.DOWN)
    assert down.height == 12
    assert down["detail"][0] == "no reply to icmp_seq=9 (time interpolated)"
    assert any("interpolated" in str(n) for n in result.notes)
    # Both pings ran side by side: the interpolated times match the -O verdicts within 50 ms.
    verdicts = with_o.filter(pl.col("state") == State.DOWN)["at_us"].to_list()
    for guessed, told in zip(down["at_us"].to_list(), verdicts, strict=True):
        assert abs(guessed - told) < 50_000


def test_line_kinds_wrap_late_and_duplicate_replies(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "PING shop.example.com (203.0.113.5) 56(84) bytes of data.\n"
        "[1700000000.000000] 64 bytes from 203.0.113.5: icmp_seq=65534 ttl=57 time=12.3 ms\n"
        "[1700000001.000000] 64 bytes from 203.0.113.5: icmp_seq=65535 ttl=57 time=12.5 ms\n"
        "[1700000001.010000] 64 bytes from 203.0.113.5: icmp_seq=65535 ttl=57 time=22.5 ms (DUP!)\n"
        "[1700000003.000000] no answer yet for icmp_seq=0\n"
        "[1700000003.500000] 64 bytes from 203.0.113.5: icmp_seq=0 ttl=57 time=2500 ms\n"
        "[1700000004.000000] From 198.51.100.1 icmp_seq=2 Destination Host Unreachable\n"
        "[1700000005.000000] ping: sendmsg: Network is unreachable\n"
        "[1700000006.000000] 64 bytes from 203.0.113.5: icmp_seq=4 ttl=57 time=11 ms\n"
        "64 bytes from 203.0.113.5: icmp_seq=5 ttl=57 time=11 ms\n"
        "garbage\n"
        "\n"
        "--- shop.example.com ping statistics ---\n"
        "7 packets transmitted, 4 received, +1 duplicates, 42% packet loss, time 6000ms\n"
        "rtt min/avg/max/mdev = 11.0/12.0/2500/1.0 ms\n",
    )
    result = read_file(log)
    rows = result.table.to_pylist()
    assert result.targets == ["shop.example.com"]
    assert [(r["at_us"], r["state"], r["error"]) for r in rows] == [
        (1700000000_000000, State.UP, None),
        (1700000001_000000, State.UP, None),
        # seq 1 never logged: interpolated between seq 0 (sent at 3.0 - 1 s) and seq 2 (4.0).
        (1700000003_000000, State.DOWN, "timeout"),
        # seq 0 after 65535 (wrap): "no answer yet" was overtaken by a late reply.
        (1700000003_500000, State.UP, None),
        (1700000004_000000, State.DOWN, "connect"),
        (1700000005_000000, State.DOWN, "connect"),
        # seq 3 never logged: between seq 2 (t=4) and seq 4 (t=6).
        (1700000005_000000, State.DOWN, "timeout"),
        (1700000006_000000, State.UP, None),
    ]
    assert rows[3]["latency_ms"] == 2500.0
    assert "Destination Host Unreachable" in rows[4]["detail"]
    assert [(b.line_or_index, b.reason) for b in result.bad_rows] == [
        (10, "importers.bad_row.no_timestamp"),
        (11, "importers.bad_row.unrecognised"),
    ]
    notes = " ".join(str(n) for n in result.notes)
    assert "1 reply(ies) arrived late" in notes
    assert "1 duplicate" in notes
    assert "2 echo(es) missing" in notes


def test_no_answer_verdicts_are_moved_back_one_interval(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "PING h (192.0.2.1) 56(84) bytes of data.\n"
        "[100.0] 64 bytes from 192.0.2.1: icmp_seq=1 ttl=57 time=1 ms\n"
        "[101.0] 64 bytes from 192.0.2.1: icmp_seq=2 ttl=57 time=1 ms\n"
        "[103.0] no answer yet for icmp_seq=3\n"
        "[103.5] 64 bytes from 192.0.2.1: icmp_seq=4 ttl=57 time=1 ms\n",
    )
    rows = read_file(log, format="ping").table.to_pylist()
    assert [(r["at_us"], r["state"]) for r in rows] == [
        (100_000_000, State.UP),
        (101_000_000, State.UP),
        (102_000_000, State.DOWN),
        (103_500_000, State.UP),
    ]


def test_without_D_timestamps_is_a_clear_error(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "PING h (192.0.2.1) 56(84) bytes of data.\n"
        "64 bytes from 192.0.2.1: icmp_seq=1 ttl=57 time=1 ms\n"
        "64 bytes from 192.0.2.1: icmp_seq=2 ttl=57 time=1 ms\n",
    )
    with pytest.raises(InvalidInput, match="-D"):
        read_file(log)


def test_target_from_option_or_file_name(tmp_path: Path) -> None:
    log = write(
        tmp_path,
        "[100.0] 64 bytes from 192.0.2.1: icmp_seq=1 ttl=57 time=1 ms\n",
        name="vps-hk.log",
    )
    assert read_file(log).targets == ["vps-hk"]
    named = read_file(log, target="vps.example.com", vantage="office")
    assert named.targets == ["vps.example.com"]
    assert named.vantages == ["office"]
