"""Builders for probe tables, and a brute-force model of the accounting method.

The model walks time second by second with plain Python: slow, obviously right, and written from
the method statement, not from the engine. Every boundary in the generated data is a whole
second, so judging each second ``[x, x + 1)`` by its start is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pyarrow as pa

from hostclaim.domain.probes import PROBE_SCHEMA, State

T0 = datetime(2026, 10, 1, tzinfo=UTC)
T0_US = int(T0.timestamp()) * 1_000_000

D, U, G, M, X = (
    int(s) for s in (State.DOWN, State.UP, State.DEGRADED, State.MAINTENANCE, State.UNKNOWN)
)
CODES = {"D": D, "U": U, "G": G, "M": M, "?": X}


def at(seconds: float) -> datetime:
    """``seconds`` after T0 (2026-10-01T00:00Z)."""
    return T0 + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Row:
    target: str
    vantage: str
    t: int
    """Seconds after T0."""
    state: int
    latency_ms: float | None = None
    error: str | None = None
    detail: str | None = None


def table(rows: Iterable[Row]) -> pa.Table:
    rows = list(rows)
    return pa.table(
        {
            "target": [r.target for r in rows],
            "vantage": [r.vantage for r in rows],
            "at_us": [T0_US + r.t * 1_000_000 for r in rows],
            "state": [r.state for r in rows],
            "latency_ms": [r.latency_ms for r in rows],
            "error": [r.error for r in rows],
            "detail": [r.detail for r in rows],
        },
        schema=PROBE_SCHEMA,
    )


def series(target: str, vantage: str, states: str, *, step: int = 60, start: int = 0) -> list[Row]:
    """One sample every ``step`` seconds: ``U`` up, ``D`` down, ``G`` degraded, ``M``
    maintenance, ``?`` unknown (prober unhealthy), ``.`` no sample."""
    out = []
    for i, ch in enumerate(states):
        if ch == ".":
            continue
        state = CODES[ch]
        out.append(
            Row(
                target,
                vantage,
                start + i * step,
                state,
                latency_ms=None if state == D else 10.0 + i,
                error="timeout" if state == D else None,
                detail=f"{vantage}@{start + i * step}" if state == D else None,
            )
        )
    return out


# --- the model ------------------------------------------------------------------------------

NONE = -1


def vantage_seconds(rows: Sequence[Row], max_gap: int | None) -> dict[int, tuple[int, Row]]:
    """Second -> (state, sample in effect) for one series; seconds without data are absent."""
    rows = sorted(rows, key=lambda r: r.t)
    steps = [b.t - a.t for a, b in pairwise(rows)]
    positive = sorted(s for s in steps if s > 0) or [0]
    median = positive[(len(positive) - 1) // 2] if steps else None
    gap = max_gap if max_gap is not None else (2 * median if median is not None else 0)
    tail = (
        (min(median, gap) if median is not None else gap) if max_gap is not None else (median or 0)
    )
    out: dict[int, tuple[int, Row]] = {}
    for i, row in enumerate(rows):
        hold = min(rows[i + 1].t - row.t, gap) if i + 1 < len(rows) else tail
        for x in range(row.t, row.t + hold):
            out[x] = (row.state, row)
    return out


def combined_state(states: Sequence[int], quorum: float) -> int:
    known = [s for s in states if s in (D, U, G, M)]
    if not known:
        return X
    if M in known:
        return M
    down = known.count(D)
    if down and down + 1e-9 >= quorum * len(known):
        return D
    if G in known:
        return G
    return U


@dataclass
class ModelIncident:
    target: str
    start: int
    end: int
    down: int
    unknown: int
    vantages: set[str] = field(default_factory=set)
    samples: int = 0
    down_samples: int = 0
    first_errors: set[str | None] = field(default_factory=set)


@dataclass
class ModelFigures:
    total: int = 0
    excluded: int = 0
    down: int = 0
    unknown: int = 0
    degraded: int = 0
    short: int = 0
    incidents: int = 0


@dataclass
class Model:
    """The method, second by second, for rows whose times are whole seconds after T0."""

    rows: Sequence[Row]
    quorum: float = 0.5
    max_gap: int | None = None
    min_duration: int = 0
    merge: int = 0
    windows: Sequence[tuple[int, int, str | None]] = ()

    def __post_init__(self) -> None:
        self.targets = sorted({r.target for r in self.rows})
        self.keys = sorted({(r.target, r.vantage) for r in self.rows})
        self.per_vantage = {
            key: vantage_seconds(
                [r for r in self.rows if (r.target, r.vantage) == key], self.max_gap
            )
            for key in self.keys
        }
        self._incidents: dict[str, list[ModelIncident]] = {}
        self._counted: dict[str, set[int]] = {}
        for target in self.targets:
            self._find(target)

    def state(self, target: str, x: int) -> int:
        states = [
            self.per_vantage[key].get(x, (X, None))[0] for key in self.keys if key[0] == target
        ]
        return combined_state(states, self.quorum)

    def _span(self, target: str) -> range:
        seconds = [x for key in self.keys if key[0] == target for x in self.per_vantage[key]]
        return range(min(seconds), max(seconds) + 1) if seconds else range(0)

    def _find(self, target: str) -> None:
        down = [x for x in self._span(target) if self.state(target, x) == D]
        runs: list[list[int]] = []
        for x in down:
            if runs and x == runs[-1][1]:
                runs[-1][1] = x + 1
            else:
                runs.append([x, x + 1])
        merged: list[list[int]] = []
        for s, e in runs:
            if merged and s - merged[-1][1] < self.merge:
                merged[-1][1] = e
            else:
                merged.append([s, e])
        found = []
        counted: set[int] = set()
        for s, e in merged:
            if e - s < self.min_duration:
                continue
            states = [self.state(target, x) for x in range(s, e)]
            incident = ModelIncident(target, s, e, states.count(D), states.count(X))
            counted.update(x for x in range(s, e) if self.state(target, x) == D)
            self._evidence(incident)
            found.append(incident)
        self._incidents[target] = found
        self._counted[target] = counted

    def _evidence(self, incident: ModelIncident) -> None:
        s, e = incident.start, incident.end
        earliest: dict[int, set[str | None]] = {}
        for key in self.keys:
            if key[0] != incident.target:
                continue
            vantage = self.per_vantage[key]
            # samples: rows of known state taken during the incident, and the one in effect
            # at its start when taken before it
            taken = [r for r in self.rows if (r.target, r.vantage) == key and s <= r.t < e]
            state, row = vantage.get(s, (X, None))
            if row is not None and row.t < s:
                taken.append(row)
            taken = [r for r in taken if r.state != X]
            incident.samples += len(taken)
            incident.down_samples += sum(r.state == D for r in taken)
            # who saw it, and the earliest DOWN sample in effect during it
            for x in range(s, e):
                state, row = vantage.get(x, (X, None))
                if state == D and row is not None:
                    incident.vantages.add(key[1])
                    earliest.setdefault(row.t, set()).add(row.error)
        if earliest:
            incident.first_errors = earliest[min(earliest)]

    def incidents(self) -> list[ModelIncident]:
        return [i for target in self.targets for i in self._incidents[target]]

    def category(self, target: str, x: int) -> str:
        state = self.state(target, x)
        if state == M or any(s <= x < e and (w is None or w == target) for s, e, w in self.windows):
            return "excluded"
        if state == D and x in self._counted[target]:
            return "down"
        if state == X:
            return "unknown"
        if state == D:
            return "short"
        if state == G:
            return "degraded"
        return "up"

    def figures(
        self, target: str, p0: int, p1: int, granularity: int | None, rule: str
    ) -> ModelFigures:
        cats = [self.category(target, x) for x in range(p0, p1)]
        f = ModelFigures(total=p1 - p0)
        f.degraded = cats.count("degraded")
        f.short = cats.count("short")
        f.incidents = sum(
            1
            for i in self._incidents[target]
            if any(cats[x - p0] == "down" for x in range(max(i.start, p0), min(i.end, p1)))
        )
        if granularity is None:
            f.excluded, f.down, f.unknown = (cats.count(c) for c in ("excluded", "down", "unknown"))
            return f
        for c0 in range(0, p1 - p0, granularity):
            cell = cats[c0 : c0 + granularity]
            length = len(cell)
            ex, dn, un = (cell.count(c) for c in ("excluded", "down", "unknown"))
            if rule == "any":
                is_down, would = dn > 0, dn + un > 0
            else:
                is_down = dn == length
                would = dn + un == length
            if is_down:
                f.down += length
            elif ex == length:
                f.excluded += length
            elif would:
                f.unknown += length
        return f
