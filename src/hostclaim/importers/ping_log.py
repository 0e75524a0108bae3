"""Logs of ``ping -D`` (iputils; ``-O`` recommended): one line per echo, each with its time.

    PING example.com (93.184.216.34) 56(84) bytes of data.
    [1700000000.123456] 64 bytes from 93.184.216.34: icmp_seq=1 ttl=57 time=12.3 ms
    [1700000001.124000] no answer yet for icmp_seq=2
    [1700000002.125000] From 10.0.0.1 icmp_seq=3 Destination Host Unreachable

- A reply → UP, latency = ``time=``.
- ``no answer yet``, ``Request timeout`` → DOWN (timeout), at the line's time less one echo
  interval (ping prints them when it sends the next echo); ``From … Destination Host
  Unreachable`` and other ICMP errors → DOWN (connect); a timestamped ``ping: sendmsg: …``
  → DOWN (connect).
- icmp_seq numbers missing between two logged echoes were sent and never answered: each becomes
  a DOWN sample (timeout), its time interpolated linearly between the two logged echoes around
  it (``t = t_a + (t_b − t_a)·(k − a)/(b − a)``). Nothing is invented before the first or after
  the last logged echo.
- A reply that arrives late (after ``no answer yet`` for its seq, or after later seqs) replaces
  that DOWN by an UP at the reply's time. DUP replies are not samples; they are counted.
- Target: option ``target``, else the host of the last ``PING host`` line, else the file name.
  Vantage: option ``vantage``, default ``ping``. Lines without a ``[epoch]`` stamp are rejected:
  the time of an echo cannot be known without ``-D``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hostclaim.domain.probes import ErrorClass, State
from hostclaim.errors import InvalidInput
from hostclaim.importers.base import (
    BATCH_ROWS,
    BadRows,
    ImportResult,
    Note,
    RowBuilder,
    finish,
    progress_of,
    text_option,
)
from hostclaim.importers.values import LATENCY_UNITS, epoch_to_us

STAMP = re.compile(r"^\[(\d+(?:\.\d+)?)\]\s*(.*)$")
HEADER = re.compile(r"^PING\s+([^\s(]+)")
REPLY = re.compile(r"bytes from .*?icmp_[rs]eq=(\d+).*?time[=<]\s*([\d.]+)\s*(ms|s|us|µs)?(.*)$")
NO_ANSWER = re.compile(r"no answer yet for icmp_seq=(\d+)")
TIMEOUT = re.compile(r"Request timeout for icmp_seq[= ](\d+)")
ICMP_ERROR = re.compile(r"^From\s+(\S+?):?\s+icmp_seq=(\d+)\s+(.*)$")
SEND_ERROR = re.compile(r"^ping:\s+(.*)$")
IGNORED = re.compile(r"^(---.*statistics ---|\d+ packets transmitted|rtt |round-trip |WARNING)")
SEQ_SPACE = 65_536
LATE_WINDOW = 128
"""How many seqs behind the newest a missing echo may still be answered late."""


class _Session:
    """Pairs echoes with their seqs, holds unanswered seqs until a late reply is ruled out."""

    def __init__(self, rows: RowBuilder, vantage: str) -> None:
        self.rows = rows
        self.vantage = vantage
        self.target = ""
        self.last: tuple[int, int] | None = None  # (unwrapped seq, at_us) of the newest echo
        self.pending: dict[int, tuple[int, str, str]] = {}  # seq -> (at_us, error, detail)
        self.last_reply: tuple[int, int] | None = None
        self.interval_us: int | None = None  # between echoes, measured on the latest replies
        self.late = 0
        self.interpolated = 0

    def restart(self, target: str) -> None:
        self.flush_all()
        self.target = target
        self.last = self.last_reply = self.interval_us = None

    def unwrap(self, seq: int) -> int:
        if self.last is None:
            return seq
        newest = self.last[0]
        value = newest - newest % SEQ_SPACE + seq
        if value - newest > SEQ_SPACE // 2:
            value -= SEQ_SPACE
        elif newest - value > SEQ_SPACE // 2:
            value += SEQ_SPACE
        return value

    def echo(
        self,
        seq: int,
        at_us: int,
        state: State,
        latency: float | None,
        error: str | None,
        detail: str | None,
        verdict: bool = False,
    ) -> bool:
        """Take one logged echo; False when it contradicts what the log already said.

        ``verdict`` lines ("no answer yet", "Request timeout") are printed when the next echo is
        sent, one interval after their own: their time is moved back by the measured interval.
        """
        useq = self.unwrap(seq)
        if verdict and self.interval_us:
            at_us -= self.interval_us
        if state == State.UP:
            if self.last_reply is not None and useq > self.last_reply[0]:
                reply_seq, reply_at = self.last_reply
                self.interval_us = (at_us - reply_at) // (useq - reply_seq)
            self.last_reply = (useq, at_us)
        if self.last is not None and useq <= self.last[0]:
            # An answer (or a verdict) for a seq we already passed.
            held = self.pending.pop(useq, None)
            if state == State.UP:
                if held is not None:
                    self.late += 1
                self.rows.add(self.target, self.vantage, at_us, state, latency, error, detail)
                return True
            if held is None:
                return False
            self.pending[useq] = (at_us, error or ErrorClass.TIMEOUT.value, detail or "")
            return True
        if self.last is not None:
            last_seq, last_at = self.last
            span = useq - last_seq
            for k in range(1, span):
                at = last_at + (at_us - last_at) * k // span
                self.pending[last_seq + k] = (
                    at,
                    ErrorClass.TIMEOUT.value,
                    f"no reply to icmp_seq={(last_seq + k) % SEQ_SPACE} (time interpolated)",
                )
                self.interpolated += 1
        self.last = (useq, at_us)
        if state == State.UP:
            self.rows.add(self.target, self.vantage, at_us, state, latency, error, detail)
        else:
            self.pending[useq] = (at_us, error or ErrorClass.TIMEOUT.value, detail or "")
        self.flush_before(useq - LATE_WINDOW)
        return True

    def flush_before(self, useq: int) -> None:
        for seq in [s for s in self.pending if s < useq]:
            at, error, detail = self.pending.pop(seq)
            self.rows.add(self.target, self.vantage, at, State.DOWN, None, error, detail)

    def flush_all(self) -> None:
        if self.pending:
            self.flush_before(max(self.pending) + 1)

    def unsequenced(self, at_us: int, error: str, detail: str) -> None:
        self.rows.add(self.target, self.vantage, at_us, State.DOWN, None, error, detail)


class PingLogImporter:
    name = "ping"
    options = frozenset({"target", "vantage"})

    def detect(self, path: Path, head: bytes) -> float:
        text = head.decode("utf-8", errors="replace")
        lines = text.splitlines()[:50]
        if any(HEADER.match(line) for line in lines) and "icmp_seq" in text:
            return 0.9
        stamped = [line for line in lines if STAMP.match(line)]
        if stamped and all("icmp_seq" in line or "ping:" in line for line in stamped):
            return 0.9
        return 0.0

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        fixed_target = text_option(options, "target")
        progress = progress_of(options)
        rows = RowBuilder()
        bad = BadRows()
        session = _Session(rows, text_option(options, "vantage") or self.name)
        session.target = fixed_target or path.stem
        saw_header = False
        unstamped = duplicates = read = 0
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, raw in enumerate(handle, start=1):
                line = raw.strip()
                if progress is not None and number % BATCH_ROWS == 0:
                    progress(number)
                if not line:
                    continue
                header = HEADER.match(line)
                if header:
                    saw_header = True
                    session.restart(fixed_target or header.group(1))
                    continue
                stamp = STAMP.match(line)
                body = stamp.group(2) if stamp else line
                if "(DUP!)" in body:
                    duplicates += 1
                    continue
                if IGNORED.match(body):
                    continue
                read += 1
                if stamp is None:
                    if any(p.search(body) for p in (REPLY, NO_ANSWER, TIMEOUT, ICMP_ERROR)):
                        unstamped += 1
                        bad.add(number, "importers.bad_row.no_timestamp", line)
                    else:
                        bad.add(number, "importers.bad_row.unrecognised", line)
                    continue
                at_us = epoch_to_us(stamp.group(1), "s")
                echo: tuple[int, State, float | None, str | None, str | None]
                verdict = False
                if reply := REPLY.search(body):
                    rtt = float(reply.group(2)) * LATENCY_UNITS[reply.group(3) or "ms"]
                    echo = (int(reply.group(1)), State.UP, rtt, None, None)
                elif found := NO_ANSWER.search(body) or TIMEOUT.search(body):
                    echo = (int(found.group(1)), State.DOWN, None, ErrorClass.TIMEOUT.value, body)
                    verdict = True
                elif icmp := ICMP_ERROR.match(body):
                    echo = (int(icmp.group(2)), State.DOWN, None, ErrorClass.CONNECT.value, body)
                elif sent := SEND_ERROR.match(body):
                    session.unsequenced(at_us, ErrorClass.CONNECT.value, sent.group(0))
                    continue
                else:
                    bad.add(number, "importers.bad_row.unrecognised", line)
                    continue
                seq, state, latency, error, detail = echo
                if not session.echo(seq, at_us, state, latency, error, detail, verdict):
                    bad.add(number, "importers.bad_row.stale_seq", line)
        session.flush_all()
        if len(rows) == 0 and unstamped:
            raise InvalidInput("importers.error.ping_no_timestamps", path=str(path))
        notes: list[Note] = []
        if not saw_header and fixed_target is None:
            notes.append(Note("importers.note.target_from_file", {"target": path.stem}))
        if session.interpolated:
            notes.append(Note("importers.note.ping_interpolated", {"count": session.interpolated}))
        if session.late:
            notes.append(Note("importers.note.ping_late", {"count": session.late}))
        if duplicates:
            notes.append(Note("importers.note.ping_duplicates", {"count": duplicates}))
        if progress is not None:
            progress(read)
        return finish(self.name, rows, rows_read=read, bad_rows=bad, notes=notes)
