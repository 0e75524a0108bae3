"""From a case's raw probe data to incidents on the case file, with the method stated.

``analyze_case`` loads every segment of the case (each hash-checked), runs the accounting engine
and records each incident it finds as a case ``Incident`` (``established_by="analysis"``), linked
to the evidence its rows came from. Re-running never duplicates an incident: one with the same
target, start and end is already on the case. When the case names its SLA policy, each
incident's claim-window deadline is added too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from hostclaim.domain import accounting
from hostclaim.domain.accounting import AnalysisResult, from_us, to_us
from hostclaim.domain.timeutil import fmt_duration, iso_utc
from hostclaim.errors import HostclaimError, InvalidInput, NotFound
from hostclaim.i18n import t
from hostclaim.importers import Note
from hostclaim.services import incidents as incident_service
from hostclaim.services.segments import list_segments, load_probe_data
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Deadline, Incident, ProbeSegment

REFERENCE_PREFIX = "reference "
"""Targets named so are the prober's own reference checks (see ``monitoring.reference_spec``)."""

MARGIN = timedelta(days=1)
"""Data loaded beyond an asked window, so a state and an incident crossing its edge are whole."""


@dataclass(frozen=True)
class RecordedIncident:
    found: accounting.Incident
    record: Incident
    new: bool


@dataclass(frozen=True)
class OutageAnalysis:
    case_ref: str
    service_tz: str
    result: AnalysisResult
    rows: int
    segments: list[str]
    window: tuple[datetime, datetime] | None
    incidents: list[RecordedIncident]
    deadlines: list[Deadline] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    """Things to tell the user, e.g. why no claim deadline was added."""

    @property
    def new_count(self) -> int:
        return sum(1 for i in self.incidents if i.new)


def load_case_data(
    ws: Workspace,
    case_ref: str,
    *,
    targets: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[pa.Table, list[ProbeSegment]]:
    """The case's probe rows (with a margin around the window) and its segments; clear errors
    when there is no data or a target is unknown."""
    segments = list_segments(ws, case_ref)
    known = sorted({name for s in segments for name in s.targets})
    if not segments:
        raise NotFound("monitoring.error.no_probe_data", case=case_ref.upper())
    for target in targets or ():
        if target not in known:
            raise NotFound("monitoring.error.unknown_target", target=target, known=", ".join(known))
    if not targets:
        # The prober's reference checks prove its own health; they are not the provider's.
        targets = [name for name in known if not name.startswith(REFERENCE_PREFIX)] or known
    table = load_probe_data(
        ws,
        case_ref,
        targets=targets,
        start_us=None if start is None else to_us(start - MARGIN),
        end_us=None if end is None else to_us(end + MARGIN),
    )
    if table.num_rows == 0:
        raise NotFound("monitoring.error.no_probe_data_window", case=case_ref.upper())
    return table, segments


def analyze_case(
    ws: Workspace,
    case_ref: str,
    *,
    targets: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    min_duration: float = 0,
    merge_tolerance: float = 0,
    quorum: float = 0.5,
) -> OutageAnalysis:
    """Analyse the case's probe data and record the incidents found (idempotently)."""
    if start is not None and end is not None and end <= start:
        raise InvalidInput("monitoring.error.window_order", start=iso_utc(start), end=iso_utc(end))
    with ws.reading() as session:
        case = load_case(session, case_ref)
        tz = case.service_tz
    table, segments = load_case_data(ws, case_ref, targets=targets, start=start, end=end)
    window: tuple[datetime, datetime] | None = None
    periods = None
    if start is not None or end is not None:
        at = pc.min_max(table["at_us"])
        window = (
            start or from_us(int(at["min"].as_py())),
            end or from_us(int(at["max"].as_py()) + 1),
        )
        periods = [window]
    result = accounting.analyze(
        table,
        tz=tz,
        periods=periods,
        quorum=quorum,
        min_duration=min_duration,
        merge_tolerance=merge_tolerance,
        presorted=True,
    )
    found = result.incidents
    if window is not None:
        found = [i for i in found if i.end > window[0] and i.start < window[1]]
    recorded = record_found(ws, case_ref, found, segments)

    # The SLA side builds on this module, so it is imported here, not at the top.
    from hostclaim.services.sla_report import add_claim_deadlines, case_policy

    deadlines: list[Deadline] = []
    notes: list[Note] = []
    try:
        choice = case_policy(ws, case_ref)
    except HostclaimError as exc:  # a policy the case names but that cannot be used
        choice, notes = None, [Note(exc.key, exc.params)]
    if choice is None:
        if recorded:
            notes.append(Note("monitoring.note.no_policy"))
    else:
        made, problems = add_claim_deadlines(
            ws, case_ref, choice.policy, [r.record for r in recorded]
        )
        deadlines, notes = made, notes + problems
    return OutageAnalysis(
        case_ref=case_ref.upper(),
        service_tz=tz,
        result=result,
        rows=table.num_rows,
        segments=[f"P{s.number}" for s in segments],
        window=window,
        incidents=recorded,
        deadlines=deadlines,
        notes=notes,
    )


def _key(target: str | None, start: datetime, end: datetime | None) -> tuple[str, str, str]:
    return (target or "", iso_utc(start), iso_utc(end) if end is not None else "")


def record_found(
    ws: Workspace,
    case_ref: str,
    found: Sequence[accounting.Incident],
    segments: Sequence[ProbeSegment],
) -> list[RecordedIncident]:
    """Record each found incident on the case unless one with the same target, start and end
    is already there; link it to the segments (and the files they came from) that hold it."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        existing = {
            _key(row.target, row.start_at, row.end_at): row
            for row in session.execute(select(Incident).where(Incident.case_id == case.id))
            .scalars()
            .all()
        }
    out: list[RecordedIncident] = []
    for incident in found:
        key = _key(incident.target, incident.start, incident.end)
        row = existing.get(key)
        if row is not None:
            out.append(RecordedIncident(incident, row, new=False))
            continue
        row = incident_service.record_incident(
            ws,
            case_ref,
            incident_service.IncidentInput(
                start=incident.start,
                end=incident.end,
                target=incident.target,
                impact=impact_text(incident),
                established_by="analysis",
                evidence=_evidence_refs(incident, segments),
            ),
        )
        existing[key] = row
        out.append(RecordedIncident(incident, row, new=True))
    return out


def impact_text(incident: accounting.Incident) -> str:
    """What the record says about an incident found by analysis (in the current language)."""
    text = t(
        "monitoring.incident.impact",
        duration=fmt_duration(incident.duration),
        down=fmt_duration(timedelta(seconds=incident.down_s)),
        vantages=", ".join(incident.vantages) or "—",
        count=len(incident.vantages),
    )
    if incident.first_error:
        detail = f" ({incident.first_detail})" if incident.first_detail else ""
        text += " " + t("monitoring.incident.first_error", error=incident.first_error + detail)
    if incident.unknown_s:
        text += " " + t(
            "monitoring.incident.unknown",
            unknown=fmt_duration(timedelta(seconds=incident.unknown_s)),
        )
    return text


def _evidence_refs(incident: accounting.Incident, segments: Sequence[ProbeSegment]) -> list[str]:
    start, end = to_us(incident.start), to_us(incident.end)
    numbers: set[int] = set()
    for segment in segments:
        if incident.target not in segment.targets:
            continue
        if segment.end_us < start or segment.start_us > end:
            continue
        numbers.add(segment.evidence_number)
        if segment.source_evidence_number is not None:
            numbers.add(segment.source_evidence_number)
    return [f"E{n}" for n in sorted(numbers)]
