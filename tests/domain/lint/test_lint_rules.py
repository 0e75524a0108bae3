"""Targeted checks of the linter's rules, near-misses, rendering and attachments."""

from __future__ import annotations

import base64
import io
from datetime import date
from decimal import Decimal

import pytest
from fpdf import FPDF
from PIL import Image

from hostclaim.domain.lint import LintFacts, Money, detect_language, lint_attachments, lint_text
from hostclaim.i18n import catalog

GOOD_EN = """Subject: Complaint – outage of server DS-4412 on 3 October 2026

Dear Support Team,

On 3 October 2026 from 14:05 to 17:40 UTC server DS-4412 did not answer; as a result our shop
could not take orders. We ask you to credit EUR 26.70 under your SLA by 31 October 2026.
Enclosed: monitoring export and ticket #48213.

Thank you. Yours sincerely,
Anna Keller
"""
FACTS = LintFacts(
    dates={date(2026, 10, 3)},
    amounts=[Money(Decimal("26.70"), "EUR"), Money(Decimal("1200"), "CNY")],
    incident_proven=True,
    own_contacts=("anna@lumentrade.de", "@hetzner.com", "13912345678"),
    people=("Markus Weber",),
)


def rules_of(text: str, facts: LintFacts | None = FACTS, **kw: object) -> set[str]:
    return {f.rule for f in lint_text(text, facts=facts, **kw)}  # type: ignore[arg-type]


def test_a_complete_polite_letter_has_no_findings() -> None:
    assert lint_text(GOOD_EN, facts=FACTS) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "It happened on 3 October 2026.",
        "It happened on 2026-10-03.",
        "It happened on 10月3日.",
        "It happened on Oct 3rd, 2026.",
        "It happened on 03/10/2026.",
        "It happened on 4 October 2026.",  # one day off: a zone shift is tolerated
    ],
)
def test_a_date_in_the_facts_is_accepted_in_any_format(sentence: str) -> None:
    assert "legal.unsupported_date" not in rules_of(sentence)


def test_a_date_outside_the_facts_is_reported_but_deadlines_are_not() -> None:
    assert "legal.unsupported_date" in rules_of("The outage began on 9 September 2026.")
    assert "legal.unsupported_date" in rules_of("故障发生在 2026年9月9日。")
    assert "legal.unsupported_date" not in rules_of("Please reply by 30 November 2026.")
    assert "legal.unsupported_date" not in rules_of("请于2026年11月30日前答复。")


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We claim €26.70.", False),
        ("We claim 26.70 EUR.", False),
        ("We claim 26,70 €.", False),
        ("要求赔偿 ¥1,200。", False),
        ("要求赔偿人民币1200元。", False),
        ("We claim €267.00.", True),
        ("We claim USD 26.70.", True),  # right number, wrong currency
        ("要求赔偿 5,000 元。", True),
        ("要求赔偿五千元。", True),
    ],
)
def test_amounts_are_compared_with_the_facts(text: str, flagged: bool) -> None:
    assert ("legal.unsupported_amount" in rules_of(text)) is flagged


def test_without_facts_the_evidence_checks_are_skipped() -> None:
    text = "On 9 September 2026 your servers were down; we claim €999."
    assert not {"legal.unsupported_date", "legal.unsupported_amount"} & rules_of(text, facts=None)


def test_an_unproven_outage_must_be_hedged() -> None:
    unproven = LintFacts(incident_proven=False)
    assert "legal.unproven_outage" in rules_of("Your servers were down all morning.", unproven)
    assert "legal.unproven_outage" not in rules_of(
        "Our monitoring recorded failures; please confirm whether your servers were down.", unproven
    )
    assert "legal.unproven_outage" not in rules_of("Your servers were down all morning.")


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Your engineer Markus Weber lied to us.", "legal.defamation"),
        ("Mr. Smith is a fraud.", "legal.defamation"),
        ("客服张伟就是个骗子。", "legal.defamation"),
        ("We will post this on social media.", "legal.publicity_threat"),
        ("不给说法就曝光你们。", "legal.publicity_threat"),
        ("Pay up or else.", "tone.threat"),
        ("否则后果自负。", "tone.threat"),
        ("You are a bunch of idiots.", "tone.insult"),
        ("你们就是一群骗子。", "tone.insult"),
        ("THIS IS COMPLETELY UNACCEPTABLE AND YOU KNOW IT", "tone.shouting"),
        ("请尽快处理！！！", "tone.shouting"),
        ("This is outrageous.", "tone.emotional"),
        ("真是气死我了。", "tone.emotional"),
    ],
)
def test_tone_and_legal_rules(text: str, rule: str) -> None:
    assert rule in rules_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "LETTER BEFORE ACTION",
        "We will refer the matter to the small claims court.",
        "我司将向监管机构投诉。",
        "邮件被误判为垃圾邮件。",
        "订单系统崩溃。",
        "The JVM garbage collection pause was short.",
        "Your status page on Twitter reported no incident.",
        "This is unacceptable under your SLA.",
        "Markus Weber told us the switch was replaced.",
    ],
)
def test_near_misses_are_not_tone_or_legal_findings(text: str) -> None:
    found = {r for r in rules_of(text) if not r.startswith("checklist")}
    assert found == set(), found


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Call Jake on 13812345678.", "privacy.phone"),
        ("Call Jake on +1 (312) 555-0178.", "privacy.phone"),
        ("Write to jake.miller77@gmail.com.", "privacy.email"),
        ("身份证号：44030519851112263X", "privacy.id_number"),
        ("卡号 6222 0210 0112 2337", "privacy.bank_card"),
        ("root password: Tr0ub4dor&3", "privacy.password"),
        ("密码：Abc@12345", "privacy.password"),
        ("key AKIAQX4B7R2MZ9KD3WQP", "privacy.api_key"),
        ("token ghp_R8mK2xQ7vL9pT4wZ1nB6cY3dF5hJ0sA8eU2i", "privacy.api_key"),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBd\n-----END EC PRIVATE KEY-----",
            "privacy.private_key",
        ),
    ],
)
def test_privacy_rules(text: str, rule: str) -> None:
    assert rule in rules_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "合同编号 440305198511122630",  # 18 digits, wrong check digit
        "Statement reference 4532 0151 1283 0369",  # fails Luhn
        "Please reply to support@hetzner.com or billing@example.net.",  # provider / role address
        "My number is 13912345678; write to anna@lumentrade.de.",  # own contacts
        "FCC: +1-888-225-5322; 客服热线 400-820-1234",  # business hotlines
        "We requested a password reset; 密码已重置；账户密码：已修改",
        "Request ID 7c9e6679-7425-40de-944b-e07fc1f90ae7 from 203.0.113.45 at 2026-10-03 14:05",
    ],
)
def test_privacy_near_misses(text: str) -> None:
    found = {r for r in rules_of(text) if r.startswith("privacy")}
    assert found == set(), found


def test_privacy_excerpts_never_repeat_the_secret() -> None:
    findings = lint_text("root password: Tr0ub4dor&3 card 4532015112830366", facts=FACTS)
    privacy = [f for f in findings if f.rule.startswith("privacy")]
    assert {f.rule for f in privacy} == {"privacy.password", "privacy.bank_card"}
    for finding in privacy:
        assert "Tr0ub4dor" not in finding.excerpt + finding.why + finding.fix
        assert "453201511283" not in finding.excerpt + finding.why + finding.fix


def test_positions_point_at_the_problem() -> None:
    text = "Subject: Complaint\nline two\nYou idiots."
    finding = next(f for f in lint_text(text) if f.rule == "tone.insult")
    assert (finding.line, finding.column) == (3, 5)
    assert text[finding.span[0] : finding.span[1]] == "idiots"
    assert finding.severity == "error"


def test_why_and_fix_follow_the_users_language_and_examples_the_letters() -> None:
    zh = next(f for f in lint_text("Hello", ui_lang="zh") if f.rule == "checklist.subject")
    letter = "你好，服务器坏了"
    en = next(f for f in lint_text(letter, ui_lang="en") if f.rule == "checklist.subject")
    # Advice in the user's language; the example wording in the letter's language.
    assert "投诉" in zh.why and "Subject:" in zh.fix
    assert "complaint" in en.why and "主题：" in en.fix


def test_every_rule_has_why_and_fix_in_both_languages() -> None:
    from hostclaim.domain.lint import rules

    for lang in ("en", "zh"):
        keys = catalog(lang)
        for rule_id in rules():
            assert f"lint.{rule_id}.why" in keys and f"lint.{rule_id}.fix" in keys, (lang, rule_id)


def test_language_detection() -> None:
    assert detect_language("尊敬的客服：服务器于10月3日中断，SLA 99.9%。") == "zh"
    assert detect_language("Dear Support, the server (IDC 机房) was down.") == "en"


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _image_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=50)
    return bytes(pdf.output())


def test_attachments_get_the_privacy_rules(tmp_path: object) -> None:
    body = base64.encodebytes("联系人手机 13812345678\n".encode()).decode()
    eml = (
        "From: anna@lumentrade.de\nTo: support@hetzner.com\nSubject: x\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + body
    ).encode()
    reports = lint_attachments(
        [
            ("notes.log", b"10:02 root password: hunter2x\n"),
            ("contacts.csv", b"name,phone\nJake,+1 312 555 0178\n"),
            ("mail.eml", eml),
            ("export.pdf", _pdf("Customer card 4532015112830366")),
            ("scan.pdf", _image_pdf()),
            ("clean.txt", b"Nothing to see: 2026-10-03 14:05 UTC"),
        ],
        facts=FACTS,
        ui_lang="en",
    )
    by_name = {r.name: r for r in reports}
    assert [f.rule for f in by_name["notes.log"].findings] == ["privacy.password"]
    assert [f.rule for f in by_name["contacts.csv"].findings] == ["privacy.phone"]
    assert [f.rule for f in by_name["mail.eml"].findings] == ["privacy.phone"]
    assert [f.rule for f in by_name["export.pdf"].findings] == ["privacy.bank_card"]
    assert by_name["scan.pdf"].findings == () and "no text layer" in (
        by_name["scan.pdf"].skipped or ""
    )
    assert by_name["clean.txt"].findings == ()


def test_attachments_by_path(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "incident.txt"
    path.write_text("api_key = 9f8e7d6c5b4a39281706f5e4d3c2b1a0", encoding="utf-8")
    (report,) = lint_attachments([path])
    assert [f.rule for f in report.findings] == ["privacy.api_key"]
