"""A draft as plain text: for a support portal's form, or the text part of an e-mail."""

from __future__ import annotations

import textwrap

from hostclaim.letters.blocks import (
    Block,
    Code,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
    parse,
    plain,
)
from hostclaim.letters.drafting import Draft


def to_text(draft: Draft) -> str:
    return "\n\n".join(_block(block) for block in parse(draft.markdown)).rstrip() + "\n"


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        title = plain(block.spans)
        return title if block.level > 1 else f"{title}\n{'=' * min(len(title), 72)}"
    if isinstance(block, Paragraph):
        return plain(block.spans)
    if isinstance(block, ListBlock):
        items = []
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}. " if block.ordered else "- "
            body = "\n\n".join(_block(child) for child in item)
            items.append(marker + textwrap.indent(body, " " * len(marker)).lstrip())
        return "\n".join(items)
    if isinstance(block, Table):
        rows = [block.header, *block.rows] if block.header else list(block.rows)
        return "\n".join(" | ".join(plain(cell) for cell in row) for row in rows)
    if isinstance(block, Rule):
        return "-" * 40
    if isinstance(block, Code):
        return textwrap.indent(block.text, "    ")
    if isinstance(block, Quote):
        return textwrap.indent("\n\n".join(_block(b) for b in block.blocks), "> ")
    raise TypeError(block)
