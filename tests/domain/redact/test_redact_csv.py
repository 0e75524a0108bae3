"""CSV: values masked inside their cells; rows, columns and untouched bytes unchanged."""

from __future__ import annotations

import csv
import io

from hostclaim.domain.redact import redact_bytes

CSV = (
    "time,contact,note,password\r\n"
    '2026-10-03 14:05,"Miller, Jake",call +1 (312) 555-0178,hunter2x\r\n'
    '2026-10-03 14:20,support@hetzner.com,"multi-line note\r\n'
    'with ""quotes"" and card 4532015112830366",\r\n'
    "2026-10-03 15:00,ops,all good,\r\n"
)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def test_cells_are_masked_and_structure_kept() -> None:
    data = CSV.encode()
    result = redact_bytes(data, "contacts.csv", keep=["@hetzner.com"])
    assert result.media_type == "text/csv" and result.data is not None
    before, after = _rows(data), _rows(result.data)
    assert [len(r) for r in before] == [len(r) for r in after]
    assert after[1] == ["2026-10-03 14:05", "Miller, Jake", "call [PHONE]", "[PASSWORD]"]
    assert after[2][1] == "support@hetzner.com"
    assert after[2][2] == 'multi-line note\r\nwith "quotes" and card [CARD ****0366]'
    assert after[3] == before[3]
    # Untouched lines are byte-identical: the file was edited in place, not re-serialised.
    assert result.data.split(b"\r\n")[-2] == data.split(b"\r\n")[-2]
    assert [s.kind for s in result.spans] == ["phone", "password", "bank_card"]


def test_semicolon_csv_and_sensitive_columns() -> None:
    data = "name;手机;身份证\n张三;138 1234 5678;44030519851112263X\n".encode()
    result = redact_bytes(data, "text/csv")
    assert result.data is not None
    assert result.data.decode() == "name;手机;身份证\n张三;[PHONE];[ID-NUMBER]\n"
