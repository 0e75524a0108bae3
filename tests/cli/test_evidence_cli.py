import json
import os
from pathlib import Path

import pytest


def _blob_files(home: Path) -> list[Path]:
    root = home / "blobs"
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


def test_add_list_show_export(cli, case_ref, tmp_path) -> None:
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 contract body")
    added = cli(
        "evidence",
        "add",
        case_ref,
        str(contract),
        "--kind",
        "contract",
        "--captured",
        "2026-01-15T09:00:00+01:00",
        "--note",
        "signed copy",
    )
    assert added.exit_code == 0, added.output
    assert "Added E1" in added.stdout
    item = json.loads(cli("evidence", "show", case_ref, "E1", "--json").stdout)
    assert item["media_type"] == "application/pdf"
    assert item["captured_at"] == "2026-01-15T08:00:00Z"
    assert item["size"] == contract.stat().st_size
    blob = cli.home / "blobs" / item["sha256"][:2] / item["sha256"][2:]
    assert blob.read_bytes() == contract.read_bytes()
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0  # written read-only
    out = tmp_path / "out"
    out.mkdir()
    assert cli("evidence", "export", case_ref, "E1", str(out)).exit_code == 0
    assert (out / "contract.pdf").read_bytes() == contract.read_bytes()
    again = cli("evidence", "export", case_ref, "E1", str(out))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_same_bytes_twice_share_one_blob_and_say_so(cli, case_ref, tmp_path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_bytes(b"same bytes\n")
    b.write_bytes(b"same bytes\n")
    cli("evidence", "add", case_ref, str(a), "--kind", "system_log")
    second = cli("evidence", "add", case_ref, str(b), "--kind", "system_log")
    assert second.exit_code == 0
    assert "already in this case as E1" in second.stdout
    assert len(_blob_files(cli.home)) == 1
    assert len(json.loads(cli("evidence", "list", case_ref, "--json").stdout)) == 2


def _file(folder: Path, data: bytes = b"x") -> Path:
    path = folder / "x.txt"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "args", "needle"),
    [
        (lambda d: d / "missing.pdf", [], "does not exist"),
        (lambda d: d, [], "is a directory"),
        (lambda d: _file(d, b""), [], "is empty"),
        (
            _file,
            ["--kind", "receipt"],
            "Unknown evidence kind",
        ),
        (
            _file,
            ["--captured", "last week"],
            "not a time",
        ),
        (
            _file,
            ["--captured", "2026-10-03 10:00", "--tz", "Asia/Beijing"],
            "not a time zone",
        ),
    ],
)
def test_bad_evidence_input_writes_nothing(cli, case_ref, tmp_path, make, args, needle) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = make(folder)
    result = cli("evidence", "add", case_ref, str(path), *args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert json.loads(cli("evidence", "list", case_ref, "--json").stdout) == []
    assert _blob_files(cli.home) == []


def test_unreadable_file_and_unknown_case(cli, case_ref, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"x")
    result = cli("evidence", "add", "HC-2000-0001", str(secret))
    assert result.exit_code == 2 and "No case" in result.stderr
    assert _blob_files(cli.home) == []
    if os.geteuid() != 0:  # root reads anything
        secret.chmod(0)
        assert "cannot be read" in cli("evidence", "add", case_ref, str(secret)).stderr


def test_checklist_shows_present_and_missing(cli, case_ref, tmp_path) -> None:
    (tmp_path / "inv.pdf").write_bytes(b"%PDF-1.4 invoice")
    cli("evidence", "add", case_ref, str(tmp_path / "inv.pdf"), "--kind", "payment")
    data = {i["item"]: i for i in json.loads(cli("checklist", case_ref, "--json").stdout)}
    assert data["payment_proof"] == {"item": "payment_proof", "present": True, "refs": ["E1"]}
    assert not data["contract"]["present"] and not data["technical_proof"]["present"]
    text = cli("checklist", case_ref).stdout
    assert "1 of 4 items present" in text and "--kind contract" in text
