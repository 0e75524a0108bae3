"""Sending through a real SMTP server (aiosmtpd) on 127.0.0.1, on a free port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from hostclaim.letters import LetterContext, draft
from hostclaim.letters.render import Attachment, to_eml
from hostclaim.letters.smtp import DeliveryFailed, send_smtp


@dataclass
class Inbox:
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 Ok: queued as HC123"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"wang", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _letter(ctx: LetterContext, **extra: Any) -> bytes:
    return to_eml(
        draft("follow_up", ctx, "zh"),
        sender="Wang Min <wang.min@lanhai.example>",
        to=["support@rheinhost.example"],
        date=datetime(2026, 11, 21, 8, 30, tzinfo=UTC),
        attachments=[Attachment("outage-report.pdf", b"%PDF-1.4\n.\n..\n%%EOF\n")],
        **extra,
    )


def test_the_server_receives_exactly_the_bytes_sent(
    ctx: LetterContext, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    eml = _letter(ctx, cc=["legal@lanhai.example"])
    result = send_smtp(eml, "127.0.0.1", port, starttls=False, timeout=10)
    assert result.code == 250
    assert "queued as HC123" in result.message
    assert result.sent == eml
    ((mail_from, rcpt_tos, content),) = inbox.messages
    assert mail_from == "wang.min@lanhai.example"
    assert rcpt_tos == ["support@rheinhost.example", "legal@lanhai.example"]
    assert content == result.sent


def test_login_refused_recipients_and_bare_line_feeds(
    ctx: LetterContext, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    eml = _letter(ctx, cc=["nobody@refused.example"]).replace(b"\r\n", b"\n")
    result = send_smtp(eml, "127.0.0.1", port, username="wang", password="s3cret", timeout=10)
    assert result.refused == {"nobody@refused.example": (550, "5.1.1 No such user")}
    assert result.recipients == ("support@rheinhost.example",)
    assert b"\r\n" in result.sent and result.sent.replace(b"\r\n", b"\n") == eml
    assert inbox.messages[0][2] == result.sent

    # aiosmtpd stalls a failed login (against guessing); either way the send must fail cleanly.
    with pytest.raises(DeliveryFailed) as error:
        send_smtp(eml, "127.0.0.1", port, username="wang", password="wrong", timeout=1)
    assert f"127.0.0.1:{port}" in error.value.render("en")


def test_no_server_is_a_clear_error(ctx: LetterContext) -> None:
    with pytest.raises(DeliveryFailed) as error:
        send_smtp(_letter(ctx), "127.0.0.1", _free_port(), timeout=5)
    assert error.value.http_status == 502
