"""``hostclaim monitor``: monitors per case, imports of every format, a real prober on loopback."""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.parquet as pq
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures"


def _counts(cli, case_ref: str) -> tuple[int, int, int]:
    """Evidence items, probe segments and ledger entries of the case."""
    from hostclaim.services import segments
    from hostclaim.services.workspace import open_workspace

    evidence = json.loads(cli("evidence", "list", case_ref, "--json").stdout)
    ws = open_workspace(cli.home)
    try:
        stored = len(segments.list_segments(ws, case_ref))
    finally:
        ws.close()
    verify = json.loads(cli("verify", case_ref, "--json").stdout)[0]
    return len(evidence), stored, verify["entries"]


def test_monitor_add_and_list(cli, case_ref) -> None:
    added = cli(
        "monitor",
        "add",
        case_ref,
        "--name",
        "api-1",
        "--check",
        "https",
        "--target",
        "api.example.com",
        "--interval",
        "30s",
        "--expect-status",
        "200-299",
        "--expect-text",
        "ok",
    )
    assert added.exit_code == 0, added.output
    assert "M1" in added.stdout
    tcp = cli(
        "monitor", "add", case_ref, "--name", "db", "--check", "tcp", "--target", "10.0.0.5:5432"
    )
    assert tcp.exit_code == 0, tcp.output
    rows = json.loads(cli("monitor", "list", case_ref, "--json").stdout)
    assert [(r["ref"], r["name"], r["check"], r["target"]) for r in rows] == [
        ("M1", "api-1", "https", "https://api.example.com"),
        ("M2", "db", "tcp", "10.0.0.5:5432"),
    ]
    assert rows[0]["interval_s"] == 30 and rows[0]["timeout_s"] == 10
    assert rows[0]["expect_status"] == "200-299" and rows[0]["expect_text"] == "ok"
    assert rows[1]["expect_status"] is None
    assert "api-1" in cli("monitor", "list", case_ref).stdout
    assert cli("verify", case_ref).exit_code == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--check", "smtp", "--target", "mail.example.com"], "smtp"),
        (["--check", "tcp", "--target", "db.example.com"], "port"),
        (["--check", "https", "--target", "a.example", "--interval", "soon"], "duration"),
        (["--check", "https", "--target", "a.example", "--timeout", "2m"], "timeout"),
        (["--check", "https", "--target", "a.example", "--expect-status", "700"], "700"),
    ],
)
def test_monitor_add_refuses_bad_input(cli, case_ref, args, needle) -> None:
    result = cli("monitor", "add", case_ref, "--name", "x", *args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert json.loads(cli("monitor", "list", case_ref, "--json").stdout) == []


def test_monitor_names_are_unique_per_case(cli, case_ref) -> None:
    base = ["monitor", "add", case_ref, "--name", "web", "--check", "http", "--target", "a.test"]
    assert cli(*base).exit_code == 0
    again = cli(*base)
    assert again.exit_code == 2 and "M1" in again.stderr


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "in" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


@pytest.mark.parametrize(
    ("name", "extra", "fmt", "targets", "vantages"),
    [
        ("kuma_v1.db", ["--monitor", "Shop"], "uptime-kuma", 1, ["uptime-kuma"]),
        ("kuma_v2.db", ["--monitor", "all"], "uptime-kuma", 2, ["uptime-kuma"]),
        ("prometheus_query_range.json", [], "prometheus", None, ["fra", "hk"]),
        ("gatus_statuses.json", [], "gatus", None, ["gatus"]),
        ("gatus_endpoint.json", ["--option", "vantage=sg"], "gatus", 1, ["sg"]),
        ("ping_dO.log", ["--option", "target=lo"], "ping", 1, ["ping"]),
        ("ping_D.log", ["--format", "ping"], "ping", 1, ["ping"]),
    ],
)
def test_import_each_fixture_format(
    cli, case_ref, tmp_path, name, extra, fmt, targets, vantages
) -> None:
    path = _copy(tmp_path, name)
    result = cli("monitor", "import", case_ref, str(path), *extra, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["format"] == fmt
    assert out["rows"] > 0 and out["rows_read"] > 0 and out["targets"]
    if targets is not None:
        assert len(out["targets"]) == targets
    assert out["vantages"] == vantages
    assert out["start"] <= out["end"]
    assert (out["evidence"], out["segment"], out["segment_evidence"]) == ("E1", "P1", "E2")

    items = {e["ref"]: e for e in json.loads(cli("evidence", "list", case_ref, "--json").stdout)}
    source = items["E1"]
    assert source["kind"] == "system_log" and source["origin"] == f"import:{fmt}"
    assert source["original_name"] == name
    assert source["sha256"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert items["E2"]["kind"] == "technical_report" and items["E2"]["derived_from"] == 1

    from hostclaim.services import evidence, segments
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(cli.home)
    try:
        (segment,) = segments.list_segments(ws, case_ref)
        assert segment.source == f"import:{fmt}" and segment.source_evidence_number == 1
        data = evidence.read_bytes(ws, evidence.get_evidence(ws, case_ref, "E2"))
        assert pq.read_table(io.BytesIO(data)).num_rows == out["rows"]
    finally:
        ws.close()
    assert cli("verify", case_ref).exit_code == 0


def test_import_text_lists_rejected_rows_and_notes(cli, case_ref, tmp_path) -> None:
    path = _copy(tmp_path, "kuma_v1.db")
    result = cli("monitor", "import", case_ref, str(path), "--monitor", "Shop")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "E1" in out and "P1" in out
    assert "Rejected records  2" in out
    assert "131" in out and "132" in out  # the heartbeat ids, with their reasons
    assert "1 × the time cannot be read" in out
    assert "PENDING" in out and "MAINTENANCE" in out  # the importer's notes


def test_import_csv_with_tz_and_bad_rows(cli, case_ref, tmp_path) -> None:
    path = tmp_path / "checks.csv"
    path.write_text(
        "time,host,status,latency_ms\n"
        "2026-10-03 08:00:00,api-1,up,12\n"
        "2026-10-03 08:01:00,api-1,down,\n"
        "yesterday,api-1,up,12\n"
        "2026-10-03 08:02:00,api-1,maybe,12\n"
        "2026-10-03 08:03:00,api-1,up,13\n",
        encoding="utf-8",
    )
    naive = cli("monitor", "import", case_ref, str(path))
    assert naive.exit_code == 2 and "tz" in naive.stderr
    assert _counts(cli, case_ref) == (0, 0, 1)

    result = cli("monitor", "import", case_ref, str(path), "--tz", "Asia/Shanghai", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["rows"] == 3 and out["bad_rows"] == 2
    assert [b["line"] for b in out["bad_row_samples"]] == [4, 5]
    assert out["start"] == "2026-10-03T00:00:00Z"
    assert sum(out["bad_rows_by_reason"].values()) == 2
    assert out["options"] == {"tz": "Asia/Shanghai"}


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        (b"just some words\nnothing here\n", [], "no format"),
        (None, ["--format", "excel"], "no importer"),
        (b"time,up\n2026-10-03 08:00:00,1\n", [], "no UTC offset"),
        (b"time,up\nbroken,1\n", [], "no usable row"),
        (b"time,up\n2026-10-03T08:00:00Z,1\n", ["--option", "nonsense"], "KEY=VALUE"),
        (b"time,up\n2026-10-03T08:00:00Z,1\n", ["--monitor", "1"], "does not take"),
    ],
)
def test_a_bad_file_writes_nothing(cli, case_ref, tmp_path, content, args, needle) -> None:
    path = tmp_path / "export.txt"
    if content is None:
        shutil.copy(FIXTURES / "prometheus_vector.json", path)
    else:
        path.write_bytes(content)
    before = _counts(cli, case_ref)
    result = cli("monitor", "import", case_ref, str(path), *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert _counts(cli, case_ref) == before
    assert cli("verify", case_ref).exit_code == 0


def test_prometheus_instant_vector_and_repeat_import_write_nothing(cli, case_ref, tmp_path) -> None:
    vector = _copy(tmp_path, "prometheus_vector.json")
    refused = cli("monitor", "import", case_ref, str(vector))
    assert refused.exit_code == 2 and "range" in refused.stderr
    assert _counts(cli, case_ref) == (0, 0, 1)

    rng = _copy(tmp_path, "prometheus_query_range.json")
    assert cli("monitor", "import", case_ref, str(rng)).exit_code == 0
    after = _counts(cli, case_ref)
    again = cli("monitor", "import", case_ref, str(rng))
    assert again.exit_code == 2 and "P1" in again.stderr and "twice" in again.stderr
    assert _counts(cli, case_ref) == after


# --- the prober, for real, against a server on loopback ------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"shop ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_monitor_run_stores_segments_in_the_locker(cli, case_ref, server) -> None:
    for name, check, target in (
        ("shop", "http", f"http://{server}/"),
        ("closed-port", "tcp", "127.0.0.1:1"),
    ):
        added = cli(
            "monitor",
            "add",
            case_ref,
            "--name",
            name,
            "--check",
            check,
            "--target",
            target,
            "--interval",
            "0.5s",
            "--timeout",
            "0.4s",
            *(["--expect-text", "ok"] if check == "http" else []),
        )
        assert added.exit_code == 0, added.output
    result = cli(
        "monitor", "run", case_ref, "--vantage", "lab", "--duration", "2.5s", "--reference", server
    )
    assert result.exit_code == 0, result.output
    assert "lab" in result.stdout and "Stopped" in result.stdout

    items = json.loads(cli("evidence", "list", case_ref, "--json").stdout)
    assert items and all(i["kind"] == "technical_report" for i in items)
    from hostclaim.services.segments import list_segments, load_probe_data
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(cli.home)
    try:
        stored = list_segments(ws, case_ref)
        assert stored and all(s.source == "probe:lab" for s in stored)
        rows = load_probe_data(ws, case_ref).to_pylist()
    finally:
        ws.close()
    by_target: dict[str, set[int]] = {}
    for row in rows:
        by_target.setdefault(row["target"], set()).add(row["state"])
        assert row["vantage"] == "lab"
    # UNKNOWN (4) only if this machine was too busy to run a check in time
    assert 1 in by_target["shop"] and by_target["shop"] <= {1, 4}
    assert 0 in by_target["closed-port"] and by_target["closed-port"] <= {0, 4}
    assert f"reference {server}" in by_target  # proof the prober itself was healthy

    analysed = json.loads(cli("outage", "analyze", case_ref, "--json").stdout)
    assert {i["target"] for i in analysed["incidents"]} == {"closed-port"}
    assert {p["target"] for p in analysed["periods"]} <= {"shop", "closed-port", None}
    assert cli("verify", case_ref).exit_code == 0


def test_monitor_run_without_monitors_is_a_clear_error(cli, case_ref) -> None:
    result = cli("monitor", "run", case_ref, "--duration", "1s")
    assert result.exit_code == 2 and "monitor add" in result.stderr


def test_an_unhealthy_prober_records_unknown_never_down(cli, case_ref, server) -> None:
    added = cli(
        "monitor", "add", case_ref, "--name", "shop", "--check", "http",
        "--target", f"http://{server}/", "--interval", "0.5s", "--timeout", "0.4s",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    # The only reference does not answer: as far as the prober knows, its own line is down.
    result = cli(
        "monitor", "run", case_ref, "--vantage", "home", "--duration", "2s",
        "--reference", "127.0.0.1:1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "UNHEALTHY" in result.stdout
    from hostclaim.services.segments import load_probe_data
    from hostclaim.services.workspace import open_workspace

    ws = open_workspace(cli.home)
    try:
        rows = [r for r in load_probe_data(ws, case_ref).to_pylist() if r["target"] == "shop"]
    finally:
        ws.close()
    assert rows and {(r["state"], r["error"]) for r in rows} == {(4, "prober")}
    analysed = json.loads(cli("outage", "analyze", case_ref, "--json").stdout)
    assert analysed["incidents"] == []
    assert all(p["coverage"] == 0 for p in analysed["periods"] if p["target"] == "shop")
