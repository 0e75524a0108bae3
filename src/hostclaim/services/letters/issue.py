"""Issuing a letter: refuse a draft with placeholders or error-level findings (unless forced,
with a reason), render it, send it by SMTP when asked, then keep the final text, every rendering
and the sent bytes as evidence, log the outbound contact and add the reply-due deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr
from pathlib import Path
from typing import Any

from hostclaim.domain.case import Channel, Direction, EvidenceKind
from hostclaim.domain.deadlines.calendar_math import Period, Unit, due_after, local_date
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import Conflict, InvalidInput
from hostclaim.i18n import t
from hostclaim.letters import get_kind
from hostclaim.letters.render import Attachment, draft_from_text
from hostclaim.services import evidence as evidence_service
from hostclaim.services.communications import ContactInput, log_contact
from hostclaim.services.deadlines import DeadlineInput, add_deadline
from hostclaim.services.letters.case_file import CaseFile, read_case
from hostclaim.services.letters.checks import (
    LocatedFinding,
    check_draft,
    facts_for,
    lint_enclosures,
)
from hostclaim.services.letters.drafts import ISSUED, find_letter, read_draft
from hostclaim.services.letters.enclosures import (
    ORIGIN_PREFIX,
    file_names,
    listed_enclosures,
    plan_outgoing,
    swap_enclosures,
    unique_names,
)
from hostclaim.services.letters.formats import MEDIA, render
from hostclaim.services.letters.parties import complainant_email, provider_email
from hostclaim.services.letters.reply import (
    DEFAULT_REPLY_DAYS,
    NO_REPLY_KINDS,
    REPLY_KIND,
    REPLY_RULE,
)
from hostclaim.services.records import next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Deadline, Evidence
from hostclaim.storage.tables_letters import Letter


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
    data = read_case(ws, case_ref)
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
        row = find_letter(session, load_case(session, case.ref), file.letter_ref)
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
    outgoing = plan_outgoing(ws, data, listed, redacted=options.redacted_enclosures)
    names = unique_names([(entry.name, ref_of(entry.listed)) for entry in outgoing])
    payloads = [entry.payload(ws) for entry in outgoing]

    # The checks, on what will actually go out: the letter, and each enclosure as it will be sent.
    facts = facts_for(ws, data, now, file)
    findings = check_draft(ws, file, data, now, enclosures=[]).findings
    in_enclosures, _ = lint_enclosures(
        [
            (f"{entry.ref} {name}", ref_of(entry.listed), name, payload)
            for entry, name, payload in zip(outgoing, names, payloads, strict=True)
        ],
        facts,
    )
    findings.extend(in_enclosures)
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
    old_names = file_names(listed)
    final_text = swap_enclosures(
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
            rendered[fmt] = render(final_letter, fmt, now)
    recipients = list(options.to)
    if "eml" in formats:
        sender = options.sender
        if not sender:
            own = complainant_email(case)
            sender = formataddr((case.complainant_name, own)) if own else None
        if not recipients:
            target_mail = provider_email(data)
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
        rendered["md"], f"{stem}.md", MEDIA["md"], t("letter_cli.what.final")
    )
    outputs: dict[str, tuple[Path, Evidence]] = {}
    for fmt in formats:
        item = (
            final_evidence
            if fmt == "md"
            else store_evidence(rendered[fmt], f"{stem}.{fmt}", MEDIA[fmt], fmt.upper())
        )
        outputs[fmt] = (targets[fmt], item)
    sent_evidence = None
    if smtp_result is not None:
        assert options.smtp is not None
        settings = options.smtp
        sent_evidence = store_evidence(
            smtp_result.sent,
            f"{stem}.sent.eml",
            MEDIA["eml"],
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
        current = find_letter(session, locked, letter_ref if row is not None else None)
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
    data: CaseFile, kind: str, row: Letter | None, recipients: Sequence[str]
) -> str:
    if row is not None and row.recipient:
        return row.recipient
    if recipients:
        return ", ".join(recipients)
    if kind == "lawyer_brief":
        return t("letter_cli.counsel")
    return data.case.provider_name
