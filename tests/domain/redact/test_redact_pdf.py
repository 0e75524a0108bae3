"""PDF: text layer rewritten, layout kept, verified; image-only and unsafe PDFs refused."""

from __future__ import annotations

import io

import pdfplumber
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from hostclaim.domain.redact import redact_bytes

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _fpdf(lines: list[str], unicode_font: bool = False) -> bytes:
    pdf = FPDF()
    pdf.set_title("Incident notes of Jake Miller")
    pdf.add_page()
    if unicode_font:
        pdf.add_font("dejavu", "", DEJAVU)
        pdf.set_font("dejavu", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _texts(data: bytes) -> list[str]:
    # Whitespace normalised: where extraction puts spaces depends on glyph positions.
    return [
        "\n".join(" ".join(line.split()) for line in page.extract_text().splitlines())
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "gray").save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_text_pdf_is_redacted_in_its_text_layer() -> None:
    data = _fpdf(
        [
            "Incident 3 October 2026: call Jake on 13812345678 or mail jake.miller77@gmail.com.",
            "Console login: root password: Tr0ub4dor&3 (changed since).",
            "Provider contact: support@hetzner.com",
        ]
    )
    before = bytes(data)
    result = redact_bytes(data, "notes.pdf", keep=["@hetzner.com"])
    assert data == before
    assert not result.refused and result.media_type == "application/pdf"
    assert result.data is not None and result.data.startswith(b"%PDF")
    (text,) = _texts(result.data)
    assert "13812345678" not in text and "jake.miller77" not in text and "Tr0ub4dor" not in text
    assert "call Jake on [PHONE] or mail [EMAIL]." in text
    assert "root password: [PASSWORD] (changed since)." in text
    assert "support@hetzner.com" in text
    assert [(s.kind, s.location, s.line) for s in result.spans] == [
        ("phone", "page 1", 1), ("email", "page 1", 1), ("password", "page 1", 2)
    ]  # fmt: skip
    # Metadata (here: a person's name in the title) is not carried over.
    assert "Jake Miller" not in str(PdfReader(io.BytesIO(result.data)).metadata)
    assert "redact.note.pdf_dropped" in {n.key for n in result.notes}


def test_unicode_font_pdf_keeps_the_rest_of_the_line_in_place() -> None:
    data = _fpdf(["Tel +44 20 7946 0958 ünïcode card 4532 0151 1283 0366 ok"], unicode_font=True)
    result = redact_bytes(data, "application/pdf")
    assert result.data is not None
    (text,) = _texts(result.data)
    assert text == "Tel [PHONE] ünïcode card [CARD ****0366] ok"

    # The words after each mask start exactly where they started before.
    def x_of_last_word(pdf: bytes) -> float:
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            chars = [c for c in doc.pages[0].chars if c["text"].strip()]
        return float(chars[-2]["x0"])  # the "o" of "ok"

    assert x_of_last_word(result.data) == pytest.approx(x_of_last_word(data), abs=0.05)


def _hand_made(
    content: bytes, fonts: DictionaryObject, xobjects: DictionaryObject | None = None
) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    resources = DictionaryObject({NameObject("/Font"): fonts})
    if xobjects is not None:
        resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    stream = ContentStream(None, writer)
    stream.set_data(content)
    page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _helvetica() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _cjk_font(chars: str) -> DictionaryObject:
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n"
        + "".join(f"<{i + 1:04X}> <{ord(c):04X}>\n" for i, c in enumerate(chars))
        + "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(cmap.encode())
    descendant = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject("/SimSun"),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/DW"): NumberObject(1000),
        }
    )
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/SimSun"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([descendant]),
            NameObject("/ToUnicode"): to_unicode,
        }
    )


def test_chinese_text_in_a_composite_font_and_split_tj_arrays() -> None:
    line = "联系人手机13812345678，身份证44030519851112263X"
    chars = "".join(dict.fromkeys(line))
    codes = "".join(f"{chars.index(c) + 1:04X}" for c in line)
    content = (
        f"BT /F1 12 Tf 72 760 Td <{codes}> Tj ET\n"
        # A number split across TJ elements with kerning, and a ' operator.
        "BT /F2 11 Tf 72 700 Td 14 TL [(Call ) -250 (138) 10 (1234) (5678) ( now)] TJ "
        "(password: hunter2x) ' ET\n"
    ).encode()
    data = _hand_made(
        content,
        DictionaryObject({NameObject("/F1"): _cjk_font(chars), NameObject("/F2"): _helvetica()}),
    )
    result = redact_bytes(data, "scan.pdf")
    assert result.refused_reason is None, result.reason("en")
    (text,) = _texts(result.data or b"")
    assert "13812345678" not in text and "44030519851112263X" not in text and "hunter2x" not in text
    assert "联系人手机[PHONE]，身份证[ID-NUMBER]" in text
    assert "Call [PHONE] now" in text and "password: [PASSWORD]" in text
    assert [s.kind for s in result.spans] == ["phone", "id_number", "phone", "password"]


def test_text_inside_a_form_xobject_fails_verification_and_is_refused() -> None:
    form = DecodedStreamObject()
    form.set_data(b"BT /F2 11 Tf 72 600 Td (Tel 13812345678) Tj ET")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(595), FloatObject(842)]
            ),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F2"): _helvetica()})}
            ),
        }
    )
    data = _hand_made(
        b"BT /F2 11 Tf 72 700 Td (Page text) Tj ET /Fm1 Do",
        DictionaryObject({NameObject("/F2"): _helvetica()}),
        DictionaryObject({NameObject("/Fm1"): form}),
    )
    result = redact_bytes(data, "form.pdf")
    assert result.refused and result.refused_reason == "redact.refused.pdf_verification"
    assert "phone" in (result.reason("en") or "")


def test_image_only_pdf_is_refused_with_a_clear_reason() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(_png(), x=10, y=10, w=120)
    data = bytes(pdf.output())
    result = redact_bytes(data, "scan.pdf")
    assert result.refused and result.data is None and result.spans == ()
    assert result.refused_reason == "redact.refused.image_only_pdf"
    assert "no text layer" in (result.reason("en") or "")
    assert "没有文字层" in (result.reason("zh") or "")


def test_a_scanned_page_inside_a_text_pdf_is_refused() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "Cover page")
    pdf.add_page()
    pdf.image(_png(), x=10, y=10, w=120)
    result = redact_bytes(bytes(pdf.output()), "bundle.pdf")
    assert result.refused_reason == "redact.refused.scanned_pages"
    assert result.refused_params == {"pages": "2"}


def test_images_on_text_pages_are_kept_and_reported() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "Screenshot below; contact 13812345678")
    pdf.image(_png(), x=10, y=30, w=60)
    result = redact_bytes(bytes(pdf.output()), "shot.pdf")
    assert not result.refused
    assert "redact.note.pdf_images" in {n.key for n in result.notes}
    assert len(PdfReader(io.BytesIO(result.data or b"")).pages[0].images) == 1


def test_damaged_and_encrypted_pdfs_are_refused() -> None:
    assert redact_bytes(b"%PDF-1.7\nnot really", "x.pdf").refused_reason == "redact.refused.bad_pdf"
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    assert redact_bytes(out.getvalue(), "x.pdf").refused_reason == "redact.refused.encrypted_pdf"
