"""Importers: monitoring exports in, rows of ``PROBE_SCHEMA`` out.

    from hostclaim.importers import read_file
    result = read_file("kuma.db", monitor="shop")          # format detected
    result = read_file("checks.csv", tz="Asia/Shanghai")   # naive times are in Shanghai
    result.table, result.bad_rows, result.notes

Built-in formats (``IMPORTERS``): ``uptime-kuma``, ``prometheus``, ``gatus``, ``csv``,
``jsonl``, ``ping``. Each is an ``Importer``; ``register`` adds another one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hostclaim.errors import InvalidInput
from hostclaim.importers.base import (
    COMMON_OPTIONS,
    BadRow,
    BadRows,
    Importer,
    ImportResult,
    Note,
)
from hostclaim.importers.gatus import GatusImporter
from hostclaim.importers.ping_log import PingLogImporter
from hostclaim.importers.prometheus import PrometheusImporter
from hostclaim.importers.tabular import CsvImporter, JsonlImporter
from hostclaim.importers.uptime_kuma import UptimeKumaImporter

__all__ = [
    "IMPORTERS",
    "BadRow",
    "BadRows",
    "ImportResult",
    "Importer",
    "Note",
    "detect_format",
    "read_file",
    "register",
]

HEAD_BYTES = 64 * 1024
DETECT_THRESHOLD = 0.5
"""A format must be at least this sure of a file to be chosen without being named."""

IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Add an importer to the registry (a later one with the same name replaces it)."""
    IMPORTERS[importer.name] = importer
    return importer


for _builtin in (
    UptimeKumaImporter(),
    PrometheusImporter(),
    GatusImporter(),
    PingLogImporter(),
    JsonlImporter(),
    CsvImporter(),
):
    register(_builtin)


def _existing(path: str | Path) -> Path:
    found = Path(path)
    if not found.is_file():
        raise InvalidInput("importers.error.no_file", path=str(found))
    return found


def detect_format(path: str | Path) -> str:
    """The name of the importer most sure it can read ``path``; a clear error when none is."""
    found = _existing(path)
    with open(found, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    best, best_score = None, 0.0
    for name, importer in IMPORTERS.items():
        score = float(importer.detect(found, head))
        if score > best_score:
            best, best_score = name, score
    if best is None or best_score < DETECT_THRESHOLD:
        raise InvalidInput(
            "importers.error.unknown_format", path=str(found), formats=", ".join(IMPORTERS)
        )
    return best


def read_file(path: str | Path, format: str | None = None, **options: Any) -> ImportResult:
    """Import ``path`` with the named format, or the detected one.

    Options are the importer's own (see each module) plus ``progress``, a callable given the
    number of records read so far. An option set to None counts as not given.
    """
    found = _existing(path)
    name = format or detect_format(found)
    importer = IMPORTERS.get(name)
    if importer is None:
        raise InvalidInput(
            "importers.error.no_such_format", format=name, formats=", ".join(IMPORTERS)
        )
    given = {key: value for key, value in options.items() if value is not None}
    accepted = importer.options | COMMON_OPTIONS
    unknown = sorted(set(given) - accepted)
    if unknown:
        raise InvalidInput(
            "importers.error.unknown_option",
            format=name,
            options=", ".join(unknown),
            accepted=", ".join(sorted(accepted)),
        )
    return importer.read(found, options=given)
