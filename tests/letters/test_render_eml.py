from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from hostclaim.errors import Conflict, InvalidInput
from hostclaim.letters import LetterContext, draft
from hostclaim.letters.model import Enclosure
from hostclaim.letters.render import Attachment, to_eml, verify_enclosures
from hostclaim.letters.render.text import to_text

PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
LOG_BYTES = "2026-10-03T06:05:00Z probe failed\r\nbare LF next\n中文日志\n".encode()
EML_BYTES = b"From: support@rheinhost.example\r\nSubject: Re: #4711\r\n\r\nResolved.\r\n"
ATTACHMENTS = (
    Attachment("outage-report.pdf", PDF_BYTES),
    Attachment("probe 日志.log", LOG_BYTES, "text/plain"),
    Attachment("ticket-4711.eml", EML_BYTES),
    Attachment("raw.bin", b"\x00\x01\x02"),
)


def _eml(ctx: LetterContext, lang: str = "zh") -> tuple[bytes, object]:
    letter = draft("sla_credit_claim", ctx, lang)
    data = to_eml(
        letter,
        sender="Wang Min 王敏 <wang.min@lanhai.example>",
        to=["Rheinhost Support <support@rheinhost.example>"],
        cc=["legal@lanhai.example"],
        date=datetime(2026, 11, 21, 8, 30, tzinfo=UTC),
        message_id="<hc-2026-0007.1@lanhai.example>",
        attachments=ATTACHMENTS,
    )
    return data, letter


def test_eml_parses_back_headers_body_and_attachments_byte_for_byte(ctx: LetterContext) -> None:
    data, letter = _eml(ctx)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert all(byte < 128 for byte in data)  # 7-bit clean: any server takes it unchanged

    msg = message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == letter.subject  # type: ignore[attr-defined]
    assert msg["From"].addresses[0].display_name == "Wang Min 王敏"
    assert msg["To"].addresses[0].addr_spec == "support@rheinhost.example"
    assert msg["Cc"] == "legal@lanhai.example"
    assert msg["Date"].datetime == datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
    assert msg["Message-ID"] == "<hc-2026-0007.1@lanhai.example>"
    assert msg["Content-Language"] == "zh-CN"
    assert msg["X-Hostclaim-Case"] == "HC-2026-0007"

    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8"
    # Text travels in canonical form: CRLF line ends.
    assert plain.get_content().replace("\r\n", "\n") == to_text(letter)  # type: ignore[arg-type]
    assert "<!DOCTYPE html>" in html.get_content()

    received = list(msg.iter_attachments())
    assert [part.get_filename() for part in received] == [a.file_name for a in ATTACHMENTS]
    assert [part.get_content_type() for part in received] == [
        "application/pdf",
        "text/plain",
        "application/octet-stream",
        "application/octet-stream",
    ]
    for part, sent in zip(received, ATTACHMENTS, strict=True):
        assert part.get_payload(decode=True) == sent.data


def test_eml_needs_a_recipient(ctx: LetterContext) -> None:
    with pytest.raises(InvalidInput):
        to_eml(draft("support_ticket", ctx, "en"), sender="a@b.example", to=[])


def test_english_text_part_stays_readable_quoted_printable(ctx: LetterContext) -> None:
    data = to_eml(draft("support_ticket", ctx, "en"), sender="a@b.example", to=["c@d.example"])
    msg = message_from_bytes(data, policy=policy.default)
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None and plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert b"Hello Rheinhost Support," in data
    assert msg["Message-ID"].endswith("@b.example>")


def test_an_enclosure_that_differs_from_the_letter_is_refused() -> None:
    good = Attachment("report.pdf", PDF_BYTES)
    listed = Enclosure(title="Report", file_name="report.pdf", sha256=good.sha256[:12])
    verify_enclosures([listed], [good])
    assert good.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    with pytest.raises(Conflict) as error:
        verify_enclosures([listed], [Attachment("report.pdf", PDF_BYTES + b" ")])
    assert listed.sha256 in error.value.render("en")
