"""Storing what was read: blobs as they come, rows and a ledger entry per batch, thread roots."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.timeutil import now_utc
from hostclaim.mail import DkimKeySource, OwnAddresses, thread
from hostclaim.services.mail_import.describe import Malformed, _Event, _Known, _Pending
from hostclaim.services.mail_import.report import Duplicate, ImportReport, MessageSummary
from hostclaim.services.records import PREFIX, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Case, Communication, Evidence
from hostclaim.storage.tables_mail import MailMessage

Progress = Callable[[int], None]


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
