"""The case as a letter reads it: every table a letter draws on, read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.domain.timeutil import now_utc
from hostclaim.services.facts import COUNTRY_ZONES
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Case, Deadline, Evidence
from hostclaim.storage.tables import Communication as CommunicationRow
from hostclaim.storage.tables import Demand as DemandRow
from hostclaim.storage.tables import Incident as IncidentRow


def complainant_zone(case: Case) -> str:
    """The complainant's time zone: their own, their country's, the service's, else UTC."""
    return (
        case.complainant_tz
        or COUNTRY_ZONES.get(case.complainant_country or "")
        or case.service_tz
        or "UTC"
    )


@dataclass
class CaseFile:
    case: Case
    evidence: list[Evidence]
    communications: list[CommunicationRow]
    incidents: list[IncidentRow]
    demands: list[DemandRow]
    deadlines: list[Deadline]

    @property
    def complainant_zone(self) -> str:
        return complainant_zone(self.case)

    @property
    def provider_zone(self) -> str | None:
        tz = self.case.service_tz
        if tz and tz.upper() != "UTC":
            return tz
        return COUNTRY_ZONES.get(self.case.provider_country or "") or tz or None

    def local_today(self, now: datetime | None = None) -> date:
        return local_date(now or now_utc(), self.complainant_zone)


def load(session: Session, case: Case) -> CaseFile:
    def rows(model: Any, *order: Any) -> list[Any]:
        return list(
            session.execute(
                select(model).where(model.case_id == case.id).order_by(*order)
            ).scalars()
        )

    return CaseFile(
        case=case,
        evidence=rows(Evidence, Evidence.number),
        communications=rows(CommunicationRow, CommunicationRow.at, CommunicationRow.number),
        incidents=rows(IncidentRow, IncidentRow.start_at, IncidentRow.number),
        demands=rows(DemandRow, DemandRow.number),
        deadlines=rows(Deadline, Deadline.due_at, Deadline.number),
    )


def read_case(ws: Workspace, case_ref: str) -> CaseFile:
    with ws.reading() as session:
        return load(session, load_case(session, case_ref))
