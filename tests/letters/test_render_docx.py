from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

from hostclaim.letters import LetterContext, draft
from hostclaim.letters.render import to_docx
from hostclaim.letters.render.docx import EAST_ASIAN_FONT, docx_text


def test_chinese_docx_holds_the_text_and_names_an_east_asian_font(ctx: LetterContext) -> None:
    data = to_docx(draft("complaint_letter", ctx, "zh"))
    text = docx_text(data)
    for phrase in (
        "事由：关于",
        "一、事件经过",
        "此致",
        "敬礼！",
        "工单 #4711 往来邮件",
        "3f9a1c0b7d2e",
    ):
        assert phrase in text
    doc = Document(io.BytesIO(data))
    for name in ("Normal", "Heading 2"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == EAST_ASIAN_FONT
        assert fonts.get(qn("w:asciiTheme")) is None
    lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "zh-CN"
    assert doc.core_properties.title.startswith("关于")
    assert len(doc.tables) == 1 and doc.tables[0].cell(0, 0).text == "序号"


def test_placeholders_are_highlighted_and_breaks_kept() -> None:
    data = to_docx(draft("support_ticket", LetterContext(), "en"))
    doc = Document(io.BytesIO(data))
    highlighted = [
        run.text
        for paragraph in doc.paragraphs
        for run in paragraph.runs
        if run.font.highlight_color is not None
    ]
    assert "[[TO FILL: the provider's name]]" in highlighted
    assert any(p.text.startswith("1.\t") or p.text.startswith("•\t") for p in doc.paragraphs)
