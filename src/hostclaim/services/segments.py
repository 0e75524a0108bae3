"""Raw probe results as closed Parquet segments: stored as evidence, read back verified."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select

from hostclaim.domain.case import EvidenceKind
from hostclaim.domain.probes import PROBE_SCHEMA
from hostclaim.domain.timeutil import now_utc
from hostclaim.errors import InvalidInput
from hostclaim.services import evidence as evidence_service
from hostclaim.services.records import next_number, ref_of
from hostclaim.services.workspace import Workspace, load_case
from hostclaim.storage import ledger
from hostclaim.storage.tables import Evidence, ProbeSegment

PARQUET = "application/vnd.apache.parquet"


def to_parquet(table: pa.Table) -> bytes:
    """Sorted, schema-checked, zstd-compressed Parquet bytes."""
    table = table.select(PROBE_SCHEMA.names).cast(PROBE_SCHEMA)
    table = table.sort_by(
        [("target", "ascending"), ("vantage", "ascending"), ("at_us", "ascending")]
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def store_segment(
    ws: Workspace,
    case_ref: str,
    table: pa.Table,
    *,
    source: str,
    title: str,
    source_evidence_number: int | None = None,
) -> ProbeSegment:
    """Write ``table`` (PROBE_SCHEMA) as a segment: a Parquet blob, an evidence item, a record."""
    if table.num_rows == 0:
        raise InvalidInput("error.segment_empty")
    data = to_parquet(table)
    at = pc.min_max(table["at_us"])
    added = evidence_service.add_bytes(
        ws,
        case_ref,
        data,
        name=f"{title}.parquet",
        kind=EvidenceKind.TECHNICAL_REPORT,
        title=title,
        captured_at=now_utc(),
        origin=source,
        media_type=PARQUET,
        derived_from=source_evidence_number,
    )
    with ws.transaction() as session:
        case = load_case(session, case_ref, lock=True)
        segment = ProbeSegment(
            case_id=case.id,
            number=next_number(session, ProbeSegment, case.id),
            created_at=now_utc(),
            evidence_number=added.evidence.number,
            source=source,
            source_evidence_number=source_evidence_number,
            targets=sorted(set(table["target"].to_pylist())),
            vantages=sorted(set(table["vantage"].to_pylist())),
            start_us=int(at["min"].as_py()),
            end_us=int(at["max"].as_py()),
            rows=table.num_rows,
        )
        session.add(segment)
        session.flush()
        ledger.append(
            session,
            case,
            "segment_stored",
            {"ref": ref_of(segment), "evidence": ref_of(added.evidence), "rows": table.num_rows},
            [segment],
        )
        return segment


def list_segments(ws: Workspace, case_ref: str) -> list[ProbeSegment]:
    with ws.reading() as session:
        case = load_case(session, case_ref)
        return list(
            session.execute(
                select(ProbeSegment)
                .where(ProbeSegment.case_id == case.id)
                .order_by(ProbeSegment.number)
            ).scalars()
        )


def load_probe_data(
    ws: Workspace,
    case_ref: str,
    *,
    targets: Iterable[str] | None = None,
    start_us: int | None = None,
    end_us: int | None = None,
) -> pa.Table:
    """All raw results of a case, each segment's hash checked before it is trusted."""
    wanted = set(targets) if targets is not None else None
    parts = []
    with ws.reading() as session:
        case = load_case(session, case_ref)
        segments = list(
            session.execute(select(ProbeSegment).where(ProbeSegment.case_id == case.id)).scalars()
        )
        items = {
            e.number: e
            for e in session.execute(select(Evidence).where(Evidence.case_id == case.id)).scalars()
        }
    for segment in segments:
        if wanted is not None and not wanted.intersection(segment.targets):
            continue
        if start_us is not None and segment.end_us < start_us:
            continue
        if end_us is not None and segment.start_us >= end_us:
            continue
        item = items[segment.evidence_number]
        data = evidence_service.read_bytes(ws, item)
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise InvalidInput("error.blob_altered", ref=ref_of(item))
        table = pq.read_table(io.BytesIO(data))
        mask = None
        if wanted is not None:
            mask = pc.is_in(table["target"], value_set=pa.array(sorted(wanted)))
        if start_us is not None:
            cond = pc.greater_equal(table["at_us"], start_us)
            mask = cond if mask is None else pc.and_(mask, cond)
        if end_us is not None:
            cond = pc.less(table["at_us"], end_us)
            mask = cond if mask is None else pc.and_(mask, cond)
        parts.append(table if mask is None else table.filter(mask))
    if not parts:
        return PROBE_SCHEMA.empty_table()
    combined = pa.concat_tables(parts)
    return combined.sort_by(
        [("target", "ascending"), ("vantage", "ascending"), ("at_us", "ascending")]
    )
