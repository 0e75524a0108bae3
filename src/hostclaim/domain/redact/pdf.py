"""PDF: take sensitive text out of the text layer itself, keep the layout, verify, or refuse.

How: each page's content stream is read with a small text interpreter (fonts, text and graphics
state); the page's text is rebuilt and searched with the same detectors as any other text. The
glyphs of every finding are taken out of their ``Tj``/``TJ`` strings and the mask (``[PHONE]``…)
is written in their place in Helvetica, scaled to the same width, so the rest of the line does
not move. The copy is then read back with pypdf's own text extraction and searched again; if
anything sensitive is still readable, the PDF is refused rather than half-redacted.

Limits (reported as notes or refusals):
- a PDF without a text layer (scanned, image-only) is refused: there is no text to redact; so is
  a PDF in which some page is only an image;
- images on text pages are kept as they are and not inspected (a screenshot can show a secret);
- annotations, links, form fields, bookmarks, embedded files and document metadata are not
  carried into the copy; marked-content /ActualText on rewritten pages is dropped;
- text drawn inside form XObjects is not rewritten: if it holds a finding, verification fails and
  the PDF is refused;
- encrypted PDFs that need a password are refused;
- the masked value's glyphs may remain in an embedded font subset (shapes, not text).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from hostclaim.domain.redact.detect import ContactAllowList, find_sensitive, mask_for
from hostclaim.domain.redact.pdf_fonts import CORE_METRICS, FontInfo, font_info
from hostclaim.domain.redact.result import MaskedSpan, Note, Refused
from hostclaim.domain.redact.text import apply_masks

Matrix = tuple[float, float, float, float, float, float]
Operation = tuple[Any, bytes]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_LABEL_FONT = "/HCRedactHelv"
_HELVETICA: dict[str, float] = {
    char: float(width)
    for char, width in getattr(CORE_METRICS.get("Helvetica"), "character_widths", {}).items()
}
_DROPPED_PAGE_KEYS = ("/Annots", "/Metadata", "/PieceInfo", "/Thumb", "/AA", "/B")


def _mul(m1: Matrix, m2: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _origin(m: Matrix) -> tuple[float, float]:
    return m[4], m[5]


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _matrix(operands: Any) -> Matrix:
    a, b, c, d, e, f = (_num(v) for v in operands)
    return (a, b, c, d, e, f)


def _string_bytes(value: Any) -> bytes:
    original = getattr(value, "original_bytes", None)
    if isinstance(original, bytes):
        return original
    if isinstance(value, bytes):
        return bytes(value)
    return str(value).encode("latin-1", errors="replace")


@dataclass
class _TextState:
    font: FontInfo = field(default_factory=FontInfo)
    font_name: Any = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0  # Tz / 100
    leading: float = 0.0
    rise: float = 0.0


@dataclass
class _Glyph:
    op: int  # index of the operation that shows it
    elem: int  # index of its string within a TJ array (0 otherwise)
    code: bytes
    advance: float  # pen advance in text space, before horizontal scaling
    state: _TextState
    masked: bool = False
    label: str = ""  # the mask, on the first glyph of a finding


@dataclass
class _PageText:
    text: str
    glyphs: list[_Glyph]
    char_glyph: list[int | None]  # the glyph behind each character of ``text``


def _read_page_text(operations: list[Operation], fonts: dict[str, FontInfo]) -> _PageText:
    ctm: Matrix = IDENTITY
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    state = _TextState()
    stack: list[tuple[Matrix, _TextState]] = []
    glyphs: list[_Glyph] = []
    chars: list[str] = []
    char_glyph: list[int | None] = []
    last: tuple[float, float, float] | None = None  # pen x, y and text height after a glyph

    def separator(x: float, y: float, height: float) -> str:
        if last is None:
            return ""
        last_x, last_y, last_height = last
        unit = max(height, last_height)
        if abs(y - last_y) > 0.5 * unit or x < last_x - unit:
            return "\n"
        return " " if x - last_x > 0.2 * unit else ""

    def show(data: bytes, op_index: int, elem: int) -> None:
        nonlocal tm, last
        size = state.size
        snapshot = replace(state)
        for code, text, width in state.font.glyphs(data):
            trm = _mul(_mul((size * state.scale, 0, 0, size, 0, state.rise), tm), ctm)
            height = abs(trm[3]) or abs(trm[1]) or 1.0
            gap = separator(*_origin(trm), height)
            if gap:
                chars.append(gap)
                char_glyph.append(None)
            spacing = state.char_spacing + (state.word_spacing if code == b" " else 0.0)
            advance = width * size + spacing
            glyphs.append(_Glyph(op_index, elem, code, advance, snapshot))
            for char in text:
                chars.append(char)
                char_glyph.append(len(glyphs) - 1)
            tm = _mul((1, 0, 0, 1, advance * state.scale, 0), tm)
            end = _mul(_mul((1, 0, 0, 1, 0, state.rise), tm), ctm)
            last = (*_origin(end), height)

    def next_line(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
        tm = tlm

    for index, (operands, operator) in enumerate(operations):
        if operator == b"q":
            stack.append((ctm, replace(state)))
        elif operator == b"Q" and stack:
            ctm, state = stack.pop()
        elif operator == b"cm" and len(operands) == 6:
            ctm = _mul(_matrix(operands), ctm)
        elif operator == b"BT":
            tm = tlm = IDENTITY
        elif operator == b"Tf" and len(operands) == 2:
            state.font = fonts.get(str(operands[0]), FontInfo())
            state.font_name = operands[0]
            state.size = _num(operands[1])
        elif operator == b"Tc" and operands:
            state.char_spacing = _num(operands[0])
        elif operator == b"Tw" and operands:
            state.word_spacing = _num(operands[0])
        elif operator == b"Tz" and operands:
            state.scale = _num(operands[0]) / 100.0
        elif operator == b"TL" and operands:
            state.leading = _num(operands[0])
        elif operator == b"Ts" and operands:
            state.rise = _num(operands[0])
        elif operator in (b"Td", b"TD") and len(operands) == 2:
            if operator == b"TD":
                state.leading = -_num(operands[1])
            next_line(_num(operands[0]), _num(operands[1]))
        elif operator == b"Tm" and len(operands) == 6:
            tlm = tm = _matrix(operands)
        elif operator == b"T*":
            next_line(0.0, -state.leading)
        elif operator == b"Tj" and operands:
            show(_string_bytes(operands[0]), index, 0)
        elif operator == b"'" and operands:
            next_line(0.0, -state.leading)
            show(_string_bytes(operands[0]), index, 0)
        elif operator == b'"' and len(operands) == 3:
            state.word_spacing, state.char_spacing = _num(operands[0]), _num(operands[1])
            next_line(0.0, -state.leading)
            show(_string_bytes(operands[2]), index, 0)
        elif operator == b"TJ" and operands:
            for elem, item in enumerate(operands[0]):
                if isinstance(item, (bytes, str)):
                    show(_string_bytes(item), index, elem)
                else:
                    shift = -_num(item) / 1000.0 * state.size * state.scale
                    tm = _mul((1, 0, 0, 1, shift, 0), tm)
    return _PageText("".join(chars), glyphs, char_glyph)


def _tj_shift(advance: float, state: _TextState) -> float:
    """The TJ number that moves the pen by ``advance`` (text space, before scaling)."""
    return -advance * 1000.0 / state.size if state.size else 0.0


def _label_ops(label: str, advance: float, state: _TextState) -> list[Operation]:
    """Write the mask in Helvetica, in place of the text it replaces."""
    width = 0.0
    for char in label:
        width += _HELVETICA.get(char, 556.0) / 1000.0 * state.size + state.char_spacing
        width += state.word_spacing if char == " " else 0.0
    if width <= 0 or advance <= 0 or state.font_name is None:
        return []
    # Scale the mask to the exact width of the value: a gap would read as an extra space when the
    # text is extracted, an overlap would cover the next word.
    return [
        ([NameObject(_LABEL_FONT), FloatObject(round(state.size, 3))], b"Tf"),
        ([FloatObject(round(advance / width * state.scale * 100.0, 3))], b"Tz"),
        ([ByteStringObject(label.encode("latin-1", errors="replace"))], b"Tj"),
        ([state.font_name, FloatObject(round(state.size, 3))], b"Tf"),
        ([FloatObject(round(state.scale * 100.0, 3))], b"Tz"),
    ]


def _rewrite_show(operands: Any, operator: bytes, glyphs: list[_Glyph]) -> list[Operation]:
    """The same text operation without the masked glyphs: the kept text stays where it was,
    and each finding's first run is replaced by its mask written to the same width."""
    if operator == b"TJ":
        items = list(operands[0])
    elif operator == b'"':
        items = [operands[2]]
    else:
        items = [operands[0]]
    by_elem: dict[int, list[_Glyph]] = {}
    for glyph in glyphs:
        by_elem.setdefault(glyph.elem, []).append(glyph)

    out: list[Operation] = []
    if operator == b'"':
        out += [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
    if operator in (b"'", b'"'):
        out.append(([], b"T*"))
    current = ArrayObject()

    def flush() -> None:
        nonlocal current
        if len(current):
            out.append(([current], b"TJ"))
        current = ArrayObject()

    for elem, item in enumerate(items):
        own = by_elem.get(elem)
        if not own or not any(g.masked for g in own):
            current.append(item)
            continue
        # Split the string into runs: kept glyphs, masked glyphs (with or without a label).
        runs: list[tuple[str, list[_Glyph]]] = []
        for glyph in own:
            kind = "label" if glyph.label else ("mask" if glyph.masked else "keep")
            if runs and ((kind == "mask" and runs[-1][0] in ("label", "mask")) or
                         (kind == "keep" and runs[-1][0] == "keep")):  # fmt: skip
                runs[-1][1].append(glyph)
            else:
                runs.append((kind, [glyph]))
        for kind, run in runs:
            if kind == "keep":
                current.append(ByteStringObject(b"".join(g.code for g in run)))
                continue
            advance = sum(g.advance for g in run)
            labels = _label_ops(run[0].label, advance, run[0].state) if kind == "label" else []
            if labels:
                flush()
                out.extend(labels)
            else:
                current.append(FloatObject(round(_tj_shift(advance, run[0].state), 3)))
    flush()
    return out


def _resource(page: Any, key: str) -> Any:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    value = resources.get(key) if resources is not None else None
    return value.get_object() if value is not None else None


def _fonts_of(page: Any) -> dict[str, FontInfo]:
    fonts = _resource(page, "/Font") or {}
    return {str(name): font_info(ref.get_object()) for name, ref in fonts.items()}


def _has_images(page: Any) -> bool:
    xobjects = _resource(page, "/XObject")
    if xobjects is not None and len(xobjects) > 0:
        return True
    contents = page.get_contents()
    return contents is not None and b"BI" in contents.get_data()


def _add_label_font(page: Any) -> None:
    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    resources = page["/Resources"].get_object()
    if "/Font" not in resources:
        resources[NameObject("/Font")] = DictionaryObject()
    resources["/Font"].get_object()[NameObject(_LABEL_FONT)] = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _drop_actual_text(operations: list[Operation]) -> bool:
    dropped = False
    for operands, operator in operations:
        if operator in (b"BDC", b"DP") and len(operands) == 2 and hasattr(operands[1], "keys"):
            for key in ("/ActualText", "/Alt", "/E"):
                if key in operands[1]:
                    del operands[1][key]
                    dropped = True
    return dropped


def _open(data: bytes) -> tuple[PdfReader, list[Any], list[str]]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("redact.refused.encrypted_pdf")
        pages = list(reader.pages)
        texts = [(page.extract_text() or "").strip() for page in pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise Refused("redact.refused.bad_pdf", detail=type(exc).__name__) from None
    return reader, pages, texts


def redact_pdf(
    data: bytes, *, allow: ContactAllowList, literals: Iterable[str] = ()
) -> tuple[bytes, list[MaskedSpan], list[Note]]:
    literals = tuple(literals)
    reader, pages, texts = _open(data)
    if not any(texts):
        raise Refused("redact.refused.image_only_pdf")
    scanned = [n for n, (page, text) in enumerate(zip(pages, texts, strict=True), 1)
               if not text and _has_images(page)]  # fmt: skip
    if scanned:
        raise Refused("redact.refused.scanned_pages", pages=", ".join(map(str, scanned)))

    writer = PdfWriter()
    spans: list[MaskedSpan] = []
    image_pages: list[int] = []
    dropped_actual_text = False
    for number, source in enumerate(pages, 1):
        page = writer.add_page(source)
        for key in _DROPPED_PAGE_KEYS:
            if key in page:
                del page[key]
        if _has_images(source):
            image_pages.append(number)
        contents = source.get_contents()
        if contents is None:
            continue
        operations = list(ContentStream(contents, reader).operations)
        page_text = _read_page_text(operations, _fonts_of(source))
        found = find_sensitive(page_text.text, allow=allow, literals=literals)
        actual_text = _drop_actual_text(operations)
        dropped_actual_text = dropped_actual_text or actual_text
        if not found and not actual_text:
            continue
        spans += apply_masks(page_text.text, found, location=f"page {number}")[1]
        for det in found:
            indices = sorted(
                {g for g in page_text.char_glyph[det.start : det.end] if g is not None}
            )
            for index in indices:
                page_text.glyphs[index].masked = True
            if indices:
                page_text.glyphs[indices[0]].label = mask_for(det)
        by_op: dict[int, list[_Glyph]] = {}
        for glyph in page_text.glyphs:
            by_op.setdefault(glyph.op, []).append(glyph)
        new_operations: list[Operation] = []
        for index, (operands, operator) in enumerate(operations):
            own = by_op.get(index)
            if own and any(g.masked for g in own):
                new_operations += _rewrite_show(operands, operator, own)
            else:
                new_operations.append((operands, operator))
        _add_label_font(page)
        stream = ContentStream(None, writer)
        stream.operations = new_operations
        page.replace_contents(stream)

    out = io.BytesIO()
    writer.write(out)
    redacted = out.getvalue()
    # Trust nothing: read the copy as any reader would, and refuse if a value survived.
    for number, page in enumerate(PdfReader(io.BytesIO(redacted)).pages, 1):
        left = find_sensitive(page.extract_text() or "", allow=allow, literals=literals)
        if left:
            kinds = ", ".join(sorted({d.kind for d in left}))
            raise Refused("redact.refused.pdf_verification", page=number, kinds=kinds)
    notes = [Note("redact.note.pdf_dropped")]
    if image_pages:
        notes.append(Note("redact.note.pdf_images", {"pages": ", ".join(map(str, image_pages))}))
    if dropped_actual_text:
        notes.append(Note("redact.note.pdf_actual_text"))
    return redacted, spans, notes
