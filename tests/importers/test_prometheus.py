from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers import read_file

HOST = "http://127.0.0.1:18481/"


def timeline(fixtures: Path) -> dict[str, int]:
    data = json.loads((fixtures / "prometheus_timeline.json").read_text())
    return {e["event"]: round(e["at"] * 1e6) for e in data["events"]}


def write(tmp_path: Path, result: list[dict[str, Any]], result_type: str = "matrix") -> Path:
    path = tmp_path / "export.json"
    answer = {"status": "success", "data": {"resultType": result_type, "result": result}}
    path.write_text(json.dumps(answer))
    return path


def series(name: str | None, values: list[tuple[float, str]], **labels: str) -> dict[str, Any]:
    metric = dict(labels)
    if name is not None:
        metric["__name__"] = name
    return {"metric": metric, "values": [[t, v] for t, v in values]}


def test_query_range_from_real_prometheus_and_blackbox(fixtures: Path) -> None:
    result = read_file(fixtures / "prometheus_query_range.json")
    df = pl.DataFrame(result.table)
    assert result.format == "prometheus"
    assert result.targets == [HOST, HOST + "health"]
    assert result.vantages == ["fra", "hk"]
    assert result.rows_read == 132
    assert not result.bad_rows
    notes = " ".join(str(n) for n in result.notes)
    assert "label “probe”" in notes
    assert "2.0 s apart" in notes and "none is invented" in notes
    # Every sample got its latency from probe_duration_seconds and its code from the status series.
    assert df["latency_ms"].null_count() == 0
    assert df["detail"].null_count() == 0
    events = timeline(fixtures)
    for vantage in ("hk", "fra"):
        own = df.filter((pl.col("target") == HOST) & (pl.col("vantage") == vantage))
        down = own.filter(pl.col("state") == State.DOWN)
        answered_503 = down.filter(pl.col("detail") == "HTTP 503")
        assert answered_503["error"].unique().to_list() == ["http_status"]
        assert answered_503["at_us"].min() > events["host_503"]
        assert answered_503["at_us"].max() < events["host_ok"] + 2_000_000
        gone = down.filter(pl.col("detail") == "no HTTP response")
        assert gone.height == 4
        assert gone["error"].null_count() == 4  # refused, DNS or timeout: not told apart
        assert gone["at_us"].min() > events["host_gone"]
        assert gone["at_us"].max() < events["host_back"] + 2_000_000
    # The fra exporter was stopped: its scrapes failed, and that is a gap, not DOWN.
    fra = df.filter((pl.col("target") == HOST) & (pl.col("vantage") == "fra"))
    hk = df.filter((pl.col("target") == HOST) & (pl.col("vantage") == "hk"))
    during = (pl.col("at_us") > events["fra_exporter_stopped"] + 2_000_000) & (
        pl.col("at_us") < events["fra_exporter_back"]
    )
    assert fra.filter(during).height == 0
    assert hk.filter(during).height >= 3
    assert hk.filter(during)["state"].unique().to_list() == [State.UP]
    assert fra.height < hk.height


def test_raw_range_vector_export_gives_the_same_story(fixtures: Path) -> None:
    stepped = pl.DataFrame(read_file(fixtures / "prometheus_query_range.json").table)
    raw = pl.DataFrame(read_file(fixtures / "prometheus_raw_samples.json").table)
    assert raw.height == stepped.height
    for frame in (stepped, raw):
        assert frame.filter(pl.col("state") == State.DOWN).height == 9 + 9 + 4 + 4


def test_instant_vector_is_refused_with_advice(fixtures: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_file(fixtures / "prometheus_vector.json")
    assert "Export a range query" in str(caught.value)
    assert "query_range" in str(caught.value)


def test_error_answer_and_missing_metric(tmp_path: Path) -> None:
    failed = tmp_path / "failed.json"
    failed.write_text('{"status": "error", "errorType": "bad_data", "error": "parse error"}')
    with pytest.raises(InvalidInput, match="parse error"):
        read_file(failed, format="prometheus")
    only_up = write(tmp_path, [series("up", [(1.0, "1")], instance="a", job="j")])
    with pytest.raises(InvalidInput, match="found: up"):
        read_file(only_up)


def test_values_other_than_0_and_1_and_series_without_target(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            series(
                "probe_success",
                [(1700000000, "1"), (1700000015, "0.5"), (1700000030, "0")],
                instance="a",
                job="j",
            ),
            series("probe_success", [(1700000000, "1")], job="j"),
            series(
                "probe_success", [(1700000000, "NaN"), (1700000015, "x")], instance="b", job="j"
            ),
        ],
    )
    result = read_file(path)
    assert result.table.num_rows == 2
    assert result.rows_read == 6
    reasons = [(b.line_or_index, b.reason) for b in result.bad_rows]
    assert reasons == [
        (1, "importers.bad_row.not_zero_one"),
        (2, "importers.bad_row.no_target_label"),
        (3, "importers.bad_row.not_zero_one"),
        (3, "importers.bad_row.bad_sample"),
    ]
    assert result.table.column("at_us").to_pylist() == [1700000000_000000, 1700000030_000000]
    assert result.vantages == ["j"]  # one series per target: the first label present


def test_vantage_label_target_label_and_collisions(tmp_path: Path) -> None:
    points = [(1700000000.123, "1"), (1700000060.123, "0")]
    path = write(
        tmp_path,
        [
            series("probe_success", points, target="shop", instance="bb1:9115", dc="tokyo"),
            series("probe_success", points, target="shop", instance="bb2:9115", dc="paris"),
        ],
    )
    auto = read_file(path)
    assert auto.targets == ["shop"]
    assert auto.vantages == ["bb1:9115", "bb2:9115"]  # instance varies within the target
    named = read_file(path, vantage_label="dc")
    assert named.vantages == ["paris", "tokyo"]
    assert named.table.column("at_us").to_pylist()[:2] == [1700000000123000, 1700000060123000]
    with pytest.raises(InvalidInput) as caught:
        read_file(path, vantage="one-place")
    assert "dc" in str(caught.value) and "vantage_label" in str(caught.value)


def test_series_without_a_name_are_the_success_series(tmp_path: Path) -> None:
    path = write(tmp_path, [series(None, [(1700000000, "0")], instance="shop")])
    result = read_file(path)
    assert result.table.column("state").to_pylist() == [State.DOWN]
    assert result.vantages == ["prometheus"]
