"""Just enough of PDF fonts to read a content stream: codes → Unicode, and glyph widths.

Simple fonts (one byte per code) use /ToUnicode, else their /Encoding and /Differences;
composite fonts (Type0) use /ToUnicode and the descendant's /W widths. Where a font gives no
widths (the standard 14), Adobe's core metrics are used when pypdf ships them, else an average.
Nothing here has to be perfect: the redacted PDF is checked again by pypdf's own text extraction,
and refused if any sensitive value is still readable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

try:  # Adobe glyph list and core metrics, as shipped inside pypdf (not public API).
    from pypdf._codecs.adobe_glyphs import adobe_glyphs as _ADOBE_GLYPHS
except ImportError:  # pragma: no cover - depends on the pypdf version
    _ADOBE_GLYPHS = {}
try:
    from pypdf._codecs.core_font_metrics import CORE_FONT_METRICS as CORE_METRICS
except ImportError:  # pragma: no cover - depends on the pypdf version
    CORE_METRICS = {}

_NAMED_ENCODINGS = {
    "/WinAnsiEncoding": "cp1252",
    "/MacRomanEncoding": "mac_roman",
    "/StandardEncoding": "latin-1",
    "/PDFDocEncoding": "latin-1",
}
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _obj(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def glyph_name_to_unicode(name: str) -> str:
    if not name.startswith("/"):
        name = "/" + name
    if name in _ADOBE_GLYPHS:
        return str(_ADOBE_GLYPHS[name])
    bare = name[1:].split(".")[0]
    if re.fullmatch(r"uni([0-9A-Fa-f]{4})+", bare):
        return "".join(chr(int(bare[i : i + 4], 16)) for i in range(3, len(bare), 4))
    if re.fullmatch(r"u[0-9A-Fa-f]{4,6}", bare):
        return chr(int(bare[1:], 16))
    if len(bare) == 1:
        return bare
    return "\ufffd"


def _hex_to_int(token: bytes) -> tuple[int, int]:
    digits = re.sub(rb"\s", b"", token)
    return int(digits or b"0", 16), max(1, len(digits) // 2)


def _hex_to_text(token: bytes) -> str:
    digits = re.sub(rb"\s", b"", token)
    if len(digits) % 4:
        digits = digits.rjust(len(digits) + 4 - len(digits) % 4, b"0")
    return bytes.fromhex(digits.decode("ascii")).decode("utf-16-be", errors="replace")


def parse_to_unicode(data: bytes) -> tuple[dict[int, str], set[int]]:
    """A /ToUnicode CMap: code → text, and the code lengths (bytes) its codespace declares."""
    mapping: dict[int, str] = {}
    lengths: set[int] = set()
    for block in re.finditer(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
        for token in _HEX.findall(block.group(1)):
            lengths.add(_hex_to_int(token)[1])
    for block in re.finditer(rb"beginbfchar(.*?)endbfchar", data, re.S):
        tokens = _HEX.findall(block.group(1))
        for src, dst in zip(tokens[::2], tokens[1::2], strict=False):
            mapping[_hex_to_int(src)[0]] = _hex_to_text(dst)
    for block in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        body = block.group(1)
        for entry in re.finditer(rb"<([^>]*)>\s*<([^>]*)>\s*(<[^>]*>|\[[^\]]*\])", body):
            low, _ = _hex_to_int(entry.group(1))
            high, _ = _hex_to_int(entry.group(2))
            if high - low > 65535:
                continue
            target = entry.group(3)
            if target.startswith(b"["):
                for offset, token in enumerate(_HEX.findall(target)):
                    mapping[low + offset] = _hex_to_text(token)
            else:
                first = _hex_to_text(target[1:-1])
                if not first:
                    continue
                for offset in range(high - low + 1):
                    mapping[low + offset] = first[:-1] + chr(ord(first[-1]) + offset)
    return mapping, lengths


@dataclass
class FontInfo:
    code_length: int = 1
    to_unicode: dict[int, str] = field(default_factory=dict)
    encoding: dict[int, str] = field(default_factory=dict)
    codec: str = "latin-1"
    widths: dict[int, float] = field(default_factory=dict)  # code → width in 1/1000 em
    default_width: float = 500.0
    width_scale: float = 1.0  # Type3 fonts use their own FontMatrix

    def glyphs(self, data: bytes) -> list[tuple[bytes, str, float]]:
        """(code bytes, text, width in text-space units per unit of font size) per glyph."""
        out = []
        step = self.code_length
        for i in range(0, len(data) - step + 1, step):
            raw = data[i : i + step]
            code = int.from_bytes(raw, "big")
            if code in self.to_unicode:
                text = self.to_unicode[code]
            elif code in self.encoding:
                text = self.encoding[code]
            elif step == 1:
                text = raw.decode(self.codec, errors="replace")
            else:
                text = "\ufffd"
            width = self.widths.get(code, self.default_width) * self.width_scale / 1000.0
            out.append((raw, text, width))
        return out


def _simple_widths(font: Mapping[str, Any], info: FontInfo) -> None:
    widths = _obj(font.get("/Widths"))
    if widths is not None:
        first = int(_obj(font.get("/FirstChar", 0)))
        for offset, width in enumerate(widths):
            info.widths[first + offset] = float(_obj(width))
        descriptor = _obj(font.get("/FontDescriptor")) or {}
        info.default_width = float(_obj(descriptor.get("/MissingWidth", 0))) or 500.0
        return
    base = str(_obj(font.get("/BaseFont", ""))).lstrip("/").split("+")[-1]
    metrics = CORE_METRICS.get(base)
    if metrics is None:
        info.default_width = 600.0 if "Courier" in base else 556.0
        return
    char_widths = metrics.character_widths
    info.default_width = float(char_widths.get("default", 556))
    for code in range(256):
        text = info.encoding.get(code) or bytes([code]).decode(info.codec, errors="replace")
        if text in char_widths:
            info.widths[code] = float(char_widths[text])


def _composite_widths(font: Mapping[str, Any], info: FontInfo) -> None:
    descendants = _obj(font.get("/DescendantFonts")) or []
    if not descendants:
        return
    cid_font = _obj(descendants[0])
    info.default_width = float(_obj(cid_font.get("/DW", 1000)))
    entries = [_obj(e) for e in _obj(cid_font.get("/W")) or []]
    i = 0
    while i < len(entries):
        first = entries[i]
        following = entries[i + 1] if i + 1 < len(entries) else None
        if isinstance(following, list):
            for offset, width in enumerate(following):
                info.widths[int(first) + offset] = float(_obj(width))
            i += 2
        elif i + 2 < len(entries):
            for code in range(int(first), int(entries[i + 1]) + 1):
                info.widths[code] = float(entries[i + 2])
            i += 3
        else:
            break


def font_info(font: Mapping[str, Any] | None) -> FontInfo:
    info = FontInfo()
    if font is None:
        return info
    subtype = str(_obj(font.get("/Subtype", "")))
    if subtype == "/Type0":
        info.code_length = 2
        info.default_width = 1000.0
    to_unicode = _obj(font.get("/ToUnicode"))
    if to_unicode is not None and hasattr(to_unicode, "get_data"):
        mapping, lengths = parse_to_unicode(to_unicode.get_data())
        info.to_unicode = mapping
        if subtype == "/Type0" and len(lengths) == 1:
            info.code_length = lengths.pop()
    if subtype == "/Type0":
        _composite_widths(font, info)
        return info
    encoding = _obj(font.get("/Encoding"))
    base_name = encoding if isinstance(encoding, str) else None
    if encoding is not None and hasattr(encoding, "get"):
        base_name = _obj(encoding.get("/BaseEncoding"))
        code = 0
        for item in _obj(encoding.get("/Differences")) or []:
            item = _obj(item)
            if isinstance(item, int):
                code = item
            else:
                info.encoding[code] = glyph_name_to_unicode(str(item))
                code += 1
    info.codec = _NAMED_ENCODINGS.get(str(base_name), "cp1252" if base_name is None else "latin-1")
    if subtype == "/Type3":
        matrix = _obj(font.get("/FontMatrix")) or [0.001]
        info.width_scale = float(_obj(matrix[0])) * 1000.0
    _simple_widths(font, info)
    return info
