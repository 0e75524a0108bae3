"""The SLA report of one measurement period: availability, credit, claim deadline, procedure.

The policy comes from ``--policy KEY@VERSION``, from a contract SLA file (``--policy-file``, kept
as contract evidence and, if the case names none yet, made the case's policy), or from the case's
``sla_policy`` (a shipped policy ref, or ``E<n>``: a policy file in the locker). The period is a
calendar month in the SLA's own time zone, measured with the SLA's granularity and minimum
downtime. Every incident in the period gets its claim-window deadline on the case.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from hostclaim.domain import accounting
from hostclaim.domain.accounting import LatencySummary, PeriodAvailability, month_periods, to_us
from hostclaim.domain.case import Direction, EvidenceKind
from hostclaim.domain.sla import (
    ClaimWindow,
    CreditResult,
    Policy,
    claim_deadline,
    compute_credit,
    load_policy,
    load_policy_file,
    parse_policy_text,
)
from hostclaim.domain.sla.claims import ProcedureItem, claim_procedure, start_of_day
from hostclaim.domain.timeutil import iso_utc, now_utc, zone
from hostclaim.errors import HostclaimError, InvalidInput, NotFound
from hostclaim.i18n import t
from hostclaim.importers import Note
from hostclaim.services import cases, outages
from hostclaim.services import evidence as evidence_service
from hostclaim.services.deadlines import DeadlineInput, add_deadline
from hostclaim.services.records import ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.tables import Communication, Deadline, Evidence, Incident

WARN_DAYS = 7
"""A claim window closing within this many days is announced loudly."""

DEADLINE_KIND = "sla_claim_window"
_EVIDENCE_REF = re.compile(r"^[Ee]\d+$")


# --- which policy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyChoice:
    policy: Policy
    origin: str
    """``option`` (--policy), ``file`` (--policy-file) or ``case`` (the case's sla_policy)."""
    evidence_ref: str | None = None
    """The contract SLA file in the locker, when the policy is one."""


def case_policy(ws: Workspace, case_ref: str) -> PolicyChoice | None:
    """The policy the case names in ``sla_policy``, or None when it names none."""
    case = cases.get_case(ws, case_ref)
    value = (case.sla_policy or "").strip()
    if not value:
        return None
    if _EVIDENCE_REF.match(value):
        item = evidence_service.get_evidence(ws, case_ref, value)
        data = evidence_service.read_bytes(ws, item)
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise InvalidInput("error.blob_altered", ref=ref_of(item))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("sla.error.file_unreadable", path=ref_of(item)) from None
        origin = f"{case.ref} {ref_of(item)} ({item.original_name or item.title})"
        return PolicyChoice(parse_policy_text(text, origin=origin), "case", ref_of(item))
    return PolicyChoice(load_policy(value), "case")


def _choose_policy(
    ws: Workspace, case_ref: str, policy_ref: str | None, policy_file: Path | None
) -> PolicyChoice:
    if policy_ref and policy_file:
        raise InvalidInput("monitoring.error.policy_twice")
    if policy_file is not None:
        return PolicyChoice(load_policy_file(policy_file), "file")
    if policy_ref:
        return PolicyChoice(load_policy(policy_ref), "option")
    choice = case_policy(ws, case_ref)
    if choice is None:
        raise InvalidInput("monitoring.error.no_policy", case=case_ref.upper())
    return choice


def _keep_policy_file(ws: Workspace, case_ref: str, path: Path, policy: Policy) -> tuple[str, bool]:
    """The contract SLA file as contract evidence (once), and the case's policy if it has none."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with ws.reading() as session:
        case = load_case(session, case_ref)
        twin = session.execute(
            select(Evidence)
            .where(
                Evidence.case_id == case.id,
                Evidence.sha256 == digest,
                Evidence.kind == EvidenceKind.CONTRACT.value,
            )
            .order_by(Evidence.number)
        ).scalar()
        current = (case.sla_policy or "").strip()
    if twin is None:
        twin = evidence_service.add_file(
            ws,
            case_ref,
            path,
            kind=EvidenceKind.CONTRACT,
            title=t("monitoring.sla.policy_evidence_title", ref=policy.ref),
            origin="sla_policy_file",
        ).evidence
    ref = ref_of(twin)
    if current:
        return ref, False
    cases.update_case(ws, case_ref, cases.CaseDetails(sla_policy=ref))
    return ref, True


# --- claim deadlines --------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentClaim:
    """One incident of the period and its claim window."""

    ref: str
    target: str | None
    start: datetime
    end: datetime
    counted: bool
    """Proven by this period's analysis (feeds the credit); False for incidents recorded by hand
    or too short for the SLA's minimum."""
    window: ClaimWindow | None
    problem: HostclaimError | None
    """Why there is no window (the policy does not say, needs an invoice date …)."""
    deadline_ref: str | None


def _window(
    policy: Policy, incident: Incident, billing_day: int | None
) -> tuple[ClaimWindow | None, HostclaimError | None]:
    assert incident.end_at is not None
    try:
        return claim_deadline(
            policy, incident_end=incident.end_at, billing_cycle_day=billing_day
        ), None
    except HostclaimError as exc:
        return None, exc


def add_claim_deadlines(
    ws: Workspace, case_ref: str, policy: Policy, incidents: list[Incident]
) -> tuple[list[Deadline], list[Note]]:
    """Add each ended incident's claim-window deadline to the case (idempotent); notes say
    why a window could not be dated (the policy does not know it, needs an invoice date …)."""
    billing_day = cases.get_case(ws, case_ref).billing_day
    made: list[Deadline] = []
    problems: list[Note] = []
    for incident in incidents:
        if incident.end_at is None:
            continue
        window, problem = _window(policy, incident, billing_day)
        if window is None:
            if problem is not None and all(p.key != problem.key for p in problems):
                problems.append(Note(problem.key, problem.params))
            continue
        made.append(_add_deadline(ws, case_ref, policy, incident, window))
    return made, problems


def _add_deadline(
    ws: Workspace, case_ref: str, policy: Policy, incident: Incident, window: ClaimWindow
) -> Deadline:
    return add_deadline(
        ws,
        case_ref,
        DeadlineInput(
            due_at=window.deadline,
            kind=DEADLINE_KIND,
            title=t("monitoring.sla.deadline_title", incident=ref_of(incident), policy=policy.ref),
            rule=f"{policy.ref} {window.kind}",
            source=window.source,
            origin=ref_of(incident),
        ),
    )


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigure:
    day: date
    availability: float | None
    coverage: float | None
    down_s: float


THIN_COVERAGE = 0.9
"""Below this share of the period with data, the report warns that the figure rests on gaps."""


@dataclass(frozen=True)
class SlaReport:
    case_ref: str
    service_tz: str
    policy: Policy
    policy_origin: str
    policy_evidence: str | None
    policy_made_case_policy: bool
    period: str
    period_start: datetime
    period_end: datetime
    tz: str
    target: str
    targets: list[str]
    figure: PeriodAvailability
    availability_percent: Decimal
    days: list[DayFigure]
    incidents: list[IncidentClaim]
    credit: CreditResult
    procedure: tuple[ProcedureItem, ...]
    latency: list[LatencySummary]
    ticket_rule: bool
    now: datetime
    granularity_s: int | None
    granularity_known: bool
    chart: tuple[Path, Path] | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def thin_coverage(self) -> bool:
        """Less than ``THIN_COVERAGE`` of the period has data: gaps may hide more downtime."""
        coverage = self.figure.coverage
        return coverage is None or coverage < THIN_COVERAGE

    @property
    def claim(self) -> IncidentClaim | None:
        """The incident whose window closes first among those still open (else the first)."""
        timed = [i for i in self.incidents if i.window is not None]
        if not timed:
            return None
        still = [i for i in timed if i.window is not None and i.window.is_open(self.now)]
        pool = still or timed
        return min(pool, key=lambda i: i.window.deadline if i.window else self.now)

    @property
    def warning(self) -> bool:
        """A claim window of the period is open and closes within ``WARN_DAYS`` days."""
        claim = self.claim
        if claim is None or claim.window is None or not claim.window.is_open(self.now):
            return False
        return claim.window.deadline - self.now <= timedelta(days=WARN_DAYS)

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Everything in the report, JSON-safe (times in UTC, money and percents as text)."""
        fig = self.figure
        claim = self.claim
        return {
            "case": self.case_ref,
            "policy": {
                "ref": self.policy.ref,
                "provider": self.policy.provider,
                "product": self.policy.product,
                "origin": self.policy_origin,
                "evidence": self.policy_evidence,
                "sources": list(self.policy.sources),
            },
            "period": {
                "month": self.period,
                "start": iso_utc(self.period_start),
                "end": iso_utc(self.period_end),
                "tz": self.tz,
            },
            "target": self.target,
            "availability": {
                "percent": str(self.availability_percent),
                "coverage": fig.coverage,
                "thin_coverage": self.thin_coverage,
                "if_unknown_down": fig.availability_if_unknown_down,
                "total_s": fig.total_s,
                "excluded_s": fig.excluded_s,
                "down_s": fig.down_s,
                "unknown_s": fig.unknown_s,
                "degraded_s": fig.degraded_s,
                "short_down_s": fig.short_down_s,
                "granularity_s": self.granularity_s,
                "method": fig.method.statement(lang),
            },
            "days": [
                {
                    "day": d.day.isoformat(),
                    "availability": d.availability,
                    "coverage": d.coverage,
                    "down_s": d.down_s,
                }
                for d in self.days
            ],
            "incidents": [_incident_dict(i, self.now, lang) for i in self.incidents],
            "credit": {
                "kind": self.credit.kind,
                "tier": None
                if self.credit.tier is None
                else {
                    "lower": None
                    if self.credit.tier.lower is None
                    else str(self.credit.tier.lower),
                    "upper": str(self.credit.tier.upper),
                    "percent": str(self.credit.tier.percent),
                },
                "rate_percent": str(self.credit.rate_percent),
                "amount": str(self.credit.amount),
                "currency": self.credit.currency,
                "base_fee": str(self.credit.base_fee),
                "capped": self.credit.capped,
                "below_minimum": self.credit.below_minimum,
                "unconfirmed": list(self.credit.unconfirmed),
                "computation": self.credit.lines(lang),
            },
            "claim": None if claim is None else _incident_dict(claim, self.now, lang),
            "warning": self.warning,
            "procedure": [
                {"text": item.step.render(lang), "status": item.status} for item in self.procedure
            ],
            "latency": [
                {
                    "vantage": s.vantage,
                    "samples": s.samples,
                    "loss": s.loss,
                    "p50_ms": s.p50_ms,
                    "p95_ms": s.p95_ms,
                    "p99_ms": s.p99_ms,
                }
                for s in self.latency
            ],
            "chart": None if self.chart is None else [str(p) for p in self.chart],
            "notes": [n.render(lang) for n in self.notes],
            "now": iso_utc(self.now),
        }


def _incident_dict(item: IncidentClaim, now: datetime, lang: str | None) -> dict[str, Any]:
    window = item.window
    return {
        "ref": item.ref,
        "target": item.target,
        "start": iso_utc(item.start),
        "end": iso_utc(item.end),
        "counted": item.counted,
        "deadline": None if window is None else iso_utc(window.deadline),
        "last_day": None if window is None else window.last_day.isoformat(),
        "rule": None if window is None else window.rule_text(lang),
        "rule_status": None if window is None else window.status,
        "open": None if window is None else window.is_open(now),
        "days_remaining": None if window is None else window.days_remaining(now),
        "deadline_ref": item.deadline_ref,
        "problem": None if item.problem is None else item.problem.render(lang),
    }


def sla_report(
    ws: Workspace,
    case_ref: str,
    *,
    period: str,
    policy_ref: str | None = None,
    policy_file: Path | None = None,
    target: str | None = None,
    quorum: float = 0.5,
    chart: Path | None = None,
    now: datetime | None = None,
) -> SlaReport:
    """Measure ``period`` (``YYYY-MM``) under the policy, price it and date the claim.

    Everything is read and computed before anything is written; then the policy file (if
    given) enters the locker, the period's incidents are recorded and their deadlines added.
    """
    moment = now or now_utc()
    choice = _choose_policy(ws, case_ref, policy_ref, policy_file)
    policy = choice.policy
    case = cases.get_case(ws, case_ref)
    if not case.monthly_fee or not case.currency:
        raise InvalidInput("monitoring.error.fee_needed", case=case.ref)
    tz = policy.measurement.timezone.value or "UTC"
    zone(tz)
    ((p0, p1),) = month_periods(tz, period)
    granularity, granularity_known = _granularity(policy)
    min_down = policy.measurement.minimum_downtime_seconds
    min_duration = (min_down.value if min_down is not None and min_down.known else None) or 0

    if chart is not None:
        from hostclaim.services import charts  # matplotlib only when a chart is asked for

        charts.output_paths(chart)  # a wrong folder fails now, before anything is written
    table, segments = outages.load_case_data(
        ws, case_ref, targets=[target] if target else None, start=p0, end=p1
    )
    targets = sorted(set(table["target"].to_pylist()))
    in_period = _in_period(table, p0, p1)
    present = sorted(set(in_period["target"].to_pylist()))
    if target is None:
        if len(present) > 1:
            raise InvalidInput("monitoring.error.choose_target", targets=", ".join(present))
        if not present:
            raise NotFound("monitoring.error.no_data_in_period", period=period, target="—")
        target = present[0]
    elif target not in present:
        raise NotFound("monitoring.error.no_data_in_period", period=period, target=target)
    table = table.filter(pc.equal(table["target"], target))

    days = _days(tz, p0, p1)
    result = accounting.analyze(
        table,
        tz=tz,
        periods=[(p0, p1), *days],
        quorum=quorum,
        min_duration=min_duration,
        granularity_s=granularity,
        presorted=True,
    )
    figures = [p for p in result.periods if p.target == target]
    figure = figures[0]
    percent = _percent(figure)
    counted_found = [i for i in result.incidents if i.end > p0 and i.start < p1 and i.down_s > 0]
    pairs = [(max(i.start, p0), min(i.end, p1)) for i in counted_found]
    rule = policy.measurement.counts_from_ticket
    ticket_rule = rule is not None and rule.value is True
    tickets = _ticket_times(ws, case_ref, pairs) if ticket_rule else None
    credit = compute_credit(
        policy,
        availability=percent,
        incidents=pairs,
        monthly_fee=case.monthly_fee,
        currency=case.currency,
        period_start=p0,
        period_end=p1,
        ticket_opened_at=tickets,
    )

    # Computed and checked: now write.
    evidence_ref, made_case_policy = choice.evidence_ref, False
    if policy_file is not None:
        evidence_ref, made_case_policy = _keep_policy_file(ws, case_ref, policy_file, policy)
    recorded = outages.record_found(ws, case_ref, counted_found, segments)
    counted_refs = {ref_of(r.record) for r in recorded}
    claims = []
    for row in _period_incidents(ws, case_ref, target, p0, p1, len(present) == 1):
        window, problem = _window(policy, row, case.billing_day)
        deadline = None if window is None else _add_deadline(ws, case_ref, policy, row, window)
        assert row.end_at is not None
        claims.append(
            IncidentClaim(
                ref=ref_of(row),
                target=row.target,
                start=row.start_at,
                end=row.end_at,
                counted=ref_of(row) in counted_refs,
                window=window,
                problem=problem,
                deadline_ref=None if deadline is None else ref_of(deadline),
            )
        )
    notes: list[Note] = []
    if not granularity_known:
        notes.append(Note("monitoring.note.granularity_unknown", {"ref": policy.ref}))
    if ticket_rule:
        notes.append(Note("monitoring.note.ticket_times"))
    report = SlaReport(
        case_ref=case.ref,
        service_tz=case.service_tz,
        policy=policy,
        policy_origin=choice.origin,
        policy_evidence=evidence_ref,
        policy_made_case_policy=made_case_policy,
        period=period.strip(),
        period_start=p0,
        period_end=p1,
        tz=tz,
        target=target,
        targets=targets,
        figure=figure,
        availability_percent=percent,
        days=[
            DayFigure(
                day=f.start.astimezone(zone(tz)).date(),
                availability=f.availability,
                coverage=f.coverage,
                down_s=f.down_s,
            )
            for f in figures[1:]
        ],
        incidents=claims,
        credit=credit,
        procedure=claim_procedure(policy),
        latency=[s for s in result.latency if s.target == target],
        ticket_rule=ticket_rule,
        now=moment,
        granularity_s=granularity,
        granularity_known=granularity_known,
        notes=notes,
    )
    if chart is not None:
        paths = charts.render_report(report, result.timeline(target), table, chart)
        report = _with_chart(report, paths)
    return report


def _with_chart(report: SlaReport, paths: tuple[Path, Path]) -> SlaReport:
    from dataclasses import replace

    return replace(report, chart=paths)


def _granularity(policy: Policy) -> tuple[int | None, bool]:
    """The SLA's measured interval; continuous time when the policy does not say (rounding up
    to whole intervals could overstate the downtime)."""
    value = policy.measurement.granularity.value
    if not policy.measurement.granularity.known or value is None:
        return None, False
    if isinstance(value, int):
        return value, True
    return None, True  # "continuous"


def _percent(figure: PeriodAvailability) -> Decimal:
    """Availability as an exact percent from the period's seconds (no float on the way)."""
    counted = Decimal(repr(figure.total_s)) - Decimal(repr(figure.excluded_s))
    if counted <= 0:
        raise InvalidInput("monitoring.error.all_excluded")
    down = Decimal(repr(figure.down_s))
    return (counted - down) / counted * 100


def _in_period(table: pa.Table, start: datetime, end: datetime) -> pa.Table:
    at = table["at_us"]
    mask = pc.and_(pc.greater_equal(at, to_us(start)), pc.less(at, to_us(end)))
    return table.filter(mask)


def _days(tz: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    zone_info = zone(tz)
    first = start.astimezone(zone_info).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone_info).date()
    out = []
    day = first
    while day <= last:
        out.append((start_of_day(day, zone_info), start_of_day(day + timedelta(days=1), zone_info)))
        day += timedelta(days=1)
    return out


def _ticket_times(
    ws: Workspace, case_ref: str, pairs: list[tuple[datetime, datetime]]
) -> list[datetime | None]:
    """Per incident, when the first ticket about it was opened: the earliest outbound contact
    with a ticket number during the incident."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        contacts = list(
            session.execute(
                select(Communication)
                .where(
                    Communication.case_id == case.id,
                    Communication.direction == Direction.OUTBOUND.value,
                    Communication.ticket_ref.is_not(None),
                )
                .order_by(Communication.at)
            ).scalars()
        )
    out: list[datetime | None] = []
    for start, end in pairs:
        out.append(next((c.at for c in contacts if start <= c.at < end), None))
    return out


def _period_incidents(
    ws: Workspace, case_ref: str, target: str, start: datetime, end: datetime, only_target: bool
) -> list[Incident]:
    """The case's ended incidents overlapping the period for ``target`` (and those naming no
    target, when the case's data has only this one)."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        rows = session.execute(
            select(Incident)
            .where(
                Incident.case_id == case.id,
                Incident.end_at.is_not(None),
                Incident.start_at < end,
                Incident.end_at > start,
            )
            .order_by(Incident.start_at, Incident.number)
        ).scalars()
        return [r for r in rows if r.target == target or (r.target is None and only_target)]
