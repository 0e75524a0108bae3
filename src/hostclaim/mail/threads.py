"""Conversations and copies: which messages belong together, which are the same message twice.

Threading follows the headers mail clients write for it: ``In-Reply-To`` and ``References``
link a reply to every message it names, present in the mailbox or not, so two replies to a
message we never imported still end up in one thread. Only a message with neither header and
a reply subject (``Re:``, ``AW:``, ``回复:`` …) is joined by subject, to the thread of the earliest
earlier message with the same subject: provider ticket systems often drop the headers, while
unrelated mails with equal subjects ("Invoice") must stay apart, so a subject alone never
starts a link.

The root of a thread is its earliest message present in the input (by Date; messages without
a date come after dated ones, in input order).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hostclaim.mail.model import ParsedMail


class Threadable(Protocol):
    @property
    def message_id(self) -> str: ...
    @property
    def in_reply_to(self) -> str | None: ...
    @property
    def references(self) -> Sequence[str]: ...
    @property
    def subject(self) -> str: ...
    @property
    def date(self) -> datetime | None: ...


_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|fwd?|wg|tr|rif|回复|回覆|答复|转发|轉寄)\s*(?:\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def is_reply_subject(subject: str) -> bool:
    return _REPLY_PREFIX.match(subject) is not None


def normalise_subject(subject: str) -> str:
    """``Re: AW: 回复：Server down`` → ``server down`` (prefixes off, spaces folded)."""
    return _SPACES.sub(" ", _REPLY_PREFIX.sub("", subject)).strip().casefold()


class _Groups:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grand = self.parent[parent]
            self.parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def thread(messages: Iterable[Threadable]) -> dict[str, str]:
    """Map every message id to the id of its thread's root message."""
    items = list(messages)
    groups = _Groups()
    order: dict[str, tuple[int, float, int]] = {}
    for position, message in enumerate(items):
        when = message.date
        key = (0, when.timestamp(), position) if when else (1, 0.0, position)
        order[message.message_id] = min(order.get(message.message_id, key), key)
        groups.find(message.message_id)
        for ref in (*message.references, message.in_reply_to):
            if ref:
                groups.union(message.message_id, ref)

    # Subject fallback, in time order so a reply only joins an earlier message.
    first_by_subject: dict[str, str] = {}
    for message in sorted(items, key=lambda m: order[m.message_id]):
        subject = normalise_subject(message.subject)
        if not subject:
            continue
        headless = not message.in_reply_to and not message.references
        earlier = first_by_subject.get(subject)
        if headless and earlier is not None and is_reply_subject(message.subject):
            groups.union(earlier, message.message_id)
        first_by_subject.setdefault(subject, message.message_id)

    roots: dict[str, str] = {}
    for message_id in order:
        group = groups.find(message_id)
        current = roots.get(group)
        if current is None or order[message_id] < order[current]:
            roots[group] = message_id
    return {message_id: roots[groups.find(message_id)] for message_id in order}


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """``unique`` keeps one copy per Message-ID in first-seen order; ``duplicates`` the rest."""

    unique: list[ParsedMail] = field(default_factory=list)
    duplicates: list[ParsedMail] = field(default_factory=list)


def _strength(message: ParsedMail) -> int:
    return 2 if message.dkim.verified is True else 1 if message.dkim.verified is None else 0


def dedupe(messages: Iterable[ParsedMail]) -> DedupeResult:
    """One copy per Message-ID (e.g. the same mail in Inbox and in an archive folder).

    Of several copies the first is kept, unless a later copy has a DKIM signature that
    verifies and the first has not: that copy is the better evidence and takes the first's
    place. Messages without a Message-ID have one made from their bytes, so only identical
    copies of them merge.
    """
    kept: dict[str, int] = {}
    unique: list[ParsedMail] = []
    duplicates: list[ParsedMail] = []
    for message in messages:
        position = kept.get(message.message_id)
        if position is None:
            kept[message.message_id] = len(unique)
            unique.append(message)
            continue
        current = unique[position]
        if _strength(message) > _strength(current):
            unique[position] = message
            duplicates.append(current)
        else:
            duplicates.append(message)
    return DedupeResult(unique=unique, duplicates=duplicates)
