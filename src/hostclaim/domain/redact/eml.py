"""E-mail (.eml): mask headers and every readable part, keep the MIME structure byte for byte.

Parts without a finding are written back exactly as they were. A changed part keeps its
headers and its transfer encoding: base64 and quoted-printable parts are decoded, masked and
encoded again. Structural headers (Message-ID, References, Content-*, signatures) are left alone;
a redacted copy no longer verifies under DKIM — the original stays in the evidence locker.
"""

from __future__ import annotations

import base64
import email
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.header import Header, decode_header
from email.message import Message
from email.policy import compat32
from email.quoprimime import body_encode

from hostclaim.domain.redact.detect import ContactAllowList
from hostclaim.domain.redact.result import MaskedSpan, Note
from hostclaim.domain.redact.text import mask_text

_UNTOUCHED_HEADERS = frozenset(
    [
        "message-id",
        "in-reply-to",
        "references",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "content-id",
        "mime-version",
        "dkim-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "authentication-results",
        "x-google-dkim-signature",
        "domainkey-signature",
    ]
)
_MAX_DEPTH = 8


@dataclass
class _Work:
    allow: ContactAllowList
    literals: tuple[str, ...]
    spans: list[MaskedSpan] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    changed: bool = False


def _decode_header_value(value: str) -> tuple[str, bool]:
    if "=?" not in value:
        return value, False
    parts = []
    for chunk, charset in decode_header(value):
        if isinstance(chunk, bytes):
            try:
                parts.append(chunk.decode(charset or "ascii", errors="replace"))
            except LookupError:
                parts.append(chunk.decode("utf-8", errors="replace"))
        else:
            parts.append(chunk)
    return "".join(parts), True


def _encode_words(text: str) -> str:
    """RFC 2047 for the words that need it only, so ``张伟 <[EMAIL]>`` keeps a readable address."""
    return " ".join(
        word if word.isascii() else Header(word, "utf-8").encode() for word in text.split(" ")
    )


def _redact_headers(msg: Message, work: _Work, where: str) -> None:
    items = msg.items()
    new_items: list[tuple[str, str]] = []
    changed = False
    for name, raw in items:
        if name.lower() in _UNTOUCHED_HEADERS or not isinstance(raw, str):
            new_items.append((name, raw))
            continue
        text, _encoded = _decode_header_value(raw)
        masked, spans = mask_text(
            text, allow=work.allow, literals=work.literals, location=f"{where}header {name}"
        )
        if not spans:
            new_items.append((name, raw))
            continue
        work.spans.extend(spans)
        changed = True
        new_items.append((name, masked if masked.isascii() else _encode_words(masked)))
    if changed:
        work.changed = True
        for name in {name for name, _ in items}:
            del msg[name]
        for name, value in new_items:
            msg[name] = value


def _charset_decode(data: bytes, charset: str | None) -> tuple[str, str]:
    for candidate in (charset, "utf-8", "gb18030"):
        if not candidate:
            continue
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"


def _encode_payload(part: Message, data: bytes) -> None:
    raw = part.get_payload()
    linesep = "\r\n" if isinstance(raw, str) and "\r\n" in raw else "\n"
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte == "base64":
        encoded = base64.encodebytes(data).decode("ascii").replace("\n", linesep)
    elif cte == "quoted-printable":
        encoded = body_encode(data.decode("latin-1"), maxlinelen=76, eol=linesep)
        if isinstance(raw, str) and raw.endswith(("\n", "\r")) and not encoded.endswith(linesep):
            encoded += linesep
    else:
        # 7bit / 8bit / binary: write the bytes back as they are.
        encoded = data.decode("ascii", errors="surrogateescape")
    part.set_payload(encoded)


def _redact_leaf(part: Message, work: _Work, where: str, depth: int) -> None:
    content_type = part.get_content_type()
    filename = part.get_filename() or ""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return
    label = f"{where}({content_type}{', ' + filename if filename else ''})"
    if part.get_content_maintype() == "text" and not filename.lower().endswith(".csv"):
        text, charset = _charset_decode(data, part.get_content_charset())
        masked, spans = mask_text(text, allow=work.allow, literals=work.literals, location=label)
        if not spans:
            return
        try:
            new_data = masked.encode(charset)
        except UnicodeEncodeError:
            new_data = masked.encode("utf-8")
            part.set_param("charset", "utf-8")
        _encode_payload(part, new_data)
        work.spans.extend(spans)
        work.changed = True
        return
    # Attachments: redact them by their own format where we can, else say we did not look.
    from hostclaim.domain.redact.formats import redact_bytes

    result = redact_bytes(
        data,
        filename or content_type,
        keep=work.allow,
        extra=work.literals,
        _depth=depth + 1,
    )
    if result.refused or result.data is None:
        work.notes.append(
            Note("redact.note.part_not_inspected", {"part": label, "reason": result.refused_reason})
        )
        return
    work.notes.extend(result.notes)
    if result.spans:
        work.spans.extend(
            MaskedSpan(
                s.kind, s.start, s.end, s.line, s.original_sha256, s.replacement,
                f"{label} {s.location}".strip(),
            )
            for s in result.spans
        )  # fmt: skip
        _encode_payload(part, result.data)
        work.changed = True


def _walk(msg: Message, work: _Work, path: str, depth: int) -> None:
    where = f"part {path} " if path else ""
    _redact_headers(msg, work, where)
    if msg.is_multipart():
        payload = msg.get_payload()
        if isinstance(payload, list):
            for number, sub in enumerate(payload, 1):
                if isinstance(sub, Message):
                    _walk(sub, work, f"{path}.{number}" if path else str(number), depth)
        return
    _redact_leaf(msg, work, where, depth)


def redact_eml(
    data: bytes, *, allow: ContactAllowList, literals: Iterable[str] = (), depth: int = 0
) -> tuple[bytes, list[MaskedSpan], list[Note]]:
    if depth > _MAX_DEPTH:
        return data, [], [Note("redact.note.too_deep")]
    msg = email.message_from_bytes(data, policy=compat32)
    work = _Work(allow, tuple(literals))
    _walk(msg, work, "", depth)
    if not work.changed:
        return data, [], work.notes
    if msg.get("DKIM-Signature") is not None:
        work.notes.append(Note("redact.note.dkim_broken"))
    out = io.BytesIO()
    linesep = "\r\n" if b"\r\n" in data[:4096] else "\n"
    BytesGenerator(
        out, mangle_from_=False, maxheaderlen=0, policy=compat32.clone(linesep=linesep)
    ).flatten(msg)
    return out.getvalue(), work.spans, work.notes


def email_text(data: bytes) -> str:
    """Headers and the decoded text of every readable part, for the linter."""
    msg = email.message_from_bytes(data, policy=compat32)
    chunks: list[str] = []
    for part in msg.walk():
        for name, value in part.items():
            if name.lower() not in _UNTOUCHED_HEADERS and isinstance(value, str):
                chunks.append(f"{name}: {_decode_header_value(value)[0]}")
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and part.get_content_maintype() == "text":
            chunks.append(_charset_decode(payload, part.get_content_charset())[0])
    return "\n".join(chunks)
