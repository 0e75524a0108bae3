"""What correspondence parsing produces: plain, immutable records.

A ``RawMessage`` is one message exactly as it was received (the bytes that get hashed and
stored as evidence); a ``ParsedMail`` is what we read out of it. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hostclaim.i18n import t


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One message of a mailbox file.

    ``raw`` is the message with the mailbox's own framing removed: no ``From_`` envelope line,
    no blank separator line, ``>From`` quoting undone. Those are the bytes the sender's server
    signed and the bytes to hash as evidence. ``offset``/``length`` locate the whole entry
    (envelope line and separator included) in the file.
    """

    index: int
    offset: int
    length: int
    raw: bytes = field(repr=False)
    envelope: bytes | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True, slots=True)
class BadMessage:
    """A message that cannot be read as mail; the rest of the mailbox still imports.

    ``reason`` is a catalog key suffix (``mail.bad.<reason>``); ``raw`` is kept so the
    unreadable message can still be stored as evidence.
    """

    index: int
    offset: int
    length: int
    reason: str
    detail: str = ""
    raw: bytes = field(default=b"", repr=False)

    def render(self, lang: str | None = None) -> str:
        return t(
            f"mail.bad.{self.reason}",
            lang,
            index=self.index,
            offset=self.offset,
            detail=self.detail,
        )


@dataclass(frozen=True, slots=True)
class MailWarning:
    """Something a reader of the evidence should know (e.g. the Date header was missing)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return t(f"mail.warning.{self.code}", lang, **self.params)


@dataclass(frozen=True, slots=True)
class Address:
    """A mailbox: display name (RFC 2047 decoded) and address as written."""

    name: str
    address: str

    @property
    def key(self) -> str:
        """The address for comparisons (addresses are compared case-insensitively)."""
        return self.address.lower()

    @property
    def domain(self) -> str:
        return self.key.rpartition("@")[2]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket/case number found in a subject or body, e.g. ``Ticket #12345`` → 12345."""

    value: str
    kind: str
    pattern: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A MIME leaf that is not the message text (files, inline images, forwarded mails).

    The bytes are not held twice: ``read()`` extracts them again from the message and checks
    them against ``sha256``.
    """

    filename: str | None
    content_type: str
    size: int
    sha256: str
    disposition: str
    leaf: int = field(repr=False)
    source: bytes = field(repr=False, compare=False)

    def read(self) -> bytes:
        from hostclaim.mail.body import extract_leaf

        data = extract_leaf(self.source, self.leaf)
        if hashlib.sha256(data).hexdigest() != self.sha256:  # pragma: no cover - defensive
            raise RuntimeError("attachment bytes changed between parse and read")
        return data


@dataclass(frozen=True, slots=True)
class DkimSignatureCheck:
    """The outcome for one DKIM-Signature header.

    ``verified`` is True (signature good), False (it does not verify: altered message, bad
    signature, expired when it was made) or None (could not be checked: no key record
    available, key revoked or unusable). ``reason`` is a catalog key suffix (``mail.dkim.*``).
    ``key_record`` is the TXT record used, worth keeping as evidence: keys are rotated and
    withdrawn, so the record may be gone from DNS when a lawyer checks the message later.
    """

    domain: str
    selector: str
    verified: bool | None
    reason: str
    detail: str = ""
    algorithm: str = ""
    signed_at: datetime | None = None
    expires_at: datetime | None = None
    aligned: bool = False
    key_record: str | None = None
    # The l= tag: only this many bytes of the body are signed; anything after them could
    # have been added by anyone on the way.
    signed_body_bytes: int | None = None

    def render(self, lang: str | None = None) -> str:
        return t(
            f"mail.dkim.{self.reason}",
            lang,
            domain=self.domain,
            selector=self.selector,
            detail=self.detail,
        )


@dataclass(frozen=True, slots=True)
class DkimResult:
    """The DKIM verdict for a message: the best of its signatures, plus all of them.

    "Best" prefers a verified signature whose domain matches the From domain, then any
    verified one, then one that could not be checked, then a failed one.
    """

    signed: bool
    domain: str | None
    selector: str | None
    verified: bool | None
    reason: str
    detail: str = ""
    aligned: bool = False
    signatures: tuple[DkimSignatureCheck, ...] = ()

    def render(self, lang: str | None = None) -> str:
        return t(
            f"mail.dkim.{self.reason}",
            lang,
            domain=self.domain or "",
            selector=self.selector or "",
            detail=self.detail,
        )


UNSIGNED = DkimResult(signed=False, domain=None, selector=None, verified=None, reason="unsigned")


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """What one message says, ready to become a Communication of a case.

    ``message_id`` is normalised (no angle brackets, domain part lower-cased); when the
    message has none, a stable one is made from the SHA-256 of the raw bytes and
    ``message_id_synthesised`` is True. ``date`` is the Date header in aware UTC, or None
    (with a warning) when it is missing, invalid or has no zone; ``received_at`` is the time
    on the topmost Received header (when our side's server took the message), if any.
    """

    message_id: str
    message_id_synthesised: bool
    sha256: str
    size: int
    date: datetime | None
    received_at: datetime | None
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    direction: Direction
    counterpart: Address | None
    text: str
    ticket_refs: tuple[TicketRef, ...]
    in_reply_to: str | None
    references: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    dkim: DkimResult
    warnings: tuple[MailWarning, ...] = ()
    index: int | None = None
    offset: int | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)

    @property
    def tickets(self) -> tuple[str, ...]:
        return tuple(ref.value for ref in self.ticket_refs)
