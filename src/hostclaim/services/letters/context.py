"""The LetterContext a letter is drafted from, built from the case: parties, account id,
incidents, contacts, open demands, enclosures with their short SHA-256, the SLA's claim terms,
availability and credit, the forum, an escalation's recipient and the reply deadline. Nothing the
case knows is retyped; what it does not know becomes a ``[[TO FILL: …]]`` placeholder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.domain.timeutil import now_utc
from hostclaim.i18n import t
from hostclaim.letters import get_kind
from hostclaim.letters.model import (
    Clause,
    Communication,
    Complainant,
    Demand,
    Enclosure,
    Escalation,
    Forum,
    Incident,
    LetterContext,
    Liability,
    LocalText,
    Provider,
    Service,
)
from hostclaim.services.letters.case_file import CaseFile, read_case
from hostclaim.services.letters.enclosures import enclosure_items, file_names, redacted_copies
from hostclaim.services.letters.parties import (
    channel_address,
    complainant_email,
    complainant_phone,
    directory_body,
    directory_provider,
    provider_email,
)
from hostclaim.services.letters.reply import DEFAULT_REPLY_DAYS, check_reply_days, missed_deadline
from hostclaim.services.letters.sla import sla_facts
from hostclaim.services.letters.wording import both, country, enclosure_label
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Evidence

_CHANNEL = {
    "email": "email",
    "portal": "portal",
    "ticket": "portal",
    "phone": "phone",
    "chat": "chat",
    "letter": "letter",
}
_DEMAND_KIND = {
    "service_credit": "sla_credit",
    "refund": "refund",
    "compensation": "compensation",
    "fix_by": "fix_by",
    "terminate_without_penalty": "terminate_without_penalty",
}


@dataclass
class BuiltContext:
    ctx: LetterContext
    enclosures: list[Evidence]
    notes: list[str]
    sla_credit: Decimal | None = None


def _ticket_near(data: CaseFile, start: datetime, end: datetime | None) -> str | None:
    until = (end or start) + timedelta(days=3)
    for row in data.communications:
        if row.ticket_ref and start - timedelta(hours=1) <= row.at <= until:
            return row.ticket_ref
    return None


def _latest_ticket(data: CaseFile) -> str | None:
    for row in reversed(data.communications):
        if row.ticket_ref:
            return row.ticket_ref
    return None


def _escalation(data: CaseFile, kind: str, lang: str, recipient: str | None) -> Escalation | None:
    reference = _latest_ticket(data)
    if kind == "escalation_management":
        body = recipient or t("letter_cli.management", lang, provider=data.case.provider_name)
        return Escalation(body=body, reference=reference)
    if kind not in ("regulator_complaint", "consumer_body_complaint", "mediation_request"):
        return None
    listed = directory_body(recipient)
    if listed is not None:
        name = listed.names.zh.value if lang == "zh" else listed.names.en.value
        return Escalation(
            body=name,
            email=channel_address(listed.channels, "email"),
            address=channel_address(listed.channels, "post"),
        )
    return Escalation(body=recipient) if recipient else None


def _context(
    ws: Workspace,
    data: CaseFile,
    *,
    kind: str,
    lang: str,
    reply_days: int,
    recipient: str | None,
    now: datetime,
) -> BuiltContext:
    case = data.case
    notes: list[str] = []
    listed = directory_provider(case)
    legal_name = address = None
    if listed is not None and len(listed.legal_entities) == 1:
        entity = listed.legal_entities[0].value
        legal_name, address = entity.name, entity.address

    sla = sla_facts(ws, data, now)
    notes.extend(sla.notes)

    enclosures = enclosure_items(data, kind)
    names = file_names(enclosures)
    position = {item.number: index for index, item in enumerate(enclosures, start=1)}
    # An incident's evidence is cited by its enclosure number (a redacted copy stands in).
    copies = redacted_copies(data)

    def cited(numbers: Iterable[int]) -> tuple[str, ...]:
        labels = []
        for number in numbers:
            stand_in = copies.get(number)
            index = position.get(number) or (position.get(stand_in.number) if stand_in else None)
            if index is not None:
                labels.append(enclosure_label(index, lang))
        return tuple(dict.fromkeys(labels))

    incidents = tuple(
        Incident(
            number=row.number,
            start=row.start_at,
            end=row.end_at,
            targets=(row.target,) if row.target else (),
            impact=row.impact,
            evidence_refs=cited(row.evidence_numbers or []),
            ticket_ref=_ticket_near(data, row.start_at, row.end_at),
        )
        for row in data.incidents
    )
    communications = tuple(
        Communication(
            at=row.at,
            channel=_CHANNEL.get(row.channel, "other"),  # type: ignore[arg-type]
            direction=row.direction,  # type: ignore[arg-type]
            counterpart=row.counterpart,
            summary=row.summary,
            ticket_ref=row.ticket_ref,
        )
        for row in data.communications
    )
    demands = []
    for row in data.demands:
        if row.status != "open":
            continue
        amount = Decimal(row.amount) if row.amount else None
        calculation: tuple[LocalText, ...] = ()
        if (
            row.kind == "service_credit"
            and amount is not None
            and sla.credit is not None
            and amount == sla.credit
        ):
            calculation = sla.calculation
        demands.append(
            Demand(
                kind=_DEMAND_KIND.get(row.kind, "other"),  # type: ignore[arg-type]
                text=row.text,
                amount=amount,
                currency=row.currency,
                due=row.due_date,
                calculation=calculation,
            )
        )
    clauses: tuple[Clause, ...] = ()
    if sla.info.commitment is not None:
        clauses = (
            Clause(
                ref=sla.info.policy_name or sla.info.policy_key or "SLA",
                text=both("letter_cli.sla.clause", percent=f"{sla.info.commitment.normalize():f}"),
            ),
        )
    forum = None
    if case.venue:
        basis = (
            both("letter_cli.forum_basis", law=case.governing_law) if case.governing_law else None
        )
        forum = Forum(
            kind="arbitration" if case.arbitration else "court", name=case.venue, basis=basis
        )
    today = data.local_today(now)
    ctx = LetterContext(
        case_ref=case.ref,
        complainant=Complainant(
            name=case.complainant_name,
            organisation=case.complainant_org,
            role=case.complainant_role,
            email=complainant_email(case),
            phone=complainant_phone(case),
            customer_id=case.complainant_account_id,
            is_consumer=case.complainant_type == "consumer",
        ),
        provider=Provider(
            name=case.provider_name,
            legal_name=legal_name,
            country=country(case.provider_country, lang),
            address=address,
            website=case.provider_website,
            support_email=provider_email(data),
            zone=data.provider_zone,
        ),
        service=Service(
            contract_ref=case.contract_ref,
            product=case.product,
            start_date=case.service_start,
            monthly_fee=Decimal(case.monthly_fee) if case.monthly_fee else None,
            currency=case.currency,
            billing_day=case.billing_day,
            zone=case.service_tz,
        ),
        goals=tuple(g for g in case.goals or [] if g in ("repair", "compensation", "termination")),
        liability=Liability(position=case.liability) if case.liability else None,  # type: ignore[arg-type]
        demands=tuple(demands),
        incidents=incidents,
        communications=communications,
        clauses=clauses,
        sla=sla.info,
        enclosures=tuple(
            Enclosure(
                title=item.title,
                date=local_date(item.captured_at or item.created_at, data.complainant_zone),
                sha256=item.sha256,
                file_name=names[item.number],
            )
            for item in enclosures
        ),
        letter_date=today,
        reply_days=reply_days,
        missed_deadline=missed_deadline(data, now),
        recipient_zone=data.provider_zone,
        forum=forum,
        escalation=_escalation(data, kind, lang, recipient),
    )
    return BuiltContext(ctx, enclosures, notes, sla.credit)


def build_context(
    ws: Workspace,
    case_ref: str,
    *,
    kind: str,
    lang: str,
    reply_days: int = DEFAULT_REPLY_DAYS,
    recipient: str | None = None,
    now: datetime | None = None,
) -> BuiltContext:
    """The facts a letter of ``kind`` in ``lang`` is drafted from, all read from the case."""
    get_kind(kind)
    check_reply_days(reply_days)
    data = read_case(ws, case_ref)
    return _context(
        ws,
        data,
        kind=kind,
        lang=lang,
        reply_days=reply_days,
        recipient=recipient,
        now=now or now_utc(),
    )
