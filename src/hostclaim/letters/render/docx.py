"""A draft as a Word document the recipient can edit; Chinese set in an East Asian font.

Word does not embed fonts by default: the document names them (``SimSun`` for Chinese,
``Arial`` for Latin), and Word or LibreOffice uses them or a close substitute.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from hostclaim.letters.blocks import (
    Block,
    Code,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
    parse,
)
from hostclaim.letters.drafting import Draft

LATIN_FONT = "Arial"
EAST_ASIAN_FONT = "SimSun"
_LANG_TAG = {"en": "en-GB", "zh": "zh-CN"}


def _set_fonts(style: Any, lang: str) -> None:
    """Name the Latin and East Asian fonts explicitly, dropping the theme's own choice."""
    style.font.name = LATIN_FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), _LANG_TAG.get(lang, "en-GB"))
    language.set(qn("w:eastAsia"), "zh-CN")


def _runs(paragraph: Any, spans: Inline, *, bold: bool = False) -> None:
    for span in spans:
        if span.text == "\n":
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(span.text)
        run.bold = bold or span.bold or None
        run.italic = span.italic or None
        if span.placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _block(doc: Any, block: Block, indent: float = 0.0) -> None:
    if isinstance(block, Heading):
        paragraph = doc.add_heading(level=min(block.level, 3))
        _runs(paragraph, block.spans)
    elif isinstance(block, Paragraph):
        paragraph = doc.add_paragraph()
        _runs(paragraph, block.spans)
        if indent:
            paragraph.paragraph_format.left_indent = Mm(indent)
    elif isinstance(block, ListBlock):
        for number, item in enumerate(block.items, start=block.start):
            marker = f"{number}.\t" if block.ordered else "•\t"
            for position, child in enumerate(item):
                if position == 0 and isinstance(child, Paragraph):
                    paragraph = doc.add_paragraph()
                    paragraph.add_run(marker)
                    _runs(paragraph, child.spans)
                    fmt = paragraph.paragraph_format
                    fmt.left_indent = Mm(indent + 6)
                    fmt.first_line_indent = Mm(-6)
                    fmt.tab_stops.add_tab_stop(Mm(indent + 6))
                    fmt.space_after = Pt(2)
                else:
                    _block(doc, child, indent + 6)
    elif isinstance(block, Table):
        rows = ([block.header] if block.header else []) + list(block.rows)
        if not rows:
            return
        columns = max(len(row) for row in rows)
        table = doc.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c in range(columns):
                cell = table.cell(r, c)
                cell.text = ""
                spans = row[c] if c < len(row) else ()
                _runs(cell.paragraphs[0], spans, bold=bool(block.header) and r == 0)
        doc.add_paragraph()
    elif isinstance(block, Rule):
        doc.add_paragraph("—" * 20)
    elif isinstance(block, Code):
        doc.add_paragraph(block.text)
    elif isinstance(block, Quote):
        for child in block.blocks:
            _block(doc, child, indent + 8)


def to_docx(draft: Draft) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid"):
        _set_fonts(doc.styles[name], draft.lang)
    doc.styles["Normal"].font.size = Pt(10.5)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.color.rgb = None
    props = doc.core_properties
    props.title = draft.subject
    props.subject = draft.subject
    props.language = _LANG_TAG.get(draft.lang, draft.lang)
    props.author = "hostclaim"
    props.keywords = draft.kind
    for block in parse(draft.markdown):
        _block(doc, block)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a DOCX (for checks and previews)."""
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)
