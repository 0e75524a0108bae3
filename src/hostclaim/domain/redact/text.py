"""Masking decoded text, and decoding text files whatever their encoding."""

from __future__ import annotations

import bisect
import codecs
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from hostclaim.domain.redact.detect import ContactAllowList, Detection, find_sensitive, mask_for
from hostclaim.domain.redact.result import MaskedSpan

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def decode_text(data: bytes) -> DecodedText | None:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, GB18030 (Chinese logs); None for binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data[len(bom) :].decode(encoding), encoding, bom)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f\v\x1b") > len(text) // 100:
            return None
        return DecodedText(text, encoding)
    return None


class LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def sha256_text(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def apply_masks(
    text: str, detections: Iterable[Detection], *, location: str = ""
) -> tuple[str, list[MaskedSpan]]:
    """Replace each detection by its mask; spans refer to the original ``text``."""
    index = LineIndex(text)
    pieces: list[str] = []
    spans: list[MaskedSpan] = []
    cursor = 0
    for det in sorted(detections, key=lambda d: d.start):
        if det.start < cursor:
            continue
        replacement = mask_for(det)
        pieces.append(text[cursor : det.start])
        pieces.append(replacement)
        spans.append(
            MaskedSpan(
                kind=det.kind,
                start=det.start,
                end=det.end,
                line=index.line_of(det.start),
                original_sha256=sha256_text(text[det.start : det.end]),
                replacement=replacement,
                location=location,
            )
        )
        cursor = det.end
    pieces.append(text[cursor:])
    return "".join(pieces), spans


def mask_text(
    text: str,
    *,
    allow: ContactAllowList,
    literals: Iterable[str] = (),
    location: str = "",
) -> tuple[str, list[MaskedSpan]]:
    return apply_masks(
        text, find_sensitive(text, allow=allow, literals=literals), location=location
    )
