"""What one entry of a mail file is, from the entry alone: the rows it would become.

Stateless but for the hashes the case holds, so it runs in the importer or in the parser
process alike (see :mod:`.parser_process`); it keeps to the e-mail package and plain data,
so the parser process does not load the database layer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hostclaim.domain.case import Channel, Direction, EvidenceKind
from hostclaim.domain.timeutil import iso_utc
from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.mail import (
    BadMessage,
    DkimKeySource,
    OwnAddresses,
    ParsedMail,
    RawMessage,
    iter_messages,
    parse_message,
)
from hostclaim.mail import Direction as MailDirection
from hostclaim.mail.parse import SYNTHETIC_ID_DOMAIN

SUMMARY_CHARS = 300
MEDIA_TYPE = "message/rfc822"
ORIGIN = "mail-import"
MAX_ID = 1000  # MailMessage.message_id / thread_root / in_reply_to column size
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Malformed:
    """A message that is not readable mail; its bytes are kept as evidence when there are any."""

    source: str
    index: int
    offset: int
    reason: str
    detail: str
    ref: str | None = None
    evidence_ref: str | None = None

    def render(self, lang: str | None = None) -> str:
        text = t(
            f"mail.bad.{self.reason}",
            lang,
            index=self.index,
            offset=self.offset,
            detail=self.detail,
        )
        return f"{self.source}: {text}"

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "offset": self.offset,
            "reason": self.reason,
            "detail": self.detail,
            "ref": self.ref,
            "evidence": self.evidence_ref,
        }


def _clip(text: str | None, size: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= size else text[: size - 1] + "…"


def _fit_id(ident: str) -> str:
    """Message-IDs longer than the column become a stable digest of themselves."""
    if len(ident) <= MAX_ID:
        return ident
    return f"sha256-{hashlib.sha256(ident.encode('utf-8', 'replace')).hexdigest()}@long.invalid"


def _summary(text: str, subject: str) -> str:
    """The first ~300 characters of what the message says, quoted history left out."""
    words = _leading_words(text)
    if not words:
        words = subject.strip() or t("mail_import.no_text")
    return _clip(words, SUMMARY_CHARS) or words


def _leading_words(text: str) -> str:
    """The unquoted lines of ``text`` joined, runs of white space made one space, stripped.

    Only as far as the summary needs: once more than ``SUMMARY_CHARS`` characters are certain,
    the rest of a long message cannot change what ``_clip`` keeps (what is made of the first
    lines is the start of what would be made of them all).
    """
    kept: list[str] = []
    size = 0
    check_at = 2 * SUMMARY_CHARS
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
        size += len(line) + 1
        if size >= check_at:
            words = _SPACES.sub(" ", " ".join(kept)).strip()
            if len(words) > SUMMARY_CHARS:
                return words
            check_at = 2 * size
    return _SPACES.sub(" ", " ".join(kept)).strip()


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return iso_utc(value)
    return str(value)


def _entry_name(path: Path, index: int) -> str:
    if path.suffix.lower() == ".eml" and index == 1:
        return path.name
    return f"{path.stem}-{index:05d}.eml"


@dataclass
class _Pending:
    """One message read and described; then stored (blob) and, with its batch, recorded.

    What is made of the message alone is filled in by ``_describe`` (possibly in the parser
    process); ``thread_root`` and ``created_at`` by the importer, which knows the case.
    """

    message_id: str
    source: str
    index: int
    sha256: str
    size: int
    evidence: dict[str, Any]
    record: dict[str, Any]
    contact: dict[str, Any] | None
    malformed: Malformed | None = None
    unaddressed: bool = False
    links: tuple[str, ...] | None = None  # Message-IDs it refers to; None: not threaded
    raw: bytes = field(default=b"", repr=False)  # its bytes, until they are stored
    by_hash: bool = False  # a readable entry: an exact copy of one in the case is a duplicate
    thread_root: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class _Known:
    """An entry whose exact bytes the case already holds: a duplicate, known without parsing."""

    source: str
    index: int
    sha256: str


# What reading a file gives, in file order: bytes of the file read so far (int), or an entry.
_Event = int | _Pending | _Known | Malformed


def _dkim_fields(mail: ParsedMail) -> dict[str, Any]:
    dkim = mail.dkim
    best = next(
        (
            s
            for s in dkim.signatures
            if s.domain == (dkim.domain or "")
            and s.selector == (dkim.selector or "")
            and s.verified is dkim.verified
            and s.reason == dkim.reason
        ),
        None,
    )
    return {
        "dkim_signed": dkim.signed,
        "dkim_verified": dkim.verified,
        "dkim_domain": _clip(dkim.domain, 255),
        "dkim_selector": _clip(dkim.selector, 255),
        "dkim_reason": dkim.reason,
        "dkim_detail": dkim.detail or None,
        "dkim_aligned": dkim.aligned,
        "dkim_key_record": best.key_record if best is not None else None,
        "dkim_signatures": [
            {
                "domain": s.domain,
                "selector": s.selector,
                "verified": s.verified,
                "reason": s.reason,
                "detail": s.detail,
                "algorithm": s.algorithm,
                "signed_at": iso_utc(s.signed_at) if s.signed_at else None,
                "expires_at": iso_utc(s.expires_at) if s.expires_at else None,
                "aligned": s.aligned,
                "signed_body_bytes": s.signed_body_bytes,
                "key_record": s.key_record,
            }
            for s in dkim.signatures
        ],
    }


_NO_DKIM: dict[str, Any] = {
    "dkim_signed": False,
    "dkim_verified": None,
    "dkim_domain": None,
    "dkim_selector": None,
    "dkim_reason": None,
    "dkim_detail": None,
    "dkim_aligned": False,
    "dkim_key_record": None,
    "dkim_signatures": [],
}


def _prepare_parsed(mail: ParsedMail, path: Path, position: int, offset: int) -> _Pending:
    """The rows of a parsed message, as far as they follow from the message alone."""
    index = position + 1
    message_id = _fit_id(mail.message_id)
    subject = mail.subject.strip()
    title = _clip(subject, 300) or t("mail_import.no_subject")
    unaddressed = mail.direction is MailDirection.UNKNOWN
    direction = (
        Direction.OUTBOUND if mail.direction is MailDirection.OUTBOUND else Direction.INBOUND
    )
    counterpart = _clip(str(mail.counterpart), 300) if mail.counterpart else None
    contact = None
    if mail.date is not None:
        contact = {
            "at": mail.date,
            "channel": Channel.EMAIL.value,
            "direction": direction.value,
            "counterpart": counterpart,
            "subject": _clip(subject, 500) or None,
            "summary": _summary(mail.text, subject),
            "ticket_ref": _clip(mail.tickets[0], 200) if mail.tickets else None,
        }
    return _Pending(
        message_id=message_id,
        source=path.name,
        index=index,
        sha256=mail.sha256,
        size=mail.size,
        evidence={
            "kind": EvidenceKind.COMMUNICATION.value,
            "title": title,
            "captured_at": mail.date,
            "note": None,
            "original_name": _entry_name(path, index),
            "media_type": MEDIA_TYPE,
            "origin": _clip(f"{ORIGIN}:{path.name}#{index}", 200),
        },
        record={
            "message_id": message_id,
            "message_id_synthesised": mail.message_id_synthesised,
            "status": "parsed",
            "problem": None,
            "problem_detail": None,
            "source_name": _clip(path.name, 500),
            "source_index": index,
            "source_offset": offset,
            "sha256": mail.sha256,
            "size": mail.size,
            "sent_at": mail.date,
            "received_at": mail.received_at,
            "sender": _clip(str(mail.sender), 500) if mail.sender else None,
            "recipients": [str(a) for a in (*mail.to, *mail.cc)],
            "subject": subject,
            "direction": mail.direction.value,
            "counterpart": counterpart,
            "in_reply_to": _fit_id(mail.in_reply_to) if mail.in_reply_to else None,
            "references": [_fit_id(r) for r in mail.references],
            "ticket_refs": [{"value": r.value, "kind": r.kind} for r in mail.ticket_refs],
            **_dkim_fields(mail),
            "attachments": [
                {
                    "index": position,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "disposition": a.disposition,
                }
                for position, a in enumerate(mail.attachments, start=1)
            ],
            "warnings": [
                {"code": w.code, "params": {k: _jsonable(v) for k, v in w.params.items()}}
                for w in mail.warnings
            ],
        },
        contact=contact,
        unaddressed=unaddressed and contact is not None,
        links=tuple(_fit_id(r) for r in (*mail.references, mail.in_reply_to) if r),
        raw=mail.raw,
        by_hash=True,
    )


def _prepare_bad(bad: BadMessage, path: Path, sha: str | None = None) -> _Pending:
    """An entry that is not readable mail, kept as evidence marked unparsed.

    ``sha`` is given for an entry that was split out as a message and failed to parse: an
    exact copy of one the case holds is then a duplicate, as for readable mail.
    """
    # The database layer comes with it: imported only here, for an entry that is not mail.
    from hostclaim.services.evidence import sniff_media_type

    index = bad.index + 1
    malformed = Malformed(
        source=path.name, index=index, offset=bad.offset, reason=bad.reason, detail=bad.detail
    )
    by_hash = sha is not None
    sha = sha or hashlib.sha256(bad.raw).hexdigest()
    message_id = f"sha256-{sha}@{SYNTHETIC_ID_DOMAIN}"
    return _Pending(
        message_id=message_id,
        source=path.name,
        index=index,
        sha256=sha,
        size=len(bad.raw),
        evidence={
            "kind": EvidenceKind.COMMUNICATION.value,
            "title": _clip(t("mail_import.unparsed_title", source=path.name, index=index), 300),
            "captured_at": None,
            "note": malformed.render(),
            "original_name": _entry_name(path, index),
            "media_type": sniff_media_type(None, bad.raw[:64]),
            "origin": _clip(f"{ORIGIN}-unparsed:{path.name}#{index}", 200),
        },
        record={
            "message_id": message_id,
            "message_id_synthesised": True,
            "status": "unparsed",
            "problem": bad.reason,
            "problem_detail": bad.detail or None,
            "source_name": _clip(path.name, 500),
            "source_index": index,
            "source_offset": bad.offset,
            "sha256": sha,
            "size": len(bad.raw),
            "sent_at": None,
            "received_at": None,
            "sender": None,
            "recipients": [],
            "subject": "",
            "direction": MailDirection.UNKNOWN.value,
            "counterpart": None,
            "in_reply_to": None,
            "references": [],
            "ticket_refs": [],
            **_NO_DKIM,
            "attachments": [],
            "warnings": [],
        },
        contact=None,
        malformed=malformed,
        raw=bad.raw,
        by_hash=by_hash,
        thread_root=message_id,
    )


def _describe(
    item: RawMessage | BadMessage,
    path: Path,
    owner: OwnAddresses,
    keys: DkimKeySource | None,
    held: Container[str],
) -> _Pending | _Known | Malformed:
    """What one entry of a file is; needs nothing of the case but the hashes it ``held``."""
    if isinstance(item, BadMessage):
        if not item.raw:
            return Malformed(path.name, item.index + 1, item.offset, item.reason, item.detail)
        return _prepare_bad(item, path)
    sha = hashlib.sha256(item.raw).hexdigest()
    # The same bytes as a message of the case: a duplicate, known without parsing it.
    # This keeps re-running an interrupted import of a big mailbox cheap.
    if sha in held:
        return _Known(path.name, item.index + 1, sha)
    try:
        parsed = parse_message(item.raw, own_addresses=owner, dkim_keys=keys)
    except InvalidInput as exc:  # the same as parse_mailbox does
        detail = str(exc.params.get("detail", ""))
        bad = BadMessage(item.index, item.offset, item.length, "unparseable", detail, item.raw)
        return _prepare_bad(bad, path, sha)
    return _prepare_parsed(parsed, path, item.index, item.offset)


def _produce(
    path: Path, owner: OwnAddresses, keys: DkimKeySource | None, held: Container[str]
) -> Iterator[_Event]:
    """Read one file: its entries in order, each preceded by how far the file has been read.

    Stateless but for ``held``, so it runs in this process or in the parser process alike.
    """
    positions: list[int] = []
    for item in iter_messages(path, progress=positions.append):
        if positions:
            yield from positions
            positions.clear()
        yield _describe(item, path, owner, keys, held)
    yield from positions
