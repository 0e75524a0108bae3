from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers import read_file
from hostclaim.importers.values import to_us


def write(tmp_path: Path, text: str, name: str = "checks.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_offsets_are_stored_in_utc(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,status,latency_ms,target\n"
        "2026-01-05T10:00:00+08:00,up,12.5,shop.example.com\n"
        "2026-01-05T10:01:00.250+08:00,down,,shop.example.com\n"
        "2026-01-05T02:02:00Z,up,13,shop.example.com\n",
    )
    result = read_file(path)
    assert result.format == "csv"
    rows = result.table.to_pylist()
    assert [r["at_us"] for r in rows] == [
        to_us(datetime(2026, 1, 5, 2, 0, tzinfo=UTC)),
        to_us(datetime(2026, 1, 5, 2, 1, 0, 250000, tzinfo=UTC)),
        to_us(datetime(2026, 1, 5, 2, 2, tzinfo=UTC)),
    ]
    assert [r["state"] for r in rows] == [State.UP, State.DOWN, State.UP]
    assert [r["latency_ms"] for r in rows] == [12.5, None, 13.0]
    assert result.targets == ["shop.example.com"]
    assert result.vantages == ["csv"]


def test_naive_time_without_tz_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "time,up\n2026-01-05 10:00:00,1\n")
    with pytest.raises(InvalidInput) as caught:
        read_file(path)
    message = str(caught.value)
    assert "Line 2" in message and "2026-01-05 10:00:00" in message and "tz" in message


def test_naive_time_with_tz_and_dst_gaps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "time,up\n"
        "2026-01-05 10:00:00,1\n"
        "2026-03-29 01:30:00,1\n"  # London skips 01:00-02:00 that night
        "2026-07-01 10:00:00,0\n",
    )
    result = read_file(path, tz="Europe/London")
    assert result.table.column("at_us").to_pylist() == [
        to_us(datetime(2026, 1, 5, 10, tzinfo=UTC)),
        to_us(datetime(2026, 7, 1, 9, tzinfo=UTC)),
    ]
    assert [(b.line_or_index, b.reason) for b in result.bad_rows] == [
        (3, "importers.bad_row.local_time_gap")
    ]
    with pytest.raises(InvalidInput, match="not a time zone"):
        read_file(path, tz="Mars/Olympus")


def test_bad_rows_carry_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timestamp,status,latency_ms,name,message\n"
        "2026-01-05T00:00:00Z,up,10,web,ok\n"
        "yesterday,up,10,web,ok\n"
        '2026-01-05T00:02:00Z,down,,web,"a message\nover two lines"\n'
        "2026-01-05T00:03:00Z,sideways,10,web,?\n"
        "2026-01-05T00:04:00Z,up,fast,web,?\n"
        "2026-01-05T00:05:00Z,up,10,web\n"
        "\n"
        "2026-01-05T00:06:00Z,up,10,,no target\n"
        "2026-01-05T00:07:00Z,503,80,web,Service Unavailable\n",
    )
    result = read_file(path)
    assert [(b.line_or_index, b.reason) for b in result.bad_rows] == [
        (3, "importers.bad_row.bad_time"),
        (6, "importers.bad_row.bad_state"),
        (7, "importers.bad_row.bad_latency"),
        (8, "importers.bad_row.field_count"),
        (10, "importers.bad_row.missing_target"),
    ]
    assert result.bad_rows[0].excerpt == "yesterday,up,10,web,ok"
    assert result.rows_read == 8
    rows = result.table.to_pylist()
    assert len(rows) == 3
    assert rows[1]["detail"] == "a message\nover two lines"
    assert rows[2]["state"] == State.DOWN
    assert rows[2]["error"] == "http_status"
    assert rows[2]["detail"] == "HTTP 503; Service Unavailable"
    assert any("5 record(s)" in str(n) for n in result.notes)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1767571200", 1767571200_000000),
        ("1767571200.5", 1767571200_500000),
        ("1767571200123", 1767571200_123000),
        ("1767571200123456", 1767571200_123456),
        ("1767571200123456789", 1767571200_123456),
    ],
)
def test_epoch_unit_by_magnitude(tmp_path: Path, cell: str, expected: int) -> None:
    path = write(tmp_path, f"ts,ok\n{cell},true\n")
    assert read_file(path).table.column("at_us").to_pylist() == [expected]


def test_time_unit_option(tmp_path: Path) -> None:
    path = write(tmp_path, "ts,ok\n1767571200,true\n")
    assert read_file(path, time_unit="ms").table.column("at_us").to_pylist() == [1767571200_000]
    with pytest.raises(InvalidInput, match="time_unit"):
        read_file(path, time_unit="fortnights")


@pytest.mark.parametrize(
    ("cell", "state"),
    [
        ("up", State.UP),
        ("DOWN", State.DOWN),
        ("true", State.UP),
        ("False", State.DOWN),
        ("1", State.UP),
        ("0", State.DOWN),
        ("200", State.UP),
        ("301", State.UP),
        ("404", State.DOWN),
        ("503", State.DOWN),
        ("pending", State.DOWN),
        ("maintenance", State.MAINTENANCE),
        ("degraded", State.DEGRADED),
    ],
)
def test_status_cells(tmp_path: Path, cell: str, state: State) -> None:
    path = write(tmp_path, f"time,status\n2026-01-05T00:00:00Z,{cell}\n")
    assert read_file(path).table.column("state").to_pylist() == [state]


def test_status_code_column_takes_codes_only(tmp_path: Path) -> None:
    path = write(tmp_path, "time,status_code\n2026-01-05T00:00:00Z,1\n2026-01-05T00:01:00Z,204\n")
    result = read_file(path)
    assert result.table.column("detail").to_pylist() == ["HTTP 204"]
    assert [b.reason for b in result.bad_rows] == ["importers.bad_row.bad_state"]


def test_columns_named_by_option_and_missing_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "When;Result;RTT (s);Site;Where\n2026-01-05T00:00:00Z;ok;0.25;shop;hk\n",
    )
    with pytest.raises(InvalidInput) as caught:
        read_file(path)
    assert "When, Result" in str(caught.value) and "time_column" in str(caught.value)
    result = read_file(
        path,
        time_column="When",
        state_column="Result",
        latency_column="RTT (s)",
        latency_unit="s",
        target_column="Site",
        vantage_column="Where",
    )
    assert result.table.to_pylist()[0] | {"at_us": 0} == {
        "target": "shop",
        "vantage": "hk",
        "at_us": 0,
        "state": State.UP,
        "latency_ms": 250.0,
        "error": None,
        "detail": None,
    }
    with pytest.raises(InvalidInput, match="no column “Nope”"):
        read_file(path, time_column="Nope", state_column="Result")


def test_latency_units_from_column_names_and_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "time,up,duration_s\n2026-01-05T00:00:00Z,1,0.5\n2026-01-05T00:01:00Z,1,120 ms\n",
    )
    assert read_file(path).table.column("latency_ms").to_pylist() == [500.0, 120.0]


def test_target_falls_back_to_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "time,up\n2026-01-05T00:00:00Z,1\n", name="vps-1.csv")
    result = read_file(path, vantage="office")
    assert result.targets == ["vps-1"]
    assert result.vantages == ["office"]
    assert any("vps-1" in str(n) for n in result.notes)
    assert read_file(path, target="vps.example.com").targets == ["vps.example.com"]


def test_empty_csv(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="header"):
        read_file(write(tmp_path, ""), format="csv")


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        {"time": "2026-01-05T10:00:00+08:00", "ok": True, "monitor": "shop", "location": "sg"},
        {
            "time": 1767578460,
            "ok": False,
            "monitor": "shop",
            "location": "sg",
            "error": "connect ECONNREFUSED",
        },
        "not json at all",
        ["a", "list"],
        {"time": 1767578520000, "ok": True, "monitor": "shop", "location": "sg", "latency": 42},
        {"time": "later", "ok": True, "monitor": "shop"},
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    result = read_file(write(tmp_path, text, name="checks.jsonl"))
    assert result.format == "jsonl"
    rows = result.table.to_pylist()
    assert [r["at_us"] for r in rows] == [1767578400_000000, 1767578460_000000, 1767578520_000000]
    assert [r["state"] for r in rows] == [State.UP, State.DOWN, State.UP]
    assert rows[1]["error"] == "connect"
    assert rows[1]["detail"] == "connect ECONNREFUSED"
    assert [r["latency_ms"] for r in rows] == [None, None, 42.0]
    assert result.vantages == ["sg"]
    assert [(b.line_or_index, b.reason) for b in result.bad_rows] == [
        (3, "importers.bad_row.bad_json"),
        (4, "importers.bad_row.not_object"),
        (6, "importers.bad_row.bad_time"),
    ]
    assert result.rows_read == 6


def test_many_bad_rows_keep_every_line_but_few_excerpts(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("time,up,name\n")
        for i in range(60_000):
            if i % 2:
                out.write(f"{1767571200 + i},1,shop\n")
            else:
                out.write(f"broken-{i}-{'x' * 300},1,shop\n")
    seen: list[int] = []
    result = read_file(path, progress=seen.append)
    assert result.table.num_rows == 30_000
    assert len(result.bad_rows) == 30_000
    assert result.bad_rows.counts() == {"importers.bad_row.bad_time": 30_000}
    assert list(result.bad_rows.lines[:3]) == [2, 4, 6]
    assert result.bad_rows[-1].line_or_index == 60_000
    first = result.bad_rows[0]
    assert first.excerpt is not None and len(first.excerpt) == 200
    assert result.bad_rows[999].excerpt is not None
    assert result.bad_rows[1000].excerpt is None
    assert seen[-1] == 60_000


# --- round trip -------------------------------------------------------------------------------

names = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=offsets
)
states = st.sampled_from(["up", "down", "true", "false", "1", "0", "200", "302", "500", "OK"])
latencies = st.none() | st.floats(min_value=0, max_value=1e6, allow_nan=False)
rows = st.lists(st.tuples(names, names, moments, states, latencies), min_size=1, max_size=40)

EXPECTED_STATE = {
    "up": State.UP, "true": State.UP, "1": State.UP, "200": State.UP, "302": State.UP,
    "OK": State.UP, "down": State.DOWN, "false": State.DOWN, "0": State.DOWN, "500": State.DOWN,
}  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows)
def test_csv_round_trip(
    tmp_path: Path, rows: list[tuple[str, str, datetime, str, float | None]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["target", "vantage", "timestamp", "status", "latency_ms"])
    for target, vantage, moment, state, latency in rows:
        writer.writerow(
            [target, vantage, moment.isoformat(), state, "" if latency is None else repr(latency)]
        )
    path = tmp_path / "round.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = read_file(path, format="csv")
    assert not result.bad_rows
    expected = [(t, v, to_us(m), int(EXPECTED_STATE[s]), lat) for t, v, m, s, lat in rows]
    got = [
        (r["target"], r["vantage"], r["at_us"], r["state"], r["latency_ms"])
        for r in result.table.to_pylist()
    ]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert [g[:3] for g in got] == sorted(g[:3] for g in got)
    frame = pl.DataFrame(result.table)
    assert frame["at_us"].dtype == pl.Int64
