"""What the follow-up rules read, built from the case file.

The deadline rules (:mod:`hostclaim.domain.deadlines`) take :class:`DeadlineInputs`; the escalation
ladder and the legal checklist (:mod:`hostclaim.domain.escalation`) take :class:`CaseFacts` and an
:class:`EvidenceSummary`. This module reads a case once (:func:`load_case_data`) and builds all
three from it, plus the parsers that let ``case edit --set`` fill the case fields they need.

Conventions (documented for users in the README):

- A contact whose counterpart is a directory body key (``--counterpart cn-12315``) is a contact
  with that body, not with the provider: an outbound one is a filing with the body.
- An inbound contact that is an automatic acknowledgement ("auto-reply", "we have received your
  request", 自动回复 …) is kept as a contact but answers nothing.
- Letters issued: outbound contacts on channel ``letter``, plus whatever a registered letter
  source reports (:func:`register_letter_source`; the letters capability plugs in here).
- Calendar days are counted in the complainant's zone: ``complainant_tz``, else the main zone of
  the complainant's country, else the service's zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain import deadlines as dl
from hostclaim.domain.case import (
    Channel,
    ComplainantType,
    DemandStatus,
    Direction,
    EvidenceKind,
    parse_currency,
    parse_money,
)
from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.domain.directory import Directory, Eligibility, Provider, load_directory
from hostclaim.domain.directory.regions import covered_by_any, normalise_country
from hostclaim.domain.directory.values import Money
from hostclaim.domain.escalation import (
    CaseFacts,
    Complainant,
    Contact,
    ContractForum,
    EvidenceSummary,
    LetterKind,
)
from hostclaim.domain.lifecycle import Stage
from hostclaim.domain.timeutil import parse_date, parse_time, zone
from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.storage.tables import (
    Case,
    Communication,
    Deadline,
    Demand,
    Evidence,
    Incident,
)

# -- the case fields follow-up adds (``case edit --set FIELD=VALUE``) --------------------------


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput("error.followup.bad_count", value=text)
    return int(text)


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "true", "1", "y", "是"):
        return True
    if value in ("no", "false", "0", "n", "否"):
        return False
    raise InvalidInput("error.followup.bad_flag", value=text)


def _country_code(text: str) -> str:
    code = normalise_country(text)
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput("error.bad_country", value=text)
    return code


def _zone_name(text: str) -> str:
    return str(zone(text))


def _moment(text: str) -> datetime:
    """An aware time; a bare date means noon UTC, which is that same day almost everywhere."""
    raw = text.strip()
    if len(raw) == 10:
        return datetime.combine(parse_date(raw), time(12), tzinfo=UTC)
    return parse_time(raw)


def _memberships(text: str) -> list[str]:
    directory = load_directory()
    keys = [part.strip().lower() for part in text.split(",") if part.strip()]
    for key in keys:
        directory.body(key)  # a clear error for an unknown body
    return sorted(set(keys))


#: Parser per case field; ``services.cases.details_from_text`` calls these for ``--set``.
CASE_FIELDS: dict[str, Callable[[str], Any]] = {
    "complainant_tz": _zone_name,
    "complainant_employees": _count,
    "complainant_turnover": parse_money,
    "complainant_turnover_currency": parse_currency,
    "provider_memberships": _memberships,
    "governing_law": str.strip,
    "venue": str.strip,
    "venue_country": _country_code,
    "arbitration": _flag,
    "deadlock_letter_at": _moment,
    "management_escalation_at": _moment,
    "lawyer_consulted_on": parse_date,
    "statement_of_claim": str.strip,
    "evidence_list": str.strip,
    "claim_filed_on": parse_date,
    "hearing_on": parse_date,
    "judgment_on": parse_date,
    "judgment_enforced_on": parse_date,
}


def parse_case_field(key: str, text: str) -> Any:
    return CASE_FIELDS[key](text)


# -- letters issued: outbound letters, and a hook for the letters capability -------------------


@dataclass(frozen=True)
class IssuedLetter:
    """A formal letter sent to the provider.

    ``kind`` is a :class:`LetterKind` value when known; ``communication`` the number of the
    contact it was logged as (that contact then is not read as a letter a second time)."""

    at: datetime
    ref: str
    kind: str | None = None
    reply_days: int | None = None
    communication: int | None = None


LetterSource = Callable[[Session, Case], Iterable[IssuedLetter]]
_LETTER_SOURCES: list[LetterSource] = []


def register_letter_source(source: LetterSource) -> LetterSource:
    """Add a source of issued letters (e.g. a letters table); usable as a decorator."""
    if source not in _LETTER_SOURCES:
        _LETTER_SOURCES.append(source)
    return source


def _letter_words() -> list[tuple[LetterKind, tuple[str, ...]]]:
    words = []
    for kind in (
        LetterKind.LETTER_BEFORE_ACTION,
        LetterKind.ESCALATION_MANAGEMENT,
        LetterKind.FOLLOW_UP,
        LetterKind.COMPLAINT_LETTER,
    ):
        names = [kind.value, kind.value.replace("_", " ")]
        names += [t(f"escalation.letter.{kind.value}", lang) for lang in ("en", "zh")]
        names += list(_EXTRA_LETTER_WORDS.get(kind, ()))
        words.append((kind, tuple(n.casefold() for n in names)))
    return words


_EXTRA_LETTER_WORDS: dict[LetterKind, tuple[str, ...]] = {
    LetterKind.LETTER_BEFORE_ACTION: ("letter before claim", "律师函", "诉前函"),
    LetterKind.ESCALATION_MANAGEMENT: ("escalation", "升级投诉"),
}


def letter_kind_of(row: Communication) -> LetterKind:
    """The kind of a letter logged as a contact, from its subject or summary; a formal
    complaint letter unless they name another kind."""
    text = f"{row.subject or ''} {row.summary}".casefold()
    for kind, names in _letter_words():
        if any(name in text for name in names):
            return kind
    return LetterKind.COMPLAINT_LETTER


def issued_letters(
    session: Session, case: Case, communications: Iterable[Communication]
) -> list[IssuedLetter]:
    letters: list[IssuedLetter] = []
    for source in _LETTER_SOURCES:
        letters.extend(source(session, case))
    claimed = {letter.communication for letter in letters if letter.communication is not None}
    for row in communications:
        if (
            row.channel == Channel.LETTER.value
            and row.direction == Direction.OUTBOUND.value
            and row.number not in claimed
        ):
            letters.append(
                IssuedLetter(
                    at=row.at,
                    ref=f"C{row.number}",
                    kind=letter_kind_of(row).value,
                    communication=row.number,
                )
            )
    return sorted(letters, key=lambda letter: (letter.at, letter.ref))


# -- reading a case once ----------------------------------------------------------------------

_AUTO_REPLY = re.compile(
    r"auto(matic|mated)?[\s-]*(reply|response|acknowledg)|autorespon|autoreply|out of office"
    r"|we have received your|ticket (has been )?(created|opened|received)"
    r"|自动回复|自动答复|已收到您的",
    re.IGNORECASE,
)

#: The main zone of a country, for counting a complainant's calendar days when no zone is set.
COUNTRY_ZONES: dict[str, str] = {
    "AT": "Europe/Vienna",
    "AU": "Australia/Sydney",
    "BE": "Europe/Brussels",
    "CA": "America/Toronto",
    "CH": "Europe/Zurich",
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "HK": "Asia/Hong_Kong",
    "IE": "Europe/Dublin",
    "IN": "Asia/Kolkata",
    "IT": "Europe/Rome",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "LU": "Europe/Luxembourg",
    "MO": "Asia/Macau",
    "MY": "Asia/Kuala_Lumpur",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "SE": "Europe/Stockholm",
    "SG": "Asia/Singapore",
    "TH": "Asia/Bangkok",
    "TW": "Asia/Taipei",
    "US": "America/New_York",
    "VN": "Asia/Ho_Chi_Minh",
}


@dataclass
class CaseData:
    """A case and the records follow-up reads, loaded in one session."""

    case: Case
    communications: list[Communication]
    incidents: list[Incident]
    demands: list[Demand]
    evidence_kinds: frozenset[EvidenceKind]
    deadlines: list[Deadline]
    letters: list[IssuedLetter]
    directory: Directory = field(default_factory=load_directory)

    @property
    def provider(self) -> Provider | None:
        key = self.case.provider_key
        return self.directory.providers.get(key) if key else None

    @property
    def provider_country(self) -> str | None:
        if self.case.provider_country:
            return self.case.provider_country
        provider = self.provider
        return provider.country_code if provider else None

    @property
    def complainant_zone(self) -> str:
        case = self.case
        return (
            case.complainant_tz
            or COUNTRY_ZONES.get(case.complainant_country or "")
            or case.service_tz
            or "UTC"
        )

    def body_of(self, row: Communication) -> str | None:
        """The directory body a contact was with, when its counterpart is a body key."""
        key = (row.counterpart or "").strip().lower()
        return key if key in self.directory.bodies else None

    @property
    def provider_contacts(self) -> list[Communication]:
        return [row for row in self.communications if self.body_of(row) is None]

    @property
    def body_contacts(self) -> list[tuple[str, Communication]]:
        found = []
        for row in self.communications:
            body = self.body_of(row)
            if body is not None:
                found.append((body, row))
        return found

    def letter_of(self, number: int) -> LetterKind | None:
        for letter in self.letters:
            if letter.communication == number and letter.kind:
                try:
                    return LetterKind(letter.kind)
                except ValueError:
                    return None
        return None

    def sla_deadlines(self) -> list[Deadline]:
        """Claim windows added to the deadlines table by the SLA capability."""
        return [
            row
            for row in self.deadlines
            if row.kind == dl.DeadlineKind.SLA_CLAIM_WINDOW.value
            or row.rule.startswith(dl.DeadlineKind.SLA_CLAIM_WINDOW.value)
        ]


def load_case_data(session: Session, case: Case) -> CaseData:
    def rows(model: Any, *order: Any) -> list[Any]:
        return list(
            session.execute(
                select(model).where(model.case_id == case.id).order_by(*order)
            ).scalars()
        )

    communications = rows(Communication, Communication.at, Communication.number)
    directory = load_directory()
    to_provider = [
        row
        for row in communications
        if (row.counterpart or "").strip().lower() not in directory.bodies
    ]
    kinds = frozenset(
        EvidenceKind(kind)
        for kind in session.execute(
            select(Evidence.kind).where(Evidence.case_id == case.id)
        ).scalars()
    )
    return CaseData(
        case=case,
        communications=communications,
        incidents=rows(Incident, Incident.start_at, Incident.number),
        demands=rows(Demand, Demand.number),
        evidence_kinds=kinds,
        deadlines=rows(Deadline, Deadline.due_at, Deadline.number),
        letters=issued_letters(session, case, to_provider),
        directory=directory,
    )


def is_acknowledgement(row: Communication) -> bool:
    """An automatic acknowledgement answers nothing (a ticket number, "we received it")."""
    if row.direction != Direction.INBOUND.value:
        return False
    return bool(_AUTO_REPLY.search(f"{row.subject or ''} {row.summary}"))


# -- deadline inputs ---------------------------------------------------------------------------


def _fits(eligibility: Eligibility, employees: int, turnover: Money | None) -> bool | None:
    """Whether a business of this size may use a scheme; None when a figure is missing."""
    if not eligibility.businesses:
        return False
    for limit in (eligibility.max_employees, eligibility.max_full_time_equivalents):
        if limit is not None and employees > limit:
            return False
    cap = eligibility.max_turnover
    if cap is not None:
        if turnover is None or turnover.currency != cap.currency:
            return None
        if turnover.amount > cap.amount:
            return False
    return True


def _complainant_kind(data: CaseData) -> dl.ComplainantKind | None:
    """Consumer, small business (small enough for a scheme of the provider's country) or
    business; None when the business's size is not known."""
    case = data.case
    if case.complainant_type == ComplainantType.CONSUMER.value:
        return dl.ComplainantKind.CONSUMER
    employees = case.complainant_employees
    if employees is None:
        return None  # the schemes' caveats then say whom they take
    turnover = _money(case.complainant_turnover, case.complainant_turnover_currency)
    country = data.provider_country
    answers = [
        _fits(body.eligibility.value, employees, turnover)
        for body in data.directory.bodies.values()
        if country
        and covered_by_any(body.jurisdiction.value.provider_in, country)
        and body.eligibility.value.businesses
    ]
    if True in answers:
        return dl.ComplainantKind.SMALL_BUSINESS
    if None in answers:
        return None
    return dl.ComplainantKind.BUSINESS


def _incident_for(data: CaseData, origin: str | None) -> Incident | None:
    text = (origin or "").strip().upper()
    if text.startswith("I") and text[1:].isdigit():
        number = int(text[1:])
        return next((i for i in data.incidents if i.number == number), None)
    return None


def source_status(text: str | None) -> dl.SourceStatus:
    """The status a stored source line names (``… [verified]``); unconfirmed when none."""
    found = re.findall(r"\b(verified|unconfirmed|wrong-in-source)\b", (text or "").lower())
    return dl.SourceStatus(found[-1]) if found else dl.SourceStatus.UNCONFIRMED


def sla_claims(data: CaseData) -> list[tuple[Deadline, dl.SlaClaimDeadline]]:
    """The SLA capability's claim windows, as deadline inputs (each with its table row)."""
    found = []
    for row in data.sla_deadlines():
        incident = _incident_for(data, row.origin)
        start = None
        if incident is not None:
            start = incident.end_at or incident.start_at
        if start is None or start > row.due_at:
            start = min(row.created_at, row.due_at)
        status = source_status(row.source)
        found.append(
            (
                row,
                dl.SlaClaimDeadline(
                    due_at=row.due_at,
                    incident_at=start,
                    policy=row.rule,
                    source=row.source or row.rule,
                    status=status,
                    incident_ref=row.origin or "",
                ),
            )
        )
    return found


def deadline_inputs(data: CaseData, now: datetime) -> dl.DeadlineInputs:
    case = data.case
    provider_zone = case.service_tz or "UTC"
    contacts = [
        dl.Contact(
            at=row.at,
            direction=dl.Direction(row.direction),
            substantive=not is_acknowledgement(row),
            ref=f"C{row.number}",
        )
        for row in data.provider_contacts
    ]
    letters = [
        dl.LetterIssued(at=letter.at, ref=letter.ref, reply_days=letter.reply_days)
        for letter in data.letters
    ]
    internal = case.management_escalation_at
    if internal is None:
        escalations = [
            letter.at
            for letter in data.letters
            if letter.kind == LetterKind.ESCALATION_MANAGEMENT.value
        ]
        internal = min(escalations, default=None)
    filings = [
        dl.BodyFiling(body=body, at=row.at, ref=f"C{row.number}")
        for body, row in data.body_contacts
        if row.direction == Direction.OUTBOUND.value
    ]
    first_incident = min((i.start_at for i in data.incidents), default=None)
    return dl.DeadlineInputs(
        now=now,
        complainant=dl.Party(country=case.complainant_country or "", zone=data.complainant_zone),
        provider=dl.Party(country=data.provider_country or "", zone=provider_zone),
        complainant_kind=_complainant_kind(data),
        contacts=tuple(contacts),
        letters=tuple(letters),
        internal_escalation_at=internal,
        deadlock_letter_at=case.deadlock_letter_at,
        dispute_arose_at=first_incident,
        sla_claims=tuple(claim for _row, claim in sla_claims(data)),
        body_filings=tuple(filings),
    )


# -- escalation facts --------------------------------------------------------------------------


def _money(amount: str | None, currency: str | None) -> Money | None:
    if not amount or not currency:
        return None
    return Money(amount=Decimal(amount), currency=currency)


def amounts_claimed(data: CaseData) -> list[Money]:
    """Money still asked for: open demands, and refused ones (a court may still award them)."""
    live = (DemandStatus.OPEN.value, DemandStatus.REFUSED.value)
    found = [_money(d.amount, d.currency) for d in data.demands if d.status in live]
    return [money for money in found if money is not None]


def contract_forum(case: Case) -> ContractForum | None:
    if not (case.governing_law or case.venue or case.venue_country or case.arbitration):
        return None
    return ContractForum(
        governing_law=case.governing_law,
        venue=case.venue,
        venue_country=case.venue_country,
        arbitration=bool(case.arbitration),
    )


def missing_for_ladder(case: Case) -> list[str]:
    """Case fields the escalation ladder cannot do without."""
    return [] if case.complainant_country else ["complainant_country"]


def case_facts(data: CaseData, now: datetime) -> CaseFacts:
    case = data.case
    if missing := missing_for_ladder(case):
        raise InvalidInput(
            "error.followup.field_needed", field=missing[0], case=case.ref, example="CN"
        )
    tz = data.complainant_zone

    def day(moment: datetime | None) -> date | None:
        return None if moment is None else local_date(moment, tz)

    contacts = []
    for row in data.provider_contacts:
        if is_acknowledgement(row):
            continue
        contacts.append(
            Contact(
                at=local_date(row.at, tz),
                direction=Direction(row.direction),
                channel=Channel(row.channel),
                letter=data.letter_of(row.number),
            )
        )
    outbound = [c.at for c in contacts if c.direction is Direction.OUTBOUND]
    # Once a formal letter went out, the complaint counts as made from the first contact on;
    # until then the ladder still suggests the formal complaint letter.
    formal = bool(data.letters)
    turnover = _money(case.complainant_turnover, case.complainant_turnover_currency)
    return CaseFacts(
        complainant=Complainant(
            type=ComplainantType(case.complainant_type),
            country=case.complainant_country or "",
            employees=case.complainant_employees,
            annual_turnover=turnover,
        ),
        provider_key=case.provider_key if data.provider is not None else None,
        provider_country=data.provider_country,
        provider_memberships=tuple(case.provider_memberships or ()),
        stage=Stage(case.stage),
        contacts=tuple(contacts),
        complaint_first_made_at=min(outbound) if formal and outbound else None,
        deadlock_letter_at=day(case.deadlock_letter_at),
        management_escalation_at=day(case.management_escalation_at),
        incidents=tuple(local_date(i.start_at, tz) for i in data.incidents),
        amounts_claimed=tuple(amounts_claimed(data)),
        contract_forum=contract_forum(case),
        today=local_date(now, tz),
    )


def evidence_summary(data: CaseData) -> EvidenceSummary:
    case = data.case
    return EvidenceSummary(
        kinds=data.evidence_kinds,
        statement_of_claim=bool(case.statement_of_claim),
        evidence_list=bool(case.evidence_list),
        lawyer_consulted=case.lawyer_consulted_on is not None,
        filed_on=case.claim_filed_on,
        hearing_on=case.hearing_on,
        judgment_on=case.judgment_on,
        judgment_enforced=case.judgment_enforced_on is not None,
    )
