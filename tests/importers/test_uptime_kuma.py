from __future__ import annotations

import hashlib
import importlib.util
import shutil
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from hostclaim.domain.probes import State
from hostclaim.errors import InvalidInput
from hostclaim.importers import read_file

SHARED_EMPTY = [
    Path(__file__).parents[2].parent / "shared" / "fixtures" / "uptime-kuma-v1-empty.db",
    Path("/work/shared/fixtures/uptime-kuma-v1-empty.db"),
]


def us(text: str) -> int:
    dt = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(dt.timestamp()) * 1_000_000 + dt.microsecond


def frame(path: Path, **options: object) -> pl.DataFrame:
    return pl.DataFrame(read_file(path, **options).table)


def test_several_monitors_and_no_choice_lists_them(fixtures: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_file(fixtures / "kuma_v1.db")
    message = str(caught.value)
    assert "1: Shop (https://shop.example.com/)" in message
    assert "2: Database (db.example.com)" in message
    assert "monitor=all" in message


def test_choose_monitor_by_name_or_id(fixtures: Path) -> None:
    by_name = read_file(fixtures / "kuma_v1.db", monitor="Database")
    by_id = read_file(fixtures / "kuma_v1.db", monitor=2)
    by_id_text = read_file(fixtures / "kuma_v1.db", monitor="2")
    assert by_name.table.equals(by_id.table)
    assert by_name.table.equals(by_id_text.table)
    assert by_name.targets == ["Database"]
    with pytest.raises(InvalidInput, match="no monitor “Nope”"):
        read_file(fixtures / "kuma_v1.db", monitor="Nope")


def test_target_and_vantage_options(fixtures: Path) -> None:
    result = read_file(fixtures / "kuma_v1.db", monitor=1, target="shop.example.com", vantage="hk")
    assert result.targets == ["shop.example.com"]
    assert result.vantages == ["hk"]
    with pytest.raises(InvalidInput):
        read_file(fixtures / "kuma_v1.db", monitor="all", target="x")


def test_v1_heartbeats_map_as_kuma_counts_them(fixtures: Path) -> None:
    result = read_file(fixtures / "kuma_v1.db", monitor="all")
    df = pl.DataFrame(result.table)
    assert result.format == "uptime-kuma"
    assert result.targets == ["API", "Database", "Shop"]
    assert result.rows_read == 132
    shop = df.filter(pl.col("target") == "Shop")
    counts = dict(shop.group_by("state").len().iter_rows())
    assert counts == {State.UP: 80, State.DOWN: 6, State.MAINTENANCE: 4}
    # The first failed check was PENDING (Kuma retrying): it is DOWN, and says so.
    first_down = shop.filter(pl.col("state") == State.DOWN).row(0, named=True)
    assert first_down["at_us"] == us("2025-12-01 09:10:00.123")
    assert first_down["detail"] == "PENDING: Request failed with status code 503"
    assert first_down["error"] == "http_status"
    assert first_down["latency_ms"] is None
    up = shop.filter(pl.col("state") == State.UP).row(0, named=True)
    assert up["at_us"] == us("2025-12-01 09:00:00.123")
    assert up["latency_ms"] is not None and 80 <= up["latency_ms"] <= 160
    assert up["detail"] == "200 - OK"
    refused = df.filter((pl.col("target") == "Database") & (pl.col("state") == State.DOWN))
    assert set(refused["error"]) == {"connect"}
    timeout = df.filter((pl.col("target") == "API") & (pl.col("state") == State.DOWN))
    assert timeout["error"].to_list() == ["timeout"]
    notes = [str(n) for n in result.notes]
    assert any("PENDING" in n for n in notes)
    assert any("MAINTENANCE" in n for n in notes)
    assert not any("24 hours" in n for n in notes)  # v1: no v2 retention note


def test_v1_broken_rows_are_reported_by_heartbeat_id(fixtures: Path) -> None:
    result = read_file(fixtures / "kuma_v1.db", monitor="Shop")
    bad = list(result.bad_rows)
    assert [(b.line_or_index, b.reason) for b in bad] == [
        (131, "importers.bad_row.bad_time"),
        (132, "importers.bad_row.bad_state"),
    ]
    assert "not-a-time" in (bad[0].excerpt or "")
    assert "cannot be read" in bad[0].describe()
    assert "131" in bad[0].describe()


def test_v2_fills_minutes_without_heartbeats_from_stat_minutely(fixtures: Path) -> None:
    result = read_file(fixtures / "kuma_v2.db", monitor="Shop")
    df = pl.DataFrame(result.table)
    notes = [str(n) for n in result.notes]
    assert any("24 hours" in n and "thin" in n for n in notes)
    assert any("1320 minute(s)" in n and "stat_minutely" in n for n in notes)
    aggregated = df.filter(pl.col("detail").str.starts_with("stat_minutely"))
    raw = df.filter(~pl.col("detail").str.starts_with("stat_minutely"))
    # Monitor 1's heartbeats were cleared 2 h before the export: 22 h come from aggregates.
    assert aggregated.height == 22 * 60
    assert raw.height == 2 * 60 * 3
    assert aggregated["at_us"].max() < raw["at_us"].min()
    assert (aggregated["at_us"] % 60_000_000 == 0).all()
    # 10:55-11:15 UTC outage (5 h to 4 h 40 min before 12:00): 20 DOWN minutes.
    outage = aggregated.filter(pl.col("state") == State.DOWN)
    assert outage.height == 20
    assert outage["at_us"].min() == us("2026-03-02 07:00:00")
    assert outage.row(0, named=True)["detail"] == "stat_minutely: up=0 down=3"
    assert outage["latency_ms"].null_count() == outage.height
    maintenance = aggregated.filter(pl.col("state") == State.MAINTENANCE)
    assert maintenance.height == 15
    assert maintenance.row(0, named=True)["detail"] == "stat_minutely: up=0 down=0 maintenance=3"
    up = aggregated.filter(pl.col("state") == State.UP).row(0, named=True)
    assert up["latency_ms"] is not None and up["latency_ms"] > 0
    # Raw rows in the last 2 h: the 2-minute timeout outage, read from heartbeats.
    assert raw.filter(pl.col("state") == State.DOWN)["error"].unique().to_list() == ["timeout"]


def test_v2_aggregates_only_where_raw_heartbeats_are_missing(fixtures: Path) -> None:
    result = read_file(fixtures / "kuma_v2.db", monitor="Database")
    df = pl.DataFrame(result.table)
    # Database kept its last 24 h of heartbeats: no minute is taken from aggregates.
    assert df.filter(pl.col("detail").str.starts_with("stat_")).height == 0
    # Older than 24 h only status changes (important heartbeats) survive.
    old = df.filter(pl.col("at_us") < us("2026-03-01 12:00:00"))
    assert old.height == 3
    assert old["state"].to_list() == [State.UP, State.DOWN, State.UP]


def test_v2_aggregate_levels_are_an_option(fixtures: Path) -> None:
    none = frame(fixtures / "kuma_v2.db", monitor="Shop", aggregates="none")
    assert none.height == 360
    coarse = read_file(fixtures / "kuma_v2.db", monitor="Shop", aggregates="minutely,hourly")
    df = pl.DataFrame(coarse.table)
    hourly = df.filter(pl.col("detail").str.starts_with("stat_hourly"))
    # 72 h of hourly rows; the last 24 h are covered by minutes (the boundary hour included).
    assert hourly.height == 48
    assert (hourly["at_us"] % 3_600_000_000 == 0).all()
    dns_outage = hourly.filter(pl.col("state") == State.DOWN)
    assert dns_outage["at_us"].to_list() == [us("2026-02-28 12:00:00")]
    assert any("whole hour" in str(n) for n in coarse.notes)
    with pytest.raises(InvalidInput, match="aggregates"):
        read_file(fixtures / "kuma_v2.db", monitor="Shop", aggregates="weekly")


def test_database_is_opened_read_only(fixtures: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kuma.db"
    shutil.copyfile(fixtures / "kuma_v2.db", copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    copy.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        result = read_file(copy, monitor="all")
    finally:
        tmp_path.chmod(0o755)
    assert result.table.num_rows > 0
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kuma.db"]


def _listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_wal_database_is_read_with_its_log_and_nothing_is_written_beside_it(
    fixtures: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "kuma.db"
    shutil.copyfile(fixtures / "kuma_v1.db", copy)
    with closing(sqlite3.connect(copy)) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
    assert _listing(tmp_path).keys() == {"kuma.db"}
    # Kuma is running: its connection keeps the latest heartbeat in kuma.db-wal.
    with closing(sqlite3.connect(copy)) as kuma:
        kuma.execute("PRAGMA wal_autocheckpoint=0")
        kuma.execute(
            "INSERT INTO heartbeat (important, monitor_id, status, msg, time, ping, duration)"
            " VALUES (1, 2, 0, 'connect ETIMEDOUT', '2025-12-01 12:00:00.000', NULL, 60)"
        )
        kuma.commit()
        before = _listing(tmp_path)
        assert "kuma.db-wal" in before
        result = read_file(copy, monitor="Database")
        assert _listing(tmp_path) == before
    latest = result.table.to_pylist()[-1]
    assert latest["at_us"] == us("2025-12-01 12:00:00") and latest["error"] == "timeout"
    assert any("kuma.db-wal" in str(n) for n in result.notes)
    # Kuma stopped cleanly: no log left, the WAL database is read in place, creating nothing.
    assert _listing(tmp_path).keys() == {"kuma.db"}
    before = _listing(tmp_path)
    again = read_file(copy, monitor="Database")
    assert _listing(tmp_path) == before
    assert again.table.equals(result.table)
    assert not any("kuma.db-wal" in str(n) for n in again.notes)


def test_sqlite_that_is_not_kuma(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE things (id INTEGER)")
    db.close()
    with pytest.raises(InvalidInput, match="no format"):
        read_file(other)
    with pytest.raises(InvalidInput, match="not Uptime Kuma"):
        read_file(other, format="uptime-kuma")


def _load_script(monkeypatch: pytest.MonkeyPatch) -> object:
    path = Path(__file__).parent / "fixtures" / "make_kuma_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_kuma_fixtures", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_fixtures_match_their_script(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = next((p for p in SHARED_EMPTY if p.is_file()), None)
    if empty is None:
        pytest.skip("shared/fixtures/uptime-kuma-v1-empty.db is not beside this checkout")
    script = _load_script(monkeypatch)
    for name, build in (("kuma_v1.db", "build_v1"), ("kuma_v2.db", "build_v2")):
        fresh = tmp_path / name
        getattr(script, build)(empty, fresh)
        made = read_file(fresh, monitor="all", aggregates="minutely,hourly,daily")
        kept = read_file(fixtures / name, monitor="all", aggregates="minutely,hourly,daily")
        assert made.table.equals(kept.table), name
