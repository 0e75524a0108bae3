"""Each kind of damage is found and named: blob bytes, database rows, ledger entries."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from hostclaim.services.demo import build_demo
from hostclaim.services.verify import verify_case


@pytest.fixture
def demo(ws):
    return ws, build_demo(ws)


def _db(ws) -> sqlite3.Connection:
    return sqlite3.connect(ws.home / "hostclaim.db", isolation_level=None)


def _codes(ws, ref) -> set[tuple[str, str]]:
    return {(p.code, p.item) for p in verify_case(ws, ref).problems}


def test_a_fresh_demo_case_is_intact(demo) -> None:
    ws, ref = demo
    report = verify_case(ws, ref)
    assert report.intact, [p.render("en") for p in report.problems]
    assert report.entries == report.records == 15 and report.blobs == 6


def _blob_of(ws, ref, number) -> Path:
    with _db(ws) as db:
        sha = db.execute("select sha256 from evidence where number=?", (number,)).fetchone()[0]
    return ws.blobs.path_for(sha)


def test_one_changed_byte_in_a_blob(demo) -> None:
    ws, ref = demo
    blob = _blob_of(ws, ref, 3)
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[10] ^= 0x01
    blob.write_bytes(bytes(data))
    assert _codes(ws, ref) == {("blob_altered", "E3")}


def test_a_deleted_blob(demo) -> None:
    ws, ref = demo
    _blob_of(ws, ref, 1).unlink()
    assert _codes(ws, ref) == {("blob_missing", "E1")}


def test_an_edited_database_row(demo) -> None:
    ws, ref = demo
    with _db(ws) as db:
        db.execute("update communications set summary='provider apologised' where number=4")
    problems = verify_case(ws, ref).problems
    assert [(p.code, p.item, p.detail) for p in problems] == [("record_altered", "C4", "summary")]
    assert problems[0].render("en") == "C4: the database record was altered (fields: summary)"


def test_a_row_added_behind_hostclaims_back_and_a_deleted_row(demo) -> None:
    ws, ref = demo
    with _db(ws) as db:
        db.execute("delete from incidents where number=1")
        db.execute(
            "insert into demands (case_id, number, created_at, kind, text, status) "
            "values (1, 9, '2026-11-01 00:00:00', 'refund', 'forged', 'open')"
        )
    assert _codes(ws, ref) == {("record_deleted", "I1"), ("record_unrecorded", "D9")}


def test_a_deleted_ledger_entry(demo) -> None:
    ws, ref = demo
    with _db(ws) as db:
        db.execute("delete from ledger where seq=5")
    codes = _codes(ws, ref)
    assert ("ledger_gap", "ledger #6") in codes
    assert ("ledger_chain_broken", "ledger #6") in codes
    # the record that entry described is now unaccounted for
    assert any(code == "record_unrecorded" for code, _ in codes)


def test_reordered_ledger_entries(demo) -> None:
    ws, ref = demo
    with _db(ws) as db:
        db.execute("update ledger set seq=-1 where seq=3")
        db.execute("update ledger set seq=3 where seq=4")
        db.execute("update ledger set seq=4 where seq=-1")
    codes = _codes(ws, ref)
    assert ("ledger_entry_altered", "ledger #3") in codes
    assert ("ledger_chain_broken", "ledger #3") in codes


def test_an_edited_ledger_payload(demo) -> None:
    ws, ref = demo
    with _db(ws) as db:
        payload = json.loads(db.execute("select payload from ledger where seq=2").fetchone()[0])
        payload["event"]["size"] = 1
        db.execute("update ledger set payload=? where seq=2", (json.dumps(payload),))
    assert ("ledger_payload_altered", "ledger #2") in _codes(ws, ref)


def test_verify_cli_exits_1_and_names_each_problem(cli, ws) -> None:
    ref = build_demo(ws)
    assert cli("verify", ref).exit_code == 0
    _blob_of(ws, ref, 2).unlink()
    with _db(ws) as db:
        db.execute("update cases set monthly_fee='8.90'")
    result = cli("verify", "--all")
    assert result.exit_code == 1
    assert "E2: the stored file is missing" in result.stderr
    assert "case record: the database record was altered (fields: monthly_fee)" in result.stderr
    data = json.loads(cli("verify", ref, "--json").stdout)
    assert data[0]["intact"] is False and len(data[0]["problems"]) == 2
