from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from hostclaim.domain.probes import PROBE_SCHEMA
from hostclaim.errors import InvalidInput
from hostclaim.i18n import catalog
from hostclaim.importers import IMPORTERS, Importer, detect_format, read_file

SOURCES = Path(__file__).parents[2] / "src" / "hostclaim" / "importers"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("kuma_v1.db", "uptime-kuma"),
        ("kuma_v2.db", "uptime-kuma"),
        ("prometheus_query_range.json", "prometheus"),
        ("prometheus_raw_samples.json", "prometheus"),
        ("prometheus_vector.json", "prometheus"),
        ("gatus_statuses.json", "gatus"),
        ("gatus_endpoint.json", "gatus"),
        ("ping_dO.log", "ping"),
        ("ping_D.log", "ping"),
    ],
)
def test_detects_every_fixture(fixtures: Path, name: str, expected: str) -> None:
    assert detect_format(fixtures / name) == expected


def test_detects_csv_and_jsonl(tmp_path: Path) -> None:
    csv_file = tmp_path / "checks.csv"
    csv_file.write_text("timestamp,status,latency_ms\n2026-01-01T00:00:00Z,up,12\n")
    jsonl_file = tmp_path / "checks.jsonl"
    jsonl_file.write_text('{"time": 1767225600, "ok": true}\n')
    assert detect_format(csv_file) == "csv"
    assert detect_format(jsonl_file) == "jsonl"


def test_every_importer_follows_the_protocol() -> None:
    assert set(IMPORTERS) == {"uptime-kuma", "prometheus", "gatus", "ping", "jsonl", "csv"}
    for importer in IMPORTERS.values():
        assert isinstance(importer, Importer)


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("Dear provider,\nyour server was down again.\n")
    with pytest.raises(InvalidInput) as caught:
        detect_format(odd)
    message = str(caught.value)
    assert "notes.txt" in message
    for name in IMPORTERS:
        assert name in message


def test_binary_file_in_no_format(tmp_path: Path) -> None:
    blob = tmp_path / "image.png"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InvalidInput, match="no format"):
        read_file(blob)


def test_missing_file_and_unknown_format_name(tmp_path: Path, fixtures: Path) -> None:
    with pytest.raises(InvalidInput, match="No file"):
        read_file(tmp_path / "absent.csv")
    with pytest.raises(InvalidInput, match="no importer called"):
        read_file(fixtures / "ping_D.log", format="smokeping")


def test_unknown_option_lists_the_accepted_ones(fixtures: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_file(fixtures / "ping_D.log", monitor="Shop")
    assert "monitor" in str(caught.value)
    assert "target" in str(caught.value)


def test_none_options_count_as_not_given(fixtures: Path) -> None:
    result = read_file(fixtures / "ping_D.log", target=None, monitor=None)
    assert result.targets == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("kuma_v1.db", {"monitor": "all"}),
        ("kuma_v2.db", {"monitor": "all"}),
        ("prometheus_query_range.json", {}),
        ("gatus_statuses.json", {}),
        ("ping_dO.log", {}),
    ],
)
def test_results_are_in_the_probe_schema_and_sorted(
    fixtures: Path, name: str, options: dict[str, str]
) -> None:
    seen: list[int] = []
    result = read_file(fixtures / name, progress=seen.append, **options)
    assert result.table.schema.equals(PROBE_SCHEMA)
    assert result.table.num_rows > 0
    keys = list(
        zip(
            result.table.column("target").to_pylist(),
            result.table.column("vantage").to_pylist(),
            result.table.column("at_us").to_pylist(),
            strict=True,
        )
    )
    assert keys == sorted(keys)
    assert result.targets == sorted(set(result.table.column("target").to_pylist()))
    assert result.vantages == sorted(set(result.table.column("vantage").to_pylist()))
    assert result.rows_read > 0
    assert seen, "progress was never reported"
    assert isinstance(result.table, pa.Table)


def test_every_message_key_is_in_both_catalogs() -> None:
    used: set[str] = set()
    for source in SOURCES.glob("*.py"):
        used |= set(re.findall(r'"(importers\.[a-z_]+\.[a-z_]+)"', source.read_text()))
    used |= {f"importers.note.kuma_aggregates_{level}" for level in ("minutely", "hourly", "daily")}
    assert len(used) > 40
    for lang in ("en", "zh"):
        missing = sorted(key for key in used if key not in catalog(lang))
        assert not missing, f"{lang}: {missing}"
