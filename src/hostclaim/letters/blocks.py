"""A draft's Markdown as a few plain blocks, for the renderers that are not HTML (PDF, DOCX, text).

Only what letters use is kept: headings, paragraphs with bold/italic/code and hard breaks,
bullet and numbered lists, tables, rules, code and quotes. Raw HTML in the Markdown is text.
``[[TO FILL: …]]`` placeholders become spans of their own, so every renderer can mark them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from hostclaim.letters.fmt import PLACEHOLDER_RE


@dataclass(frozen=True)
class Span:
    text: str
    """``"\\n"`` alone is a hard line break."""
    bold: bool = False
    italic: bool = False
    code: bool = False
    placeholder: bool = False
    link: str | None = None


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    spans: Inline


@dataclass(frozen=True)
class Paragraph:
    spans: Inline


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Quote:
    blocks: tuple[Block, ...]


Block = Heading | Paragraph | ListBlock | Table | Rule | Code | Quote


@cache
def markdown() -> MarkdownIt:
    """The one Markdown dialect of drafts: CommonMark, tables, no raw HTML."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def parse(text: str) -> list[Block]:
    root = SyntaxTreeNode(markdown().parse(text))
    return [block for node in root.children if (block := _block(node)) is not None]


def plain(spans: Inline) -> str:
    return "".join(span.text for span in spans)


def _block(node: SyntaxTreeNode) -> Block | None:
    kind = node.type
    if kind == "heading":
        return Heading(int(node.tag[1]), _inline_of(node))
    if kind == "paragraph":
        return Paragraph(_inline_of(node))
    if kind in ("bullet_list", "ordered_list"):
        start = int(str(node.attrs.get("start", 1))) if kind == "ordered_list" else 1
        items = tuple(
            tuple(b for child in item.children if (b := _block(child)) is not None)
            for item in node.children
        )
        return ListBlock(kind == "ordered_list", start, items)
    if kind == "table":
        rows: list[tuple[Inline, ...]] = []
        header: tuple[Inline, ...] = ()
        for section in node.children:
            for tr in section.children:
                cells = tuple(_inline_of(cell) for cell in tr.children)
                if section.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return Table(header, tuple(rows))
    if kind == "hr":
        return Rule()
    if kind in ("code_block", "fence"):
        return Code(node.content.rstrip("\n"))
    if kind == "blockquote":
        return Quote(tuple(b for child in node.children if (b := _block(child)) is not None))
    return None


def _inline_of(node: SyntaxTreeNode) -> Inline:
    spans: list[Span] = []
    for child in node.children:
        if child.type == "inline":
            _walk(child, spans, bold=False, italic=False, link=None)
    return tuple(_merge(_mark_placeholders(spans)))


def _walk(
    node: SyntaxTreeNode, out: list[Span], *, bold: bool, italic: bool, link: str | None
) -> None:
    for child in node.children:
        kind = child.type
        if kind == "text":
            out.append(Span(child.content, bold=bold, italic=italic, link=link))
        elif kind == "softbreak":
            out.append(Span(" ", bold=bold, italic=italic, link=link))
        elif kind == "hardbreak":
            out.append(Span("\n"))
        elif kind == "code_inline":
            out.append(Span(child.content, bold=bold, italic=italic, code=True, link=link))
        elif kind == "strong":
            _walk(child, out, bold=True, italic=italic, link=link)
        elif kind == "em":
            _walk(child, out, bold=bold, italic=True, link=link)
        elif kind == "link":
            _walk(child, out, bold=bold, italic=italic, link=str(child.attrs.get("href", "")))
        elif kind == "image":
            out.append(Span(child.content or "", bold=bold, italic=italic, link=link))
        else:
            _walk(child, out, bold=bold, italic=italic, link=link)


def _mark_placeholders(spans: list[Span]) -> list[Span]:
    # A placeholder may span several text tokens (markdown-it splits at "[" and "]").
    text = "".join(span.text for span in spans)
    holes = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    if not holes:
        return spans
    out: list[Span] = []
    pos = 0
    for span in spans:
        start, end = pos, pos + len(span.text)
        pos = end
        cuts = {start, end}
        for a, b in holes:
            cuts.update(c for c in (a, b) if start < c < end)
        edges = sorted(cuts)
        for a, b in pairwise(edges):
            inside = any(h0 <= a and b <= h1 for h0, h1 in holes)
            piece = span.text[a - start : b - start]
            out.append(
                Span(
                    piece, span.bold, span.italic, span.code, inside or span.placeholder, span.link
                )
            )
    return out


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and span.text != "\n"
            and last.text != "\n"
            and (last.bold, last.italic, last.code, last.placeholder, last.link)
            == (span.bold, span.italic, span.code, span.placeholder, span.link)
        ):
            merged[-1] = Span(last.text + span.text, *_style(span))
        else:
            merged.append(span)
    return merged


def _style(span: Span) -> tuple[bool, bool, bool, bool, str | None]:
    return span.bold, span.italic, span.code, span.placeholder, span.link
