"""Letters from the case file: draft them, check them, issue them, list them.

- :func:`build_context` reads the case once and builds the
  :class:`~hostclaim.letters.model.LetterContext` a letter is drafted from: parties, account id,
  incidents (times in UTC and the provider's zone), contacts, open demands, enclosures from the
  locker with their short SHA-256, the SLA's claim terms and, where the incidents allow, the
  availability and credit, and a reply deadline (14 days unless told otherwise). Nothing the case
  knows is retyped; what it does not know becomes a ``[[TO FILL: …]]`` placeholder.
- :func:`draft_letter` writes the draft as a plain Markdown file with a header (never over an
  existing file) and records it in the letters table.
- :func:`check_file` / :func:`check_case` run the linter over an (edited) draft and over the text
  of the enclosures it lists, with the case's dates, amounts and contacts as facts.
- :func:`issue_letter` refuses a draft with placeholders or error-level findings (unless forced,
  with a reason), renders it, sends it by SMTP when asked, and then keeps the final text, every
  rendering and the sent bytes as evidence, logs the outbound contact and adds the reply-due
  deadline (``reply_due.letter``).

Drafts are not legal advice: interfaces show ``t(DISCLAIMER)`` once beside a draft, never in it.
"""

from __future__ import annotations

import calendar
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any, Literal

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.case import Channel, Direction, EvidenceKind
from hostclaim.domain.deadlines.calendar_math import Period, Unit, due_after, local_date
from hostclaim.domain.timeutil import now_utc, utc, zone
from hostclaim.errors import Conflict, HostclaimError, InvalidInput, NotFound
from hostclaim.i18n import t
from hostclaim.letters import DISCLAIMER, Draft, draft, get_kind
from hostclaim.letters import fmt as letter_fmt
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
    SlaInfo,
)
from hostclaim.letters.render import Attachment, draft_from_text
from hostclaim.services import evidence as evidence_service
from hostclaim.services.communications import ContactInput, log_contact
from hostclaim.services.deadlines import DeadlineInput, add_deadline
from hostclaim.services.facts import COUNTRY_ZONES, IssuedLetter, register_letter_source
from hostclaim.services.records import get_numbered, next_number, ref_of
from hostclaim.services.redaction import own_contacts
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Deadline, Evidence
from hostclaim.storage.tables import Communication as CommunicationRow
from hostclaim.storage.tables import Demand as DemandRow
from hostclaim.storage.tables import Incident as IncidentRow
from hostclaim.storage.tables_letters import Letter

__all__ = [
    "DEFAULT_REPLY_DAYS",
    "DISCLAIMER",
    "FORMATS",
    "CheckReport",
    "DraftResult",
    "IssueOptions",
    "IssueResult",
    "SmtpSettings",
    "build_context",
    "check_case",
    "check_file",
    "draft_letter",
    "issue_letter",
    "list_letters",
]

DEFAULT_REPLY_DAYS = 14
FORMATS = ("md", "html", "pdf", "docx", "eml")
DRAFTED, ISSUED = "drafted", "issued"
ORIGIN_PREFIX = "letter:"
"""Evidence a letter made (its final text, renderings, the sent message) has this origin."""
REDACTION_ORIGIN = "redaction"
REPLY_RULE = "reply_due.letter"
REPLY_KIND = "reply_due"
# Letters addressed to the provider or a body that owes an answer; a brief for one's own
# counsel is not answered by anyone, so it sets no reply deadline.
NO_REPLY_KINDS = frozenset({"lawyer_brief"})

_RAW_DATA_TYPES = frozenset({"application/vnd.apache.parquet", "application/vnd.sqlite3"})
_SHORT_HASH = re.compile(r"(?<![0-9a-f])([0-9a-f]{12})(?![0-9a-f])")
_MONTHS_EN = tuple(calendar.month_name)  # "", "January", … (C locale)
_COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "奥地利"),
    "AU": ("Australia", "澳大利亚"),
    "BE": ("Belgium", "比利时"),
    "CA": ("Canada", "加拿大"),
    "CH": ("Switzerland", "瑞士"),
    "CN": ("China", "中国"),
    "DE": ("Germany", "德国"),
    "DK": ("Denmark", "丹麦"),
    "ES": ("Spain", "西班牙"),
    "FI": ("Finland", "芬兰"),
    "FR": ("France", "法国"),
    "GB": ("United Kingdom", "英国"),
    "HK": ("Hong Kong", "香港"),
    "IE": ("Ireland", "爱尔兰"),
    "IN": ("India", "印度"),
    "IT": ("Italy", "意大利"),
    "JP": ("Japan", "日本"),
    "KR": ("South Korea", "韩国"),
    "LU": ("Luxembourg", "卢森堡"),
    "NL": ("Netherlands", "荷兰"),
    "NO": ("Norway", "挪威"),
    "PL": ("Poland", "波兰"),
    "SE": ("Sweden", "瑞典"),
    "SG": ("Singapore", "新加坡"),
    "US": ("United States", "美国"),
}
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


# --- reading the case once ---------------------------------------------------------------------


@dataclass
class _CaseFile:
    case: Case
    evidence: list[Evidence]
    communications: list[CommunicationRow]
    incidents: list[IncidentRow]
    demands: list[DemandRow]
    deadlines: list[Deadline]

    @property
    def complainant_zone(self) -> str:
        case = self.case
        return (
            case.complainant_tz
            or COUNTRY_ZONES.get(case.complainant_country or "")
            or case.service_tz
            or "UTC"
        )

    @property
    def provider_zone(self) -> str | None:
        tz = self.case.service_tz
        if tz and tz.upper() != "UTC":
            return tz
        return COUNTRY_ZONES.get(self.case.provider_country or "") or tz or None

    def local_today(self, now: datetime | None = None) -> date:
        return local_date(now or now_utc(), self.complainant_zone)

    def evidence_by_number(self) -> dict[int, Evidence]:
        return {item.number: item for item in self.evidence}


def _load(session: Session, case: Case) -> _CaseFile:
    def rows(model: Any, *order: Any) -> list[Any]:
        return list(
            session.execute(
                select(model).where(model.case_id == case.id).order_by(*order)
            ).scalars()
        )

    return _CaseFile(
        case=case,
        evidence=rows(Evidence, Evidence.number),
        communications=rows(CommunicationRow, CommunicationRow.at, CommunicationRow.number),
        incidents=rows(IncidentRow, IncidentRow.start_at, IncidentRow.number),
        demands=rows(DemandRow, DemandRow.number),
        deadlines=rows(Deadline, Deadline.due_at, Deadline.number),
    )


def _read_case(ws: Workspace, case_ref: str) -> _CaseFile:
    with ws.reading() as session:
        return _load(session, load_case(session, case_ref))


# --- small readers -----------------------------------------------------------------------------


def _address(text: str | None) -> str | None:
    """The e-mail address in ``text`` (``Name <a@b>`` or ``a@b``), else None."""
    if not text or "@" not in text:
        return None
    found = parseaddr(text)[1]
    return found if "@" in found and " " not in found else None


def _domain(url_or_address: str | None) -> str | None:
    if not url_or_address:
        return None
    text = url_or_address.strip().lower()
    if "@" in text:
        return text.rpartition("@")[2].strip(">") or None
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split(":")[0]
    if text.startswith("www."):
        text = text[4:]
    return text or None


def _country(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    names = _COUNTRY_NAMES.get(code.upper())
    if names is None:
        return code.upper()
    return names[1] if lang == "zh" else names[0]


def _month(year: int, month: int, lang: str) -> str:
    return f"{year}年{month}月" if lang == "zh" else f"{_MONTHS_EN[month]} {year}"


def _both(key: str, **params: object) -> dict[Literal["en", "zh"], str]:
    """A catalog text in both languages, for a LetterContext's per-language fields."""
    return {"en": t(key, "en", **params), "zh": t(key, "zh", **params)}


def _directory_provider(case: Case) -> Any:
    if not case.provider_key:
        return None
    from hostclaim.domain.directory import load_directory

    return load_directory().providers.get(case.provider_key)


def _directory_body(key: str | None) -> Any:
    if not key:
        return None
    from hostclaim.domain.directory import load_directory

    return load_directory().bodies.get(key.strip().lower())


def _channel_address(channels: Iterable[Any], kind: str) -> str | None:
    for item in channels:
        value = getattr(item, "value", item)
        if str(getattr(value, "kind", "")) == kind:
            return str(value.address)
    return None


def _provider_email(data: _CaseFile) -> str | None:
    """Where the provider takes mail: the directory's support address, else the address the
    complainant last wrote to, else the one the provider wrote from."""
    listed = _directory_provider(data.case)
    if listed is not None:
        found = _channel_address(listed.support_channels, "email")
        if found:
            return found
    for direction in (Direction.OUTBOUND.value, Direction.INBOUND.value):
        for row in reversed(data.communications):
            if row.channel == Channel.EMAIL.value and row.direction == direction:
                found = _address(row.counterpart)
                if found:
                    return found
    return None


def provider_email_of(ws: Workspace, case_ref: str) -> tuple[str | None, list[CommunicationRow]]:
    """The provider's mail address as the case knows it, and the case's contacts."""
    data = _read_case(ws, case_ref)
    return _provider_email(data), data.communications


def _complainant_email(case: Case) -> str | None:
    return _address(case.complainant_contact)


def _complainant_phone(case: Case) -> str | None:
    contact = (case.complainant_contact or "").strip()
    if contact and "@" not in contact and sum(ch.isdigit() for ch in contact) >= 6:
        return contact
    return None


# --- enclosures ---------------------------------------------------------------------------------


def _redacted_copies(data: _CaseFile) -> dict[int, Evidence]:
    """Original evidence number → its newest redacted copy."""
    copies: dict[int, Evidence] = {}
    for item in data.evidence:
        if item.origin == REDACTION_ORIGIN and item.derived_from is not None:
            copies[item.derived_from] = item
    return copies


def _enclosable(item: Evidence) -> bool:
    return not item.origin.startswith(ORIGIN_PREFIX) and item.media_type not in _RAW_DATA_TYPES


def _enclosure_items(data: _CaseFile, kind: str) -> list[Evidence]:
    """What a letter encloses: the case's documents, a redacted copy in place of its original
    (except in a brief for one's own lawyer, who gets the originals)."""
    copies = _redacted_copies(data)
    items: list[Evidence] = []
    seen: set[str] = set()
    for item in data.evidence:
        if not _enclosable(item):
            continue
        if kind == "lawyer_brief":
            if item.origin == REDACTION_ORIGIN:
                continue
        else:
            if item.origin == REDACTION_ORIGIN:
                continue  # listed in its original's place below
            item = copies.get(item.number, item)
        if item.sha256 in seen:
            continue
        seen.add(item.sha256)
        items.append(item)
    return items


def _unique_names(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Distinct attachment names from (name, ref): a name already taken gets its ref in front."""
    names: list[str] = []
    for name, ref in pairs:
        names.append(f"{ref}-{name}" if name in names else name)
    return names


def _file_names(items: Sequence[Evidence]) -> dict[int, str]:
    """A distinct attachment name per item (its original name, prefixed by its ref if taken)."""
    pairs = [(item.original_name or f"{ref_of(item)}.bin", ref_of(item)) for item in items]
    return {item.number: name for item, name in zip(items, _unique_names(pairs), strict=True)}


def _enclosure_label(index: int, lang: str) -> str:
    return f"附件 {index}" if lang == "zh" else f"Encl. {index}"


# --- SLA ----------------------------------------------------------------------------------------


@dataclass
class _Sla:
    info: SlaInfo = field(default_factory=SlaInfo)
    credit: Decimal | None = None
    amounts: list[tuple[Decimal, str | None]] = field(default_factory=list)
    """Every sum the credit computation states (fee, minimum, credit), for the linter."""
    calculation: tuple[LocalText, ...] = ()
    deadline_day: date | None = None
    notes: list[str] = field(default_factory=list)


def _union_seconds(pairs: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(pairs):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def _sla(ws: Workspace, data: _CaseFile, now: datetime) -> _Sla:
    """The SLA's claim terms and, from the recorded incidents, the availability and credit."""
    from hostclaim.domain.deadlines.calendar_math import start_of_day
    from hostclaim.domain.sla import claim_deadline, compute_credit
    from hostclaim.services.sla_report import case_policy

    result = _Sla()
    if not (data.case.sla_policy or "").strip():
        return result
    try:
        choice = case_policy(ws, data.case.ref)
    except HostclaimError as exc:
        result.notes.append(exc.render())
        return result
    if choice is None:
        return result
    policy = choice.policy
    terms = policy.claim
    subject = terms.subject_must_contain
    info = terms.required_information
    required: tuple[LocalText, ...] = ()
    if info is not None and info.known and info.value:
        required = tuple(_both(f"sla.info.{item}") for item in info.value)
    target = policy.commitment.target_percent.value
    values: dict[str, Any] = {
        "policy_key": policy.key,
        "policy_name": f"{policy.provider} SLA ({policy.product})",
        "policy_version": policy.version,
        "subject_words": subject.value if subject is not None and subject.known else None,
        "required_information": required,
        "commitment": None if target is None else Decimal(str(target)),
    }

    ended = [row for row in data.incidents if row.end_at is not None]
    if ended:
        tz = policy.measurement.timezone.value or data.case.service_tz or "UTC"
        latest = max(ended, key=lambda row: row.start_at)
        local = latest.start_at.astimezone(zone(tz))
        year, month = local.year, local.month
        p0 = start_of_day(date(year, month, 1), tz)
        p1 = start_of_day(date(year + month // 12, month % 12 + 1, 1), tz)
        pairs = [
            (max(row.start_at, p0), min(row.end_at or now, p1))
            for row in data.incidents
            if row.start_at < p1 and (row.end_at or now) > p0
        ]
        in_period = [row for row in ended if row.start_at < p1 and row.end_at and row.end_at > p0]
        down = _union_seconds(pairs)
        share = Decimal(str(down)) / Decimal(str((p1 - p0).total_seconds()))
        availability = ((1 - share) * 100).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        refs = ", ".join(ref_of(row) for row in in_period)
        values["availability"] = availability.normalize()
        values["period"] = {
            "en": t("letter_cli.sla.period", "en", month=_month(year, month, "en"), zone=tz),
            "zh": t("letter_cli.sla.period", "zh", month=_month(year, month, "zh"), zone=tz),
        }
        values["method"] = _both("letter_cli.sla.method", refs=refs)
        fee, currency = data.case.monthly_fee, data.case.currency
        if fee and currency:
            try:
                credit = compute_credit(
                    policy,
                    availability=availability,
                    incidents=pairs,
                    monthly_fee=Decimal(fee),
                    currency=currency,
                    period_start=p0,
                    period_end=p1,
                )
            except HostclaimError as exc:
                result.notes.append(exc.render())
            else:
                lines: tuple[LocalText, ...] = tuple(
                    {"en": en, "zh": zh}
                    for en, zh in zip(credit.lines("en"), credit.lines("zh"), strict=True)
                )
                values["credit_lines"] = lines
                result.credit = credit.amount
                result.amounts += [(credit.amount, currency), (credit.base_fee, currency)]
                minimum = policy.credit.minimum
                if minimum is not None and minimum.value is not None:
                    result.amounts.append(
                        (Decimal(str(minimum.value.amount)), minimum.value.currency)
                    )
                result.calculation = lines
        first = min(in_period or ended, key=lambda row: row.end_at or now)
        assert first.end_at is not None
        try:
            window = claim_deadline(
                policy, incident_end=first.end_at, billing_cycle_day=data.case.billing_day
            )
        except HostclaimError as exc:
            result.notes.append(exc.render())
        else:
            values["claim_deadline"] = window.last_day
            result.deadline_day = window.last_day
    result.info = SlaInfo(**values)
    return result


# --- the letter context -------------------------------------------------------------------------


@dataclass
class BuiltContext:
    ctx: LetterContext
    enclosures: list[Evidence]
    notes: list[str]
    sla_credit: Decimal | None = None


def _ticket_near(data: _CaseFile, start: datetime, end: datetime | None) -> str | None:
    until = (end or start) + timedelta(days=3)
    for row in data.communications:
        if row.ticket_ref and start - timedelta(hours=1) <= row.at <= until:
            return row.ticket_ref
    return None


def _latest_ticket(data: _CaseFile) -> str | None:
    for row in reversed(data.communications):
        if row.ticket_ref:
            return row.ticket_ref
    return None


def _missed_deadline(data: _CaseFile, now: datetime) -> date | None:
    passed = [row for row in data.deadlines if row.kind == REPLY_KIND and row.due_at < now]
    if not passed:
        return None
    return local_date(max(passed, key=lambda row: row.due_at).due_at, data.complainant_zone)


def _escalation(data: _CaseFile, kind: str, lang: str, recipient: str | None) -> Escalation | None:
    reference = _latest_ticket(data)
    if kind == "escalation_management":
        body = recipient or t("letter_cli.management", lang, provider=data.case.provider_name)
        return Escalation(body=body, reference=reference)
    if kind not in ("regulator_complaint", "consumer_body_complaint", "mediation_request"):
        return None
    listed = _directory_body(recipient)
    if listed is not None:
        name = listed.names.zh.value if lang == "zh" else listed.names.en.value
        return Escalation(
            body=name,
            email=_channel_address(listed.channels, "email"),
            address=_channel_address(listed.channels, "post"),
        )
    return Escalation(body=recipient) if recipient else None


def _context(
    ws: Workspace,
    data: _CaseFile,
    *,
    kind: str,
    lang: str,
    reply_days: int,
    recipient: str | None,
    now: datetime,
) -> BuiltContext:
    case = data.case
    notes: list[str] = []
    listed = _directory_provider(case)
    legal_name = address = None
    if listed is not None and len(listed.legal_entities) == 1:
        entity = listed.legal_entities[0].value
        legal_name, address = entity.name, entity.address

    sla = _sla(ws, data, now)
    notes.extend(sla.notes)

    enclosures = _enclosure_items(data, kind)
    names = _file_names(enclosures)
    position = {item.number: index for index, item in enumerate(enclosures, start=1)}
    # An incident's evidence is cited by its enclosure number (a redacted copy stands in).
    copies = _redacted_copies(data)

    def cited(numbers: Iterable[int]) -> tuple[str, ...]:
        labels = []
        for number in numbers:
            stand_in = copies.get(number)
            index = position.get(number) or (position.get(stand_in.number) if stand_in else None)
            if index is not None:
                labels.append(_enclosure_label(index, lang))
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
                text=_both("letter_cli.sla.clause", percent=f"{sla.info.commitment.normalize():f}"),
            ),
        )
    forum = None
    if case.venue:
        basis = (
            _both("letter_cli.forum_basis", law=case.governing_law) if case.governing_law else None
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
            email=_complainant_email(case),
            phone=_complainant_phone(case),
            customer_id=case.complainant_account_id,
            is_consumer=case.complainant_type == "consumer",
        ),
        provider=Provider(
            name=case.provider_name,
            legal_name=legal_name,
            country=_country(case.provider_country, lang),
            address=address,
            website=case.provider_website,
            support_email=_provider_email(data),
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
        missed_deadline=_missed_deadline(data, now),
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
    _check_reply_days(reply_days)
    data = _read_case(ws, case_ref)
    return _context(
        ws,
        data,
        kind=kind,
        lang=lang,
        reply_days=reply_days,
        recipient=recipient,
        now=now or now_utc(),
    )


def _check_reply_days(days: int) -> None:
    if not 1 <= days <= 366:
        raise InvalidInput("letter_cli.error.bad_reply_days", value=days)


# --- the draft file -----------------------------------------------------------------------------

FENCE = "---"


def _with_header(markdown: str, extra: dict[str, object]) -> str:
    """``to_markdown``'s text with more header lines (our letter ref, the reply date)."""
    end = markdown.index(f"\n{FENCE}\n", len(FENCE))
    dumped = yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, width=10_000)
    return markdown[: end + 1] + dumped + markdown[end + 1 :]


@dataclass(frozen=True)
class DraftFile:
    path: Path
    text: str
    draft: Draft
    letter_ref: str | None
    reply_by: date | None


def _header_values(text: str) -> dict[str, Any]:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
    return loaded if isinstance(loaded, dict) else {}


def read_draft(path: Path) -> DraftFile:
    """An (edited) draft file: its header, its letter, our letter ref and reply date if any."""
    if not path.is_file():
        raise InvalidInput("error.file_missing", path=str(path))
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("letter_cli.error.not_utf8", path=str(path)) from None
    except OSError as exc:
        raise InvalidInput("error.file_unreadable", path=f"{path} ({exc.strerror})") from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    letter = draft_from_text(text)
    header = _header_values(text)
    reply_by = header.get("reply_by")
    if isinstance(reply_by, str):
        from hostclaim.domain.timeutil import parse_date

        reply_by = parse_date(reply_by)
    if reply_by is not None and not isinstance(reply_by, date):
        raise InvalidInput("error.letters.bad_front_matter", problem="reply_by is not a date")
    ref = header.get("letter")
    return DraftFile(path, text, letter, str(ref).strip().upper() if ref else None, reply_by)


@dataclass(frozen=True)
class DraftResult:
    letter: Letter
    path: Path
    draft: Draft
    notes: list[str]

    @property
    def missing(self) -> list[str]:
        """What the case did not know, in the draft's language."""
        return self.draft.missing_labels()


def _free_path(target: Path | None, case_ref: str, kind: str, lang: str) -> Path:
    name = f"{case_ref}-{kind}-{lang}.md"
    if target is not None and not target.is_dir():
        if not target.exists() and not target.suffix:
            raise InvalidInput("letter_cli.error.no_directory", path=str(target))
        if target.exists():
            raise InvalidInput("letter_cli.error.out_exists", path=str(target))
        if not target.parent.is_dir():
            raise InvalidInput("letter_cli.error.no_directory", path=str(target.parent))
        return target
    folder = target if target is not None else Path.cwd()
    candidate = folder / name
    counter = 2
    while candidate.exists():
        candidate = folder / f"{case_ref}-{kind}-{lang}-{counter}.md"
        counter += 1
    return candidate


def draft_letter(
    ws: Workspace,
    case_ref: str,
    kind: str,
    lang: str,
    *,
    out: Path | None = None,
    reply_days: int = DEFAULT_REPLY_DAYS,
    recipient: str | None = None,
    now: datetime | None = None,
) -> DraftResult:
    """Draft ``kind`` in ``lang`` from the case into a new file (default ``./CASE-KIND-LANG.md``,
    never over an existing one) and record the draft (kind, language, file hash)."""
    moment = now or now_utc()
    built = build_context(
        ws, case_ref, kind=kind, lang=lang, reply_days=reply_days, recipient=recipient, now=moment
    )
    letter = draft(kind, built.ctx, lang)
    reply_by = built.ctx.reply_deadline()
    from hostclaim.letters.render import to_markdown

    path = _free_path(out, built.ctx.case_ref or case_ref, letter.kind, letter.lang)
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        number = next_number(session, Letter, case.id)
        text = _with_header(to_markdown(letter), {"letter": f"L{number}", "reply_by": reply_by})
        data = text.encode("utf-8")
        row = Letter(
            case_id=case.id,
            number=number,
            created_at=moment,
            kind=letter.kind,
            lang=letter.lang,
            subject=letter.subject[:500],
            status=DRAFTED,
            recipient=recipient,
            draft_file=str(path.resolve()),
            draft_sha256=hashlib.sha256(data).hexdigest(),
            missing_facts=list(letter.missing_facts),
            reply_days=reply_days,
            reply_by=reply_by,
            outputs={},
            enclosure_numbers=[item.number for item in built.enclosures],
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            case,
            "letter_drafted",
            {"ref": ref_of(row), "kind": row.kind, "lang": row.lang, "sha256": row.draft_sha256},
            [row],
        )
        try:
            with path.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except FileExistsError:
            raise InvalidInput("letter_cli.error.out_exists", path=str(path)) from None
        except OSError as exc:
            raise InvalidInput(
                "letter_cli.error.cannot_write", path=str(path), detail=exc.strerror
            ) from exc
    return DraftResult(row, path, letter, built.notes)


def list_letters(ws: Workspace, case_ref: str) -> list[Letter]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Letter).where(Letter.case_id == case.id).order_by(Letter.number)
            ).scalars()
        )


# --- checking ------------------------------------------------------------------------------------


def lint_facts(
    data: _CaseFile,
    now: datetime,
    *,
    extra_dates: Iterable[date | None] = (),
    extra_amounts: Iterable[tuple[Decimal, str | None]] = (),
) -> Any:
    """What the linter may take as backed by the case: its dates, amounts and own contacts."""
    from hostclaim.domain.lint import LintFacts, Money

    zones = {"UTC", data.complainant_zone}
    if data.provider_zone:
        zones.add(data.provider_zone)

    def days_of(moment: datetime) -> set[date]:
        return {local_date(moment, tz) for tz in zones}

    dates: set[date] = set()
    ranges: list[tuple[date, date]] = []
    for incident in data.incidents:
        dates |= days_of(incident.start_at)
        if incident.end_at is not None:
            dates |= days_of(incident.end_at)
            ranges.append((utc(incident.start_at).date(), utc(incident.end_at).date()))
    for contact in data.communications:
        dates |= days_of(contact.at)
    for item in data.evidence:
        if item.captured_at is not None:
            dates |= days_of(item.captured_at)
    for demand in data.demands:
        if demand.due_date is not None:
            dates.add(demand.due_date)
    for deadline in data.deadlines:
        dates |= days_of(deadline.due_at)
    if data.case.service_start:
        dates.add(data.case.service_start)
    today = data.local_today(now)
    dates.add(today)
    dates |= {day for day in extra_dates if day is not None}

    amounts: list[Any] = []
    currency = data.case.currency
    if data.case.monthly_fee:
        amounts.append(Money(Decimal(data.case.monthly_fee), currency))
    totals: dict[str | None, Decimal] = {}
    for demand in data.demands:
        if demand.amount:
            value = Decimal(demand.amount)
            amounts.append(Money(value, demand.currency or currency))
            key = demand.currency or currency
            totals[key] = totals.get(key, Decimal(0)) + value
    amounts.extend(Money(value, code) for code, value in totals.items())
    amounts.extend(Money(value, code) for value, code in extra_amounts)

    own = own_contacts(data.case, _provider_email(data), data.communications)
    people = tuple(dict.fromkeys(c.counterpart for c in data.communications if c.counterpart))
    proven = any(
        incident.evidence_numbers or incident.established_by != "manual"
        for incident in data.incidents
    )
    return LintFacts(
        dates=dates,
        date_ranges=tuple(ranges),
        amounts=amounts,
        incident_proven=proven,
        own_contacts=tuple(own),
        people=people,
    )


@dataclass(frozen=True)
class LocatedFinding:
    """One linter finding and where it is: the letter file, or an enclosure (``E3 name``)."""

    source: str
    line: int
    column: int
    severity: str
    rule: str
    excerpt: str
    why: str
    fix: str
    evidence: str | None = None
    """The enclosure's evidence ref (``E3``) when the finding is in an enclosure."""

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "excerpt": self.excerpt,
            "why": self.why,
            "fix": self.fix,
            "evidence": self.evidence,
        }


@dataclass
class CheckReport:
    path: Path
    case_ref: str | None
    kind: str
    lang: str
    findings: list[LocatedFinding]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Enclosures whose text could not be read, and why."""
    placeholders: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def leaky_enclosures(self) -> list[str]:
        """Enclosures with privacy findings: candidates for ``evidence redact``."""
        refs = [f.evidence for f in self.findings if f.evidence and f.rule.startswith("privacy.")]
        return list(dict.fromkeys(ref for ref in refs if ref))

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "case": self.case_ref,
            "kind": self.kind,
            "lang": self.lang,
            "errors": self.errors,
            "warnings": self.warnings,
            "placeholders": self.placeholders,
            "findings": [f.as_dict() for f in self.findings],
            "skipped": [{"enclosure": name, "reason": why} for name, why in self.skipped],
            "redact": self.leaky_enclosures,
        }


def listed_enclosures(text: str, data: _CaseFile) -> list[Evidence]:
    """The case's evidence a letter lists, by the short SHA-256 it prints for each."""
    found: list[Evidence] = []
    for token in dict.fromkeys(_SHORT_HASH.findall(text)):
        match = [e for e in data.evidence if e.sha256.startswith(token) and _enclosable(e)]
        if match:
            item = min(match, key=lambda e: e.number)
            if item not in found:
                found.append(item)
    return found


def _attachment_reports(
    ws: Workspace, items: Sequence[Evidence], facts: Any
) -> tuple[list[LocatedFinding], list[tuple[str, str]]]:
    from hostclaim.domain.lint import lint_attachments

    names = _file_names(items)
    payload = [(names[item.number], evidence_service.read_bytes(ws, item)) for item in items]
    findings: list[LocatedFinding] = []
    skipped: list[tuple[str, str]] = []
    for item, report in zip(items, lint_attachments(payload, facts=facts), strict=True):
        label = f"{ref_of(item)} {names[item.number]}"
        if report.skipped:
            skipped.append((label, report.skipped))
        for found in report.findings:
            findings.append(_located(label, found, ref_of(item)))
    return findings, skipped


def _located(source: str, found: Any, evidence: str | None = None) -> LocatedFinding:
    return LocatedFinding(
        source=source,
        line=found.line,
        column=found.column,
        severity=found.severity,
        rule=found.rule,
        excerpt=found.excerpt,
        why=found.why,
        fix=found.fix,
        evidence=evidence,
    )


def _check(
    ws: Workspace,
    file: DraftFile,
    data: _CaseFile | None,
    now: datetime,
    enclosures: Sequence[Evidence] | None = None,
) -> CheckReport:
    from hostclaim.domain.lint import lint_text

    facts = _facts_for(ws, data, now, file) if data is not None else None
    findings = [
        _located(str(file.path), found)
        for found in lint_text(file.text, lang=file.draft.lang, facts=facts)
    ]
    skipped: list[tuple[str, str]] = []
    if data is not None:
        items = list(enclosures) if enclosures is not None else listed_enclosures(file.text, data)
        more, skipped = _attachment_reports(ws, items, facts)
        findings.extend(more)
    return CheckReport(
        path=file.path,
        case_ref=data.case.ref if data is not None else file.draft.case_ref,
        kind=file.draft.kind,
        lang=file.draft.lang,
        findings=findings,
        skipped=skipped,
        placeholders=file.draft.placeholders,
    )


def _facts_for(ws: Workspace, data: _CaseFile, now: datetime, file: DraftFile) -> Any:
    """The case's facts, plus what the letter itself rests on: its reply date, the SLA's claim
    deadline and the sums of the credit computation."""
    sla = _sla(ws, data, now)
    return lint_facts(
        data,
        now,
        extra_dates=(file.reply_by, sla.deadline_day, _missed_deadline(data, now)),
        extra_amounts=sla.amounts,
    )


def check_file(ws: Workspace, path: Path, *, now: datetime | None = None) -> CheckReport:
    """Lint a draft file and the enclosures it lists; the case named in its header gives facts."""
    file = read_draft(path)
    data = _read_case(ws, file.draft.case_ref) if file.draft.case_ref else None
    return _check(ws, file, data, now or now_utc())


def check_case(ws: Workspace, case_ref: str, *, now: datetime | None = None) -> list[CheckReport]:
    """Lint every draft of the case not yet issued whose file is still where it was written."""
    paths = [
        Path(row.draft_file)
        for row in list_letters(ws, case_ref)
        if row.status == DRAFTED and row.draft_file and Path(row.draft_file).is_file()
    ]
    if not paths:
        raise NotFound("letter_cli.error.no_drafts", case=case_ref.upper())
    data = _read_case(ws, case_ref)
    moment = now or now_utc()
    return [_check(ws, read_draft(path), data, moment) for path in paths]


# --- issuing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 30.0


@dataclass
class IssueOptions:
    channel: Channel = Channel.EMAIL
    formats: tuple[str, ...] | None = None
    """Default: md, html, pdf, docx, and eml when the channel is e-mail (or when sending)."""
    out_dir: Path | None = None
    """Where the renderings are written; default: the draft file's folder."""
    redacted_enclosures: bool = False
    force_reason: str | None = None
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    ticket_ref: str | None = None
    smtp: SmtpSettings | None = None
    now: datetime | None = None


@dataclass
class IssueResult:
    letter: Letter
    final_evidence: Evidence
    outputs: dict[str, tuple[Path, Evidence]]
    enclosures: list[Evidence]
    communication: Any
    deadline: Deadline | None
    sent: Evidence | None = None
    smtp_reply: str | None = None
    redacted: list[tuple[Evidence, Evidence]] = field(default_factory=list)
    """(original, redacted copy) for each enclosure sent redacted."""
    overridden: list[LocatedFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen: list[str] = []
    for raw in items:
        for part in raw.split(","):
            name = part.strip().lower().lstrip(".")
            if not name:
                continue
            if name not in FORMATS:
                raise InvalidInput(
                    "letter_cli.error.bad_format", value=part.strip(), known=", ".join(FORMATS)
                )
            if name not in chosen:
                chosen.append(name)
    if not chosen:
        raise InvalidInput("letter_cli.error.bad_format", value=str(text), known=", ".join(FORMATS))
    return tuple(chosen)


def _find_letter(session: Session, case: Case, ref: str | None) -> Letter | None:
    if ref is None:
        return None
    return get_numbered(session, Letter, case.id, ref)


def _swap_enclosures(text: str, swaps: Sequence[tuple[str, str, str, str]]) -> str:
    """The final text lists what is actually sent: each redacted copy's hash and file name in
    place of its original's, on the enclosure's own line. ``swaps``: (old sha256, new sha256,
    old file name, new file name)."""
    lines = text.split("\n")
    for old_sha, new_sha, old_name, new_name in swaps:
        token = old_sha[:12]
        for i, line in enumerate(lines):
            if token in line:
                line = line.replace(token, new_sha[:12])
                if old_name and old_name != new_name:
                    line = line.replace(letter_fmt.cell(old_name), letter_fmt.cell(new_name))
                    line = line.replace(old_name, new_name)
                lines[i] = line
    return "\n".join(lines)


@dataclass
class _Outgoing:
    """One enclosure as it will be sent: the item the letter lists, or a redacted copy of it
    (already in the locker, or still to be stored once the letter has gone out)."""

    listed: Evidence
    copy: Evidence | None = None
    planned: Any = None  # services.redaction.PlannedRedaction

    @property
    def ref(self) -> str:
        if self.planned is not None:
            return f"{ref_of(self.listed)} ({t('letter_cli.redacted')})"
        return ref_of(self.copy or self.listed)

    @property
    def name(self) -> str:
        if self.planned is not None:
            return str(self.planned.name)
        item = self.copy or self.listed
        return item.original_name or f"{ref_of(item)}.bin"

    @property
    def sha256(self) -> str:
        if self.planned is not None:
            return str(self.planned.sha256)
        return (self.copy or self.listed).sha256

    @property
    def media_type(self) -> str:
        if self.planned is not None:
            return str(self.planned.media_type)
        return (self.copy or self.listed).media_type

    def payload(self, ws: Workspace) -> bytes:
        if self.planned is not None:
            return bytes(self.planned.data)
        return evidence_service.read_bytes(ws, self.copy or self.listed)


def _render(letter: Draft, fmt: str, created: datetime) -> bytes:
    from hostclaim.letters.render import to_docx, to_html, to_pdf

    if fmt == "html":
        return to_html(letter).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(letter, created=created)
    if fmt == "docx":
        return to_docx(letter)
    raise AssertionError(fmt)


_MEDIA = {
    "md": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}


def issue_letter(ws: Workspace, case_ref: str, path: Path, options: IssueOptions) -> IssueResult:
    """Issue an edited draft: refuse what is unfinished or unsafe, then render, send, and record.

    Nothing is written (and nothing sent) until every check has passed and every rendering has
    been made; a letter is sent before it is recorded, so a failed send leaves no trace.
    """
    from hostclaim.letters.render import to_eml
    from hostclaim.letters.smtp import send_smtp
    from hostclaim.services import redaction

    now = options.now or now_utc()
    file = read_draft(path)
    data = _read_case(ws, case_ref)
    case = data.case
    letter = file.draft
    if letter.case_ref and letter.case_ref.upper() != case.ref:
        raise InvalidInput("letter_cli.error.other_case", file=str(path), case=letter.case_ref)
    get_kind(letter.kind)
    left = letter.placeholders
    if left:
        raise InvalidInput(
            "letter_cli.error.unfilled",
            count=len(left),
            items="; ".join(dict.fromkeys(left)),
        )
    with ws.reading() as session:
        row = _find_letter(session, load_case(session, case.ref), file.letter_ref)
    if row is not None and row.status == ISSUED:
        raise Conflict(
            "letter_cli.error.already_issued",
            ref=ref_of(row),
            at=row.issued_at.isoformat() if row.issued_at else "?",
        )
    if row is not None and row.kind != letter.kind:
        raise InvalidInput(
            "letter_cli.error.kind_changed", ref=ref_of(row), kind=row.kind, now=letter.kind
        )

    # The reply date: the letter's own, else the issue date + the days asked for.
    issued_day = local_date(now, data.complainant_zone)
    reply_days = row.reply_days if row is not None else DEFAULT_REPLY_DAYS
    reply_by = file.reply_by or issued_day + timedelta(days=reply_days)
    if reply_by < issued_day:
        raise InvalidInput("letter_cli.error.reply_by_passed", date=reply_by.isoformat())
    notes: list[str] = []
    from hostclaim.letters.fmt import day as fmt_day

    if file.reply_by is not None and fmt_day(reply_by, letter.lang) not in letter.markdown:
        notes.append(t("letter_cli.note.reply_date_not_in_text", date=reply_by.isoformat()))

    formats = options.formats or (
        ("md", "html", "pdf", "docx", "eml")
        if options.channel == Channel.EMAIL or options.smtp is not None
        else ("md", "html", "pdf", "docx")
    )
    if options.smtp is not None and "eml" not in formats:
        formats = (*formats, "eml")
    if options.force_reason is not None and not options.force_reason.strip():
        raise InvalidInput("letter_cli.error.force_needs_reason")

    # Enclosures: what the letter lists; redacted copies in their place when asked.
    listed = listed_enclosures(file.text, data)
    outgoing = [_Outgoing(item) for item in listed]
    if options.redacted_enclosures:
        copies = _redacted_copies(data)
        keep = own_contacts(data.case, _provider_email(data), data.communications)
        for entry in outgoing:
            item = entry.listed
            if item.origin == REDACTION_ORIGIN:
                continue
            if item.number in copies:
                entry.copy = copies[item.number]
                continue
            planned = redaction.plan(ws, item, keep=keep)
            if planned.refused:
                raise InvalidInput(
                    "letter_cli.error.enclosure_unredactable",
                    ref=ref_of(item),
                    name=item.original_name or item.title,
                    reason=planned.reason() or "",
                )
            if planned.spans:
                entry.planned = planned
    names = _unique_names([(entry.name, ref_of(entry.listed)) for entry in outgoing])
    payloads = [entry.payload(ws) for entry in outgoing]

    # The checks, on what will actually go out: the letter, and each enclosure as it will be sent.
    from hostclaim.domain.lint import lint_attachments

    facts = _facts_for(ws, data, now, file)
    findings = _check(ws, file, data, now, enclosures=[]).findings
    reports = lint_attachments(list(zip(names, payloads, strict=True)), facts=facts)
    for entry, name, report in zip(outgoing, names, reports, strict=True):
        label = f"{entry.ref} {name}"
        findings.extend(_located(label, found, ref_of(entry.listed)) for found in report.findings)
    errors = [f for f in findings if f.severity == "error"]
    if errors and options.force_reason is None:
        first = errors[0]
        raise InvalidInput(
            "letter_cli.error.lint_errors",
            count=len(errors),
            location=first.location,
            why=first.why,
            file=str(path),
        )

    # Where the renderings go: checked before anything is sent or written.
    out_dir = options.out_dir or path.resolve().parent
    if not out_dir.is_dir():
        raise InvalidInput("letter_cli.error.no_directory", path=str(out_dir))
    with ws.reading() as session:
        number = (
            row.number
            if row is not None
            else next_number(session, Letter, load_case(session, case.ref).id)
        )
    letter_ref = f"L{number}"
    stem = f"{case.ref}-{letter_ref}-{letter.kind}-{letter.lang}"
    targets = {fmt: out_dir / f"{stem}.{fmt}" for fmt in formats}
    for target in targets.values():
        if target.exists():
            raise InvalidInput("letter_cli.error.out_exists", path=str(target))

    # The final text lists what is actually sent (a redacted copy's hash and name).
    old_names = _file_names(listed)
    final_text = _swap_enclosures(
        file.text,
        [
            (entry.listed.sha256, entry.sha256, old_names[entry.listed.number], name)
            for entry, name in zip(outgoing, names, strict=True)
            if entry.sha256 != entry.listed.sha256
        ],
    )
    final_letter = draft_from_text(final_text)
    rendered: dict[str, bytes] = {"md": final_text.encode("utf-8")}
    for fmt in formats:
        if fmt in ("html", "pdf", "docx"):
            rendered[fmt] = _render(final_letter, fmt, now)
    recipients = list(options.to)
    if "eml" in formats:
        sender = options.sender
        if not sender:
            own = _complainant_email(case)
            sender = formataddr((case.complainant_name, own)) if own else None
        if not recipients:
            target_mail = _provider_email(data)
            recipients = [target_mail] if target_mail else []
        if not sender:
            raise InvalidInput("letter_cli.error.no_sender")
        if not recipients:
            raise InvalidInput("letter_cli.error.no_recipient")
        attachments = [
            Attachment(name, payload, entry.media_type)
            for entry, name, payload in zip(outgoing, names, payloads, strict=True)
        ]
        rendered["eml"] = to_eml(
            final_letter, sender=sender, to=recipients, date=now, attachments=attachments
        )

    # Send first: a letter that did not go out is not recorded as sent.
    smtp_result = None
    if options.smtp is not None:
        settings = options.smtp
        smtp_result = send_smtp(
            rendered["eml"],
            settings.host,
            settings.port,
            starttls=settings.starttls,
            username=settings.username,
            password=settings.password,
            use_ssl=settings.use_ssl,
            timeout=settings.timeout,
        )

    # Redacted copies made for this letter enter the locker, linked to their originals.
    redacted: list[tuple[Evidence, Evidence]] = []
    for entry in outgoing:
        if entry.planned is not None:
            entry.copy = redaction.store(ws, case.ref, entry.planned).evidence
        if entry.copy is not None:
            redacted.append((entry.listed, entry.copy))
    enclosures = [entry.copy or entry.listed for entry in outgoing]

    # Record: the final text, each rendering, the sent bytes; the contact; the deadline.
    title = t("letters.kind." + letter.kind)
    origin = f"{ORIGIN_PREFIX}{letter_ref}"

    def store_evidence(
        data_bytes: bytes, name: str, media: str, label: str, note: str | None = None
    ) -> Evidence:
        return evidence_service.add_bytes(
            ws,
            case.ref,
            data_bytes,
            name=name,
            kind=EvidenceKind.COMMUNICATION,
            title=t("letter_cli.evidence_title", ref=letter_ref, title=title, what=label),
            captured_at=now,
            note=note,
            origin=origin,
            media_type=media,
        ).evidence

    final_evidence = store_evidence(
        rendered["md"], f"{stem}.md", _MEDIA["md"], t("letter_cli.what.final")
    )
    outputs: dict[str, tuple[Path, Evidence]] = {}
    for fmt in formats:
        item = (
            final_evidence
            if fmt == "md"
            else store_evidence(rendered[fmt], f"{stem}.{fmt}", _MEDIA[fmt], fmt.upper())
        )
        outputs[fmt] = (targets[fmt], item)
    sent_evidence = None
    if smtp_result is not None:
        assert options.smtp is not None
        settings = options.smtp
        sent_evidence = store_evidence(
            smtp_result.sent,
            f"{stem}.sent.eml",
            _MEDIA["eml"],
            t("letter_cli.what.sent"),
            note=t(
                "letter_cli.sent_note",
                host=settings.host,
                port=settings.port,
                code=smtp_result.code,
                reply=smtp_result.message,
                to=", ".join(smtp_result.recipients),
            ),
        )
    for fmt, (target, _) in outputs.items():
        with target.open("xb") as handle:
            handle.write(rendered[fmt])

    ticket = options.ticket_ref
    if ticket is None:
        for contact in reversed(data.communications):
            if contact.ticket_ref and contact.ticket_ref in final_text:
                ticket = contact.ticket_ref
                break
    counterpart = _recipient_name(data, letter.kind, row, recipients)
    evidence_refs = [ref_of(final_evidence)] + [
        ref_of(item) for fmt, (_, item) in outputs.items() if fmt != "md"
    ]
    if sent_evidence is not None:
        evidence_refs.append(ref_of(sent_evidence))
    evidence_refs += [ref_of(item) for item in enclosures]
    contact_row = log_contact(
        ws,
        case.ref,
        ContactInput(
            at=now,
            channel=options.channel,
            direction=Direction.OUTBOUND,
            summary=t(
                "letter_cli.contact_summary",
                ref=letter_ref,
                title=title,
                lang=letter.lang,
                reply_by=reply_by.isoformat(),
            ),
            counterpart=counterpart,
            subject=final_letter.subject[:500],
            ticket_ref=ticket,
            evidence=list(dict.fromkeys(evidence_refs)),
        ),
    )
    deadline_row = None
    if letter.kind not in NO_REPLY_KINDS:
        days = (reply_by - issued_day).days
        deadline_row = add_deadline(
            ws,
            case.ref,
            DeadlineInput(
                due_at=due_after(now, Period(days, Unit.DAYS), data.complainant_zone),
                kind=REPLY_KIND,
                title=t("deadlines.title.reply_due.letter", letter=letter_ref),
                rule=REPLY_RULE,
                source=t("letter_cli.deadline_source", ref=letter_ref, date=reply_by.isoformat()),
                origin=letter_ref,
            ),
        )

    with ws.transaction() as session:
        locked = load_case(session, case.ref, lock=True)
        current = _find_letter(session, locked, letter_ref if row is not None else None)
        if current is None:
            current = Letter(
                case_id=locked.id,
                number=number,
                created_at=now,
                kind=letter.kind,
                lang=letter.lang,
                subject=final_letter.subject[:500],
                status=ISSUED,
                recipient=None,
                draft_file=str(path.resolve()),
                draft_sha256=None,
                missing_facts=[],
                reply_days=(reply_by - issued_day).days,
                reply_by=reply_by,
                outputs={},
                enclosure_numbers=[],
            )
            session.add(current)
        current.status = ISSUED
        current.subject = final_letter.subject[:500]
        current.reply_by = reply_by
        current.issued_at = now
        current.channel = options.channel.value
        current.final_sha256 = final_evidence.sha256
        current.evidence_number = final_evidence.number
        current.outputs = {fmt: item.number for fmt, (_, item) in outputs.items()}
        current.enclosure_numbers = [item.number for item in enclosures]
        current.communication_number = contact_row.number
        current.deadline_number = deadline_row.number if deadline_row is not None else None
        current.sent_evidence_number = sent_evidence.number if sent_evidence is not None else None
        current.smtp_reply = (
            f"{smtp_result.code} {smtp_result.message}" if smtp_result is not None else None
        )
        current.forced_reason = options.force_reason.strip() if options.force_reason else None
        session.flush()
        ledger.append(
            session,
            locked,
            "letter_issued",
            {
                "ref": ref_of(current),
                "sha256": final_evidence.sha256,
                "channel": options.channel.value,
                "sent": smtp_result is not None,
                "errors_overridden": len(errors) if options.force_reason else 0,
            },
            [current],
        )
    return IssueResult(
        letter=current,
        final_evidence=final_evidence,
        outputs=outputs,
        enclosures=enclosures,
        communication=contact_row,
        deadline=deadline_row,
        sent=sent_evidence,
        smtp_reply=current.smtp_reply,
        redacted=redacted,
        overridden=errors if options.force_reason else [],
        notes=notes,
    )


def _recipient_name(
    data: _CaseFile, kind: str, row: Letter | None, recipients: Sequence[str]
) -> str:
    if row is not None and row.recipient:
        return row.recipient
    if recipients:
        return ", ".join(recipients)
    if kind == "lawyer_brief":
        return t("letter_cli.counsel")
    return data.case.provider_name


# --- follow-up sees the letters issued ---------------------------------------------------------


@register_letter_source
def _issued(session: Session, case: Case) -> list[IssuedLetter]:
    rows = session.execute(
        select(Letter).where(Letter.case_id == case.id, Letter.status == ISSUED)
    ).scalars()
    letters = []
    for row in rows:
        if row.issued_at is None or row.kind in NO_REPLY_KINDS:
            continue
        zone_name = (
            case.complainant_tz
            or COUNTRY_ZONES.get(case.complainant_country or "")
            or case.service_tz
            or "UTC"
        )
        days = (
            (row.reply_by - local_date(row.issued_at, zone_name)).days
            if row.reply_by is not None
            else row.reply_days
        )
        letters.append(
            IssuedLetter(
                at=row.issued_at,
                ref=ref_of(row),
                kind=row.kind,
                reply_days=days,
                communication=row.communication_number,
            )
        )
    return letters
