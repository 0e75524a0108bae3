"""E-mail: headers and every readable part masked, MIME structure and other bytes kept."""

from __future__ import annotations

import base64
import email
import email.header
import quopri
from email.message import Message
from email.policy import compat32

from fpdf import FPDF

from hostclaim.domain.redact import redact_bytes

KEEP = ["anna@lumentrade.de", "@hetzner.com"]


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _b64(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def _message() -> bytes:
    chinese = "张伟的手机是 13812345678，服务器 root 密码：Xy@2026!srv\n".encode()
    english_qp = (
        quopri.encodestring("Please call Jake Miller on +1 (312) 555-0178 – thanks.\n".encode())
        .decode()
        .replace("\n", "\r\n")
    )
    parts = [
        "Received: from mx.example.net (mx.example.net [203.0.113.5])\r\n"
        "\tby mail.lumentrade.de; Sat, 3 Oct 2026 14:30:00 +0000",
        "DKIM-Signature: v=1; a=rsa-sha256; d=lumentrade.de; s=mail; b=abc123",
        "From: =?UTF-8?B?5byg5Lyf?= <anna@lumentrade.de>",
        "To: support@hetzner.com",
        "Cc: Jake Miller <jake.miller77@gmail.com>",
        "Subject: =?UTF-8?B?5pWF6Zqc5oqV6K+J?=",
        "Message-ID: <a1b2c3@lumentrade.de>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="XYZ"',
        "",
        "This is a multi-part message in MIME format.",
        "--XYZ",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "",
        _b64(chinese).rstrip("\r\n"),
        "--XYZ",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        english_qp.rstrip("\r\n"),
        "--XYZ",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Nothing sensitive in this part.",
        "--XYZ",
        'Content-Type: application/pdf; name="log.pdf"',
        'Content-Disposition: attachment; filename="log.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        _b64(_pdf("Engineer on call: 13912345670")).rstrip("\r\n"),
        "--XYZ",
        'Content-Type: image/png; name="shot.png"',
        "Content-Transfer-Encoding: base64",
        "",
        _b64(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").rstrip("\r\n"),
        "--XYZ--",
        "",
    ]
    return "\r\n".join(parts).encode()


def _leaves(data: bytes) -> list[Message]:
    return [
        p for p in email.message_from_bytes(data, policy=compat32).walk() if not p.is_multipart()
    ]


def test_eml_is_redacted_part_by_part() -> None:
    original = _message()
    before = bytes(original)
    result = redact_bytes(original, "thread.eml", keep=KEEP)
    assert original == before
    assert result.media_type == "message/rfc822" and result.data is not None
    out = result.data

    # Headers: the third party's address masked; ours, the provider's and the structure kept.
    parsed = email.message_from_bytes(out, policy=compat32)
    assert parsed["Cc"] == "Jake Miller <[EMAIL]>"
    assert parsed["From"] == "=?UTF-8?B?5byg5Lyf?= <anna@lumentrade.de>"
    assert parsed["Message-ID"] == "<a1b2c3@lumentrade.de>"
    assert (
        parsed.get_boundary() == "XYZ"
        and b"\r\n" in out
        and b"\n\n" not in out.replace(b"\r\n", b"")
    )

    leaves = _leaves(out)
    assert [p.get_content_type() for p in leaves] == [
        "text/plain", "text/plain", "text/plain", "application/pdf", "image/png"
    ]  # fmt: skip
    # base64 and quoted-printable parts stay in their transfer encoding.
    assert leaves[0]["Content-Transfer-Encoding"] == "base64"
    assert leaves[0].get_payload(decode=True).decode() == (
        "张伟的手机是 [PHONE]，服务器 root 密码：[PASSWORD]\n"
    )
    # (the line break before a boundary belongs to the boundary, not to the part)
    assert leaves[1].get_payload(decode=True).decode() == (
        "Please call Jake Miller on [PHONE] – thanks."
    )
    # An untouched part is byte-identical.
    assert b"Nothing sensitive in this part." in out
    # The PDF attachment was redacted by the PDF handler.
    import io

    from pypdf import PdfReader

    pdf_text = PdfReader(io.BytesIO(leaves[3].get_payload(decode=True))).pages[0].extract_text()
    assert "13912345670" not in pdf_text and "[PHONE]" in pdf_text

    locations = [s.location for s in result.spans]
    assert locations[0] == "header Cc"
    assert any(loc.startswith("part 1 (text/plain") for loc in locations)
    assert any("log.pdf" in loc and "page 1" in loc for loc in locations)
    notes = {n.key for n in result.notes}
    assert {"redact.note.part_not_inspected", "redact.note.dkim_broken"} <= notes
    assert all(n.render("zh") and n.render("en") for n in result.notes)


def test_an_eml_without_findings_is_returned_unchanged() -> None:
    data = b"From: anna@lumentrade.de\nTo: support@hetzner.com\nSubject: hi\n\nAll fine on 3 Oct.\n"
    result = redact_bytes(data, "message/rfc822", keep=KEEP)
    assert result.data == data and result.spans == ()


def test_encoded_headers_are_decoded_masked_and_encoded_again() -> None:
    data = (
        b"From: =?UTF-8?B?5byg5Lyf?= <zhang.wei@qq.com>\n"
        b"Subject: =?UTF-8?B?5omL5py6IDEzODEyMzQ1Njc4?=\n\nbody\n"
    )
    result = redact_bytes(data, "a.eml")
    assert result.data is not None
    parsed = email.message_from_bytes(result.data, policy=compat32)
    assert parsed["From"] == "=?utf-8?b?5byg5Lyf?= <[EMAIL]>"
    decoded = email.header.decode_header(parsed["Subject"])
    subject = "".join(p.decode(c or "ascii") if isinstance(p, bytes) else p for p, c in decoded)
    assert subject.replace(" ", "") == "手机[PHONE]"
    assert [s.location for s in result.spans] == ["header From", "header Subject"]
