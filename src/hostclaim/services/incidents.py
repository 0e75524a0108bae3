"""Incidents: windows of service failure, entered by hand or established by analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.services.records import add_recorded, check_evidence_refs, next_number
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Incident


@dataclass
class IncidentInput:
    start: datetime
    impact: str
    end: datetime | None = None
    target: str | None = None
    established_by: str = "manual"
    evidence: list[str] = field(default_factory=list)


def record_incident(ws: Workspace, case_ref: str, incident: IncidentInput) -> Incident:
    if incident.end is not None and incident.end <= incident.start:
        raise InvalidInput("error.incident_end_before_start")
    if not incident.impact.strip():
        raise InvalidInput("error.impact_required")
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        numbers = check_evidence_refs(session, case.id, incident.evidence)
        row = Incident(
            case_id=case.id,
            number=next_number(session, Incident, case.id),
            created_at=now_utc(),
            start_at=incident.start,
            end_at=incident.end,
            target=incident.target,
            impact=incident.impact.strip(),
            established_by=incident.established_by,
            evidence_numbers=numbers,
        )
        return add_recorded(session, case, row, "incident_recorded")


def list_incidents(ws: Workspace, case_ref: str) -> list[Incident]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Incident)
                .where(Incident.case_id == case.id)
                .order_by(Incident.start_at, Incident.number)
            ).scalars()
        )
