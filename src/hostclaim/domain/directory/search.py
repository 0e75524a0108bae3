"""Find providers, bodies and source-guide rows by what people type.

Matching is on names (English, Chinese, aliases), countries (code or name, either language) and
channel addresses (phone numbers, e-mail, URLs). Text is compared after NFKC normalisation and
case folding, so full-width ``ＡＷＳ`` finds AWS, and with spaces and punctuation removed, so
``010 12300`` finds ``010-12300``. Chinese matches as a substring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from hostclaim.domain.directory.loader import Directory, load_directory
from hostclaim.domain.directory.models import Names
from hostclaim.domain.directory.regions import COUNTRY_NAMES

_SEPARATORS = re.compile(r"[\s\-_.,:;/\\()（）【】\[\]+'\"“”‘’·・、。，]+")


def fold(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).casefold())


class HitKind(StrEnum):
    PROVIDER = "provider"
    BODY = "body"
    SOURCE_GUIDE = "source_guide"


class Field(StrEnum):
    NAME = "name"
    ALIAS = "alias"
    COUNTRY = "country"
    CHANNEL = "channel"


@dataclass(frozen=True)
class SearchHit:
    kind: HitKind
    key: str
    field: Field
    matched: str  # the text that matched, as stored
    score: int  # 3 exact, 2 prefix, 1 substring


@dataclass(frozen=True)
class _Entry:
    kind: HitKind
    key: str
    field: Field
    text: str
    folded: str


def _names(kind: HitKind, key: str, names: Names) -> list[_Entry]:
    entries = [_Entry(kind, key, Field.NAME, n.value, fold(n.value)) for n in (names.en, names.zh)]
    entries += [_Entry(kind, key, Field.ALIAS, a.value, fold(a.value)) for a in names.aliases]
    return entries


def _country(kind: HitKind, key: str, code: str) -> list[_Entry]:
    words = (code, *COUNTRY_NAMES.get(code, ()))
    return [_Entry(kind, key, Field.COUNTRY, word, fold(word)) for word in words]


@cache
def _index(directory: Directory) -> tuple[_Entry, ...]:
    entries: list[_Entry] = []
    for provider in directory.providers.values():
        kind, key = HitKind.PROVIDER, provider.key
        entries += _names(kind, key, provider.names)
        entries += _country(kind, key, provider.country_code)
        for entity in provider.legal_entities:
            name = entity.value.name
            entries.append(_Entry(kind, key, Field.ALIAS, name, fold(name)))
        for channel in provider.support_channels:
            address = channel.value.address
            entries.append(_Entry(kind, key, Field.CHANNEL, address, fold(address)))
    for body in directory.bodies.values():
        kind, key = HitKind.BODY, body.key
        entries += _names(kind, key, body.names)
        entries += _country(kind, key, body.country_code)
        for channel in body.channels:
            address = channel.value.address
            entries.append(_Entry(kind, key, Field.CHANNEL, address, fold(address)))
    for row in directory.source_guide:
        kind, key = HitKind.SOURCE_GUIDE, row.key
        written = row.body_as_written.value
        entries += [_Entry(kind, key, Field.NAME, t, fold(t)) for t in (written.zh, written.en)]
        address = row.contact_as_written.value.address
        entries.append(_Entry(kind, key, Field.CHANNEL, address, fold(address)))
    return tuple(entry for entry in entries if entry.folded)


def _score(query: str, entry: _Entry) -> int:
    if entry.folded == query:
        return 3
    if entry.field is Field.COUNTRY and len(entry.text) <= 3:
        return 0  # country codes match only exactly
    if query.isascii() and len(query) <= 2:
        return 0  # "de" is a country code, not a fragment of every name holding "de"
    if entry.folded.startswith(query):
        return 2
    return 1 if query in entry.folded else 0


def search(text: str, directory: Directory | None = None) -> list[SearchHit]:
    """Best hit per record, best first (exact, then prefix, then substring; then by key)."""
    query = fold(text)
    if not query:
        return []
    best: dict[tuple[HitKind, str], SearchHit] = {}
    for entry in _index(directory or load_directory()):
        score = _score(query, entry)
        if not score:
            continue
        slot = (entry.kind, entry.key)
        if slot not in best or score > best[slot].score:
            best[slot] = SearchHit(entry.kind, entry.key, entry.field, entry.text, score)
    order = list(HitKind)
    return sorted(best.values(), key=lambda h: (-h.score, order.index(h.kind), h.key))
