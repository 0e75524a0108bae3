"""Send an issued letter (.eml bytes) through the user's SMTP server, and keep what was sent."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field

from hostclaim.errors import HostclaimError, InvalidInput
from hostclaim.letters.render.eml import recipients


class DeliveryFailed(HostclaimError):
    """The mail server refused the letter or could not be reached."""

    http_status = 502


@dataclass(frozen=True)
class SmtpResult:
    code: int
    """The server's reply code to the message data (250 when accepted)."""
    message: str
    """The server's reply text, often with its queue id: keep it as proof of sending."""
    sent: bytes
    """The message exactly as transmitted (CRLF line ends, before SMTP dot-stuffing)."""
    sender: str
    recipients: tuple[str, ...]
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def send_smtp(
    eml: bytes,
    host: str,
    port: int,
    *,
    starttls: bool = False,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 30.0,
    use_ssl: bool = False,
    envelope_from: str | None = None,
    envelope_to: Sequence[str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SmtpResult:
    """Send ``eml`` and return the server's answer and the bytes it received.

    The envelope comes from the From/To/Cc/Bcc headers unless given. ``use_ssl`` is implicit TLS
    (port 465); ``starttls`` upgrades a plain connection (port 587). Certificates are verified.
    """
    data = _crlf(eml)
    header_from, header_to = recipients(data)
    sender = envelope_from or header_from
    rcpts = list(envelope_to) if envelope_to else header_to
    if not rcpts:
        raise InvalidInput("error.letters.no_recipients")
    context = ssl_context or ssl.create_default_context()

    def fail(problem: object) -> DeliveryFailed:
        return DeliveryFailed("error.letters.smtp_failed", host=host, port=port, problem=problem)

    try:
        client: smtplib.SMTP
        if use_ssl:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            client.ehlo_or_helo_if_needed()
            if starttls and not use_ssl:
                client.starttls(context=context)
                client.ehlo()
            if username:
                client.login(username, password or "")
            code, reply = client.mail(sender)
            if code != 250:
                raise fail(f"{code} {reply.decode(errors='replace')}")
            refused: dict[str, tuple[int, str]] = {}
            for rcpt in rcpts:
                code, reply = client.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, reply.decode(errors="replace"))
            if len(refused) == len(rcpts):
                client.rset()
                raise fail("; ".join(f"{r}: {c} {m}" for r, (c, m) in refused.items()))
            code, reply = client.data(data)
            if code != 250:
                raise fail(f"{code} {reply.decode(errors='replace')}")
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise fail(exc) from exc
    return SmtpResult(
        code=code,
        message=reply.decode(errors="replace"),
        sent=data,
        sender=sender,
        recipients=tuple(r for r in rcpts if r not in refused),
        refused=refused,
    )
