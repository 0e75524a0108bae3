"""PDF: Chinese must come out as Chinese — in the text layer and on the rendered page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from hostclaim.errors import InvalidInput, NotFound
from hostclaim.letters import LetterContext, draft
from hostclaim.letters.render import fonts as font_lookup
from hostclaim.letters.render import to_pdf
from hostclaim.letters.render.fonts import FontSet, fonts_for, search

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _text_pdfplumber(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _text_pypdf(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    # pypdf reads CFF (OpenType/CID) fonts' two-byte codes with a NUL between characters.
    return re.sub(r"[\s\x00]+", "", text)


@pytest.fixture(scope="module")
def zh_pdf(sample: LetterContext) -> bytes:
    return to_pdf(draft("complaint_letter", sample, "zh"))


def test_chinese_letter_text_layer_holds_the_chinese(zh_pdf: bytes) -> None:
    assert zh_pdf.startswith(b"%PDF-")
    for text in (_text_pdfplumber(zh_pdf), _text_pypdf(zh_pdf)):
        flat = _squash(text)
        for phrase in (
            "正式投诉",
            "事件经过",
            "此致",
            "敬礼",
            "全国促销活动期间我方订单接口无法访问",
        ):
            assert phrase in flat, phrase
        assert "K-204519" in flat


def test_pdf_embeds_its_fonts(zh_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(zh_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        descendant = ref.get_object()["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3")), descriptor
    assert reader.metadata is not None and "正式投诉" in (reader.metadata.title or "")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_first_page_renders_to_a_non_blank_image(zh_pdf: bytes, tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "letter.pdf"
    source.write_bytes(zh_pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-gray", "-png", "-f", "1", "-l", "1", str(source),
         str(tmp_path / "page")],
        check=True, timeout=60,
    )  # fmt: skip
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        histogram = image.convert("L").histogram()
    dark = sum(histogram[:128])
    total = sum(histogram)
    assert 0.005 < dark / total < 0.5, dark / total


def test_english_letter_with_chinese_names_uses_the_cjk_font_for_them(ctx: LetterContext) -> None:
    named = ctx.model_copy(
        update={"complainant": ctx.complainant.model_copy(update={"name": "Wang Min (王敏)"})}
    )
    data = to_pdf(draft("sla_credit_claim", named, "en"))
    flat = _squash(_text_pdfplumber(data))
    assert "WangMin(王敏)" in flat
    assert "SLACreditRequest" in flat


@pytest.mark.skipif(not NOTO_CJK.exists(), reason="fonts-noto-cjk not installed")
def test_noto_sans_cjk_collection_picks_the_simplified_chinese_face(ctx: LetterContext) -> None:
    found = search([(NOTO_CJK, None)], font_lookup.PROBE_HAN, font_lookup._SC_HINTS)
    assert found is not None
    face, _ = found
    assert face.name == "Noto Sans CJK SC"
    data = to_pdf(draft("support_ticket", ctx, "zh"), fonts=FontSet(face, None, face))
    assert "技术支持团队" in _squash(_text_pypdf(data))


def test_no_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOSTCLAIM_CJK_FONT", raising=False)
    monkeypatch.setattr(font_lookup, "cjk_candidates", lambda: iter(()))
    font_lookup.clear_cache()
    try:
        with pytest.raises(NotFound) as error:
            fonts_for("zh")
        message = error.value.render("en")
        assert "apt-get install fonts-wqy-microhei" in message
        assert "HOSTCLAIM_CJK_FONT" in message
        assert "apt-get install" in error.value.render("zh")
    finally:
        font_lookup.clear_cache()


def test_font_from_the_environment_must_draw_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = font_lookup.find_latin()
    if latin is None:
        pytest.skip("no Latin font installed")
    monkeypatch.setenv("HOSTCLAIM_CJK_FONT", str(latin[0].path))
    font_lookup.clear_cache()
    try:
        with pytest.raises(InvalidInput) as error:
            fonts_for("zh")
        assert error.value.key == "error.letters.bad_font"
        monkeypatch.setenv("HOSTCLAIM_CJK_FONT", "/nonexistent/font.ttf")
        font_lookup.clear_cache()
        with pytest.raises(InvalidInput):
            fonts_for("zh")
    finally:
        font_lookup.clear_cache()


def test_characters_no_font_can_draw_are_refused_not_dropped(ctx: LetterContext) -> None:
    odd = ctx.model_copy(
        update={"complainant": ctx.complainant.model_copy(update={"name": "Wang \U0001f600"})}
    )
    with pytest.raises(InvalidInput) as error:
        to_pdf(draft("support_ticket", odd, "zh"))
    assert "\U0001f600" in error.value.render("en")


def test_placeholders_and_long_words_render(ctx: LetterContext) -> None:
    long_ref = "x" * 300
    odd = ctx.model_copy(
        update={"service": ctx.service.model_copy(update={"contract_ref": long_ref})}
    )
    data = to_pdf(draft("lawyer_brief", odd, "en"))
    assert long_ref in _squash(_text_pypdf(data))
    empty = to_pdf(draft("complaint_letter", LetterContext(), "zh"))
    assert "[[TOFILL:服务商名称]]" in _squash(_text_pdfplumber(empty))
