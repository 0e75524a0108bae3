"""``hostclaim letter …`` and ``hostclaim evidence redact`` through the command line, on the demo
case: real SQLite and blob store in a temp dir, a real SMTP server on loopback."""

from __future__ import annotations

import email
import io
import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import pypdf
import pytest
from aiosmtpd.controller import Controller

from hostclaim.i18n import set_language


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """``--lang zh`` sets the language of the process; every test starts and ends in English."""
    set_language("en")
    yield
    set_language("en")


PASSWORD_LINE = "For your engineers: root password: Hunter2xyz!"
PHONE_LINE = "Our colleague Li Lei can be reached on +49 170 1234567."


@pytest.fixture
def demo(cli: Any) -> str:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    found = re.search(r"HC-\d{4}-\d{4}", result.stdout)
    assert found is not None
    return found.group(0)


def _draft(cli: Any, ref: str, folder: Path, kind: str, lang: str, *extra: str) -> Path:
    result = cli(
        "letter", "draft", ref, "--kind", kind, "--lang", lang, "--out", str(folder), *extra
    )
    assert result.exit_code == 0, result.output
    path = folder / f"{ref}-{kind}-{lang}.md"
    assert path.is_file()
    return path


def _edit(path: Path, *lines: str) -> None:
    text = path.read_text(encoding="utf-8")
    anchor = "Dear Sir or Madam," if "Dear Sir or Madam," in text else "尊敬的"
    head, _, tail = text.partition(anchor)
    first, _, rest = tail.partition("\n")
    path.write_text(head + anchor + first + "\n\n" + "\n\n".join(lines) + "\n" + rest, "utf-8")


def _evidence(cli: Any, ref: str) -> list[dict[str, Any]]:
    return list(json.loads(cli("evidence", "list", ref, "--json").stdout))


def _one_red_line(result: Any) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_draft_writes_a_file_and_shows_the_disclaimer_once(
    cli: Any, demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("letter", "draft", demo, "--kind", "letter_before_action", "--lang", "en")
    assert result.exit_code == 0, result.output
    path = tmp_path / f"{demo}-letter_before_action-en.md"
    assert str(path) in result.stdout
    assert result.stdout.count("not legal advice") == 1
    assert "the provider's postal address" in result.stdout  # a missing fact, listed
    text = path.read_text(encoding="utf-8")
    assert "not legal advice" not in text
    assert "[[TO FILL: the provider's postal address]]" in text
    # Never overwrites: the same command again writes a second file.
    again = cli("letter", "draft", demo, "--kind", "letter_before_action", "--lang", "en")
    assert again.exit_code == 0, again.output
    assert (tmp_path / f"{demo}-letter_before_action-en-2.md").is_file()
    assert path.read_text(encoding="utf-8") == text

    zh = cli("--lang", "zh", "letter", "draft", demo, "--kind", "complaint_letter", "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert zh.stdout.count("不构成法律意见") == 1


def test_bad_input_is_one_red_line(cli: Any, demo: str, tmp_path: Path) -> None:
    _one_red_line(cli("letter", "draft", demo, "--kind", "poem", "--out", str(tmp_path)))
    _one_red_line(
        cli("letter", "draft", demo, "--kind", "follow_up", "--lang", "fr", "--out", str(tmp_path))
    )
    _one_red_line(cli("letter", "draft", "HC-1999-0001", "--kind", "follow_up"))
    path = _draft(cli, demo, tmp_path, "complaint_letter", "en")
    _one_red_line(cli("letter", "issue", demo, str(path), "--format", "pdf,odt"))
    _one_red_line(cli("letter", "issue", demo, str(path), "--channel", "pigeon"))
    _one_red_line(cli("letter", "issue", demo, str(path), "--send"))
    assert {p.name for p in tmp_path.iterdir()} == {path.name, "home"}  # nothing written


def test_check_finds_a_planted_password_and_phone_number(
    cli: Any, demo: str, tmp_path: Path
) -> None:
    path = _draft(cli, demo, tmp_path, "complaint_letter", "en")
    clean = cli("letter", "check", str(path))
    assert clean.exit_code == 0, clean.output
    _edit(path, PASSWORD_LINE, PHONE_LINE)
    result = cli("letter", "check", str(path))
    assert result.exit_code == 1, result.output
    assert "privacy.password" in result.stdout and "privacy.phone" in result.stdout
    assert "Hunter2xyz!" not in result.stdout
    assert "why:" in result.stdout and "fix:" in result.stdout
    report = json.loads(cli("letter", "check", str(path), "--json").stdout)[0]
    by_rule = {f["rule"]: f for f in report["findings"]}
    line = path.read_text(encoding="utf-8").split("\n").index(PASSWORD_LINE) + 1
    assert by_rule["privacy.password"]["severity"] == "error"
    assert by_rule["privacy.password"]["line"] == line
    assert (
        by_rule["privacy.password"]["location"]
        == f"{path}:{line}:{by_rule['privacy.password']['column']}"
    )
    assert by_rule["privacy.phone"]["line"] == line + 2
    # By case: every open draft of the case.
    assert cli("letter", "check", demo).exit_code == 1


def test_issue_refuses_with_placeholders_left(cli: Any, demo: str, tmp_path: Path) -> None:
    path = _draft(cli, demo, tmp_path, "letter_before_action", "en")
    before = _evidence(cli, demo)
    result = cli("letter", "issue", demo, str(path))
    _one_red_line(result)
    assert "the provider's postal address" in result.stderr
    assert _evidence(cli, demo) == before
    assert len(json.loads(cli("comm", "list", demo, "--json").stdout)) == 4


def test_issue_a_chinese_letter(cli: Any, demo: str, tmp_path: Path) -> None:
    path = _draft(cli, demo, tmp_path, "complaint_letter", "zh")
    out = tmp_path / "out"
    out.mkdir()
    result = cli("letter", "issue", demo, str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "L1" in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{demo}-L1-complaint_letter-zh.{ext}" for ext in
                           ("md", "html", "pdf", "docx", "eml"))  # fmt: skip
    pdf = (out / f"{demo}-L1-complaint_letter-zh.pdf").read_bytes()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "投诉" in text.replace("\x00", "")
    message = email.message_from_bytes(
        (out / f"{demo}-L1-complaint_letter-zh.eml").read_bytes(), policy=policy.default
    )
    assert message["Content-Language"] == "zh-CN"
    assert len(list(message.iter_attachments())) == 6

    items = _evidence(cli, demo)
    issued = [e for e in items if e["origin"] == "letter:L1"]
    assert {e["kind"] for e in issued} == {"communication"}
    assert len(issued) == 5  # final text (= the .md) and html, pdf, docx, eml
    contacts = json.loads(cli("comm", "list", demo, "--json").stdout)
    assert contacts[-1]["direction"] == "outbound" and contacts[-1]["ticket_ref"] == "#448120"
    letters = json.loads(cli("letter", "list", demo, "--json").stdout)
    assert [(row["ref"], row["status"]) for row in letters] == [("L1", "issued")]
    assert cli("letter", "list", demo).exit_code == 0
    assert cli("verify", demo).exit_code == 0


@dataclass
class Inbox:
    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content)
        return "250 2.0.0 Ok: queued as CLI1"


@pytest.fixture
def smtp_port() -> Iterator[tuple[Inbox, int]]:
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


def test_issue_and_send_by_smtp(
    cli: Any,
    demo: str,
    tmp_path: Path,
    smtp_port: tuple[Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp_port
    monkeypatch.setenv("HC_SMTP_PASSWORD", "not-used")
    path = _draft(cli, demo, tmp_path, "sla_credit_claim", "en")
    text = path.read_text(encoding="utf-8").replace("[[TO FILL: ", "").replace("]]", "")
    path.write_text(text, encoding="utf-8")  # the user fills in what the case lacked
    missing_env = cli(
        "letter", "issue", demo, str(path), "--send", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--smtp-password-env", "HC_NOT_SET",
    )  # fmt: skip
    _one_red_line(missing_env)
    result = cli(
        "letter", "issue", demo, str(path), "--send", "--smtp-host", "127.0.0.1",
        "--smtp-port", str(port), "--from", "Wang Min <ops@lanhai-shop.example>",
        "--to", "billing@nordstern-hosting.example", "--format", "md,pdf",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "queued as CLI1" in result.stdout
    (received,) = inbox.messages
    sent = [e for e in _evidence(cli, demo) if e["original_name"].endswith(".sent.eml")]
    (item,) = sent
    exported = tmp_path / "sent.eml"
    assert cli("evidence", "export", demo, item["ref"], str(exported)).exit_code == 0
    assert exported.read_bytes() == received
    assert cli("verify", demo).exit_code == 0


def test_redact_a_log_and_refuse_an_image_pdf(cli: Any, demo: str, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026-10-03T06:10:02Z api-1 sshd: root password: Hunter2xyz!\n"
        "2026-10-03T06:11:00Z api-1 app: customer id 11010519491231002X opened a ticket\n"
        "2026-10-03T06:12:00Z api-1 app: host db-internal-7 timed out\n",
        encoding="utf-8",
    )
    assert cli("evidence", "add", demo, str(log), "--kind", "system_log").exit_code == 0
    result = cli("evidence", "redact", demo, "E7", "--mask", "db-internal-7")
    assert result.exit_code == 0, result.output
    assert "E8" in result.stdout and "password" in result.stdout and "id_number" in result.stdout
    data = json.loads(
        cli("evidence", "redact", demo, "E7", "--mask", "db-internal-7", "--json").stdout
    )
    assert data["existed"] is True and data["copy"]["ref"] == "E8"
    assert data["copy"]["derived_from"] == 7
    kinds = {(span["kind"], span["line"]) for span in data["spans"]}
    assert {("password", 1), ("id_number", 2), ("literal", 3)} <= kinds
    out = tmp_path / "copy.log"
    assert cli("evidence", "export", demo, "E8", str(out)).exit_code == 0
    masked = out.read_text(encoding="utf-8")
    assert "Hunter2xyz!" not in masked and "11010519491231002X" not in masked
    assert "db-internal-7" not in masked

    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 40, style="F")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(bytes(pdf.output()))
    assert cli("evidence", "add", demo, str(scan)).exit_code == 0
    before = _evidence(cli, demo)
    _one_red_line(cli("evidence", "redact", demo, "E9"))
    assert _evidence(cli, demo) == before
    assert cli("verify", demo).exit_code == 0
