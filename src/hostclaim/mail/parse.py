"""One message in, one :class:`ParsedMail` out: who, when, what, which ticket, signed by whom."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from email.message import Message
from pathlib import Path

from hostclaim.errors import InvalidInput
from hostclaim.mail.body import Content, parse_mime, read_content
from hostclaim.mail.dkimcheck import check_dkim
from hostclaim.mail.headers import (
    decode_words,
    message_ids,
    normalise_message_id,
    parse_addresses,
    parse_date,
    received_time,
    unfold,
)
from hostclaim.mail.keys import DkimKeySource
from hostclaim.mail.mbox import Quoting, header_problem, iter_messages
from hostclaim.mail.model import (
    Address,
    Attachment,
    BadMessage,
    Direction,
    MailWarning,
    ParsedMail,
)
from hostclaim.mail.tickets import find_ticket_refs

SYNTHETIC_ID_DOMAIN = "hostclaim.invalid"


class OwnAddresses:
    """The complainant's addresses: ``ops@shop.example`` or a whole domain as ``@shop.example``."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.addresses: set[str] = set()
        self.domains: set[str] = set()
        for entry in entries:
            value = entry.strip().lower()
            if value.startswith("@"):
                self.domains.add(value[1:])
            elif value:
                self.addresses.add(value)

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, Address):
            return False
        return address.key in self.addresses or address.domain in self.domains


def _direction(
    own: OwnAddresses, sender: Address | None, recipients: tuple[Address, ...]
) -> tuple[Direction, Address | None]:
    if sender is not None and sender in own:
        others = [a for a in recipients if a not in own]
        return Direction.OUTBOUND, (others[0] if others else None)
    if any(a in own for a in recipients):
        return Direction.INBOUND, sender
    return Direction.UNKNOWN, sender


def _defect_names(msg: Message) -> list[str]:
    names: set[str] = set()
    for part in msg.walk():
        names.update(type(defect).__name__ for defect in part.defects)
    return sorted(names)


def parse_message(
    raw: bytes,
    *,
    own_addresses: Iterable[str] | OwnAddresses = (),
    dkim_keys: DkimKeySource | None = None,
) -> ParsedMail:
    """Read one message (its exact bytes as received).

    Raises :class:`InvalidInput` only when the bytes are not mail at all (no header fields);
    every other problem is recorded in ``warnings`` and the message still parses. DKIM
    results never raise: see :class:`DkimResult`.
    """
    own = own_addresses if isinstance(own_addresses, OwnAddresses) else OwnAddresses(own_addresses)
    return _parse(raw, own, dkim_keys, None, None)


def _parse(
    raw: bytes,
    own: OwnAddresses,
    keys: DkimKeySource | None,
    index: int | None,
    offset: int | None,
) -> ParsedMail:
    problem = header_problem(raw)
    if problem:
        raise InvalidInput("mail.error.unparseable", detail=problem)
    try:
        msg = parse_mime(raw)
    except Exception as exc:  # pragma: no cover - the parser is lenient; belt and braces
        raise InvalidInput("mail.error.unparseable", detail=str(exc)) from None
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.strip().lower(), []).append(str(value))
    if not headers:
        raise InvalidInput("mail.error.unparseable", detail="no header fields")

    warnings: list[MailWarning] = []

    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    def addresses(name: str) -> tuple[Address, ...]:
        found, clean = parse_addresses(headers.get(name, []))
        if not clean:
            warnings.append(MailWarning("header_undecodable", {"header": name}))
        return found

    digest = hashlib.sha256(raw).hexdigest()
    message_id = normalise_message_id(first("message-id"))
    synthesised = message_id is None
    if message_id is None:
        code = "message_id_missing" if first("message-id") is None else "message_id_invalid"
        message_id = f"sha256-{digest}@{SYNTHETIC_ID_DOMAIN}"
        warnings.append(MailWarning(code, {"message_id": message_id}))

    date, problem = parse_date(first("date"))
    if problem:
        warnings.append(MailWarning(problem, {"value": unfold(first("date") or "")}))

    senders = addresses("from")
    sender = senders[0] if senders else None
    to, cc, reply_to = addresses("to"), addresses("cc"), addresses("reply-to")
    subject, clean = decode_words(unfold(first("subject") or ""))
    if not clean:
        warnings.append(MailWarning("header_undecodable", {"header": "subject"}))

    in_reply_to = message_ids(first("in-reply-to"))
    references = message_ids(" ".join(headers.get("references", [])))

    try:
        content = read_content(msg)
    except Exception as exc:  # the stdlib MIME code has edge-case crashes; keep the message
        warnings.append(MailWarning("body_unreadable", {"detail": f"{type(exc).__name__}: {exc}"}))
        content = Content(text="", attachments=(), text_clean=False, names_clean=True)
    if not content.text_clean:
        warnings.append(MailWarning("charset_fallback"))
    if not content.names_clean:
        warnings.append(MailWarning("header_undecodable", {"header": "filename"}))
    defects = _defect_names(msg)
    if defects:
        warnings.append(MailWarning("mime_defects", {"defects": ", ".join(defects)}))

    direction, counterpart = _direction(own, sender, to + cc)
    dkim = check_dkim(raw, keys, from_domain=sender.domain if sender else None, sent_at=date)
    partial = [s.signed_body_bytes for s in dkim.signatures if s.verified and s.signed_body_bytes]
    if partial:
        warnings.append(MailWarning("dkim_partial_body", {"bytes": partial[0]}))
    return ParsedMail(
        message_id=message_id,
        message_id_synthesised=synthesised,
        sha256=digest,
        size=len(raw),
        date=date,
        received_at=received_time(first("received")),
        sender=sender,
        to=to,
        cc=cc,
        reply_to=reply_to,
        subject=subject,
        direction=direction,
        counterpart=counterpart,
        text=content.text,
        ticket_refs=find_ticket_refs(subject, content.text),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=references,
        attachments=tuple(
            Attachment(
                filename=filename,
                content_type=content_type,
                size=size,
                sha256=sha,
                disposition=disposition,
                leaf=leaf,
                source=raw,
            )
            for leaf, filename, content_type, disposition, size, sha in content.attachments
        ),
        dkim=dkim,
        warnings=tuple(warnings),
        index=index,
        offset=offset,
        raw=raw,
    )


def parse_mailbox(
    path: str | Path,
    *,
    own_addresses: Iterable[str] | OwnAddresses = (),
    dkim_keys: DkimKeySource | None = None,
    quoting: Quoting = "mboxrd",
    progress: Callable[[int], None] | None = None,
) -> Iterator[ParsedMail | BadMessage]:
    """Every message of an ``.eml``/``.mbox`` file, parsed, in file order, one at a time.

    Messages that cannot be read come out as :class:`BadMessage` (with their bytes, to keep
    as evidence); the import goes on. ``progress`` gets the bytes of the file consumed.
    """
    own = own_addresses if isinstance(own_addresses, OwnAddresses) else OwnAddresses(own_addresses)
    for item in iter_messages(path, quoting=quoting, progress=progress):
        if isinstance(item, BadMessage):
            yield item
            continue
        try:
            yield _parse(item.raw, own, dkim_keys, item.index, item.offset)
        except InvalidInput as exc:
            yield BadMessage(
                index=item.index,
                offset=item.offset,
                length=item.length,
                reason="unparseable",
                detail=str(exc.params.get("detail", "")),
                raw=item.raw,
            )
