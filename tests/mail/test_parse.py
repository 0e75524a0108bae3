"""What parse_message reads out of a message."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailkit import plain, with_attachment

from hostclaim.errors import InvalidInput
from hostclaim.mail import Address, Direction, OwnAddresses, parse_message
from hostclaim.mail.body import html_to_text
from hostclaim.mail.headers import decode_words, parse_addresses

OWN = {"ops@shop.example", "wang.min@shop.example"}


def provider_reply(**kwargs: object) -> bytes:
    fields: dict[str, object] = {
        "sender": "Hetzner Support <support@provider.example>",
        "to": "ops@shop.example",
        "subject": "Re: Server unreachable [Ticket#2026100303001234]",
        "body": "Dear customer,\nwe are checking.\n",
        "message_id": "<Reply.1@Mail.Provider.Example>",
    }
    fields.update(kwargs)
    return plain(**fields)  # type: ignore[arg-type]


def codes(raw: bytes) -> list[str]:
    return [w.code for w in parse_message(raw).warnings]


def test_core_fields() -> None:
    raw = provider_reply(
        in_reply_to="<m1@shop.example>",
        references=["<m0@shop.example>", "<M1@Shop.Example>"],
        cc="Wang Min <wang.min@shop.example>, billing@provider.example",
    )
    mail = parse_message(raw, own_addresses=OWN)
    assert mail.message_id == "Reply.1@mail.provider.example"
    assert not mail.message_id_synthesised
    assert mail.date == datetime(2026, 10, 3, 8, 15, tzinfo=UTC)
    assert mail.sender == Address("Hetzner Support", "support@provider.example")
    assert [a.address for a in mail.cc] == ["wang.min@shop.example", "billing@provider.example"]
    assert mail.subject == "Re: Server unreachable [Ticket#2026100303001234]"
    assert mail.direction is Direction.INBOUND
    assert mail.counterpart == mail.sender
    assert mail.text == "Dear customer,\nwe are checking.\n"
    assert mail.tickets == ("2026100303001234",)
    assert mail.in_reply_to == "m1@shop.example"
    assert mail.references == ("m0@shop.example", "M1@shop.example")
    assert mail.sha256 == hashlib.sha256(raw).hexdigest() and mail.raw == raw
    assert mail.size == len(raw) and mail.warnings == ()
    assert not mail.dkim.signed


def test_direction_and_counterpart() -> None:
    sent = plain(
        sender="Ops <OPS@shop.example>",
        to="Support <support@provider.example>",
        subject="Outage",
        body="Down.\n",
        message_id="<a@shop.example>",
    )
    mail = parse_message(sent, own_addresses=OWN)
    assert mail.direction is Direction.OUTBOUND
    assert mail.counterpart == Address("Support", "support@provider.example")
    # A whole domain can be "ours".
    colleague = plain(
        sender="boss@shop.example",
        to="support@provider.example",
        subject="x",
        body="x\n",
        message_id="<b@shop.example>",
    )
    assert parse_message(colleague, own_addresses={"@shop.example"}).direction == "outbound"
    assert parse_message(colleague, own_addresses=OwnAddresses(OWN)).direction == "unknown"
    assert parse_message(colleague).counterpart == Address("", "boss@shop.example")


def test_rfc2047_headers_and_raw_utf8() -> None:
    gb = "服务器宕机".encode("gb18030")  # split mid-character across two words
    words = " ".join(
        "=?GB2312?B?" + base64.b64encode(part).decode() + "?=" for part in (gb[:3], gb[3:])
    )
    raw = plain(
        sender="=?UTF-8?B?546L5pWP?= <wang.min@shop.example>",
        to="=?utf-8?q?Support_Team?= <support@provider.example>",
        subject=f"{words} =?utf-8?q?=E5=B7=A5=E5=8D=95=E5=8F=B7=EF=BC=9A12345?=",
        body="正文\n",
        message_id="<c@shop.example>",
    )
    mail = parse_message(raw, own_addresses=OWN)
    assert mail.subject == "服务器宕机工单号：12345"
    assert mail.sender == Address("王敏", "wang.min@shop.example")
    assert mail.to[0].name == "Support Team"
    assert mail.tickets == ("12345",)
    assert mail.text == "正文\n"
    # Clients that put raw UTF-8 into headers.
    raw8 = plain(
        sender="王敏 <wang.min@shop.example>",
        to="support@provider.example",
        subject="回复：服务器宕机",
        body="x\n",
        message_id="<d@shop.example>",
    )
    mail8 = parse_message(raw8)
    assert mail8.subject == "回复：服务器宕机" and mail8.sender is not None
    assert mail8.sender.name == "王敏"


def test_missing_message_id_is_synthesised_from_the_bytes() -> None:
    raw = provider_reply(message_id=None)
    mail = parse_message(raw)
    assert mail.message_id_synthesised
    assert mail.message_id == f"sha256-{hashlib.sha256(raw).hexdigest()}@hostclaim.invalid"
    assert parse_message(raw).message_id == mail.message_id
    assert codes(raw) == ["message_id_missing"]
    assert codes(provider_reply(message_id="not an id")) == ["message_id_invalid"]
    assert parse_message(provider_reply(message_id="bare@Host.Example")).message_id == (
        "bare@host.example"
    )


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        ("Sat, 03 Oct 2026 10:15:00 +0200", datetime(2026, 10, 3, 8, 15, tzinfo=UTC), None),
        ("3 Oct 2026 10:15 +0200 (CEST)", datetime(2026, 10, 3, 8, 15, tzinfo=UTC), None),
        ("Sat, 03 Oct 2026 08:15:00 GMT", datetime(2026, 10, 3, 8, 15, tzinfo=UTC), None),
        ("Sat, 03 Oct 2026 08:15:00 -0000", datetime(2026, 10, 3, 8, 15, tzinfo=UTC), None),
        ("Sat, 03 Oct 2026 08:15:00", None, "date_without_zone"),
        ("Sat, 03 Oct 2026 10:15:00 CEST", None, "date_without_zone"),
        ("Sat, 03 Oct 2026 04:15:00 EDT", datetime(2026, 10, 3, 8, 15, tzinfo=UTC), None),
        ("yesterday", None, "date_invalid"),
        ("Sat, 31 Feb 2026 08:15:00 +0000", None, "date_invalid"),
        (None, None, "date_missing"),
    ],
)
def test_dates_are_utc_or_none_never_guessed(
    value: str | None, expected: datetime | None, warning: str | None
) -> None:
    raw = provider_reply(date=value)
    mail = parse_message(raw)
    assert mail.date == expected
    assert codes(raw) == ([warning] if warning else [])
    if warning:
        assert mail.warnings[0].render("zh") and mail.warnings[0].render("en")


def test_received_time_is_kept_separately() -> None:
    raw = provider_reply(
        date=None,
        extra=[
            (
                "Received",
                "from mx.provider.example by mx.shop.example;\n Sat, 3 Oct 2026 08:16:02 +0000",
            )
        ],
    )
    mail = parse_message(raw)
    assert mail.date is None
    assert mail.received_at == datetime(2026, 10, 3, 8, 16, 2, tzinfo=UTC)


def test_html_only_mail_becomes_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Dear&nbsp;customer,</p>"
        "<p>Your request\n #4711 is\n being handled.</p><ul><li>one</li><li>two</li></ul>"
        "<script>alert(1)</script></body></html>"
    )
    raw = (
        "From: support@provider.example\nTo: ops@shop.example\nSubject: update\n"
        "Message-ID: <h@provider.example>\nDate: Sat, 03 Oct 2026 10:15:00 +0200\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\n\n" + html + "\n"
    ).encode("latin-1")
    mail = parse_message(raw)
    assert mail.text == "Dear customer,\n\nYour request #4711 is being handled.\n\n- one\n- two"
    assert mail.tickets == ("4711",)
    assert mail.attachments == ()


def test_alternative_prefers_plain_text() -> None:
    raw = (
        b"From: support@provider.example\nTo: ops@shop.example\nSubject: s\n"
        b"Message-ID: <alt@provider.example>\nDate: Sat, 03 Oct 2026 10:15:00 +0200\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=XX\n\n"
        b"--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
        b"quoted-printable\n\nCase ID: ABC-123 =E2=80=93 open\n"
        b"--XX\nContent-Type: text/html\n\n<p>Case ID: ABC-123 &ndash; open</p>\n--XX--\n"
    )
    mail = parse_message(raw)
    assert mail.text == "Case ID: ABC-123 – open"
    assert mail.tickets == ("ABC-123",)


def test_attachments_have_decoded_names_sizes_hashes_and_bytes() -> None:
    data = bytes(range(256)) * 40
    raw = with_attachment(
        sender="王敏 <wang.min@shop.example>",
        to="support@provider.example",
        subject="服务器宕机 工单号：12345",
        body="Log attached.",
        message_id="<att@shop.example>",
        filename="故障日志 2026-10-03.log",
        data=data,
    )
    mail = parse_message(raw, own_addresses=OWN)
    assert mail.subject == "服务器宕机 工单号：12345"
    [attachment] = mail.attachments
    assert attachment.filename == "故障日志 2026-10-03.log"
    assert attachment.content_type == "application/octet-stream"
    assert attachment.disposition == "attachment"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.read() == data
    assert mail.text == "Log attached.\n"


def test_rfc2047_file_names_and_forwarded_messages() -> None:
    inner = b"From: a@b.example\nSubject: original\n\nhello\n"
    raw = (
        b"From: ops@shop.example\nTo: support@provider.example\nSubject: Fwd: original\n"
        b"Message-ID: <fw@shop.example>\nDate: Sat, 03 Oct 2026 10:15:00 +0200\n"
        b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
        b"--B\nContent-Type: text/plain\n\nSee below.\n"
        b'--B\nContent-Type: image/png; name="=?UTF-8?B?5oiq5Zu+LnBuZw==?="\n'
        b"Content-Transfer-Encoding: base64\nContent-Disposition: inline\n\niVBORw0KGgo=\n"
        b"--B\nContent-Type: message/rfc822\n\n" + inner + b"--B--\n"
    )
    mail = parse_message(raw)
    png, forwarded = mail.attachments
    assert (png.filename, png.content_type, png.disposition) == ("截图.png", "image/png", "inline")
    assert png.read() == b"\x89PNG\r\n\x1a\n"
    assert forwarded.content_type == "message/rfc822"
    assert b"Subject: original" in forwarded.read()
    assert mail.text == "See below."


def test_wrong_charset_is_decoded_with_a_warning() -> None:
    raw = provider_reply().replace(b"charset=utf-8", b"charset=x-unknown-thing")
    mail = parse_message(raw)
    assert mail.text.startswith("Dear customer")
    assert "charset_fallback" in [w.code for w in mail.warnings]
    gbk = provider_reply(body="x\n").replace(b"charset=utf-8", b"charset=gb2312")
    gbk = gbk.replace(b"\n\nx\n", b"\n\n" + "故障".encode("gbk") + b"\n")
    assert parse_message(gbk).text == "故障\n"


def test_mime_defects_are_reported_not_fatal() -> None:
    raw = (
        b"From: support@provider.example\nSubject: broken\nMessage-ID: <br@provider.example>\n"
        b"Date: Sat, 03 Oct 2026 10:15:00 +0200\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=NEVER\n\nno parts here, Ticket #998877\n"
    )
    mail = parse_message(raw)
    assert "mime_defects" in [w.code for w in mail.warnings]
    assert mail.tickets == ("998877",)


def test_not_mail_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_message(b"\x00\x01garbage\n")
    assert err.value.key == "mail.error.unparseable"
    with pytest.raises(InvalidInput):
        parse_message(b"   \n")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([b"", b"Content-Type: multipart/mixed; b=x\n"]))
def test_parsing_never_fails_on_a_message_with_headers(tail: bytes, extra: bytes) -> None:
    raw = b"From: a@b.example\n" + extra + tail
    mail = parse_message(raw, own_addresses={"a@b.example"})
    assert mail.sha256 == hashlib.sha256(raw).hexdigest()


@given(st.text(max_size=200))
def test_header_decoding_never_fails(text: str) -> None:
    decoded, _clean = decode_words(text)
    assert isinstance(decoded, str)
    parse_addresses([text])
    assert isinstance(html_to_text(text), str)


@pytest.mark.parametrize(
    "value",
    [
        "Hetzner  Online GmbH <x@y.example>",
        "a.b-c+d@e-f.example",
        "=?UTF-8?B?546L5pWP?= <w@s.example>",
        '"Smith, Bob" <b@c.example>, c@d.example',
        "<a@b.example>",
        "undisclosed-recipients:;",
        "Bob (work) <b@c.example>",
    ],
)
def test_address_fast_path_agrees_with_the_standard_parser(value: str) -> None:
    from email.utils import getaddresses

    expected = [
        (" ".join(name.split()), addr) for name, addr in getaddresses([value]) if "@" in addr
    ]
    found, _ = parse_addresses([value])
    assert [(a.name, a.address) for a in found] == [
        (decode_words(name)[0], addr) for name, addr in expected
    ]
