import os

import pyarrow as pa
import pytest

from hostclaim.domain.probes import PROBE_SCHEMA, State
from hostclaim.errors import InvalidInput
from hostclaim.services import cases
from hostclaim.services.segments import list_segments, load_probe_data, store_segment
from hostclaim.services.verify import verify_case


def _rows(target: str, vantage: str, start: int, count: int) -> pa.Table:
    return pa.table(
        {
            "target": [target] * count,
            "vantage": [vantage] * count,
            "at_us": [start + i * 60_000_000 for i in range(count)][::-1],
            "state": [int(State.UP)] * count,
            "latency_ms": [12.5] * count,
            "error": [None] * count,
            "detail": [None] * count,
        },
        schema=PROBE_SCHEMA,
    )


def test_segments_are_evidence_and_read_back_sorted_and_filtered(ws) -> None:
    ref = cases.create_case(ws, cases.CaseDetails(provider_name="P", complainant_name="N")).ref
    store_segment(ws, ref, _rows("api-1", "sh", 0, 10), source="probe:sh", title="seg-1")
    store_segment(ws, ref, _rows("api-2", "fra", 0, 5), source="import:csv", title="seg-2")
    assert [s.rows for s in list_segments(ws, ref)] == [10, 5]
    table = load_probe_data(ws, ref, targets=["api-1"], start_us=120_000_000)
    assert table.num_rows == 8
    assert table["at_us"].to_pylist() == sorted(table["at_us"].to_pylist())
    assert verify_case(ws, ref).intact


def test_a_tampered_segment_is_refused_when_loaded(ws) -> None:
    ref = cases.create_case(ws, cases.CaseDetails(provider_name="P", complainant_name="N")).ref
    segment = store_segment(ws, ref, _rows("api-1", "sh", 0, 10), source="probe:sh", title="s")
    from hostclaim.services.evidence import get_evidence

    blob = ws.blobs.path_for(get_evidence(ws, ref, f"E{segment.evidence_number}").sha256)
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[20] ^= 0xFF
    blob.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="does not match its hash"):
        load_probe_data(ws, ref)


def test_empty_segment_is_refused(ws) -> None:
    ref = cases.create_case(ws, cases.CaseDetails(provider_name="P", complainant_name="N")).ref
    with pytest.raises(InvalidInput):
        store_segment(ws, ref, PROBE_SCHEMA.empty_table(), source="x", title="x")
