"""Checking a letter: the linter over an (edited) draft and over the text of the enclosures it
lists, with the case's dates, amounts and contacts as the facts it may take as backed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.domain.timeutil import now_utc, utc
from hostclaim.errors import NotFound
from hostclaim.services import evidence as evidence_service
from hostclaim.services.letters.case_file import CaseFile, read_case
from hostclaim.services.letters.drafts import DRAFTED, DraftFile, read_draft
from hostclaim.services.letters.enclosures import file_names, listed_enclosures
from hostclaim.services.letters.listing import list_letters
from hostclaim.services.letters.parties import provider_email
from hostclaim.services.letters.reply import missed_deadline
from hostclaim.services.letters.sla import sla_facts
from hostclaim.services.records import ref_of
from hostclaim.services.redaction import own_contacts
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Evidence


def lint_facts(
    data: CaseFile,
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

    own = own_contacts(data.case, provider_email(data), data.communications)
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


def lint_enclosures(
    enclosures: Sequence[tuple[str, str, str, bytes]], facts: Any
) -> tuple[list[LocatedFinding], list[tuple[str, str]]]:
    """The linter's findings in each enclosure, given as (label, evidence ref, file name, bytes),
    and the enclosures whose text could not be read, with why."""
    from hostclaim.domain.lint import lint_attachments

    payload = [(name, data) for _, _, name, data in enclosures]
    findings: list[LocatedFinding] = []
    skipped: list[tuple[str, str]] = []
    for (label, evidence, _, _), report in zip(
        enclosures, lint_attachments(payload, facts=facts), strict=True
    ):
        if report.skipped:
            skipped.append((label, report.skipped))
        for found in report.findings:
            findings.append(_located(label, found, evidence))
    return findings, skipped


def _attachment_reports(
    ws: Workspace, items: Sequence[Evidence], facts: Any
) -> tuple[list[LocatedFinding], list[tuple[str, str]]]:
    names = file_names(items)
    return lint_enclosures(
        [
            (
                f"{ref_of(item)} {names[item.number]}",
                ref_of(item),
                names[item.number],
                evidence_service.read_bytes(ws, item),
            )
            for item in items
        ],
        facts,
    )


def check_draft(
    ws: Workspace,
    file: DraftFile,
    data: CaseFile | None,
    now: datetime,
    enclosures: Sequence[Evidence] | None = None,
) -> CheckReport:
    from hostclaim.domain.lint import lint_text

    facts = facts_for(ws, data, now, file) if data is not None else None
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


def facts_for(ws: Workspace, data: CaseFile, now: datetime, file: DraftFile) -> Any:
    """The case's facts, plus what the letter itself rests on: its reply date, the SLA's claim
    deadline and the sums of the credit computation."""
    sla = sla_facts(ws, data, now)
    return lint_facts(
        data,
        now,
        extra_dates=(file.reply_by, sla.deadline_day, missed_deadline(data, now)),
        extra_amounts=sla.amounts,
    )


def check_file(ws: Workspace, path: Path, *, now: datetime | None = None) -> CheckReport:
    """Lint a draft file and the enclosures it lists; the case named in its header gives facts."""
    file = read_draft(path)
    data = read_case(ws, file.draft.case_ref) if file.draft.case_ref else None
    return check_draft(ws, file, data, now or now_utc())


def check_case(ws: Workspace, case_ref: str, *, now: datetime | None = None) -> list[CheckReport]:
    """Lint every draft of the case not yet issued whose file is still where it was written."""
    paths = [
        Path(row.draft_file)
        for row in list_letters(ws, case_ref)
        if row.status == DRAFTED and row.draft_file and Path(row.draft_file).is_file()
    ]
    if not paths:
        raise NotFound("letter_cli.error.no_drafts", case=case_ref.upper())
    data = read_case(ws, case_ref)
    moment = now or now_utc()
    return [check_draft(ws, read_draft(path), data, moment) for path in paths]
