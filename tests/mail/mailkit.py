"""Helpers for the mail tests: RSA keys made here, messages written by hand, dkimpy signing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import parse_pem_private_key

PROVIDER = "provider.example"
SELECTOR = "s2026"
SHOP = "shop.example"


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes
    record: str  # the TXT record: v=DKIM1; k=rsa; p=...

    @property
    def name(self) -> str:
        return f"{SELECTOR}._domainkey.{PROVIDER}"


def make_key(bits: int = 2048) -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = "v=DKIM1; k=rsa; p=" + base64.b64encode(public_der).decode("ascii")
    return SigningKey(private_pem=private_pem, record=record)


def sign(
    message: bytes,
    key: SigningKey,
    *,
    domain: str = PROVIDER,
    selector: str = SELECTOR,
    t: int | None = None,
    x: int | None = None,
) -> bytes:
    """Prepend a DKIM-Signature. With ``t``/``x``, sign as of that time with that expiry.

    ``dkim.sign`` always stamps t= with the current time and never sets x=, so for the
    expiry cases the header is built from the same dkimpy pieces ``DKIM.sign`` uses.
    """
    linesep = b"\r\n" if b"\r\n" in message else b"\n"
    if t is None and x is None:
        header = dkim.sign(
            message, selector.encode(), domain.encode(), key.private_pem, linesep=linesep
        )
        return header + message
    signer = dkim.DKIM(message, linesep=linesep)
    canon = CanonicalizationPolicy.from_c_value(b"relaxed/simple")
    include = tuple(h.lower() for h in signer.default_sign_headers())
    body_hash = base64.b64encode(hashlib.sha256(canon.canonicalize_body(signer.body)).digest())
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", canon.to_c_value()),
        (b"d", domain.encode()),
        (b"i", b"@" + domain.encode()),
        (b"q", b"dns/txt"),
        (b"s", selector.encode()),
        (b"t", str(t).encode()),
        (b"x", str(x).encode()),
        (b"h", b" : ".join(include)),
        (b"bh", body_hash),
        (b"b", b"0" * 60),
    ]
    signer.hasher = hashlib.sha256
    value = signer.gen_header(
        fields, include, canon, b"DKIM-Signature", parse_pem_private_key(key.private_pem)
    )
    return b"DKIM-Signature: " + value + message


def plain(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str | None,
    date: str | None = "Sat, 03 Oct 2026 10:15:00 +0200",
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    extra: Sequence[tuple[str, str]] = (),
    linesep: str = "\n",
) -> bytes:
    """A hand-written text/plain message: exact control over every header byte."""
    lines = [f"From: {sender}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    lines.append(f"Subject: {subject}")
    if date is not None:
        lines.append(f"Date: {date}")
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append("References: " + " ".join(references))
    lines += [f"{name}: {value}" for name, value in extra]
    lines += [
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        *body.split("\n"),
    ]
    text = linesep.join(lines)
    if not text.endswith(linesep):
        text += linesep
    return text.encode("utf-8")


def with_attachment(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    filename: str,
    data: bytes,
    date: str = "Sat, 03 Oct 2026 14:00:00 +0800",
) -> bytes:
    """A multipart message built by the standard library (RFC 2047 subject, RFC 2231 name)."""
    msg = EmailMessage(policy=policy.default.clone(linesep="\n"))
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = message_id
    msg.set_content(body)
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return msg.as_bytes()
