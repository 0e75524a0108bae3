"""A draft as an RFC 5322 e-mail (.eml): UTF-8 text and HTML parts, enclosures attached."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from hostclaim.errors import Conflict, InvalidInput
from hostclaim.letters.drafting import Draft
from hostclaim.letters.model import Enclosure
from hostclaim.letters.render.html import to_html
from hostclaim.letters.render.text import to_text

# CRLF line ends, 7-bit safe headers and bodies: what any SMTP server accepts unchanged.
WIRE = policy.SMTP


@dataclass(frozen=True)
class Attachment:
    file_name: str
    data: bytes
    media_type: str | None = None
    """``application/pdf`` …; guessed from the file name when absent."""

    @property
    def mime(self) -> tuple[str, str]:
        guessed = self.media_type or mimetypes.guess_type(self.file_name, strict=False)[0]
        maintype, _, subtype = (guessed or "application/octet-stream").partition("/")
        if maintype == "message" or not subtype:
            # A message/* part may not be base64-encoded, so its bytes (and so the hash the
            # letter lists for it) would not survive transport: send it as an opaque file.
            return "application", "octet-stream"
        return maintype, subtype

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def verify_enclosures(enclosures: Sequence[Enclosure], attachments: Sequence[Attachment]) -> None:
    """Refuse to send a file whose hash differs from the one the letter lists for it."""
    listed = {e.file_name: e.sha256 for e in enclosures if e.file_name and e.sha256}
    for attachment in attachments:
        expected = listed.get(attachment.file_name)
        if expected and not attachment.sha256.startswith(expected):
            raise Conflict(
                "error.letters.attachment_mismatch",
                file=attachment.file_name,
                listed=expected,
                actual=attachment.sha256[:12],
            )


def _cte(text: str) -> str:
    # Chinese reads best in base64 (shorter); mostly-Latin text stays legible as quoted-printable.
    ascii_share = sum(ch.isascii() for ch in text) / max(len(text), 1)
    return "quoted-printable" if ascii_share > 0.8 else "base64"


def to_eml(
    draft: Draft,
    *,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    reply_to: str | None = None,
    date: datetime | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    attachments: Sequence[Attachment] = (),
    html: bool = True,
) -> bytes:
    """The letter as e-mail bytes (CRLF line ends), ready to save as .eml or to send."""
    if not to:
        raise InvalidInput("error.letters.no_recipients")
    msg = EmailMessage(policy=WIRE)
    msg["Subject"] = draft.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if draft.case_ref:
        msg["X-Hostclaim-Case"] = draft.case_ref
    msg["X-Hostclaim-Kind"] = draft.kind

    text = to_text(draft)
    msg.set_content(text, subtype="plain", charset="utf-8", cte=_cte(text))
    if html:
        page = to_html(draft)
        msg.add_alternative(page, subtype="html", charset="utf-8", cte=_cte(page))
    for attachment in attachments:
        maintype, subtype = attachment.mime
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.file_name
        )
    # Last: set_content() and add_*() move or drop Content-* headers of the top level.
    msg["Content-Language"] = "zh-CN" if draft.lang == "zh" else draft.lang
    return msg.as_bytes(policy=WIRE)


def recipients(eml: bytes) -> tuple[str, list[str]]:
    """Envelope sender and recipients (To, Cc, Bcc) read from a message's headers."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(eml)
    sender = parseaddr(str(headers.get("From", "")))[1]
    fields = [str(v) for key in ("To", "Cc", "Bcc") for v in headers.get_all(key, [])]
    return sender, [addr for _, addr in getaddresses(fields) if addr]
