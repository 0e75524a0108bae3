"""Importing correspondence: each e-mail becomes evidence, a dated contact and a mail record.

``import_mail`` streams ``.eml``/``.mbox`` files through :mod:`hostclaim.mail` (a few megabytes
of messages in memory at a time, whatever the size of the mailbox), stores each message's exact
bytes in the locker, and commits in batches: ``BATCH_SIZE`` messages per transaction, recorded
by one ledger entry (``mail_imported``) that lists the batch's messages and holds the new state
of every row it added. A killed import leaves whole batches behind and a consistent case;
running it again skips every Message-ID (and every exact copy) the case already holds, so only
what is missing is added.

Each message's bytes are written to the locker as soon as it is read, without an fsync of its
own; one :meth:`~hostclaim.storage.blobs.BlobStore.sync` per batch makes them all durable just
before the batch's transaction, so no committed row ever points to bytes that a power cut could
still take away. A big import (``PARALLEL_MIN_BYTES``) on two cores or more reads and parses
in a second process while this one stores and commits (see ``_ParserProcess``); what is
imported, and in which order, does not depend on it.

Per message:

* an evidence item (``message/rfc822``, the raw bytes; title = subject, captured = Date);
* a contact (channel e-mail, time from the Date header, direction from the complainant's
  addresses, counterpart, subject, summary, first ticket reference) — unless the message has
  no usable Date: it is then kept as evidence and reported, never given the import time;
* a :class:`MailMessage` row: Message-ID, thread root, DKIM verdict with the key record used,
  ticket references, attachments (name, type, size, SHA-256), evidence and contact numbers.

A message that cannot be read as mail is kept as evidence marked unparsed (and recorded, so a
second import skips it) and reported with its position in the file. DKIM never fails an
import. Positions in files are counted from 1, as people count.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import queue
import re
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.case import Channel, Direction, EvidenceKind
from hostclaim.domain.timeutil import iso_utc, now_utc
from hostclaim.errors import HostclaimError, InvalidInput, NotFound
from hostclaim.i18n import current_language, set_language, t
from hostclaim.mail import (
    BadMessage,
    ChainKeySource,
    DkimKeySource,
    DnsKeySource,
    OwnAddresses,
    ParsedMail,
    RawMessage,
    iter_messages,
    load_key_file,
    parse_message,
    thread,
)
from hostclaim.mail import Direction as MailDirection
from hostclaim.mail.parse import SYNTHETIC_ID_DOMAIN
from hostclaim.services.evidence import add_bytes, read_bytes, sniff_media_type
from hostclaim.services.records import PREFIX, get_numbered, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Communication, Evidence
from hostclaim.storage.tables_mail import MailMessage

BATCH_SIZE = 200
SUMMARY_CHARS = 300
MEDIA_TYPE = "message/rfc822"
ORIGIN = "mail-import"
MAX_ID = 1000  # MailMessage.message_id / thread_root / in_reply_to column size
_EMAIL = re.compile(r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SPACES = re.compile(r"\s+")

Progress = Callable[[int], None]


class DkimStatus(StrEnum):
    VERIFIED = "verified"  # ✔ the signature verifies with the key record
    FAILED = "failed"  # ✘ it does not: the message was changed, or the signature is bad
    UNCHECKED = "unchecked"  # ? signed, but no key record was available to check it
    UNSIGNED = "unsigned"  # – not signed at all


def dkim_status(signed: bool, verified: bool | None) -> DkimStatus:
    if not signed:
        return DkimStatus.UNSIGNED
    if verified is True:
        return DkimStatus.VERIFIED
    if verified is False:
        return DkimStatus.FAILED
    return DkimStatus.UNCHECKED


def _number_ref(table: str, number: int | None) -> str | None:
    return None if number is None else f"{PREFIX[table]}{number}"


@dataclass(frozen=True)
class MessageSummary:
    """One mail record as people read it in a list."""

    ref: str
    evidence_ref: str
    communication_ref: str | None
    message_id: str
    status: str
    at: datetime | None
    direction: str
    sender: str | None
    counterpart: str | None
    subject: str
    ticket: str | None
    tickets: list[str]
    dkim: DkimStatus
    dkim_domain: str | None
    dkim_reason: str | None
    thread_root: str
    attachments: int
    source: str

    @classmethod
    def of(cls, row: MailMessage) -> MessageSummary:
        tickets = [str(item["value"]) for item in row.ticket_refs]
        return cls(
            ref=ref_of(row),
            evidence_ref=f"{PREFIX['evidence']}{row.evidence_number}",
            communication_ref=_number_ref("communications", row.communication_number),
            message_id=row.message_id,
            status=row.status,
            at=row.sent_at,
            direction=row.direction,
            sender=row.sender,
            counterpart=row.counterpart,
            subject=row.subject,
            ticket=tickets[0] if tickets else None,
            tickets=tickets,
            dkim=dkim_status(row.dkim_signed, row.dkim_verified),
            dkim_domain=row.dkim_domain,
            dkim_reason=row.dkim_reason,
            thread_root=row.thread_root,
            attachments=len(row.attachments),
            source=f"{row.source_name}#{row.source_index}",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "evidence": self.evidence_ref,
            "communication": self.communication_ref,
            "message_id": self.message_id,
            "status": self.status,
            "at": iso_utc(self.at) if self.at else None,
            "direction": self.direction,
            "sender": self.sender,
            "counterpart": self.counterpart,
            "subject": self.subject,
            "tickets": self.tickets,
            "dkim": self.dkim.value,
            "dkim_domain": self.dkim_domain,
            "dkim_reason": self.dkim_reason,
            "thread_root": self.thread_root,
            "attachments": self.attachments,
            "source": self.source,
        }


@dataclass(frozen=True)
class Duplicate:
    """A message whose Message-ID the case already holds (or that came twice in the input)."""

    source: str
    index: int
    message_id: str
    same_bytes: bool
    existing: str | None = None  # the MSG ref holding the first copy

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "message_id": self.message_id,
            "same_bytes": self.same_bytes,
            "existing": self.existing,
        }


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


@dataclass
class ImportReport:
    case_ref: str
    provider_tz: str
    own_addresses: list[str]
    key_sources: list[str]
    files: list[str]
    messages: list[MessageSummary] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    malformed: list[Malformed] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)  # MSG refs kept without a contact
    unaddressed: list[str] = field(default_factory=list)  # logged as received, own address absent
    threads_updated: int = 0

    @property
    def imported(self) -> int:
        return len(self.messages)

    @property
    def unchecked_signatures(self) -> int:
        return sum(1 for m in self.messages if m.dkim is DkimStatus.UNCHECKED)

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case_ref,
            "files": self.files,
            "own_addresses": self.own_addresses,
            "key_sources": self.key_sources,
            "imported": self.imported,
            "duplicates": len(self.duplicates),
            "malformed": len(self.malformed),
            "messages": [m.as_json() for m in self.messages],
            "duplicate_messages": [d.as_json() for d in self.duplicates],
            "malformed_messages": [m.as_json() for m in self.malformed],
            "undated": self.undated,
            "unaddressed": self.unaddressed,
            "threads_updated": self.threads_updated,
        }


# --- inputs ----------------------------------------------------------------------------------


def own_addresses(contact: str | None, extra: Iterable[str] = ()) -> list[str]:
    """The complainant's addresses: e-mails in the case's contact field, then ``--own`` values.

    ``@shop.example`` stands for the whole domain.
    """
    found: list[str] = list(_EMAIL.findall(contact or ""))
    for entry in extra:
        value = entry.strip()
        if not (_DOMAIN.fullmatch(value) or _EMAIL.fullmatch(value)):
            raise InvalidInput("mail_import.error.bad_own", value=entry)
        found.append(value)
    seen: dict[str, None] = {}
    for value in found:
        seen.setdefault(value.lower(), None)
    return list(seen)


def key_source(
    key_file: Path | None = None, dns: bool = False, extra: DkimKeySource | None = None
) -> tuple[DkimKeySource | None, list[str]]:
    """Where DKIM keys come from: a given source, a key file, then DNS (only when asked)."""
    sources: list[DkimKeySource] = []
    labels: list[str] = []
    if extra is not None:
        sources.append(extra)
        labels.append("given")
    if key_file is not None:
        sources.append(load_key_file(key_file))
        labels.append(f"file:{key_file.name}")
    if dns:
        sources.append(DnsKeySource())
        labels.append("dns")
    if not sources:
        return None, []
    return (sources[0] if len(sources) == 1 else ChainKeySource(*sources)), labels


def _check_files(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        raise InvalidInput("mail_import.error.no_files")
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise NotFound("mail.error.file_missing", path=str(path))
        if not path.is_file():
            raise InvalidInput("mail.error.not_a_file", path=str(path))
        files.append(path)
    return files


# --- small helpers ---------------------------------------------------------------------------


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


class _ThreadIndex:
    """Provisional thread roots while importing; ``_rethread`` settles them afterwards.

    For a mailbox in time order this already gives what :func:`hostclaim.mail.thread` gives
    (the earliest message of a conversation is its root), so the final pass rarely changes rows.
    """

    def __init__(self) -> None:
        self.root: dict[str, str] = {}

    def add(self, message_id: str, root: str, links: Iterable[str]) -> None:
        self.root[message_id] = root
        for link in links:
            self.root.setdefault(link, root)

    def place(self, message_id: str, links: Sequence[str]) -> str:
        root = next((self.root[link] for link in links if link in self.root), None)
        if root is None:
            root = self.root.get(message_id, message_id)
        self.add(message_id, root, links)
        return root


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


# --- the import ------------------------------------------------------------------------------


class _Importer:
    def __init__(
        self,
        ws: Workspace,
        case_ref: str,
        report: ImportReport,
        batch_size: int,
        owner: OwnAddresses,
        keys: DkimKeySource | None,
    ) -> None:
        self.ws = ws
        self.owner = owner
        self.keys = keys
        self.case_ref = case_ref
        self.report = report
        self.batch_size = max(1, batch_size)
        self.known: dict[str, str] = {}  # message_id → sha256 of the copy in the case
        self.by_sha: dict[str, str] = {}  # sha256 → message_id
        self.passed: dict[str, str] = {}  # sha256 → Message-ID held with other bytes
        self.threads = _ThreadIndex()
        self.batch: list[_Pending] = []
        self.blobs = ws.blobs

    def load_known(self, session: Session, case_id: int) -> None:
        rows = session.execute(
            select(
                MailMessage.message_id,
                MailMessage.sha256,
                MailMessage.thread_root,
                MailMessage.in_reply_to,
                MailMessage.references,
            )
            .where(MailMessage.case_id == case_id)
            .order_by(MailMessage.number)
        )
        for message_id, sha, root, in_reply_to, references in rows:
            self.known[message_id] = sha
            self.by_sha.setdefault(sha, message_id)
            self.threads.add(
                message_id, root, [*references, *([in_reply_to] if in_reply_to else [])]
            )

    def read(self, path: Path, events: Iterable[_Event], progress: Progress | None) -> None:
        """Take what reading ``path`` gave (see ``_produce``), in order."""
        consumed = 0
        for event in events:
            if isinstance(event, int):
                if progress is not None and event > consumed:
                    progress(event - consumed)
                consumed = max(consumed, event)
            else:
                self.take(event)

    def take(self, item: _Pending | _Known | Malformed) -> None:
        if isinstance(item, Malformed):  # nothing to keep: an entry without bytes
            self.report.malformed.append(item)
            return
        if isinstance(item, _Known):
            message_id = self.by_sha.get(item.sha256)
            if message_id is not None:
                duplicate = Duplicate(item.source, item.index, message_id, True)
            else:
                # A copy of one passed over as a Message-ID duplicate (the parser process
                # does not parse what it has sent once): passed over again, the same way.
                message_id = self.passed[item.sha256]
                same = self.known[message_id] == item.sha256
                duplicate = Duplicate(item.source, item.index, message_id, same)
            self.report.duplicates.append(duplicate)
            return
        pending = item
        if pending.by_hash:
            # An exact copy of a message taken earlier in this import (the parser process
            # only knew what the case held when it started).
            known = self.by_sha.get(pending.sha256)
            if known is not None:
                self.report.duplicates.append(Duplicate(pending.source, pending.index, known, True))
                return
        existing = self.known.get(pending.message_id)
        if existing is not None:
            if pending.by_hash:
                self.passed.setdefault(pending.sha256, pending.message_id)
            self.report.duplicates.append(
                Duplicate(
                    pending.source, pending.index, pending.message_id, existing == pending.sha256
                )
            )
            return
        if pending.links is not None:
            pending.thread_root = self.threads.place(pending.message_id, pending.links)
        pending.created_at = now_utc()
        # Whole under its name now, durable at the batch's sync (before its commit).
        self.blobs.put_bytes(pending.raw, durable=False)
        pending.raw = b""
        self.known[pending.message_id] = pending.sha256
        self.by_sha.setdefault(pending.sha256, pending.message_id)
        self.batch.append(pending)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        # Rows never point to bytes not yet safely on disk: one sync for the whole batch.
        self.blobs.sync()
        done: list[tuple[_Pending, MailMessage]] = []
        late: list[_Pending] = []
        with self.ws.transaction() as session:
            case = load_case(session, self.case_ref, lock=True)
            # Another import of the same case may have committed some of these meanwhile.
            taken = set(
                session.execute(
                    select(MailMessage.message_id).where(
                        MailMessage.case_id == case.id,
                        MailMessage.message_id.in_([p.message_id for p in batch]),
                    )
                ).scalars()
            )
            evidence_no = next_number(session, Evidence, case.id)
            contact_no = next_number(session, Communication, case.id)
            message_no = next_number(session, MailMessage, case.id)
            records: list[Any] = []
            events: list[dict[str, Any]] = []
            for pending in batch:
                if pending.message_id in taken:
                    late.append(pending)
                    continue
                row, written, event = self._rows(case, pending, evidence_no, contact_no, message_no)
                records += written
                events.append(event)
                evidence_no += 1
                message_no += 1
                if row.communication_number is not None:
                    contact_no += 1
                done.append((pending, row))
            if records:
                session.add_all(records)
                ledger.append(session, case, "mail_imported", {"messages": events}, records)
        for pending in late:
            self.report.duplicates.append(
                Duplicate(pending.source, pending.index, pending.message_id, same_bytes=False)
            )
        for pending, row in done:
            summary = MessageSummary.of(row)
            if pending.malformed is not None:
                self.report.malformed.append(
                    replace(pending.malformed, ref=summary.ref, evidence_ref=summary.evidence_ref)
                )
                continue
            self.report.messages.append(summary)
            if pending.contact is None:
                self.report.undated.append(summary.ref)
            if pending.unaddressed:
                self.report.unaddressed.append(summary.ref)

    @staticmethod
    def _rows(
        case: Case,
        pending: _Pending,
        evidence_no: int,
        contact_no: int,
        message_no: int,
    ) -> tuple[MailMessage, list[Any], dict[str, Any]]:
        """The rows of one message, and what the ledger entry says about it."""
        now = pending.created_at
        evidence = Evidence(
            case_id=case.id,
            number=evidence_no,
            created_at=now,
            size=pending.size,
            sha256=pending.sha256,
            derived_from=None,
            **pending.evidence,
        )
        records: list[Any] = [evidence]
        contact = None
        if pending.contact is not None:
            contact = Communication(
                case_id=case.id,
                number=contact_no,
                created_at=now,
                evidence_numbers=[evidence_no],
                **pending.contact,
            )
            records.append(contact)
        row = MailMessage(
            case_id=case.id,
            number=message_no,
            created_at=now,
            evidence_number=evidence_no,
            communication_number=contact_no if contact is not None else None,
            thread_root=pending.thread_root,
            **pending.record,
        )
        records.append(row)
        event: dict[str, Any] = {
            "ref": ref_of(row),
            "message_id": pending.message_id,
            "sha256": pending.sha256,
            "size": pending.size,
            "evidence": ref_of(evidence),
        }
        if contact is not None:
            event["communication"] = ref_of(contact)
        return row, records, event


# --- the parser process ----------------------------------------------------------------------

PARALLEL_MIN_BYTES = 16 * 1024 * 1024  # smaller imports end before a second process pays off
FRAME_EVENTS = 128  # events per frame sent by the parser process …
FRAME_BYTES = 1024 * 1024  # … or fewer once their messages' bytes reach this
FRAMES_AHEAD = 32  # frames received but not yet taken, at most: memory stays bounded
_READY, _END, _DONE = "ready", "end", "done"
_BOOT = (
    "import pickle, sys; stream = sys.stdin.buffer; sys.path[:] = pickle.load(stream); "
    "from hostclaim.services.mail_import import _parser_main; _parser_main(stream)"
)


class _ParserGone(Exception):
    """The parser process ended without saying it was done."""


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _use_parser(total_bytes: int, wanted: bool | None) -> bool:
    if not sys.executable or getattr(sys, "frozen", False):
        return False  # no interpreter to start
    if wanted is not None:
        return wanted
    return total_bytes >= PARALLEL_MIN_BYTES and _cpus() >= 2


class _ParserProcess:
    """Reads and parses the files in a second process while this one stores and records.

    Parsing (the e-mail package and DKIM) is most of an import's work and needs nothing of
    the case but the hashes of the messages it holds, so on a machine with two cores it runs
    beside storing and committing. The child runs ``_produce`` over the files and sends what
    it yields back in frames (pickled lists) on its stdout, in file order; a thread here reads
    them ahead, at most ``FRAMES_AHEAD``. The child writes nothing: blobs and rows are this
    process's, so whatever becomes of the child the locker's rule holds. It ignores Ctrl-C
    (stopping is the importer's decision) and is killed when the import stops early.
    """

    def __init__(
        self,
        files: Sequence[Path],
        owner: OwnAddresses,
        keys: DkimKeySource | None,
        held: set[str],
    ) -> None:
        setup = pickle.dumps(
            {
                "paths": list(files),
                "owner": owner,
                "keys": keys,
                "held": held,
                "lang": current_language(),
            },
            pickle.HIGHEST_PROTOCOL,
        )  # raises when the key source cannot be sent: the caller parses here then
        self.frames: queue.Queue[list[Any] | BaseException | None] = queue.Queue(FRAMES_AHEAD)
        self.stopping = threading.Event()
        self.done = False
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdout = self.proc.stdout
        _widen_pipe(self.stdout.fileno())
        self.reader = threading.Thread(target=self._pump, name="mail-parser-reader", daemon=True)
        self.reader.start()
        try:
            with self.proc.stdin as stdin:
                stdin.write(pickle.dumps(sys.path))
                stdin.write(setup)
        except BrokenPipeError:
            pass  # it did not start; start() says so
        self.stream = self._events()

    def _pump(self) -> None:
        item: list[Any] | BaseException | None
        try:
            while True:
                item = pickle.load(self.stdout)
                if not self._put(item):
                    return
        except (EOFError, pickle.UnpicklingError):
            item = None  # ended, whole or cut
        except BaseException as exc:  # handed to the importer, raised there
            item = exc
        self._put(item)

    def _put(self, item: list[Any] | BaseException | None) -> bool:
        while not self.stopping.is_set():
            try:
                self.frames.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _events(self) -> Iterator[Any]:
        while True:
            frame = self.frames.get()
            if frame is None:
                raise _ParserGone
            if isinstance(frame, BaseException):
                raise frame
            for event in frame:
                if isinstance(event, tuple):
                    raise _rebuild(event)
                yield event

    def start(self) -> bool:
        """Wait until the child is ready; False when it could not start."""
        try:
            return next(self.stream) == _READY
        except _ParserGone:
            return False

    def file(self) -> Iterator[_Event]:
        """The events of the next file, as ``_produce`` gives them."""
        try:
            for event in self.stream:
                if event == _END:
                    return
                yield event
        except _ParserGone:
            raise self._gone() from None

    def finish(self) -> None:
        try:
            self.done = next(self.stream) == _DONE
        except _ParserGone:
            raise self._gone() from None

    def _gone(self) -> RuntimeError:
        return RuntimeError(f"the mail parser process ended early (exit status {self.proc.wait()})")

    def close(self) -> None:
        self.stopping.set()
        if not self.done and self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join()
        self.stdout.close()


def _widen_pipe(fd: int) -> None:
    """A bigger pipe (Linux) lets the parser run further ahead between two reads."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setter, FRAME_BYTES)


def _failure(exc: BaseException) -> tuple[Any, ...]:
    """An exception of the parser process, as something the importer can raise again."""
    detail = "".join(traceback.format_exception(exc))
    payload: Any = (type(exc), exc.key, exc.params) if isinstance(exc, HostclaimError) else exc
    try:
        pickle.loads(pickle.dumps(payload))
    except Exception:
        payload = RuntimeError(f"{type(exc).__name__}: {exc}")
    return ("error", payload, detail)


def _rebuild(event: tuple[Any, ...]) -> BaseException:
    _, payload, detail = event
    exc: BaseException = (
        payload[0](payload[1], **payload[2]) if isinstance(payload, tuple) else payload
    )
    exc.add_note(f"in the mail parser process:\n{detail}")
    return exc


def _parser_main(stream: BinaryIO) -> None:
    """The parser process (see ``_ParserProcess``): its setup on stdin, frames on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup = pickle.load(stream)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr and cannot cut into the frames
    set_language(setup["lang"])
    held: set[str] = setup["held"]
    frame: list[Any] = [_READY]
    size = 0

    def send() -> None:
        nonlocal frame, size
        pickle.dump(frame, out, pickle.HIGHEST_PROTOCOL)
        out.flush()
        frame, size = [], 0

    with contextlib.suppress(BrokenPipeError):  # the importer is gone: so is the point
        try:
            send()
            for path in setup["paths"]:
                for event in _produce(path, setup["owner"], setup["keys"], held):
                    frame.append(event)
                    if isinstance(event, _Pending):
                        size += len(event.raw)
                        if event.by_hash:
                            held.add(event.sha256)  # a later copy is a duplicate: not parsed
                    if len(frame) >= FRAME_EVENTS or size >= FRAME_BYTES:
                        send()
                frame.append(_END)
            frame.append(_DONE)
        except Exception as exc:
            frame.append(_failure(exc))
        send()
        out.close()


def _start_parser(
    files: Sequence[Path], importer: _Importer, total_bytes: int, wanted: bool | None
) -> _ParserProcess | None:
    """The parser process, or None to parse in this process."""
    if not _use_parser(total_bytes, wanted):
        return None
    try:
        parser = _ParserProcess(files, importer.owner, importer.keys, set(importer.by_sha))
    except Exception:  # a key source that cannot be sent, no process to start: parse here
        return None
    try:
        started = parser.start()
    except BaseException:
        parser.close()
        raise
    if started:
        return parser
    parser.close()
    return None


@dataclass(frozen=True)
class _Light:
    message_id: str
    in_reply_to: str | None
    references: Sequence[str]
    subject: str
    date: datetime | None


def _rethread(ws: Workspace, case_ref: str, batch_size: int) -> int:
    """Settle every thread root of the case; changed rows are updated with a ledger entry."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        rows = session.execute(
            select(
                MailMessage.id,
                MailMessage.message_id,
                MailMessage.in_reply_to,
                MailMessage.references,
                MailMessage.subject,
                MailMessage.sent_at,
                MailMessage.thread_root,
            )
            .where(MailMessage.case_id == case.id)
            .order_by(MailMessage.number)
        ).all()
    roots = thread(_Light(r[1], r[2], r[3], r[4], r[5]) for r in rows)
    changed = {r[0]: roots[r[1]] for r in rows if roots[r[1]] != r[6]}
    ids = list(changed)
    for start in range(0, len(ids), max(1, batch_size)):
        chunk = ids[start : start + batch_size]
        with ws.transaction() as session:
            case = load_case(session, case_ref, lock=True)
            updated = list(
                session.execute(
                    select(MailMessage)
                    .where(MailMessage.case_id == case.id, MailMessage.id.in_(chunk))
                    .order_by(MailMessage.number)
                ).scalars()
            )
            for row in updated:
                row.thread_root = changed[row.id]
            ledger.append(
                session,
                case,
                "mail_threads_updated",
                {"refs": [ref_of(row) for row in updated]},
                list(updated),
            )
    return len(ids)


def import_mail(
    ws: Workspace,
    case_ref: str,
    paths: Sequence[Path],
    *,
    own: Iterable[str] = (),
    key_file: Path | None = None,
    dns: bool = False,
    keys: DkimKeySource | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    parallel: bool | None = None,
) -> ImportReport:
    """Import ``.eml``/``.mbox`` files into a case; see the module docstring.

    ``own`` adds complainant addresses (``@domain`` for a whole domain) to the e-mail in the
    case's contact field. DKIM keys come from ``keys``, ``key_file`` and, only when ``dns`` is
    set, DNS. ``on_start`` gets the total bytes to read, ``progress`` the bytes read since its
    last call. ``parallel`` parses in a second process (True), in this one (False), or the
    former for ``PARALLEL_MIN_BYTES`` or more on two cores or more (None); the result is the
    same, and where no second process can start this one parses.
    """
    files = _check_files(paths)
    source, labels = key_source(key_file, dns, keys)
    with ws.reading() as session:
        case = load_case(session, case_ref)
        addresses = own_addresses(case.complainant_contact, own)
        if not addresses:
            raise InvalidInput("mail_import.error.no_own_address", ref=case.ref)
        report = ImportReport(
            case_ref=case.ref,
            provider_tz=case.service_tz,
            own_addresses=addresses,
            key_sources=labels,
            files=[str(p) for p in files],
        )
        importer = _Importer(ws, case.ref, report, batch_size, OwnAddresses(addresses), source)
        importer.load_known(session, case.id)
    total = sum(p.stat().st_size for p in files)
    if on_start is not None:
        on_start(total)
    parser = _start_parser(files, importer, total, parallel)
    try:
        for path in files:
            if parser is not None:
                events = parser.file()
            else:
                events = _produce(path, importer.owner, importer.keys, importer.by_sha)
            importer.read(path, events, progress)
        if parser is not None:
            parser.finish()
        importer.flush()
    finally:
        if parser is not None:
            parser.close()
    report.threads_updated = _rethread(ws, report.case_ref, batch_size)
    _name_duplicates(ws, report)
    return report


def _name_duplicates(ws: Workspace, report: ImportReport) -> None:
    if not report.duplicates:
        return
    wanted = {d.message_id for d in report.duplicates}
    refs: dict[str, str] = {}
    ids = list(wanted)
    with ws.reading() as session:
        case = load_case(session, report.case_ref)
        for start in range(0, len(ids), 500):
            for message_id, number in session.execute(
                select(MailMessage.message_id, MailMessage.number).where(
                    MailMessage.case_id == case.id,
                    MailMessage.message_id.in_(ids[start : start + 500]),
                )
            ):
                refs[message_id] = f"{PREFIX['mail_messages']}{number}"
    report.duplicates = [
        Duplicate(d.source, d.index, d.message_id, d.same_bytes, refs.get(d.message_id))
        for d in report.duplicates
    ]


# --- reading it back -------------------------------------------------------------------------


@dataclass(frozen=True)
class MailThread:
    root: str
    subject: str
    messages: list[MessageSummary]

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "subject": self.subject,
            "messages": [m.as_json() for m in self.messages],
        }


@dataclass(frozen=True)
class MailListing:
    case_ref: str
    provider_tz: str
    threads: list[MailThread]

    @property
    def count(self) -> int:
        return sum(len(th.messages) for th in self.threads)

    def as_json(self) -> list[dict[str, Any]]:
        return [th.as_json() for th in self.threads]


def _order(message: MessageSummary) -> tuple[int, float, int]:
    number = int(message.ref[len(PREFIX["mail_messages"]) :])
    return (0, message.at.timestamp(), number) if message.at else (1, 0.0, number)


def list_messages(ws: Workspace, case_ref: str) -> MailListing:
    """The case's imported mail, grouped by conversation, oldest conversation first."""
    with ws.reading() as session:
        case = load_case(session, case_ref)
        rows = session.execute(
            select(MailMessage).where(MailMessage.case_id == case.id).order_by(MailMessage.number)
        ).scalars()
        groups: dict[str, list[MessageSummary]] = {}
        for row in rows:
            groups.setdefault(row.thread_root, []).append(MessageSummary.of(row))
        ref, tz = case.ref, case.service_tz
    threads = []
    for root, messages in groups.items():
        messages.sort(key=_order)
        head = next((m for m in messages if m.message_id == root), messages[0])
        threads.append(MailThread(root=root, subject=head.subject, messages=messages))
    threads.sort(key=lambda th: _order(th.messages[0]))
    return MailListing(case_ref=ref, provider_tz=tz, threads=threads)


@dataclass(frozen=True)
class AttachmentInfo:
    index: int
    filename: str | None
    content_type: str
    size: int
    sha256: str
    disposition: str
    promoted_as: list[str]

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AttachmentListing:
    message: MessageSummary
    attachments: list[AttachmentInfo]

    def as_json(self) -> dict[str, Any]:
        return {
            "message": self.message.as_json(),
            "attachments": [a.as_json() for a in self.attachments],
        }


def _attachments(session: Session, case_id: int, row: MailMessage) -> list[AttachmentInfo]:
    derived = session.execute(
        select(Evidence.number, Evidence.sha256)
        .where(Evidence.case_id == case_id, Evidence.derived_from == row.evidence_number)
        .order_by(Evidence.number)
    ).all()
    return [
        AttachmentInfo(
            index=int(item["index"]),
            filename=item.get("filename"),
            content_type=str(item.get("content_type", "")),
            size=int(item.get("size", 0)),
            sha256=str(item["sha256"]),
            disposition=str(item.get("disposition", "")),
            promoted_as=[
                f"{PREFIX['evidence']}{number}" for number, sha in derived if sha == item["sha256"]
            ],
        )
        for item in row.attachments
    ]


def list_attachments(ws: Workspace, case_ref: str, message_ref: str) -> AttachmentListing:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        row = get_numbered(session, MailMessage, case.id, message_ref)
        return AttachmentListing(MessageSummary.of(row), _attachments(session, case.id, row))


@dataclass(frozen=True)
class Promotion:
    evidence: Evidence
    message_ref: str
    message_evidence_ref: str
    attachment: AttachmentInfo
    already: bool


def promote_attachment(
    ws: Workspace,
    case_ref: str,
    message_ref: str,
    index: int,
    *,
    kind: EvidenceKind = EvidenceKind.OTHER,
    title: str | None = None,
) -> Promotion:
    """Make an attachment its own evidence item, ``derived_from`` the message's evidence.

    The bytes are extracted again from the stored message and checked against the SHA-256
    recorded at import. Promoting the same attachment twice gives back the first item.
    """
    with ws.reading() as session:
        case = load_case(session, case_ref)
        row = get_numbered(session, MailMessage, case.id, message_ref)
        infos = _attachments(session, case.id, row)
        message_evidence = get_numbered(session, Evidence, case.id, str(row.evidence_number))
        found = next((a for a in infos if a.index == index), None)
        if found is None:
            raise NotFound(
                "mail_import.error.no_attachment", ref=ref_of(row), index=index, count=len(infos)
            )
        if found.promoted_as:
            existing = get_numbered(session, Evidence, case.id, found.promoted_as[0])
            return Promotion(existing, ref_of(row), ref_of(message_evidence), found, True)
        msg_ref, sent_at = ref_of(row), row.sent_at
    raw = read_bytes(ws, message_evidence)
    if hashlib.sha256(raw).hexdigest() != message_evidence.sha256:
        raise InvalidInput("error.blob_altered", ref=ref_of(message_evidence))
    parsed = parse_message(raw)
    candidates = [a for a in parsed.attachments if a.sha256 == found.sha256]
    if not candidates:
        raise InvalidInput("error.blob_altered", ref=ref_of(message_evidence))
    data = candidates[0].read()
    name = found.filename or f"{msg_ref}-attachment-{index}"
    added = add_bytes(
        ws,
        case_ref,
        data,
        name=name,
        kind=kind,
        title=title or name,
        captured_at=sent_at,
        origin=f"mail-attachment:{msg_ref}#{index}",
        media_type=found.content_type or None,
        derived_from=message_evidence.number,
    )
    return Promotion(added.evidence, msg_ref, ref_of(message_evidence), found, False)
