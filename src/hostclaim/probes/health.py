"""Is the prober itself healthy? A failed check only counts against the provider if it was.

When the prober's own network or machine is the problem (home internet down, laptop asleep,
event loop stalled), every target looks down at once. Uptime Kuma counts that as the targets'
downtime (Kuma #1644). hostclaim writes such samples as ``UNKNOWN`` with error ``prober``:
never claimed, never silently up.

Three sources of evidence, on the monotonic clock:

- **reference checks** (``HealthConfig.references``), run every ``interval_s``: the prober is
  healthy at a round's time if at least one reference answered;
- **the network interface** (``interface``), polled about once a second;
- **the event loop**: a ticker that notices when it wakes late (loop stalled) or when wall
  time and monotonic time part (suspend, clock stepped).

A result whose check ran during ``[start, end]`` is judged only once the sources have spoken
past ``end``. For sampled sources (reference, interface) a failed sample taints the whole
stretch from the last good sample before it to the first good sample after it: when exactly
the prober failed in between is unknown, so nothing in that stretch is claimed.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hostclaim.errors import InvalidInput
from hostclaim.probes.spec import MonitorSpec

Verdict = Literal["ok", "bad", "pending"]


@dataclass(frozen=True, slots=True)
class HealthConfig:
    """How the prober judges itself.

    - ``references``: specs checked every ``interval_s`` (default: the shortest interval of
      the monitored specs); healthy while at least one answers. Choose targets independent of
      the provider: a well-known public host (``public_references()``), a host on the same
      network as the prober (its router), or both.
    - ``max_loop_lag_s``: a stall of the prober's event loop longer than this taints the
      checks that were running.
    - ``interface``: a network interface name to watch (``"auto"``: the one holding the
      default route, Linux), or ``interface_check``: any callable answering True (up),
      False (down) or None (cannot tell).
    - ``record_references``: also write the reference checks' own rows (target = the
      reference's name), so the evidence shows the prober was healthy.
    """

    references: tuple[MonitorSpec, ...] = ()
    interval_s: float | None = None
    max_loop_lag_s: float = 1.0
    interface: str | None = None
    interface_check: Callable[[], bool | None] | None = None
    record_references: bool = True
    tick_s: float = 0.25

    def __post_init__(self) -> None:
        object.__setattr__(self, "references", tuple(self.references))
        if self.interval_s is not None and self.interval_s <= 0:
            raise InvalidInput("probes.error.bad_number", field="interval_s", value=self.interval_s)
        if self.max_loop_lag_s <= 0:
            raise InvalidInput(
                "probes.error.bad_number", field="max_loop_lag_s", value=self.max_loop_lag_s
            )
        if not 0 < self.tick_s <= self.max_loop_lag_s:
            raise InvalidInput("probes.error.bad_number", field="tick_s", value=self.tick_s)

    @classmethod
    def of(cls, reference: object) -> HealthConfig:
        """Accept a ``HealthConfig``, one ``MonitorSpec``, several, or None."""
        if reference is None:
            return cls()
        if isinstance(reference, HealthConfig):
            return reference
        if isinstance(reference, MonitorSpec):
            return cls(references=(reference,))
        if isinstance(reference, Sequence) and all(isinstance(r, MonitorSpec) for r in reference):
            return cls(references=tuple(reference))
        raise InvalidInput("probes.error.bad_reference", value=type(reference).__name__)

    def checker(self) -> Callable[[], bool | None] | None:
        if self.interface_check is not None:
            return self.interface_check
        if self.interface is None:
            return None
        name = default_route_interface() if self.interface == "auto" else self.interface
        if name is None:
            raise InvalidInput("probes.error.no_default_route")
        return lambda: interface_up(name)


def public_references(interval_s: float = 30.0, timeout_s: float = 5.0) -> tuple[MonitorSpec, ...]:
    """TCP to three public DNS anycast services (Cloudflare, Google, Quad9) on port 443.

    A suggestion for a prober on the internet; any one answering means the prober's own
    connection works. Not used by default: a prober must be told what to trust.
    """
    return tuple(
        MonitorSpec(
            kind="tcp",
            target=f"{ip}:443",
            name=f"reference {ip}:443",
            interval_s=interval_s,
            timeout_s=timeout_s,
        )
        for ip in ("1.1.1.1", "8.8.8.8", "9.9.9.9")
    )


_SYS_NET = Path("/sys/class/net")


def interface_up(name: str) -> bool | None:
    """True when ``name`` is administratively up and has carrier; None if this cannot be told."""
    base = _SYS_NET / name
    if not _SYS_NET.is_dir():
        try:
            import psutil
        except ImportError:
            return None
        stats = psutil.net_if_stats().get(name)
        return None if stats is None else bool(stats.isup)
    try:
        flags = int((base / "flags").read_text().strip(), 16)
    except FileNotFoundError:
        return False  # the interface is gone
    except (OSError, ValueError):
        return None
    if not flags & 0x1:  # IFF_UP
        return False
    try:
        return (base / "carrier").read_text().strip() == "1"
    except OSError:
        return False


def default_route_interface(route_file: str | os.PathLike[str] = "/proc/net/route") -> str | None:
    """The interface of the IPv4 default route (Linux), or None."""
    try:
        lines = Path(route_file).read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[1] == "00000000" and int(fields[3], 16) & 0x1:
            return fields[0]
    return None


class SampledSource:
    """Samples (monotonic ns, ok, why-not) from a periodic health check."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._times: list[int] = []
        self._oks: list[bool] = []
        self._why: list[str] = []
        self._last_ok: list[int] = []
        """For each sample, the index of the last good sample at or before it (-1: none)."""

    def __len__(self) -> int:
        return len(self._times)

    def add(self, at_ns: int, ok: bool, why: str = "") -> None:
        if not self._times or at_ns >= self._times[-1]:
            index = len(self._times)
            self._times.append(at_ns)
            self._oks.append(ok)
            self._why.append(why)
            self._last_ok.append(index if ok else (self._last_ok[-1] if index else -1))
            return
        index = bisect_right(self._times, at_ns)  # out of order (rounds overlapped): rare
        self._times.insert(index, at_ns)
        self._oks.insert(index, ok)
        self._why.insert(index, why)
        self._reindex()

    def _reindex(self) -> None:
        last, marks = -1, []
        for index, ok in enumerate(self._oks):
            if ok:
                last = index
            marks.append(last)
        self._last_ok = marks

    @property
    def last(self) -> tuple[bool, str] | None:
        if not self._times:
            return None
        return self._oks[-1], self._why[-1]

    def verdict(self, start_ns: int, end_ns: int) -> tuple[Verdict, str]:
        """ok: a good sample at/after ``end`` and no failed one since the last good one at/before
        ``start``; bad: a failed sample in that stretch; pending: not known yet."""
        times, oks = self._times, self._oks
        at = bisect_right(times, start_ns) - 1
        before = self._last_ok[at] if at >= 0 else -1
        if before >= 0 and times[before] >= end_ns:
            return "ok", ""
        for index in range(before + 1, len(times)):
            if not oks[index]:
                return "bad", self._why[index]
            if times[index] >= end_ns:
                return "ok", ""
        return "pending", ""

    def prune(self, before_ns: int) -> None:
        """Forget samples no result starting at or after ``before_ns`` can need."""
        at = bisect_right(self._times, before_ns) - 1
        index = self._last_ok[at] if at >= 0 else -1
        if index > 0:
            del self._times[:index], self._oks[:index], self._why[:index]
            self._last_ok = [m - index if m >= 0 else -1 for m in self._last_ok[index:]]


class HealthTimeline:
    """All health evidence of one run; ``verdict(start, end)`` judges one check."""

    def __init__(self, *, reference: bool, interface: bool) -> None:
        self.reference = SampledSource("reference") if reference else None
        self.interface = SampledSource("interface") if interface else None
        self._stalls: list[tuple[int, int, str]] = []
        self.watermark_ns = 0
        """The loop ticker has looked at everything up to here."""

    def add_stall(self, start_ns: int, end_ns: int, why: str) -> None:
        self._stalls.append((start_ns, end_ns, why))

    def verdict(self, start_ns: int, end_ns: int) -> tuple[Verdict, str]:
        for low, high, why in self._stalls:
            if low <= end_ns and start_ns <= high:
                return "bad", why
        pending = self.watermark_ns < end_ns
        for source in (self.interface, self.reference):
            if source is None:
                continue
            answer, why = source.verdict(start_ns, end_ns)
            if answer == "bad":
                return "bad", why
            if answer == "pending":
                pending = True
        return ("pending", "") if pending else ("ok", "")

    def healthy_now(self) -> tuple[bool | None, str]:
        """The latest word of each source (for the live view, not for judging results)."""
        known = False
        for source in (self.interface, self.reference):
            last = source.last if source is not None else None
            if last is not None:
                known = True
                if not last[0]:
                    return False, last[1]
        if self._stalls and self._stalls[-1][1] >= self.watermark_ns:
            return False, self._stalls[-1][2]
        return (True, "") if known or self.watermark_ns else (None, "")

    def prune(self, before_ns: int) -> None:
        self._stalls = [s for s in self._stalls if s[1] >= before_ns]
        for source in (self.interface, self.reference):
            if source is not None:
                source.prune(before_ns)
