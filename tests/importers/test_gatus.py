from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers import read_file


def us(text: str) -> int:
    dt = datetime.fromisoformat(text).astimezone(UTC)
    return int(dt.timestamp()) * 1_000_000 + dt.microsecond


def test_endpoint_list(fixtures: Path) -> None:
    result = read_file(fixtures / "gatus_statuses.json")
    df = pl.DataFrame(result.table)
    assert result.format == "gatus"
    assert result.targets == ["api-health", "core/shop"]
    assert result.vantages == ["gatus"]
    assert result.rows_read == 17
    assert not result.bad_rows
    shop = df.filter(pl.col("target") == "core/shop")
    first = shop.row(0, named=True)
    # RFC 3339 with nanoseconds: kept to the microsecond (truncated).
    assert first["at_us"] == us("2026-01-05T02:00:00.123456+00:00")
    assert first["latency_ms"] == 140.0  # 140 000 000 ns
    assert first["detail"] == "HTTP 200"
    assert first["error"] is None
    down = shop.filter(pl.col("state") == State.DOWN)
    assert down["error"].to_list() == ["http_status", "http_status", "connect"]
    assert down["detail"][0] == "HTTP 503; [STATUS] (503) == 200"
    assert "connection refused" in down["detail"][2]
    assert "[STATUS] (0) == 200" in down["detail"][2]
    body = df.filter((pl.col("target") == "api-health") & (pl.col("state") == State.DOWN))
    assert body["error"].to_list() == ["content"]
    assert any("100 by default" in str(n) for n in result.notes)


def test_single_endpoint_with_local_offsets_is_the_same_history(fixtures: Path) -> None:
    listed = pl.DataFrame(read_file(fixtures / "gatus_statuses.json").table)
    single = read_file(fixtures / "gatus_endpoint.json", vantage="gatus-sh")
    df = pl.DataFrame(single.table)
    assert single.targets == ["core/shop"]
    shop = listed.filter(pl.col("target") == "core/shop").drop("vantage")
    assert df.drop("vantage").equals(shop)
    assert single.vantages == ["gatus-sh"]
    renamed = read_file(fixtures / "gatus_endpoint.json", target="shop.example.com")
    assert renamed.targets == ["shop.example.com"]
    with pytest.raises(InvalidInput):
        read_file(fixtures / "gatus_statuses.json", target="x")


def test_broken_results_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "statuses.json"
    good = {
        "status": 200,
        "duration": 1_000_000,
        "conditionResults": [],
        "success": True,
        "timestamp": "2026-01-05T02:00:00Z",
    }
    path.write_text(
        json.dumps(
            {
                "name": "web",
                "group": "",
                "key": "_web",
                "results": [
                    good,
                    {
                        **good,
                        "timestamp": "2026-01-05 02:01:00",
                    },  # no zone: Gatus never writes that
                    {**good, "success": "yes"},
                    {
                        **good,
                        "timestamp": "2026-01-05T02:03:00Z",
                        "success": False,
                        "status": 0,
                        "errors": [
                            "dial tcp: lookup web.example.com on 127.0.0.11:53: no such host"
                        ],
                        "conditionResults": [
                            {"condition": "[CONNECTED] == true", "success": False}
                        ],
                    },
                    {
                        **good,
                        "timestamp": "2026-01-05T02:04:00Z",
                        "success": False,
                        "conditionResults": [
                            {"condition": "[RESPONSE_TIME] (1500) < 1000", "success": False}
                        ],
                    },
                ],
            }
        )
    )
    result = read_file(path)
    assert [(b.line_or_index, b.reason) for b in result.bad_rows] == [
        (2, "importers.bad_row.bad_time"),
        (3, "importers.bad_row.bad_state"),
    ]
    assert result.table.column("error").to_pylist() == [None, "dns", "timeout"]


def test_not_gatus(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"results": 3, "key": 1}')
    with pytest.raises(InvalidInput, match="Gatus"):
        read_file(path, format="gatus")
