"""Monitors of a case, and monitoring data brought in from the tools a user already has.

A monitor is what ``hostclaim monitor run`` checks (a ``MonitorSpec`` of the prober, kept per
case). An import reads a monitoring export in full *before* anything is written: the file itself
then becomes evidence (kind ``system_log``, origin ``import:<format>``) and its rows a probe
segment derived from it, and a ledger entry keeps what the importer could not use.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from hostclaim import importers, probes
from hostclaim.domain.accounting import from_us
from hostclaim.domain.case import EvidenceKind
from hostclaim.domain.timeutil import iso_utc, now_utc
from hostclaim.errors import Conflict, InvalidInput, NotFound
from hostclaim.i18n import t
from hostclaim.probes import MonitorSpec, Prober, RunnerConfig, RunSummary
from hostclaim.services import evidence as evidence_service
from hostclaim.services.outages import REFERENCE_PREFIX
from hostclaim.services.records import next_number, ref_of
from hostclaim.services.segments import store_segment, to_parquet
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Evidence, ProbeSegment
from hostclaim.storage.tables_monitoring import Monitor

CHECKS = ("http", "https", "tcp", "dns", "tls")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_S = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, *, what: str) -> float:
    """``90``, ``90s``, ``5m``, ``1.5h``, ``250ms``, ``1d`` → seconds (a bare number is seconds)."""
    found = _DURATION.match(text or "")
    if found is None:
        raise InvalidInput("monitoring.error.bad_duration", what=what, value=text)
    number, unit = found.groups()
    return float(number) * _UNIT_S[(unit or "s").lower()]


# --- monitors ---------------------------------------------------------------------------------


@dataclass
class MonitorInput:
    name: str
    check: str
    target: str
    interval_s: float = 60.0
    timeout_s: float | None = None
    """Default: 10 s, or the interval when that is shorter."""
    expect_status: str | None = None
    expect_text: str | None = None


def _spec(item: MonitorInput) -> MonitorSpec:
    """Validated by the prober's own rules, so a stored monitor is one the prober can run."""
    if not item.name.strip():
        raise InvalidInput("monitoring.error.name_required")
    timeout = item.timeout_s if item.timeout_s is not None else min(10.0, item.interval_s)
    return MonitorSpec(
        kind=item.check,
        target=item.target,
        name=item.name.strip(),
        interval_s=item.interval_s,
        timeout_s=timeout,
        expected_status=item.expect_status,  # type: ignore[arg-type]  # parsed by the spec
        expected_text=item.expect_text or None,
    )


def add_monitor(ws: Workspace, case_ref: str, item: MonitorInput) -> Monitor:
    """Store a monitor for the case; its name is the ``target`` of every result it produces."""
    spec = _spec(item)
    explicit_status = item.expect_status not in (None, "")
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        existing = session.execute(
            select(Monitor).where(Monitor.case_id == case.id, Monitor.name == spec.name)
        ).scalar_one_or_none()
        if existing is not None:
            raise Conflict("monitoring.error.monitor_exists", name=spec.name, ref=ref_of(existing))
        row = Monitor(
            case_id=case.id,
            number=next_number(session, Monitor, case.id),
            created_at=now_utc(),
            name=spec.name,
            check=spec.kind,
            target=spec.target,
            interval_s=spec.interval_s,
            timeout_s=spec.timeout_s,
            expect_status=(
                ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in spec.expected_status)
                if explicit_status
                else None
            ),
            expect_text=spec.expected_text,
        )
        session.add(row)
        session.flush()
        ledger.append(session, case, "monitor_added", {"ref": ref_of(row)}, [row])
        return row


def list_monitors(ws: Workspace, case_ref: str | None = None) -> list[tuple[str, Monitor]]:
    """``(case ref, monitor)`` pairs of one case, or of every case when ``case_ref`` is None."""
    with ws.reading() as session:
        statement = select(Case.ref, Monitor).join(Case, Case.id == Monitor.case_id)
        if case_ref is not None:
            case = load_case(session, case_ref)
            statement = statement.where(Monitor.case_id == case.id)
        rows = session.execute(statement.order_by(Case.id, Monitor.number)).all()
        return [(ref, monitor) for ref, monitor in rows]


def monitor_spec(monitor: Monitor) -> MonitorSpec:
    """The prober's spec for a stored monitor."""
    return MonitorSpec(
        kind=monitor.check,
        target=monitor.target,
        name=monitor.name,
        interval_s=monitor.interval_s,
        timeout_s=monitor.timeout_s,
        expected_status=monitor.expect_status,  # type: ignore[arg-type]  # parsed by the spec
        expected_text=monitor.expect_text,
    )


# --- imports ----------------------------------------------------------------------------------


def parse_options(items: Iterable[str]) -> dict[str, str]:
    """``["monitor=shop", "tz=Asia/Shanghai"]`` → ``{"monitor": "shop", "tz": "Asia/Shanghai"}``."""
    options: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise InvalidInput("monitoring.error.bad_option", value=item)
        options[key] = value.strip()
    return options


@dataclass(frozen=True)
class ImportOutcome:
    result: importers.ImportResult
    evidence: Evidence
    """The imported file itself, as it was."""
    segment: ProbeSegment
    start: datetime
    end: datetime
    options: Mapping[str, str]


def import_file(
    ws: Workspace,
    case_ref: str,
    path: Path,
    *,
    format: str | None = None,
    options: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import a monitoring export into the case: the file as evidence, its rows as a segment.

    The whole file is parsed first; an unknown format, a naive time without ``tz``, a file
    without a single usable row or one already imported raise before anything is written.
    """
    given = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    with ws.reading() as session:
        case = load_case(session, case_ref)  # a wrong case id fails before the file is read
        case_id = case.id
    result = importers.read_file(path, format, progress=progress, **given)
    table = result.table
    if table.num_rows == 0:
        first = result.bad_rows[0].describe() if len(result.bad_rows) else "—"
        raise InvalidInput(
            "monitoring.error.nothing_to_import",
            path=str(path),
            bad=len(result.bad_rows),
            first=first,
        )
    _refuse_repeat(ws, case_id, to_parquet(table))

    fmt = result.format
    added = evidence_service.add_file(
        ws,
        case_ref,
        path,
        kind=EvidenceKind.SYSTEM_LOG,
        title=t("monitoring.import.evidence_title", name=path.name, format=fmt),
        origin=f"import:{fmt}",
        note=t(
            "monitoring.import.evidence_note",
            format=fmt,
            options=_options_text(given),
            rows=table.num_rows,
            bad=len(result.bad_rows),
        ),
    )
    segment = store_segment(
        ws,
        case_ref,
        table,
        source=f"import:{fmt}",
        title=t("monitoring.import.segment_title", name=path.stem, format=fmt),
        source_evidence_number=added.evidence.number,
    )
    bounds = pc.min_max(table["at_us"])
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        ledger.append(
            session,
            case,
            "monitoring_imported",
            {
                "evidence": ref_of(added.evidence),
                "segment": ref_of(segment),
                "format": fmt,
                "options": dict(sorted(given.items())),
                "rows_read": result.rows_read,
                "rows": table.num_rows,
                "bad_rows": len(result.bad_rows),
                "bad_rows_by_reason": result.bad_rows.counts(),
                "bad_row_lines": list(result.bad_rows.lines[:1000]),
            },
            [],
        )
    return ImportOutcome(
        result=result,
        evidence=added.evidence,
        segment=segment,
        start=from_us(int(bounds["min"].as_py())),
        end=from_us(int(bounds["max"].as_py())),
        options=given,
    )


def _options_text(options: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(options.items())) or "—"


def _refuse_repeat(ws: Workspace, case_id: int, data: bytes) -> None:
    """The same rows imported twice would count every check twice: refuse it."""
    digest = hashlib.sha256(data).hexdigest()
    with ws.reading() as session:
        twin = session.execute(
            select(ProbeSegment, Evidence)
            .join(
                Evidence,
                (Evidence.case_id == ProbeSegment.case_id)
                & (Evidence.number == ProbeSegment.evidence_number),
            )
            .where(ProbeSegment.case_id == case_id, Evidence.sha256 == digest)
        ).first()
    if twin is not None:
        segment, item = twin
        raise Conflict(
            "monitoring.error.already_imported", segment=ref_of(segment), ref=ref_of(item)
        )


# --- probing ----------------------------------------------------------------------------------


def reference_spec(text: str, interval_s: float = 30.0) -> MonitorSpec:
    """A target the prober checks to judge its own connection: ``host:port`` (tcp) or a URL."""
    raw = text.strip()
    kind = raw.split("://", 1)[0].lower() if "://" in raw else "tcp"
    return MonitorSpec(
        kind=kind,
        target=raw,
        name=f"{REFERENCE_PREFIX}{raw}",
        interval_s=interval_s,
        timeout_s=min(5.0, interval_s),
    )


@dataclass
class ProbeRun:
    """A prober over the monitors of one case or of all cases, routing each closed segment's
    rows to the case that owns the target (the reference checks' rows go to every case, as
    proof the prober itself was healthy)."""

    prober: Prober
    routes: dict[str, str]
    """Monitor name → case ref."""
    cases: list[str]
    references: tuple[str, ...]
    stored: list[tuple[str, ProbeSegment]] = field(default_factory=list)

    def execute(self, duration_s: float | None = None) -> RunSummary:
        """Probe until ``duration_s`` has passed or SIGINT / SIGTERM; every closed segment is
        in the locker when this returns."""
        main = threading.current_thread() is threading.main_thread()
        return asyncio.run(self.prober.run(duration_s=duration_s, handle_signals=main))


def prepare_run(
    ws: Workspace,
    case_ref: str | None = None,
    *,
    vantage: str | None = None,
    references: Iterable[str] = (),
    public_references: bool = False,
    interface: str | None = None,
    config: RunnerConfig | None = None,
) -> ProbeRun:
    """A prober for the monitors of ``case_ref`` (or of every case), ready to ``execute``."""
    pairs = list_monitors(ws, case_ref)
    if not pairs:
        raise NotFound("monitoring.error.no_monitors_to_run", case=case_ref or "—")
    routes: dict[str, str] = {}
    for ref, monitor in pairs:
        other = routes.get(monitor.name)
        if other is not None:
            raise InvalidInput(
                "monitoring.error.name_in_two_cases", name=monitor.name, first=other, second=ref
            )
        routes[monitor.name] = ref
    specs = [monitor_spec(m) for _, m in pairs]
    # References are checked as often as the most frequent monitor, so every result is judged.
    every = min(spec.interval_s for spec in specs)
    refs = tuple(reference_spec(r, every) for r in references)
    if public_references:
        refs += probes.public_references(every, min(5.0, every))
    health = probes.HealthConfig(references=refs, interface=interface, interval_s=every)
    name = (vantage or socket.gethostname()).strip()
    in_run = sorted(set(routes.values()))
    reference_names = [r.name for r in refs]
    stored: list[tuple[str, ProbeSegment]] = []

    def on_segment(table: pa.Table) -> None:
        """Runs in the segment writer's thread, one closed segment at a time."""
        first = from_us(int(pc.min_max(table["at_us"])["min"].as_py()))
        for ref in in_run:
            mine = [n for n, owner in routes.items() if owner == ref] + reference_names
            part = table.filter(pc.is_in(table["target"], value_set=pa.array(mine)))
            if part.num_rows == 0:
                continue
            segment = store_segment(
                ws,
                ref,
                part,
                source=f"probe:{name}",
                title=t(
                    "monitoring.run.segment_title",
                    vantage=name,
                    start=iso_utc(first.replace(microsecond=0)),
                ),
            )
            stored.append((ref, segment))

    prober = probes.Prober(
        specs, vantage=name, on_segment=on_segment, reference=health, config=config
    )
    return ProbeRun(
        prober=prober,
        routes=routes,
        cases=in_run,
        references=tuple(reference_names),
        stored=stored,
    )
