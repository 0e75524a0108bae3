"""What a letter encloses: the case's documents it offers when drafted, the ones an (edited)
letter lists by short SHA-256, and each as it is sent (the item itself or a redacted copy)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.letters import fmt as letter_fmt
from hostclaim.services import evidence as evidence_service
from hostclaim.services.letters.case_file import CaseFile
from hostclaim.services.letters.parties import provider_email
from hostclaim.services.records import ref_of
from hostclaim.services.redaction import own_contacts
from hostclaim.services.workspace import Workspace
from hostclaim.storage.tables import Evidence

ORIGIN_PREFIX = "letter:"
"""Evidence a letter made (its final text, renderings, the sent message) has this origin."""
REDACTION_ORIGIN = "redaction"

_RAW_DATA_TYPES = frozenset({"application/vnd.apache.parquet", "application/vnd.sqlite3"})
_SHORT_HASH = re.compile(r"(?<![0-9a-f])([0-9a-f]{12})(?![0-9a-f])")


def redacted_copies(data: CaseFile) -> dict[int, Evidence]:
    """Original evidence number → its newest redacted copy."""
    copies: dict[int, Evidence] = {}
    for item in data.evidence:
        if item.origin == REDACTION_ORIGIN and item.derived_from is not None:
            copies[item.derived_from] = item
    return copies


def enclosable(item: Evidence) -> bool:
    return not item.origin.startswith(ORIGIN_PREFIX) and item.media_type not in _RAW_DATA_TYPES


def enclosure_items(data: CaseFile, kind: str) -> list[Evidence]:
    """What a letter encloses: the case's documents, a redacted copy in place of its original
    (except in a brief for one's own lawyer, who gets the originals)."""
    copies = redacted_copies(data)
    items: list[Evidence] = []
    seen: set[str] = set()
    for item in data.evidence:
        if not enclosable(item):
            continue
        if kind == "lawyer_brief":
            if item.origin == REDACTION_ORIGIN:
                continue
        else:
            if item.origin == REDACTION_ORIGIN:
                continue  # listed in its original's place below
            item = copies.get(item.number, item)
        if item.sha256 in seen:
            continue
        seen.add(item.sha256)
        items.append(item)
    return items


def listed_enclosures(text: str, data: CaseFile) -> list[Evidence]:
    """The case's evidence a letter lists, by the short SHA-256 it prints for each."""
    found: list[Evidence] = []
    for token in dict.fromkeys(_SHORT_HASH.findall(text)):
        match = [e for e in data.evidence if e.sha256.startswith(token) and enclosable(e)]
        if match:
            item = min(match, key=lambda e: e.number)
            if item not in found:
                found.append(item)
    return found


def unique_names(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Distinct attachment names from (name, ref): a name already taken gets its ref in front."""
    names: list[str] = []
    for name, ref in pairs:
        names.append(f"{ref}-{name}" if name in names else name)
    return names


def _file_name(item: Evidence) -> str:
    return item.original_name or f"{ref_of(item)}.bin"


def file_names(items: Sequence[Evidence]) -> dict[int, str]:
    """A distinct attachment name per item (its original name, prefixed by its ref if taken)."""
    pairs = [(_file_name(item), ref_of(item)) for item in items]
    return {item.number: name for item, name in zip(items, unique_names(pairs), strict=True)}


@dataclass
class Outgoing:
    """One enclosure as it will be sent: the item the letter lists, or a redacted copy of it
    (already in the locker, or still to be stored once the letter has gone out)."""

    listed: Evidence
    copy: Evidence | None = None
    planned: Any = None  # services.redaction.PlannedRedaction

    @property
    def ref(self) -> str:
        if self.planned is not None:
            return f"{ref_of(self.listed)} ({t('letter_cli.redacted')})"
        return ref_of(self.copy or self.listed)

    @property
    def name(self) -> str:
        if self.planned is not None:
            return str(self.planned.name)
        return _file_name(self.copy or self.listed)

    @property
    def sha256(self) -> str:
        if self.planned is not None:
            return str(self.planned.sha256)
        return (self.copy or self.listed).sha256

    @property
    def media_type(self) -> str:
        if self.planned is not None:
            return str(self.planned.media_type)
        return (self.copy or self.listed).media_type

    def payload(self, ws: Workspace) -> bytes:
        if self.planned is not None:
            return bytes(self.planned.data)
        return evidence_service.read_bytes(ws, self.copy or self.listed)


def plan_outgoing(
    ws: Workspace, data: CaseFile, listed: Sequence[Evidence], *, redacted: bool
) -> list[Outgoing]:
    """The enclosures a letter lists, as they will be sent; with ``redacted``, a redacted copy in
    each one's place (the locker's, else one planned now). Refuses what cannot be redacted."""
    from hostclaim.services import redaction

    entries = [Outgoing(item) for item in listed]
    if redacted:
        copies = redacted_copies(data)
        keep = own_contacts(data.case, provider_email(data), data.communications)
        for entry in entries:
            item = entry.listed
            if item.origin == REDACTION_ORIGIN:
                continue
            if item.number in copies:
                entry.copy = copies[item.number]
                continue
            planned = redaction.plan(ws, item, keep=keep)
            if planned.refused:
                raise InvalidInput(
                    "letter_cli.error.enclosure_unredactable",
                    ref=ref_of(item),
                    name=item.original_name or item.title,
                    reason=planned.reason() or "",
                )
            if planned.spans:
                entry.planned = planned
    return entries


def swap_enclosures(text: str, swaps: Sequence[tuple[str, str, str, str]]) -> str:
    """The final text lists what is actually sent: each redacted copy's hash and file name in
    place of its original's, on the enclosure's own line. ``swaps``: (old sha256, new sha256,
    old file name, new file name)."""
    lines = text.split("\n")
    for old_sha, new_sha, old_name, new_name in swaps:
        token = old_sha[:12]
        for i, line in enumerate(lines):
            if token in line:
                line = line.replace(token, new_sha[:12])
                if old_name and old_name != new_name:
                    line = line.replace(letter_fmt.cell(old_name), letter_fmt.cell(new_name))
                    line = line.replace(old_name, new_name)
                lines[i] = line
    return "\n".join(lines)
