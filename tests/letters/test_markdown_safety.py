"""Whatever a person types, it reads back as typed once it has been through a letter's Markdown."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hostclaim.letters.blocks import Paragraph, Table, parse, plain
from hostclaim.letters.fmt import cell, md

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), min_size=1, max_size=60
)


def _expected(value: str) -> str:
    return " ".join(value.split())


@settings(max_examples=300, deadline=None)
@given(value=text)
@example("---")
@example("1. first")
@example("# title")
@example("<https://example.com> &amp; &#35; *a* _b_ `c` [d](e) \\")
@example("Wang <wang@example.com>")
@example("===")
@example("> quote")
def test_user_text_in_a_paragraph_is_shown_verbatim(value: str) -> None:
    if not _expected(value):
        return
    blocks = parse("Before: " + md(value) + "\n")
    assert len(blocks) == 1 and isinstance(blocks[0], Paragraph)
    assert plain(blocks[0].spans) == "Before: " + _expected(value)
    alone = parse(md(value) + "\n")
    assert len(alone) == 1 and isinstance(alone[0], Paragraph), alone
    assert plain(alone[0].spans) == _expected(value)


@settings(max_examples=200, deadline=None)
@given(value=text)
@example("a | b")
def test_user_text_in_a_table_cell_stays_in_its_cell(value: str) -> None:
    if not _expected(value):
        return
    (table,) = parse(f"| A | B |\n|---|---|\n| {cell(value)} | x |\n")
    assert isinstance(table, Table)
    assert [plain(c) for c in table.rows[0]] == [_expected(value), "x"]
