"""Follow-up: the case's deadlines kept in step with its facts, what to do next, what is due
across all cases, the calendar export and the legal-route checklist.

Deadlines. :func:`sync_deadlines` runs the deadline rules over the case and records each deadline
they find in the case's deadlines table (with its rule and source, through
:func:`~hostclaim.services.deadlines.add_deadline`: the same rule, origin and due time are never
added twice). A deadline the rules no longer produce — the provider answered, a follow-up was
logged, a deadlock letter arrived — is marked ``superseded`` in one ledger entry; it comes back
as ``open`` if the facts that made it return. Claim windows the SLA capability adds are read, not
written, here.

The next step. :func:`next_step` lists overdue items first, then picks the rung of the escalation
ladder the case should take now: the complaint has to be made and followed up at the provider
first; once the provider stays silent after a follow-up, answers without settling it, or sends
its deadlock letter, the next rung that is actually open for this case (consumer or business,
provider's country, scheme membership, preconditions, time bars) is chosen. Closed rungs are
listed with the reasons that close them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hostclaim.domain import deadlines as dl
from hostclaim.domain.case import Direction
from hostclaim.domain.deadlines.ics import to_ics
from hostclaim.domain.directory import Body, Directory
from hostclaim.domain.directory.models import Anchor
from hostclaim.domain.escalation import (
    BodyVerdict,
    CaseFacts,
    LetterKind,
    Reason,
    Rung,
    Step,
    ladder,
    legal_route_checklist,
)
from hostclaim.domain.escalation.ladder import BODY_KINDS, LETTERS, STAGE_STEP
from hostclaim.domain.escalation.text import Phrase
from hostclaim.domain.lifecycle import TERMINAL, Stage
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.i18n import current_language, normalise, t
from hostclaim.services.deadlines import DeadlineInput, add_deadline
from hostclaim.services.facts import (
    CaseData,
    amounts_claimed,
    case_facts,
    deadline_inputs,
    evidence_summary,
    is_acknowledgement,
    load_case_data,
    missing_for_ladder,
    sla_claims,
    source_status,
)
from hostclaim.services.records import ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Communication, Deadline

#: The rules this module keeps in the deadlines table (SLA claim windows come from the SLA side).
RULES: tuple[dl.DeadlineRule, ...] = tuple(
    rule for rule in dl.DEFAULT_RULES if rule.kind is not dl.DeadlineKind.SLA_CLAIM_WINDOW
)
MANAGED_RULES = frozenset(rule.rule_id for rule in RULES)
OPEN, SUPERSEDED = "open", "superseded"
DEFAULT_DUE_DAYS = 14

# Where a deadline stands now (``state`` of a :class:`DueItem`).
OVERDUE = "overdue"  # an answer or a follow-up is late: act on it
PASSED = "passed"  # a right lapsed: the SLA claim window or a time limit ended
OPENED = "opened"  # an escalation route became available on that day
DUE_SOON = "due_soon"
LATER = "later"
LATE_STATES = (OVERDUE, PASSED)
ACTION_KINDS = frozenset({dl.DeadlineKind.REPLY_DUE.value, dl.DeadlineKind.FOLLOW_UP.value})
LAPSING_KINDS = frozenset({dl.DeadlineKind.SLA_CLAIM_WINDOW.value, dl.DeadlineKind.TIME_BAR.value})


def _lang(lang: str | None) -> str:
    return normalise(lang) or current_language()


def _origin(deadline: dl.Deadline) -> str:
    start = deadline.starts_from
    return (start.ref or start.event.value)[:200]


def _key(deadline: dl.Deadline) -> tuple[str, str, datetime]:
    return (deadline.rule_id, _origin(deadline), deadline.due_at)


def _row_key(row: Deadline) -> tuple[str, str | None, datetime]:
    return (row.rule, row.origin, row.due_at)


def source_line(source: dl.Source) -> str:
    """How a deadline's source is stored: citation, ``[status]``, URL."""
    text = f"{source.citation} [{source.status.value}]"
    if source.url and source.url not in source.citation:
        text += f" {source.url}"
    return text[:500]


# -- computing ---------------------------------------------------------------------------------


@dataclass
class Computed:
    """The case's data and the deadlines the rules find in it now."""

    data: CaseData
    now: datetime
    rules: list[dl.Deadline]  # produced by RULES, soonest first
    sla: dict[int, dl.Deadline]  # SLA claim windows by the number of their table row

    def match(self, row: Deadline) -> dl.Deadline | None:
        if row.number in self.sla:
            return self.sla[row.number]
        key = _row_key(row)
        return next((d for d in self.rules if _key(d) == key), None)


def _compute(data: CaseData, now: datetime) -> Computed:
    inputs = deadline_inputs(data, now)
    found = dl.compute_deadlines(inputs, RULES)
    sla: dict[int, dl.Deadline] = {}
    rule = dl.SlaClaimWindowRule()
    for row, claim in sla_claims(data):
        single = dl.DeadlineInputs(
            now=now, complainant=inputs.complainant, provider=inputs.provider, sla_claims=(claim,)
        )
        for deadline in rule.deadlines(single):
            sla[row.number] = deadline
    return Computed(data, now, found, sla)


def _load(ws: Workspace, case_ref: str) -> CaseData:
    with ws.reading() as session:
        return load_case_data(session, load_case(session, case_ref))


@dataclass
class SyncReport:
    case_ref: str
    added: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)


def sync_deadlines(ws: Workspace, case_ref: str, now: datetime | None = None) -> SyncReport:
    """Record the deadlines the rules find in the case; mark those they no longer find."""
    now = now or now_utc()
    data = _load(ws, case_ref)
    report = SyncReport(data.case.ref)
    if Stage(data.case.stage) in TERMINAL:
        return report  # a closed case keeps its deadlines as they were
    computed = _compute(data, now).rules
    existing = {_row_key(row) for row in data.deadlines}
    for deadline in computed:
        if _key(deadline) in existing:
            continue
        row = add_deadline(
            ws,
            data.case.ref,
            DeadlineInput(
                due_at=deadline.due_at,
                kind=deadline.kind.value,
                title=deadline.title.render("en")[:500],
                rule=deadline.rule_id,
                source=source_line(deadline.source),
                origin=_origin(deadline),
            ),
        )
        report.added.append(ref_of(row))
    wanted = {_key(deadline) for deadline in computed}
    stale = [
        row
        for row in data.deadlines
        if row.rule in MANAGED_RULES
        and ((row.status == OPEN) != (_row_key(row) in wanted))
        and row.status in (OPEN, SUPERSEDED)
    ]
    if stale:
        with ws.transaction() as session:
            case = load_case(session, case_ref, lock=True)
            rows = list(
                session.execute(
                    select(Deadline).where(
                        Deadline.case_id == case.id,
                        Deadline.number.in_([row.number for row in stale]),
                    )
                ).scalars()
            )
            changed = []
            for row in rows:
                if row.status == OPEN and _row_key(row) not in wanted:
                    row.status = SUPERSEDED
                    report.superseded.append(ref_of(row))
                    changed.append(row)
                elif row.status == SUPERSEDED and _row_key(row) in wanted:
                    row.status = OPEN
                    report.reopened.append(ref_of(row))
                    changed.append(row)
            if changed:
                ledger.append(
                    session,
                    case,
                    "deadlines_synced",
                    {"superseded": report.superseded, "reopened": report.reopened},
                    list(changed),
                )
    return report


# -- deadlines for people ----------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    case_ref: str
    ref: str
    kind: str
    title: str
    due_at: datetime
    state: str
    severity: str
    rule: str
    rule_text: str | None
    source: str | None
    origin: str | None
    caveats: tuple[str, ...]
    status: str
    provider_tz: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_ref,
            "ref": self.ref,
            "kind": self.kind,
            "title": self.title,
            "due_at": self.due_at,
            "state": self.state,
            "severity": self.severity,
            "rule": self.rule,
            "rule_text": self.rule_text,
            "source": self.source,
            "origin": self.origin,
            "caveats": list(self.caveats),
            "status": self.status,
        }


def _state(kind: str, due_at: datetime, now: datetime) -> str:
    if due_at < now:
        if kind == dl.DeadlineKind.ESCALATION_ELIGIBILITY.value:
            return OPENED
        return PASSED if kind in LAPSING_KINDS else OVERDUE
    return DUE_SOON if due_at <= now + dl.DUE_SOON else LATER


def _severity(kind: str) -> dl.Severity:
    if kind in LAPSING_KINDS:
        return dl.Severity.CRITICAL
    if kind == dl.DeadlineKind.REPLY_DUE.value:
        return dl.Severity.WARNING
    return dl.Severity.INFO


def _item(row: Deadline, computed: Computed, lang: str) -> DueItem:
    match = computed.match(row)
    return DueItem(
        case_ref=computed.data.case.ref,
        ref=ref_of(row),
        kind=row.kind,
        title=match.title.render(lang) if match else row.title,
        due_at=row.due_at,
        state=_state(row.kind, row.due_at, computed.now),
        severity=(match.severity if match else _severity(row.kind)).value,
        rule=row.rule,
        rule_text=match.rule_text.render(lang) if match else None,
        source=row.source,
        origin=row.origin,
        caveats=tuple(c.render(lang) for c in match.caveats) if match else (),
        status=row.status,
        provider_tz=computed.data.case.service_tz,
    )


def _order(item: DueItem) -> tuple[int, datetime]:
    return (0 if item.state in LATE_STATES else 1, item.due_at)


def _open_items(computed: Computed, lang: str) -> list[DueItem]:
    items = [_item(row, computed, lang) for row in computed.data.deadlines if row.status == OPEN]
    return sorted(items, key=_order)


def _refresh(ws: Workspace, case_ref: str, now: datetime) -> tuple[SyncReport, Computed]:
    report = sync_deadlines(ws, case_ref, now)
    return report, _compute(_load(ws, case_ref), now)


def due(
    ws: Workspace,
    days: int = DEFAULT_DUE_DAYS,
    now: datetime | None = None,
    lang: str | None = None,
) -> list[DueItem]:
    """What is due across all open cases: late items first, then the next ``days`` days."""
    if days < 0:
        raise InvalidInput("error.followup.bad_days", value=days)
    now = now or now_utc()
    code = _lang(lang)
    with ws.reading() as session:
        refs = list(
            session.execute(
                select(Case.ref)
                .where(Case.stage.not_in([s.value for s in TERMINAL]))
                .order_by(Case.id)
            ).scalars()
        )
    horizon = now + timedelta(days=days)
    items: list[DueItem] = []
    for ref in refs:
        _report, computed = _refresh(ws, ref, now)
        items += [
            item
            for item in _open_items(computed, code)
            if item.state in LATE_STATES or (item.state != OPENED and item.due_at <= horizon)
        ]
    return sorted(items, key=_order)


# -- the next step -----------------------------------------------------------------------------


def reason_dict(reason: Phrase, lang: str) -> dict[str, Any]:
    flags = {"blocking": False, "inference": False, "unconfirmed": False}
    if isinstance(reason, Reason):
        flags = {
            "blocking": reason.blocking,
            "inference": reason.inference,
            "unconfirmed": reason.unconfirmed,
        }
    return {"code": reason.key.rsplit(".", 1)[-1], "text": reason.render(lang), **flags}


def _body_name(body: Body, lang: str) -> str:
    return body.names.zh.value if lang == "zh" else body.names.en.value


def _verdict_dict(verdict: BodyVerdict, directory: Directory, lang: str) -> dict[str, Any]:
    body = directory.bodies[verdict.key]
    return {
        "key": verdict.key,
        "name": _body_name(body, lang),
        "kind": verdict.kind.value,
        "open": verdict.open,
        "opens_on": verdict.opens_on,
        "channels": [c.value.address for c in body.channels],
        "reasons": [reason_dict(r, lang) for r in verdict.reasons],
    }


def _rung_dict(rung: Rung, directory: Directory, lang: str) -> dict[str, Any]:
    return {
        "step": rung.step.value,
        "title": t(f"escalation.step.{rung.step.value}", lang),
        "open": rung.open,
        "opens_on": rung.opens_on,
        "current": rung.current,
        "letter": rung.letter.value,
        "reasons": [reason_dict(r, lang) for r in rung.reasons],
        "bodies": [_verdict_dict(v, directory, lang) for v in rung.bodies],
        "risks": [t(f"escalation.risk.{r.value}", lang) for r in rung.risks],
    }


@dataclass
class NextStep:
    case_ref: str
    stage: str
    today: date | None
    provider_tz: str
    overdue: list[DueItem]
    upcoming: list[DueItem]
    step: dict[str, Any] | None  # the rung to take now (see ``_rung_dict``)
    why: list[dict[str, Any]]  # why this rung now
    letter: str | None  # the letter kind to draft, None when waiting is all there is to do
    letter_title: str | None
    command: str | None
    wait_until: datetime | None
    opening: list[dict[str, Any]]  # closed rungs that open by waiting, with the day
    closed: list[dict[str, Any]]  # closed rungs and their blocking reasons
    missing: list[str]  # case fields the ladder needs
    added: list[str]  # deadlines recorded by this run

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_ref,
            "stage": self.stage,
            "today": self.today,
            "overdue": [i.as_dict() for i in self.overdue],
            "upcoming": [i.as_dict() for i in self.upcoming],
            "next": self.step,
            "why": self.why,
            "letter": self.letter,
            "letter_title": self.letter_title,
            "command": self.command,
            "wait_until": self.wait_until,
            "opening": self.opening,
            "closed": self.closed,
            "missing": self.missing,
            "deadlines_added": self.added,
        }


def _why(code: str, **params: object) -> Phrase:
    return Phrase(f"followup.why.{code}", params)


def _unanswered(data: CaseData) -> list[Communication]:
    """The complainant's messages to the provider since its last real answer."""
    answers = [
        row.at
        for row in data.provider_contacts
        if row.direction == Direction.INBOUND.value and not is_acknowledgement(row)
    ]
    if data.case.deadlock_letter_at is not None:
        answers.append(data.case.deadlock_letter_at)
    last = max(answers, default=None)
    return [
        row
        for row in data.provider_contacts
        if row.direction == Direction.OUTBOUND.value and (last is None or row.at > last)
    ]


def _reached(data: CaseData, rungs: list[Rung], facts: CaseFacts) -> int:
    """How far up the ladder the case has come (index into ``rungs``)."""
    order = [rung.step for rung in rungs]
    stage = Stage(facts.stage)
    reached = 0
    if stage in STAGE_STEP:
        reached = order.index(STAGE_STEP[stage])
    filed = [
        step
        for body, row in data.body_contacts
        if row.direction == Direction.OUTBOUND.value
        for step, kinds in BODY_KINDS.items()
        if data.directory.bodies[body].kind.value in kinds
    ]
    if stage is Stage.THIRD_PARTY:
        reached = max(reached, order.index(Step.MEDIATION))
    for step in filed:
        reached = max(reached, order.index(step))
    # A letter to a body (a request for mediation, a complaint to a regulator) climbs too.
    by_letter = {letter.value: step for step, letter in LETTERS.items()}
    for letter in data.letters:
        if letter.kind in by_letter:
            reached = max(reached, order.index(by_letter[letter.kind]))
    if facts.anchor(Anchor.MANAGEMENT_ESCALATION) is not None:
        reached = max(reached, order.index(Step.PROVIDER_MANAGEMENT))
    if facts.anchor(Anchor.LETTER_BEFORE_ACTION) is not None:
        reached = order.index(Step.LEGAL)
    return reached


def _choose(
    data: CaseData,
    rungs: list[Rung],
    facts: CaseFacts,
    late: list[DueItem],
    upcoming: list[DueItem],
) -> tuple[Rung | None, list[Phrase], LetterKind | None, datetime | None]:
    if Stage(facts.stage) in TERMINAL:
        return None, [_why("case_closed", stage=Phrase(f"stage.{facts.stage}"))], None, None
    support = rungs[0]
    if facts.anchor(Anchor.COMPLAINT_FIRST_MADE) is None:
        return support, [_why("start")], support.letter, None
    reached = _reached(data, rungs, facts)
    unanswered = _unanswered(data)
    # A letter whose reply period still runs gives the provider that time, whatever earlier
    # letters or the follow-up cadence say; without one, the cadence is the clock.
    pending = [i for i in upcoming if i.kind == dl.DeadlineKind.REPLY_DUE.value]
    reply_late = (
        [] if pending else [i for i in late if i.state == OVERDUE and i.kind in ACTION_KINDS]
    )
    if unanswered and not reply_late:
        until = min((i.due_at for i in pending or upcoming), default=None)
        last = f"C{unanswered[-1].number}"
        return rungs[reached], [_why("waiting", ref=last)], None, until
    why: list[Phrase] = []
    skip_management = False
    if reached == 0:
        if facts.deadlock_letter_at is not None:
            why.append(_why("deadlock"))
            skip_management = True
        elif unanswered and len(unanswered) == 1:
            return (
                support,
                [_why("reply_overdue", ref=reply_late[0].ref)],
                LetterKind.FOLLOW_UP,
                None,
            )
        elif not unanswered and not data.letters:
            return support, [_why("formal_complaint")], LetterKind.COMPLAINT_LETTER, None
        else:
            why.append(_why("no_answer_after_follow_up" if unanswered else "answered_unresolved"))
    elif reached < len(rungs) - 1:
        why.append(_why("no_answer" if unanswered else "answered_unresolved"))
    for index in range(reached + 1, len(rungs)):
        rung = rungs[index]
        if skip_management and rung.step is Step.PROVIDER_MANAGEMENT:
            continue
        if rung.open:
            skipped = [r for r in rungs[reached + 1 : index] if not r.open]
            if skipped:
                names = [Phrase(f"escalation.step.{r.step.value}") for r in skipped]
                why.append(_why("skipped", steps=names))
            return rung, why, rung.letter, None
    legal = rungs[-1]
    return legal, [_why("legal_continue")], legal.letter, None


def next_step(
    ws: Workspace, case_ref: str, now: datetime | None = None, lang: str | None = None
) -> NextStep:
    now = now or now_utc()
    code = _lang(lang)
    report, computed = _refresh(ws, case_ref, now)
    data = computed.data
    case = data.case
    items = _open_items(computed, code)
    late = [i for i in items if i.state in LATE_STATES]
    upcoming = [i for i in items if i.state == DUE_SOON]
    result = NextStep(
        case_ref=case.ref,
        stage=case.stage,
        today=None,
        provider_tz=case.service_tz,
        overdue=late,
        upcoming=upcoming,
        step=None,
        why=[],
        letter=None,
        letter_title=None,
        command=None,
        wait_until=None,
        opening=[],
        closed=[],
        missing=missing_for_ladder(case),
        added=report.added,
    )
    if result.missing:
        return result
    facts = case_facts(data, now)
    result.today = facts.today
    rungs = ladder(facts, data.directory)
    waiting_for = [i for i in items if i.kind in ACTION_KINDS and i.state in (DUE_SOON, LATER)]
    rung, why, letter, until = _choose(data, rungs, facts, late, waiting_for)
    if rung is not None:
        result.step = _rung_dict(rung, data.directory, code)
    result.why = [reason_dict(p, code) for p in why]
    result.letter = letter.value if letter else None
    if letter is not None:
        result.letter_title = t(f"escalation.letter.{letter.value}", code)
        result.command = f"hostclaim letter draft {case.ref} --kind {letter.value}"
    result.wait_until = until
    for other in rungs:
        if other.open:
            continue
        entry = _rung_dict(other, data.directory, code)
        if other.opens_on is not None:
            result.opening.append(entry)
        result.closed.append(entry)
    return result


# -- calendar ----------------------------------------------------------------------------------


def _domain_deadline(row: Deadline, computed: Computed) -> dl.Deadline:
    """The rule's own deadline for a row, or one made from the row as stored."""
    match = computed.match(row)
    if match is not None:
        return match
    try:
        kind = dl.DeadlineKind(row.kind)
    except ValueError:
        kind = dl.DeadlineKind.REPLY_DUE
    event = (
        dl.EventKind.INCIDENT
        if (row.origin or "").upper().startswith("I")
        else dl.EventKind.CONTACT_OUTBOUND
    )
    return dl.Deadline(
        kind=kind,
        due_at=row.due_at,
        title=dl.Message("followup.literal", {"text": row.title}),
        rule_id=row.rule,
        rule_text=dl.Message("followup.literal", {"text": row.rule}),
        source=dl.Source(
            citation=row.source or row.rule,
            status=source_status(row.source),
            kind=dl.SourceKind.CASE,
        ),
        starts_from=dl.StartEvent(event, min(row.created_at, row.due_at), row.origin or ""),
        severity=_severity(row.kind),
        subject=f"{ref_of(row)}",
    )


@dataclass(frozen=True)
class CalendarExport:
    ics: bytes
    events: int
    cases: tuple[str, ...]


def calendar(
    ws: Workspace,
    case_ref: str | None,
    *,
    all_cases: bool = False,
    now: datetime | None = None,
    lang: str | None = None,
) -> CalendarExport:
    """The open deadlines of one case (or of every open case) as iCalendar with alarms."""
    from icalendar import Calendar

    if all_cases == (case_ref is not None):
        raise InvalidInput("error.followup.calendar_target")
    now = now or now_utc()
    code = _lang(lang)
    if all_cases:
        with ws.reading() as session:
            refs = list(
                session.execute(
                    select(Case.ref)
                    .where(Case.stage.not_in([s.value for s in TERMINAL]))
                    .order_by(Case.id)
                ).scalars()
            )
    else:
        refs = [_load(ws, case_ref or "").case.ref]
    merged: Calendar | None = None
    events = 0
    for ref in refs:
        _report, computed = _refresh(ws, ref, now)
        deadlines = [
            _domain_deadline(row, computed) for row in computed.data.deadlines if row.status == OPEN
        ]
        name = t("followup.calendar.name", code, case=ref) if not all_cases else None
        single = to_ics(
            deadlines,
            calendar_name=name or t("followup.calendar.name_all", code),
            case_ref=ref,
            lang=code,
            stamp=now,
        )
        parsed = Calendar.from_ical(single)
        if merged is None:
            merged = parsed
        else:
            for component in parsed.walk("VEVENT"):
                merged.add_component(component)
        events += len(parsed.walk("VEVENT"))
    if merged is None:
        merged = Calendar.from_ical(
            to_ics([], calendar_name=t("followup.calendar.name_all", code), case_ref="", stamp=now)
        )
    return CalendarExport(merged.to_ical(), events, tuple(refs))


# -- the legal route ---------------------------------------------------------------------------


@dataclass
class LegalView:
    case_ref: str
    steps: list[dict[str, Any]]
    forums: list[dict[str, Any]]
    contract_forum: dict[str, Any] | None
    claimed: list[str]
    missing: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_ref,
            "steps": self.steps,
            "forums": self.forums,
            "contract_forum": self.contract_forum,
            "claimed": self.claimed,
            "missing": self.missing,
        }


def _items(items: Iterable[Any], lang: str) -> list[dict[str, str]]:
    return [{"item": i.value, "text": t(f"escalation.item.{i.value}", lang)} for i in items]


def legal_route(
    ws: Workspace, case_ref: str, now: datetime | None = None, lang: str | None = None
) -> LegalView:
    """The legal route as a checklist: per step what the case has and lacks, and the
    small-claims forums that may hear it with their limits."""
    now = now or now_utc()
    code = _lang(lang)
    data = _load(ws, case_ref)
    case = data.case
    claimed = [str(m) for m in amounts_claimed(data)]
    missing = missing_for_ladder(case)
    if missing:
        return LegalView(case.ref, [], [], None, claimed, missing)
    facts = case_facts(data, now)
    checklist = legal_route_checklist(facts, evidence_summary(data), data.directory)
    steps = [
        {
            "step": step.step.value,
            "title": t(f"escalation.legal_step.{step.step.value}", code),
            "done": step.done,
            "has": _items(step.has, code),
            "lacks": _items(step.lacks, code),
            "notes": [reason_dict(n, code) for n in step.notes],
        }
        for step in checklist.steps
    ]
    forums = []
    for forum in checklist.forums:
        body = data.directory.bodies[forum.body_key]
        forums.append(
            {
                "body": forum.body_key,
                "name": _body_name(body, code),
                "why": forum.why,
                "why_text": t(f"followup.legal.why.{forum.why}", code),
                "limit": str(forum.maximum),
                "by_consent": str(forum.by_consent) if forum.by_consent else None,
                "claimed": str(forum.claimed) if forum.claimed else None,
                "fits": forum.fits,
            }
        )
    contract = checklist.contract_forum
    return LegalView(
        case_ref=case.ref,
        steps=steps,
        forums=forums,
        contract_forum=contract.model_dump(mode="json") if contract else None,
        claimed=claimed,
        missing=[],
    )
