"""Letters from the case file: context, drafts, checks, issuing, redaction — on the demo case,
with real SQLite, a real blob store and a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from aiosmtpd.controller import Controller

from hostclaim.domain.case import Channel, EvidenceKind
from hostclaim.domain.deadlines.calendar_math import end_of_day
from hostclaim.errors import Conflict, InvalidInput
from hostclaim.i18n import t
from hostclaim.letters import DISCLAIMER, all_kinds
from hostclaim.letters.render.docx import docx_text
from hostclaim.services import cases, communications, deadlines, evidence, redaction
from hostclaim.services import letters as service
from hostclaim.services.demo import build_demo
from hostclaim.services.records import ref_of
from hostclaim.services.verify import verify_case
from hostclaim.services.workspace import Workspace

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen
ACCOUNT = "K-58213"
KINDS = [kind.key for kind in all_kinds()]
PASSWORD_LINE = "Our admin login for your engineers: root password: Hunter2xyz!"
PHONE_LINE = "Our colleague Li Lei can be reached on +49 170 1234567."


@pytest.fixture
def demo(ws: Workspace) -> str:
    return build_demo(ws)


def _draft(ws: Workspace, ref: str, folder: Path, kind: str, lang: str, **extra: Any) -> Path:
    return service.draft_letter(ws, ref, kind, lang, out=folder, now=NOW, **extra).path


def _edit(path: Path, *lines: str) -> None:
    """Add lines to the letter body, after the salutation, as a person editing it would."""
    text = path.read_text(encoding="utf-8")
    anchor = "Dear Sir or Madam," if "Dear Sir or Madam," in text else "尊敬的"
    head, _, tail = text.partition(anchor)
    first, _, rest = tail.partition("\n")
    path.write_text(head + anchor + first + "\n\n" + "\n\n".join(lines) + "\n" + rest, "utf-8")


def _short(ws: Workspace, ref: str, name: str) -> str:
    item = next(e for e in evidence.list_evidence(ws, ref) if e.original_name == name)
    return item.sha256[:12]


# --- the context ---------------------------------------------------------------------------------


def test_the_context_comes_from_the_case(ws: Workspace, demo: str) -> None:
    built = service.build_context(ws, demo, kind="sla_credit_claim", lang="en", now=NOW)
    ctx = built.ctx
    assert ctx.complainant.customer_id == ACCOUNT
    assert ctx.complainant.email == "ops@lanhai-shop.example"
    assert ctx.provider.name == "Nordstern Hosting GmbH"
    assert ctx.provider.country == "Germany"
    assert ctx.provider.support_email == "support@nordstern-hosting.example"
    assert ctx.provider.zone == "Europe/Berlin"
    assert ctx.service.monthly_fee == Decimal("89.00") and ctx.service.currency == "EUR"
    (incident,) = ctx.incidents
    assert incident.start == datetime(2026, 10, 3, 6, 10, 2, tzinfo=UTC)
    assert incident.targets == ("api-1 (203.0.113.10)",)
    assert incident.ticket_ref == "#448120"
    assert incident.evidence_refs == ("Encl. 3",)  # the syslog, as the letter numbers it
    assert len(ctx.communications) == 4
    assert [d.amount for d in ctx.demands] == [Decimal("26.70"), None]
    assert [e.sha256 for e in ctx.enclosures] == [
        e.sha256[:12] for e in evidence.list_evidence(ws, demo)
    ]
    assert ctx.letter_date == date(2026, 11, 20)
    assert ctx.reply_deadline() == date(2026, 12, 4)
    assert ctx.sla.subject_words is None  # the demo case names no SLA policy


def test_the_sla_gives_subject_words_required_information_and_the_credit(
    ws: Workspace, demo: str
) -> None:
    cases.update_case(ws, demo, cases.CaseDetails(sla_policy="aws-ec2-instance"))
    sla = service.build_context(ws, demo, kind="sla_credit_claim", lang="en", now=NOW).ctx.sla
    assert sla.subject_words == "SLA Credit Request"
    assert len(sla.required_information) == 3
    assert sla.commitment == Decimal("99.5")
    # 19 h 55 min down in October (744 h): 97.323 %, the 30 % tier of EUR 89.00.
    assert sla.availability == Decimal("97.323")
    assert any("26.70" in str(line) for line in sla.credit_lines)
    assert sla.claim_deadline is not None and sla.claim_deadline > date(2026, 10, 4)


# --- drafts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_drafted_from_the_demo_case(
    ws: Workspace, demo: str, tmp_path: Path, kind: str, lang: str
) -> None:
    result = service.draft_letter(ws, demo, kind, lang, out=tmp_path, now=NOW)
    assert result.path == tmp_path / f"{demo}-{kind}-{lang}.md"
    text = result.path.read_text(encoding="utf-8")
    assert text.startswith(f"---\nkind: {kind}\nlang: {lang}\ncase: {demo}\n")
    assert "letter: L1\n" in text and "reply_by: 2026-12-04\n" in text
    assert ACCOUNT in text
    assert "26.70" in text
    if kind != "follow_up":  # a follow-up cites the contacts, not the incident times
        assert "2026-10-03 06:10 UTC" in text  # UTC …
        assert "2026-10-03 08:10" in text  # … and Europe/Berlin
    if kind != "support_ticket":  # a short ticket lists no enclosures
        for name in ("contract-NS-2026-00417.pdf", "api-1-syslog-2026-10-03.log"):
            assert _short(ws, demo, name) in text
    for code in ("en", "zh"):
        assert t(DISCLAIMER, code) not in text
    assert "not legal advice" not in text and "不构成法律意见" not in text
    row = result.letter
    assert (row.kind, row.lang, row.status) == (kind, lang, "drafted")
    assert row.draft_sha256 == hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert row.missing_facts == list(result.draft.missing_facts)
    assert verify_case(ws, demo).intact


def test_a_draft_never_overwrites_a_file(ws: Workspace, demo: str, tmp_path: Path) -> None:
    first = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    before = first.read_bytes()
    second = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    assert second.name == f"{demo}-complaint_letter-en-2.md"
    assert first.read_bytes() == before
    with pytest.raises(InvalidInput):
        service.draft_letter(ws, demo, "complaint_letter", "en", out=first, now=NOW)
    assert [row.number for row in service.list_letters(ws, demo)] == [1, 2]


def test_missing_facts_are_placeholders_and_listed(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    result = service.draft_letter(ws, demo, "letter_before_action", "en", out=tmp_path, now=NOW)
    assert "forum.name" in result.draft.missing_facts
    text = result.path.read_text(encoding="utf-8")
    for label in result.missing:
        assert f"[[TO FILL: {label}]]" in text


def test_reply_days_and_addressee_are_configurable(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    result = service.draft_letter(
        ws, demo, "complaint_letter", "en", out=tmp_path, now=NOW, reply_days=30
    )
    assert "**20 December 2026**" in result.path.read_text(encoding="utf-8")
    assert result.letter.reply_by == date(2026, 12, 20)
    body = service.draft_letter(
        ws, demo, "regulator_complaint", "en", out=tmp_path, now=NOW, recipient="Bundesnetzagentur"
    )
    assert "**Bundesnetzagentur**" in body.path.read_text(encoding="utf-8")
    assert "escalation.body" not in body.draft.missing_facts
    with pytest.raises(InvalidInput):
        service.draft_letter(ws, demo, "complaint_letter", "en", out=tmp_path, reply_days=0)


# --- checks --------------------------------------------------------------------------------------


def test_check_finds_a_root_password_and_a_phone_number(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    path = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    clean = service.check_file(ws, path, now=NOW)
    assert clean.errors == 0
    _edit(path, PASSWORD_LINE, PHONE_LINE)
    report = service.check_file(ws, path, now=NOW)
    rules = {f.rule: f for f in report.findings}
    assert rules["privacy.password"].severity == "error"
    assert "privacy.phone" in rules
    line = path.read_text(encoding="utf-8").split("\n").index(PASSWORD_LINE) + 1
    assert rules["privacy.password"].line == line
    assert rules["privacy.password"].location.startswith(f"{path}:{line}:")
    assert "Hunter2xyz!" not in rules["privacy.password"].excerpt
    assert rules["privacy.password"].why and rules["privacy.password"].fix
    # The case's own contacts (the complainant's, the provider's) are not flagged.
    assert not [f for f in report.findings if f.rule == "privacy.email"]
    assert [r.path for r in service.check_case(ws, demo, now=NOW)] == [path]


def test_check_reads_the_enclosures_too(ws: Workspace, demo: str, tmp_path: Path) -> None:
    leaky = evidence.add_bytes(
        ws, demo, b"2026-10-03T06:12:00Z api-1 mysql: login root password=Hunter2xyz!\n",
        name="db.log", kind=EvidenceKind.SYSTEM_LOG, origin="test",
    ).evidence  # fmt: skip
    path = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    assert leaky.sha256[:12] in path.read_text(encoding="utf-8")
    report = service.check_file(ws, path, now=NOW)
    (found,) = [f for f in report.findings if f.source.startswith(ref_of(leaky))]
    assert found.rule == "privacy.password" and found.line == 1
    assert found.evidence == ref_of(leaky)
    assert report.errors == 1
    assert report.leaky_enclosures == [ref_of(leaky)]


# --- issuing -------------------------------------------------------------------------------------


def test_issue_refuses_while_placeholders_remain(ws: Workspace, demo: str, tmp_path: Path) -> None:
    path = _draft(ws, demo, tmp_path, "letter_before_action", "en")
    before = len(evidence.list_evidence(ws, demo))
    with pytest.raises(InvalidInput) as error:
        service.issue_letter(ws, demo, path, service.IssueOptions(now=NOW))
    message = error.value.render("en")
    assert "the court or arbitration body where you would file the claim" in message
    assert "the provider's postal address" in message
    assert len(evidence.list_evidence(ws, demo)) == before
    assert len(communications.list_contacts(ws, demo)) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, "home"])


def test_issue_stores_the_letter_logs_the_contact_and_sets_the_reply_deadline(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    path = _draft(ws, demo, tmp_path, "complaint_letter", "zh")
    out = tmp_path / "out"
    out.mkdir()
    result = service.issue_letter(
        ws, demo, path, service.IssueOptions(channel=Channel.EMAIL, out_dir=out, now=NOW)
    )
    row = result.letter
    assert (ref_of(row), row.status, row.channel) == ("L1", "issued", "email")

    # The final text is evidence, byte for byte the file as issued.
    final = result.final_evidence
    assert final.kind == "communication" and final.origin == "letter:L1"
    assert evidence.read_bytes(ws, final) == path.read_bytes()
    assert set(result.outputs) == {"md", "html", "pdf", "docx", "eml"}
    for fmt, (target, item) in result.outputs.items():
        assert target.read_bytes() == evidence.read_bytes(ws, item), fmt

    # PDF: the Chinese is in the text layer; DOCX and .eml parse back.
    pdf = result.outputs["pdf"][0].read_bytes()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    assert "尊敬的" in text and "故障" in text
    assert "投诉" in docx_text(result.outputs["docx"][0].read_bytes())
    message = message_from_bytes(result.outputs["eml"][0].read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "support@nordstern-hosting.example"
    assert message["From"].addresses[0].addr_spec == "ops@lanhai-shop.example"
    names = [part.get_filename() for part in message.iter_attachments()]
    assert "api-1-syslog-2026-10-03.log" in names and len(names) == 6
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        digest = hashlib.sha256(payload).hexdigest()
        assert digest[:12] in path.read_text(encoding="utf-8")

    # The contact and the deadline: 14 days, on the complainant's calendar (Shenzhen).
    contact = result.communication
    assert (contact.direction, contact.channel, contact.ticket_ref) == (
        "outbound", "email", "#448120",
    )  # fmt: skip
    assert contact.subject == result.letter.subject
    assert ref_of(final) in [f"E{n}" for n in contact.evidence_numbers]
    deadline = result.deadline
    assert deadline is not None
    assert (deadline.kind, deadline.rule, deadline.origin) == (
        "reply_due",
        "reply_due.letter",
        "L1",
    )
    assert deadline.due_at == end_of_day(date(2026, 12, 4), "Asia/Shanghai")
    assert deadline.due_at.date() - NOW.date() == timedelta(days=14)
    assert verify_case(ws, demo).intact

    with pytest.raises(Conflict):  # a letter goes out once
        service.issue_letter(ws, demo, path, service.IssueOptions(out_dir=tmp_path, now=NOW))


def test_follow_up_sees_the_issued_letter_and_keeps_its_deadline(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    from hostclaim.services.followup import sync_deadlines

    path = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    result = service.issue_letter(ws, demo, path, service.IssueOptions(now=NOW))
    sync_deadlines(ws, demo, now=NOW + timedelta(days=1))
    rows = [d for d in deadlines.list_deadlines(ws, demo) if d.rule == "reply_due.letter"]
    assert result.deadline is not None
    assert [(d.number, d.status) for d in rows] == [(result.deadline.number, "open")]


def test_issue_refuses_error_findings_unless_forced_with_a_reason(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    path = _draft(ws, demo, tmp_path, "support_ticket", "en")
    _edit(path, PASSWORD_LINE)
    with pytest.raises(InvalidInput) as error:
        service.issue_letter(ws, demo, path, service.IssueOptions(channel=Channel.PORTAL, now=NOW))
    assert "privacy" in error.value.render("en").lower() or "password" in error.value.render("en")
    with pytest.raises(InvalidInput):
        service.issue_letter(ws, demo, path, service.IssueOptions(force_reason="  ", now=NOW))
    result = service.issue_letter(
        ws, demo, path,
        service.IssueOptions(channel=Channel.PORTAL, force_reason="dummy credentials", now=NOW),
    )  # fmt: skip
    assert result.letter.forced_reason == "dummy credentials"
    assert [f.rule for f in result.overridden] == ["privacy.password"]
    assert "eml" not in result.outputs  # a portal message needs no e-mail


def test_redacted_enclosures_replace_the_originals_in_the_letter(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    secret = b"2026-10-03T06:12:00Z api-1 mysql: login root password=Hunter2xyz!\n"
    leaky = evidence.add_bytes(
        ws, demo, secret, name="db.log", kind=EvidenceKind.SYSTEM_LOG, origin="test"
    ).evidence
    path = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    with pytest.raises(InvalidInput):  # the log's password is an error
        service.issue_letter(ws, demo, path, service.IssueOptions(now=NOW))
    result = service.issue_letter(
        ws, demo, path, service.IssueOptions(redacted_enclosures=True, now=NOW)
    )
    ((original, copy),) = result.redacted
    assert original.number == leaky.number
    assert (copy.derived_from, copy.origin) == (leaky.number, "redaction")
    assert b"Hunter2xyz!" not in evidence.read_bytes(ws, copy)
    final = evidence.read_bytes(ws, result.final_evidence).decode()
    assert copy.sha256[:12] in final and leaky.sha256[:12] not in final
    assert "db.redacted.log" in final
    message = message_from_bytes(result.outputs["eml"][0].read_bytes(), policy=policy.default)
    sent = {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }
    assert sent["db.redacted.log"] == evidence.read_bytes(ws, copy)
    assert copy in result.enclosures and leaky not in result.enclosures
    assert verify_case(ws, demo).intact


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass
class Inbox:
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 Ok: queued as LTR1"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_send_keeps_the_exact_bytes_sent(
    ws: Workspace, demo: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    path = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    result = service.issue_letter(
        ws, demo, path,
        service.IssueOptions(
            smtp=service.SmtpSettings(host="127.0.0.1", port=port, timeout=10),
            to=["complaints@nordstern-hosting.example"], now=NOW,
        ),
    )  # fmt: skip
    ((mail_from, rcpts, content),) = inbox.messages
    assert mail_from == "ops@lanhai-shop.example"
    assert rcpts == ["complaints@nordstern-hosting.example"]
    assert result.sent is not None
    assert evidence.read_bytes(ws, result.sent) == content
    assert "queued as LTR1" in (result.letter.smtp_reply or "")
    assert "queued as LTR1" in (result.sent.note or "")
    assert verify_case(ws, demo).intact


# --- redaction -----------------------------------------------------------------------------------


def test_redact_a_log_with_a_password_and_an_id_number(ws: Workspace, demo: str) -> None:
    log = (
        b"2026-10-03T06:10:02Z api-1 sshd: root password: Hunter2xyz!\n"
        b"2026-10-03T06:11:00Z api-1 app: customer id 11010519491231002X opened a ticket\n"
    )
    source = evidence.add_bytes(
        ws, demo, log, name="app.log", kind=EvidenceKind.SYSTEM_LOG, origin="test"
    ).evidence
    outcome = redaction.redact_evidence(ws, demo, ref_of(source))
    assert outcome.copy is not None
    assert {(span.kind, span.line) for span in outcome.spans} >= {("password", 1), ("id_number", 2)}
    masked = evidence.read_bytes(ws, outcome.copy)
    assert b"Hunter2xyz!" not in masked and b"11010519491231002X" not in masked
    assert (outcome.copy.derived_from, outcome.copy.original_name) == (
        source.number, "app.redacted.log",
    )  # fmt: skip
    again = redaction.redact_evidence(ws, demo, ref_of(source))
    assert again.existed and again.copy is not None and again.copy.number == outcome.copy.number
    assert verify_case(ws, demo).intact


def test_an_image_only_pdf_is_refused_and_nothing_is_written(ws: Workspace, demo: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(30, 30, 30)
    pdf.rect(20, 20, 100, 40, style="F")
    scan = evidence.add_bytes(
        ws, demo, bytes(pdf.output()), name="scan.pdf", kind=EvidenceKind.OTHER, origin="test"
    ).evidence
    before = len(evidence.list_evidence(ws, demo))
    with pytest.raises(InvalidInput):
        redaction.redact_evidence(ws, demo, ref_of(scan))
    assert len(evidence.list_evidence(ws, demo)) == before


def test_a_pdf_with_a_text_layer_is_redacted(ws: Workspace, demo: str) -> None:
    from fpdf import FPDF
    from pypdf import PdfReader

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Server notes\nroot password: Hunter2xyz!\nall fine")
    source = evidence.add_bytes(
        ws, demo, bytes(pdf.output()), name="notes.pdf", kind=EvidenceKind.OTHER, origin="test"
    ).evidence
    outcome = redaction.redact_evidence(ws, demo, ref_of(source))
    assert outcome.copy is not None and outcome.copy.media_type == "application/pdf"
    assert [(s.kind, s.location, s.line) for s in outcome.spans] == [("password", "page 1", 2)]
    reader = PdfReader(io.BytesIO(evidence.read_bytes(ws, outcome.copy)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Hunter2xyz!" not in text and "all fine" in text


def test_a_follow_up_cites_the_missed_reply_deadline(
    ws: Workspace, demo: str, tmp_path: Path
) -> None:
    first = _draft(ws, demo, tmp_path, "complaint_letter", "en")
    service.issue_letter(ws, demo, first, service.IssueOptions(now=NOW))
    later = NOW + timedelta(days=20)
    result = service.draft_letter(ws, demo, "follow_up", "en", out=tmp_path, now=later)
    assert result.draft.missing_facts == ()
    text = result.path.read_text(encoding="utf-8")
    assert "no reply by 4 December 2026" in text
    assert "Issued letter L1" in text  # the letter itself is one of the contacts cited
