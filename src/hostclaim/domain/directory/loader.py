"""Read the packaged directory: ``data/providers/*.yaml``, ``data/bodies/*.yaml`` and
``data/source_guide.yaml``.

File format: one provider or body per file, named ``<key>.yaml``. A file may start with a
``sources:`` mapping that only holds YAML anchors (``&tio {source: …, checked: …, status: …}``)
for values to merge (``{<<: *tio, value: …}``); the loader drops it after YAML has expanded the
merges, so every loaded value carries its own source, date and status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from hostclaim.domain.directory.models import Body, Provider, SourceGuideRow
from hostclaim.errors import NotFound

ANCHORS_KEY = "sources"


class DirectoryDataError(ValueError):
    """A packaged data file is malformed: a bug in the data, not something a user can fix."""


@dataclass(frozen=True, eq=False)
class Directory:
    providers: Mapping[str, Provider]
    bodies: Mapping[str, Body]
    source_guide: tuple[SourceGuideRow, ...] = field(default=())

    def provider(self, key: str) -> Provider:
        try:
            return self.providers[key]
        except KeyError:
            raise NotFound("error.directory.unknown_provider", name=key) from None

    def body(self, key: str) -> Body:
        try:
            return self.bodies[key]
        except KeyError:
            raise NotFound("error.directory.unknown_body", name=key) from None

    def records(self) -> Iterable[BaseModel]:
        yield from self.providers.values()
        yield from self.bodies.values()
        yield from self.source_guide


def _read_yaml(path: Traversable) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DirectoryDataError(f"{path.name}: not valid YAML: {exc}") from None
    if isinstance(data, dict):
        data.pop(ANCHORS_KEY, None)
    return data


def _records(folder: Traversable, model: type[Body] | type[Provider]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        stem = path.name.removesuffix(".yaml")
        try:
            record = model.model_validate(_read_yaml(path))
        except ValidationError as exc:
            raise DirectoryDataError(f"{path.name}: {exc}") from None
        if record.key != stem:
            raise DirectoryDataError(f"{path.name}: key {record.key!r} differs from the file name")
        found[record.key] = record
    return found


def _source_guide(path: Traversable) -> tuple[SourceGuideRow, ...]:
    if not path.is_file():
        return ()
    data = _read_yaml(path)
    rows = data.get("rows", []) if isinstance(data, dict) else []
    try:
        parsed = tuple(SourceGuideRow.model_validate(row) for row in rows)
    except ValidationError as exc:
        raise DirectoryDataError(f"{path.name}: {exc}") from None
    keys = [row.key for row in parsed]
    if len(keys) != len(set(keys)):
        raise DirectoryDataError(f"{path.name}: duplicate row keys")
    return parsed


def _check_references(directory: Directory) -> None:
    wanted: list[tuple[str, str]] = []
    for row in directory.source_guide:
        if row.correct_body is not None:
            wanted.append((f"source guide row {row.key}", row.correct_body.value))
        wanted += [(f"source guide row {row.key}", ref.value) for ref in row.see_also]
    for provider in directory.providers.values():
        wanted += [(f"provider {provider.key}", ref.value) for ref in provider.adr_memberships]
    missing = [f"{where} → {key}" for where, key in wanted if key not in directory.bodies]
    if missing:
        raise DirectoryDataError("unknown body keys: " + "; ".join(missing))


def read_directory(root: Traversable) -> Directory:
    """Read a directory tree laid out like the packaged ``hostclaim/data`` (uncached)."""
    directory = Directory(
        providers=_records(root / "providers", Provider),
        bodies=_records(root / "bodies", Body),
        source_guide=_source_guide(root / "source_guide.yaml"),
    )
    _check_references(directory)
    return directory


@cache
def load_directory() -> Directory:
    """The directory shipped with hostclaim, read once per process."""
    return read_directory(files("hostclaim.data"))


def get_provider(key: str) -> Provider:
    return load_directory().provider(key)


def get_body(key: str) -> Body:
    return load_directory().body(key)


def source_guide_rows() -> tuple[SourceGuideRow, ...]:
    return load_directory().source_guide
