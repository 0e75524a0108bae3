"""A draft as a PDF with embedded (subset) fonts: it prints the same on any machine.

Lines are broken here rather than by fpdf2: Chinese may break between any two characters (but
not before a closing mark such as ``，`` or after an opening one such as ``（``), Latin words only
at spaces. Placeholders are drawn on a yellow background so nobody sends one by mistake.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode, XPos, YPos
from fpdf.fonts import FontFace as FpdfFontFace

from hostclaim.errors import InvalidInput
from hostclaim.i18n import t
from hostclaim.letters.blocks import (
    Block,
    Code,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Span,
    Table,
    parse,
    plain,
)
from hostclaim.letters.drafting import Draft
from hostclaim.letters.render.fonts import FontFace, FontSet, fonts_for

BODY_PT = 10.5
HEADING_PT = {1: 15.0, 2: 12.0, 3: 11.0}
LEADING = 1.5
PT = 0.3528  # mm per point
MARGIN = 20.0
INDENT = 6.0
PLACEHOLDER_FILL = (255, 224, 102)

# Scripts set without spaces between words (Han, kana, Hangul) and their full-width punctuation.
_WIDE = (
    "\u1100-\u11ff\u2e80-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_ATOM = re.compile(f"\\s+|[{_WIDE}]|[^\\s{_WIDE}]+")
_OPENING = set("（([{「『【《〈〔“‘")
_CLOSING = set("）)]}」』】》〉〕”’，。、；：！？,.;:!?%…·")


@dataclass(frozen=True)
class _Style:
    family: str
    bold: bool
    placeholder: bool


@dataclass
class _Piece:
    text: str
    style: _Style
    width: float


@dataclass
class _Unit:
    pieces: list[_Piece]
    space: bool = False

    @property
    def width(self) -> float:
        return sum(p.width for p in self.pieces)


class _LetterPdf(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.body_family = "body"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_family, size=8)
        self.set_text_color(110, 110, 110)
        label = t("letters.pdf.page", self.lang, page=self.page_no(), pages="{nb}")
        self.cell(0, 5, label, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)


class _Writer:
    def __init__(self, pdf: _LetterPdf, fonts: FontSet, lang: str) -> None:
        self.pdf = pdf
        self.fonts = fonts
        self.lang = lang
        self.real_bold: dict[str, bool] = {}
        self._register("body", fonts.regular, fonts.bold)
        if fonts.cjk is not None and fonts.cjk != fonts.regular:
            self._register("cjk", fonts.cjk, None)
            pdf.set_fallback_fonts(["cjk"])

    def _register(self, family: str, regular: FontFace, bold: FontFace | None) -> None:
        self.pdf.add_font(family, "", str(regular.path), collection_font_number=regular.index)
        # Tables need a bold style; without a bold face it is the regular one, drawn heavier.
        face = bold or regular
        self.pdf.add_font(family, "B", str(face.path), collection_font_number=face.index)
        self.real_bold[family] = bold is not None

    # -- text -----------------------------------------------------------------------------

    def family_for(self, text: str) -> str:
        if self.fonts.regular.covers(text) or self.fonts.cjk is None:
            return "body"
        return "cjk"

    def set_style(self, style: _Style, size: float) -> None:
        pdf = self.pdf
        real = self.real_bold[style.family]
        pdf.set_font(style.family, "B" if style.bold and real else "", size)
        if style.bold and not real:
            pdf.text_mode = TextMode.FILL_STROKE
            pdf.set_line_width(size * 0.012)
        else:
            pdf.text_mode = TextMode.FILL

    def units(self, spans: Inline, size: float, bold: bool = False) -> Iterator[_Unit | None]:
        """Break units of the text; None stands for a hard line break."""
        pending_open: list[_Piece] = []
        last: _Unit | None = None
        for span in spans:
            if span.text == "\n":
                if last is not None:
                    yield last
                last = None
                yield None
                continue
            for atom in _ATOM.findall(span.text):
                if atom.isspace():
                    if last is not None:
                        yield last
                    last = None
                    yield _Unit([self.piece(" ", span, size, bold)], space=True)
                    continue
                piece = self.piece(atom, span, size, bold)
                if atom[0] in _CLOSING and last is not None:
                    last.pieces.append(piece)
                    continue
                if atom in _OPENING:
                    pending_open.append(piece)
                    continue
                if last is not None:
                    yield last
                last = _Unit([*pending_open, piece])
                pending_open = []
        if pending_open:
            last = _Unit(pending_open) if last is None else _Unit(last.pieces + pending_open)
        if last is not None:
            yield last

    def piece(self, text: str, span: Span, size: float, bold: bool) -> _Piece:
        style = _Style(self.family_for(text), bold or span.bold, span.placeholder)
        self.set_style(style, size)
        return _Piece(text, style, self.pdf.get_string_width(text))

    def lines(self, spans: Inline, width: float, size: float, bold: bool) -> list[list[_Unit]]:
        lines: list[list[_Unit]] = [[]]
        used = 0.0
        for unit in self.units(spans, size, bold):
            if unit is None:
                lines.append([])
                used = 0.0
                continue
            if unit.space and not lines[-1]:
                continue
            if used + unit.width > width and lines[-1]:
                if unit.space:
                    lines.append([])
                    used = 0.0
                    continue
                lines.append([])
                used = 0.0
            if unit.width > width:
                for chunk in self.split(unit, width, size):
                    if lines[-1]:
                        lines.append([])
                    lines[-1].append(chunk)
                    used = chunk.width
                continue
            lines[-1].append(unit)
            used += unit.width
        return lines

    def split(self, unit: _Unit, width: float, size: float) -> list[_Unit]:
        """A word wider than the line (a long URL): break it between characters."""
        chunks: list[_Unit] = [_Unit([])]
        used = 0.0
        for piece in unit.pieces:
            self.set_style(piece.style, size)
            for ch in piece.text:
                w = self.pdf.get_string_width(ch)
                if used + w > width and chunks[-1].pieces:
                    chunks.append(_Unit([]))
                    used = 0.0
                chunks[-1].pieces.append(_Piece(ch, piece.style, w))
                used += w
        return chunks

    def paragraph(self, spans: Inline, x: float, size: float = BODY_PT, bold: bool = False) -> None:
        pdf = self.pdf
        height = size * PT * LEADING
        width = pdf.w - MARGIN - x
        for line in self.lines(spans, width, size, bold):
            while line and line[-1].space:
                line.pop()
            if pdf.will_page_break(height):
                pdf.add_page()
            pdf.set_x(x)
            for text, style, w in _runs(line):
                self.set_style(style, size)
                if style.placeholder:
                    pdf.set_fill_color(*PLACEHOLDER_FILL)
                pdf.cell(w, height, text, fill=style.placeholder)
            pdf.text_mode = TextMode.FILL
            pdf.ln(height)

    # -- blocks ---------------------------------------------------------------------------

    def blocks(self, blocks: list[Block] | tuple[Block, ...], x: float) -> None:
        for block in blocks:
            self.block(block, x)

    def block(self, block: Block, x: float) -> None:
        pdf = self.pdf
        gap = BODY_PT * PT * 0.8
        if isinstance(block, Heading):
            size = HEADING_PT.get(block.level, BODY_PT)
            if pdf.will_page_break(size * PT * LEADING * 3):
                pdf.add_page()
            elif pdf.get_y() > pdf.t_margin + 1:
                pdf.ln(size * PT * 0.7)
            self.paragraph(block.spans, x, size, bold=True)
            pdf.ln(gap * 0.5)
        elif isinstance(block, Paragraph):
            self.paragraph(block.spans, x)
            pdf.ln(gap)
        elif isinstance(block, ListBlock):
            self.list_block(block, x)
        elif isinstance(block, Table):
            self.table(block, x)
            pdf.ln(gap)
        elif isinstance(block, Rule):
            pdf.line(x, pdf.get_y() + 1, pdf.w - MARGIN, pdf.get_y() + 1)
            pdf.ln(gap + 2)
        elif isinstance(block, Code):
            self.paragraph((Span(block.text.replace("\n", "\n")),), x + INDENT / 2)
            pdf.ln(gap)
        elif isinstance(block, Quote):
            self.blocks(block.blocks, x + INDENT)

    def list_block(self, block: ListBlock, x: float) -> None:
        pdf = self.pdf
        height = BODY_PT * PT * LEADING
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}." if block.ordered else "•"
            if pdf.will_page_break(height):
                pdf.add_page()
            top, page = pdf.get_y(), pdf.page
            self.set_style(_Style(self.family_for(marker), False, False), BODY_PT)
            pdf.text_mode = TextMode.FILL
            pdf.set_xy(x, top)
            pdf.cell(INDENT, height, marker)
            pdf.set_xy(x + INDENT, top)
            if pdf.page != page:  # pragma: no cover - set_xy never changes page
                pdf.page = page
            for child in item:
                if isinstance(child, Paragraph):
                    self.paragraph(child.spans, x + INDENT)
                else:
                    self.block(child, x + INDENT)
        pdf.ln(BODY_PT * PT * 0.6)

    def table(self, block: Table, x: float) -> None:
        pdf = self.pdf
        rows = [[plain(cell) for cell in row] for row in ([block.header] if block.header else [])]
        rows += [[plain(cell) for cell in row] for row in block.rows]
        if not rows:
            return
        columns = max(len(row) for row in rows)
        rows = [row + [""] * (columns - len(row)) for row in rows]
        pdf.set_font("body", "", BODY_PT - 1)
        pdf.text_mode = TextMode.FILL
        widths = [
            min(max(pdf.get_string_width(row[c]) for row in rows) + 4, 70.0) for c in range(columns)
        ]
        pdf.set_x(x)
        with pdf.table(
            width=pdf.w - MARGIN - x,
            col_widths=tuple(max(w, 10.0) for w in widths),
            first_row_as_headings=bool(block.header),
            headings_style=FpdfFontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            line_height=(BODY_PT - 1) * PT * 1.4,
            text_align="LEFT",
            align="LEFT",
            wrapmode=WrapMode.CHAR if self.lang == "zh" else WrapMode.WORD,
            padding=1.2,
        ) as table:
            for row in rows:
                table_row = table.row()
                for text in row:
                    table_row.cell(text)


def _runs(line: list[_Unit]) -> Iterator[tuple[str, _Style, float]]:
    """Adjacent pieces of the same style, drawn as one cell each (text stays extractable)."""
    text, style, width = "", None, 0.0
    for unit in line:
        for piece in unit.pieces:
            if style is not None and piece.style != style:
                yield text, style, width
                text, width = "", 0.0
            style = piece.style
            text += piece.text
            width += piece.width
    if style is not None and text:
        yield text, style, width


def _clean(text: str) -> str:
    # Zero-width and control characters have no glyph; drawing them only produces tofu.
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cf", "Cc"))


def _all_text(blocks: list[Block] | tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Heading | Paragraph):
            yield plain(block.spans)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _all_text(item)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                yield from (plain(cell) for cell in row)
        elif isinstance(block, Code):
            yield block.text
        elif isinstance(block, Quote):
            yield from _all_text(block.blocks)


def to_pdf(draft: Draft, *, fonts: FontSet | None = None, created: datetime | None = None) -> bytes:
    """Render ``draft`` to PDF bytes; ``created`` fixes the creation date (reproducible files)."""
    chosen = fonts or fonts_for(draft.lang)
    blocks = parse(_clean(draft.markdown))
    text = "".join(_all_text(blocks)) + draft.subject
    missing = chosen.regular.missing(text)
    if chosen.cjk is not None:
        missing &= chosen.cjk.missing(text)
    if missing:
        raise InvalidInput("error.letters.missing_glyphs", chars=" ".join(sorted(missing)[:20]))

    pdf = _LetterPdf(draft.lang)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(draft.subject)
    pdf.set_subject(draft.subject)
    pdf.set_creator("hostclaim")
    pdf.set_lang("zh-CN" if draft.lang == "zh" else draft.lang)
    if created is not None:
        pdf.set_creation_date(created)
    writer = _Writer(pdf, chosen, draft.lang)
    pdf.add_page()
    writer.blocks(blocks, MARGIN)
    out = BytesIO()
    pdf.output(out)
    return out.getvalue()
