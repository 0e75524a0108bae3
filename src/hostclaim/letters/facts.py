"""Facts by path (``provider.name``), and the visible placeholder for one that is missing.

A letter never invents a fact. When a kind needs one that the case does not hold, the draft says
so in the text — ``[[TO FILL: the provider's support e-mail address]]`` — and lists its path in
``Draft.missing_facts``, so an interface can ask for it and an issue step can refuse to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from hostclaim.i18n import t
from hostclaim.letters import fmt
from hostclaim.letters.model import LetterContext

PLACEHOLDER_OPEN = "[[TO FILL: "
PLACEHOLDER_CLOSE = "]]"
PLACEHOLDER_RE = fmt.PLACEHOLDER_RE


def placeholder(text: str) -> str:
    return f"{PLACEHOLDER_OPEN}{text}{PLACEHOLDER_CLOSE}"


def find_placeholders(text: str) -> list[str]:
    """What is still to fill in a (possibly edited) draft, in order of appearance."""
    return PLACEHOLDER_RE.findall(text)


def fact_label(path: str, lang: str) -> str:
    """What the fact is called in ``lang``: the placeholder's wording."""
    key = f"letters.fact.{path}"
    label = t(key, lang)
    return path if label == key else label


def resolve(ctx: LetterContext, path: str) -> object:
    """The value at ``path`` (``sla.subject_words``), or None when any step is missing."""
    node: object = ctx
    for part in path.split("."):
        if node is None:
            return None
        node = getattr(node, part, None)
    return node


def present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping | tuple | list):
        return bool(value)
    return True


class FactSheet:
    """The facts of one draft as its template sees them; remembers every placeholder it wrote."""

    def __init__(self, ctx: LetterContext, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self.missing: list[str] = []

    def has(self, path: str) -> bool:
        return present(resolve(self.ctx, path))

    def hole(self, path: str) -> str:
        if path not in self.missing:
            self.missing.append(path)
        return placeholder(fact_label(path, self.lang))

    def fact(self, path: str) -> str:
        """The fact as Markdown-safe letter text, or its placeholder."""
        return fmt.md(self.plain(path))

    def plain(self, path: str) -> str:
        """The fact as plain text (a subject line, a header), or its placeholder."""
        value = resolve(self.ctx, path)
        if not present(value):
            return self.hole(path)
        return self.text(value)

    def first(self, *paths: str) -> str:
        """The first present fact of ``paths`` (a legal name, else a trading name …), plain.

        When none is present the placeholder asks for the last one: the fact that is enough.
        """
        for path in paths:
            if self.has(path):
                return self.plain(path)
        return self.hole(paths[-1])

    def text(self, value: object) -> str:
        """Any fact value as plain text in the draft's language."""
        lang = self.lang
        if isinstance(value, datetime):
            return fmt.when(value, self.ctx.zone_for_recipient(), lang)
        if isinstance(value, date):
            return fmt.day(value, lang)
        if isinstance(value, timedelta):
            return fmt.duration(value, lang)
        if isinstance(value, Decimal):
            return fmt.amount(value, None)
        if isinstance(value, Mapping):
            return fmt.local(value, lang)
        if isinstance(value, tuple | list):
            sep = "、" if lang == "zh" else ", "
            return sep.join(self.text(item) for item in value)
        return str(value)
