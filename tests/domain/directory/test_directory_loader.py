"""Reading a directory tree: anchors, file names, references, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostclaim.domain.directory import DirectoryDataError, read_directory
from hostclaim.domain.directory.loader import load_directory

BODY = """
sources:
  s: &s {source: "https://example.org", checked: 2026-11-30, status: verified}
key: %(key)s
names:
  en: {<<: *s, value: "Example body"}
  zh: {<<: *s, value: "示例机构", status: unconfirmed}
kind: {<<: *s, value: regulator}
country: {<<: *s, value: "GB"}
lifecycle: {<<: *s, value: {state: open}}
eligibility: {<<: *s, value: {consumers: true, businesses: false}}
jurisdiction: {<<: *s, value: {}}
hosting_scope: {<<: *s, value: in_scope}
membership: {<<: *s, value: not_required}
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_anchors_expand_into_each_value_and_are_dropped(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"bodies/x-body.yaml": BODY % {"key": "x-body"}})
    body = read_directory(root).body("x-body")  # type: ignore[arg-type]
    assert body.names.en.source == "https://example.org"
    assert body.names.zh.status.value == "unconfirmed"


def test_key_must_match_the_file_name(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"bodies/other.yaml": BODY % {"key": "x-body"}})
    with pytest.raises(DirectoryDataError, match="file name"):
        read_directory(root)  # type: ignore[arg-type]


def test_unknown_fields_are_errors(tmp_path: Path) -> None:
    text = BODY % {"key": "x-body"} + "website: {value: x}\n"
    root = _tree(tmp_path, {"bodies/x-body.yaml": text})
    with pytest.raises(DirectoryDataError, match=r"x-body\.yaml"):
        read_directory(root)  # type: ignore[arg-type]


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"bodies/bad.yaml": "key: [unclosed\n"})
    with pytest.raises(DirectoryDataError, match=r"bad\.yaml"):
        read_directory(root)  # type: ignore[arg-type]


def test_references_to_unknown_bodies_are_errors(tmp_path: Path) -> None:
    guide = """
rows:
  - key: r
    section: {value: "三.1", source: s, checked: 2026-11-30, status: verified}
    body_as_written: {value: {en: a, zh: 甲}, source: s, checked: 2026-11-30, status: verified}
    contact_as_written:
      {value: {kind: phone, address: "1"}, source: s, checked: 2026-11-30, status: verified}
    verdict: {value: wrong, source: s, checked: 2026-11-30, status: verified}
    finding: {value: {en: a, zh: 甲}, source: s, checked: 2026-11-30, status: verified}
    correct_body: {value: nowhere, source: s, checked: 2026-11-30, status: verified}
"""
    root = _tree(tmp_path, {"source_guide.yaml": guide})
    with pytest.raises(DirectoryDataError, match="nowhere"):
        read_directory(root)  # type: ignore[arg-type]


def test_the_packaged_tree_reads_the_same_as_the_cached_one() -> None:
    from importlib.resources import files

    fresh = read_directory(files("hostclaim.data"))
    cached = load_directory()
    assert fresh is not cached
    assert set(fresh.providers) == set(cached.providers)
    assert set(fresh.bodies) == set(cached.bodies)
    assert fresh.source_guide == cached.source_guide
