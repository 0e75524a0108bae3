"""Ticket numbers in subjects and bodies: a registry of patterns, one per way providers write them.

Each pattern captures the reference in a group named ``value``. A value must contain at least
three consecutive digits, so "ticket is closed" or "case 2" are not taken for references.
Register a provider's own style with :func:`register_ticket_pattern`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from hostclaim.mail.model import TicketRef

# A reference: letters, digits and inner hyphens, with a run of three digits somewhere.
VALUE = r"(?P<value>(?=[A-Za-z0-9-]*\d{3})[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)"
# Optional "ID", "No.", "Nr.", "number" after the keyword, then ":", "#", "：" or a space.
_LABEL = r"(?:[\s-]*(?:id|no\.?|nr\.?|number|num\.?))?\s*(?:[:#：]\s*#?\s*|\s+#?)"


@dataclass(frozen=True, slots=True)
class TicketPattern:
    name: str
    kind: str
    regex: re.Pattern[str]
    # Lower-case text every match starts with: the pattern is only tried where it occurs,
    # which keeps long quoted replies cheap. Empty: scan the whole text.
    keyword: str = ""


_PATTERNS: dict[str, TicketPattern] = {}


def register_ticket_pattern(
    name: str, kind: str, regex: str | re.Pattern[str], *, keyword: str = ""
) -> None:
    """Add (or replace) a pattern; ``regex`` must have a ``value`` group.

    ``keyword``, if given, is lower-case text that every match starts with.
    """
    compiled = regex if isinstance(regex, re.Pattern) else re.compile(regex, re.IGNORECASE)
    if "value" not in compiled.groupindex:
        raise ValueError(f"ticket pattern {name!r} needs a (?P<value>...) group")
    _PATTERNS[name] = TicketPattern(name=name, kind=kind, regex=compiled, keyword=keyword.lower())


def ticket_patterns() -> tuple[TicketPattern, ...]:
    return tuple(_PATTERNS.values())


def _matches(pattern: TicketPattern, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
    if not pattern.keyword or lowered is None:
        yield from pattern.regex.finditer(text)
        return
    position = lowered.find(pattern.keyword)
    while position != -1:
        match = pattern.regex.match(text, position)
        if match:
            yield match
        position = lowered.find(pattern.keyword, position + 1)


def find_ticket_refs(*texts: str) -> tuple[TicketRef, ...]:
    """References in ``texts`` (subject first, then body), in order of appearance, once each.

    The same value written two ways ("Ticket #0012345", "[Case 0012345]") counts once, under
    the first pattern that found it.
    """
    found: dict[str, TicketRef] = {}
    for text in texts:
        if not text:
            continue
        lowered: str | None = text.lower()
        if len(text.lower()) != len(text):  # a few characters lower-case to two: positions shift
            lowered = None
        hits: list[tuple[int, str, TicketPattern]] = []
        for pattern in _PATTERNS.values():
            for match in _matches(pattern, text, lowered):
                hits.append((match.start("value"), match.group("value"), pattern))
        for _start, value, pattern in sorted(hits, key=lambda hit: hit[0]):
            key = value.upper()
            if key not in found:
                found[key] = TicketRef(value=value, kind=pattern.kind, pattern=pattern.name)
    return tuple(found.values())


# Also covers OTRS/Znuny, common at European hosts: "[Ticket#2026100312000123]".
register_ticket_pattern("ticket", "ticket", rf"\bticket{_LABEL}{VALUE}", keyword="ticket")
register_ticket_pattern("case", "case", rf"\bcase{_LABEL}{VALUE}", keyword="case")
register_ticket_pattern("request", "request", rf"\brequest{_LABEL}{VALUE}", keyword="request")
register_ticket_pattern("incident", "incident", rf"\bincident{_LABEL}{VALUE}", keyword="incident")
register_ticket_pattern("bracket_hash", "ticket", rf"\[#{VALUE}\]", keyword="[#")
register_ticket_pattern(
    "gongdan", "ticket", rf"工单(?:号码|编号|号)?\s*[:：#]?\s*#?\s*{VALUE}", keyword="工单"
)
