"""Putting files into the evidence locker, listing them and getting them back out."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from hostclaim.domain.case import EvidenceKind
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput, NotFound
from hostclaim.services.records import get_numbered, next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.blobs import StoredBlob
from hostclaim.storage.tables import Case, Evidence

_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (b"PAR1", "application/vnd.apache.parquet"),
)


def sniff_media_type(name: str | None, head: bytes) -> str:
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if name:
        guessed, _ = mimetypes.guess_type(name)
        if guessed:
            return guessed
    if head.startswith(b"From ") or head.lower().startswith((b"received:", b"return-path:")):
        return "message/rfc822"
    try:
        head.decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


@dataclass(frozen=True)
class AddedEvidence:
    evidence: Evidence
    blob: StoredBlob
    same_bytes_as: list[str]  # refs in this case already holding these bytes


def _check_file(path: Path) -> int:
    if not path.exists():
        raise InvalidInput("error.file_missing", path=str(path))
    if path.is_dir():
        raise InvalidInput("error.file_is_directory", path=str(path))
    if not os.access(path, os.R_OK):
        raise InvalidInput("error.file_unreadable", path=str(path))
    size = path.stat().st_size
    if size == 0 and path.is_file():
        raise InvalidInput("error.file_empty", path=str(path))
    return size


def add_file(
    ws: Workspace,
    case_ref: str,
    path: Path,
    *,
    kind: EvidenceKind,
    title: str | None = None,
    captured_at: datetime | None = None,
    note: str | None = None,
    origin: str = "file",
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> AddedEvidence:
    """Stream ``path`` into the locker and record it as evidence of the case."""
    size = _check_file(path)
    with ws.reading() as session:
        load_case(session, case_ref)  # fail before writing anything
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput("error.file_unreadable", path=f"{path} ({exc.strerror})") from exc
    with handle:
        head = handle.read(64)
        if not head:
            raise InvalidInput("error.file_empty", path=str(path))
        handle.seek(0)
        if on_start is not None:
            on_start(size)
        blob = ws.blobs.put_stream(handle, progress)
    return _record(
        ws,
        case_ref,
        blob,
        kind=kind,
        title=title or path.name,
        captured_at=captured_at,
        note=note,
        original_name=path.name,
        media_type=sniff_media_type(path.name, head),
        origin=origin,
    )


def add_bytes(
    ws: Workspace,
    case_ref: str,
    data: bytes,
    *,
    name: str,
    kind: EvidenceKind,
    title: str | None = None,
    captured_at: datetime | None = None,
    note: str | None = None,
    origin: str,
    media_type: str | None = None,
    derived_from: int | None = None,
) -> AddedEvidence:
    """Record bytes made by hostclaim itself (an import's source, a letter, a probe segment)."""
    if not data:
        raise InvalidInput("error.file_empty", path=name)
    with ws.reading() as session:
        load_case(session, case_ref)
    blob = ws.blobs.put_bytes(data)
    return _record(
        ws,
        case_ref,
        blob,
        kind=kind,
        title=title or name,
        captured_at=captured_at,
        note=note,
        original_name=name,
        media_type=media_type or sniff_media_type(name, data[:64]),
        origin=origin,
        derived_from=derived_from,
    )


def _record(
    ws: Workspace,
    case_ref: str,
    blob: StoredBlob,
    *,
    kind: EvidenceKind,
    title: str,
    captured_at: datetime | None,
    note: str | None,
    original_name: str | None,
    media_type: str,
    origin: str,
    derived_from: int | None = None,
) -> AddedEvidence:
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        twins = session.execute(
            select(Evidence)
            .where(Evidence.case_id == case.id, Evidence.sha256 == blob.sha256)
            .order_by(Evidence.number)
        ).scalars()
        same = [ref_of(e) for e in twins]
        evidence = Evidence(
            case_id=case.id,
            number=next_number(session, Evidence, case.id),
            created_at=now_utc(),
            kind=kind.value,
            title=title,
            captured_at=captured_at,
            note=note,
            original_name=original_name,
            media_type=media_type,
            size=blob.size,
            sha256=blob.sha256,
            origin=origin,
            derived_from=derived_from,
        )
        session.add(evidence)
        session.flush()
        ledger.append(
            session,
            case,
            "evidence_added",
            {"ref": ref_of(evidence), "sha256": blob.sha256, "size": blob.size},
            [evidence],
        )
    return AddedEvidence(evidence, blob, same)


def list_evidence(ws: Workspace, case_ref: str) -> list[Evidence]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.number)
            ).scalars()
        )


def get_evidence(ws: Workspace, case_ref: str, ref: str) -> Evidence:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return get_numbered(session, Evidence, case.id, ref)


def open_blob(ws: Workspace, evidence: Evidence) -> BinaryIO:
    try:
        return ws.blobs.open(evidence.sha256)
    except FileNotFoundError:
        raise NotFound("error.blob_missing", ref=ref_of(evidence), sha256=evidence.sha256) from None


def read_bytes(ws: Workspace, evidence: Evidence) -> bytes:
    with open_blob(ws, evidence) as handle:
        return handle.read()


def export(ws: Workspace, case_ref: str, ref: str, destination: Path) -> Path:
    """Copy an item out of the locker, checking its hash on the way; never overwrite."""
    import hashlib

    evidence = get_evidence(ws, case_ref, ref)
    target = destination
    if destination.is_dir():
        target = destination / (evidence.original_name or f"{ref_of(evidence)}.bin")
    if target.exists():
        raise InvalidInput("error.export_exists", path=str(target))
    partial = target.with_name(target.name + ".part")
    hasher = hashlib.sha256()
    with open_blob(ws, evidence) as source, partial.open("xb") as sink:
        while chunk := source.read(4 * 1024 * 1024):
            hasher.update(chunk)
            sink.write(chunk)
    if hasher.hexdigest() != evidence.sha256:
        partial.unlink()
        raise InvalidInput("error.blob_altered", ref=ref_of(evidence))
    partial.rename(target)
    return target


def evidence_case(ws: Workspace, evidence: Evidence) -> Case:
    with ws.reading() as session:
        case = session.get(Case, evidence.case_id)
        assert case is not None
        return case
