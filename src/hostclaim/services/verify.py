"""``verify``: recompute blobs, records and the ledger chain; name every missing or altered item."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hostclaim.domain.ledger import GENESIS, entry_hash, sha256_text
from hostclaim.i18n import t
from hostclaim.services.records import PREFIX
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage.ledger import snapshot
from hostclaim.storage.tables import RECORD_TABLES, Case, Evidence, LedgerEntry


@dataclass(frozen=True)
class Problem:
    code: str
    item: str
    detail: str = ""

    def render(self, lang: str | None = None) -> str:
        return t(f"verify.{self.code}", lang, item=self.item, detail=self.detail)


@dataclass
class CaseReport:
    case_ref: str
    entries: int = 0
    records: int = 0
    blobs: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _label(table: str, row: dict[str, Any] | Any, row_id: int) -> str:
    number = row.get("number") if isinstance(row, dict) else getattr(row, "number", None)
    if table in PREFIX and number is not None:
        return f"{PREFIX[table]}{number}"
    if table == "cases":
        return "case record"
    return f"{table}#{row_id}"


def _check_chain(entries: list[LedgerEntry], case_ref: str, report: CaseReport) -> None:
    prev = GENESIS
    expected_seq = 1
    for entry in entries:
        label = f"ledger #{entry.seq}"
        if entry.seq != expected_seq:
            report.problems.append(
                Problem("ledger_gap", label, f"expected #{expected_seq}, found #{entry.seq}")
            )
        if sha256_text(entry.payload) != entry.payload_hash:
            report.problems.append(Problem("ledger_payload_altered", label, entry.kind))
        recomputed = entry_hash(
            case_ref=case_ref,
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            payload_hash=entry.payload_hash,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.entry_hash:
            report.problems.append(Problem("ledger_entry_altered", label, entry.kind))
        if entry.prev_hash != prev:
            report.problems.append(Problem("ledger_chain_broken", label, entry.kind))
        prev = entry.entry_hash
        expected_seq = entry.seq + 1


def _check_records(
    session: Session, case: Case, entries: list[LedgerEntry], report: CaseReport
) -> None:
    recorded: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in entries:
        try:
            payload = json.loads(entry.payload)
        except json.JSONDecodeError:
            continue  # already reported as an altered payload
        for record in payload.get("records", []):
            recorded[(record["table"], record["id"])] = record["state"]
    seen: set[tuple[str, int]] = set()
    for model in RECORD_TABLES:
        table = model.__tablename__
        rows: list[Any]
        if model is Case:
            rows = [case]
        else:
            owner = model.case_id  # type: ignore[attr-defined]
            rows = list(session.execute(select(model).where(owner == case.id)).scalars())
        for row in rows:
            key = (table, row.id)
            seen.add(key)
            report.records += 1
            state = recorded.get(key)
            label = _label(table, row, row.id)
            if state is None:
                report.problems.append(Problem("record_unrecorded", label))
                continue
            current = snapshot(row)
            changed = sorted(k for k in set(state) | set(current) if state.get(k) != current.get(k))
            if changed:
                report.problems.append(Problem("record_altered", label, ", ".join(changed)))
    for (table, row_id), state in recorded.items():
        if (table, row_id) not in seen:
            report.problems.append(Problem("record_deleted", _label(table, state, row_id)))


def _check_blobs(
    ws: Workspace,
    evidence: list[Evidence],
    report: CaseReport,
    progress: Callable[[int], None] | None,
) -> None:
    checked: dict[str, tuple[str, int] | None] = {}
    for item in evidence:
        label = f"{PREFIX['evidence']}{item.number}"
        if item.sha256 not in checked:
            checked[item.sha256] = ws.blobs.rehash(item.sha256)
            report.blobs += 1
        actual = checked[item.sha256]
        if actual is None:
            report.problems.append(Problem("blob_missing", label, item.sha256[:12]))
        elif actual[0] != item.sha256:
            report.problems.append(
                Problem("blob_altered", label, f"{item.sha256[:12]} → {actual[0][:12]}")
            )
        if progress is not None:
            progress(1)


def verify_case(
    ws: Workspace, case_ref: str, progress: Callable[[int], None] | None = None
) -> CaseReport:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        report = CaseReport(case.ref)
        entries = list(
            session.execute(
                select(LedgerEntry)
                .where(LedgerEntry.case_id == case.id)
                .order_by(LedgerEntry.seq, LedgerEntry.id)
            ).scalars()
        )
        report.entries = len(entries)
        _check_chain(entries, case.ref, report)
        _check_records(session, case, entries, report)
        evidence = list(
            session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars()
        )
    _check_blobs(ws, evidence, report, progress)
    return report


def verify_all(ws: Workspace, progress: Callable[[int], None] | None = None) -> list[CaseReport]:
    with ws.reading() as session:
        refs = list(session.execute(select(Case.ref).order_by(Case.id)).scalars())
    return [verify_case(ws, ref, progress) for ref in refs]
