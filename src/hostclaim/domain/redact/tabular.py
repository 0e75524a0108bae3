"""CSV/TSV: mask inside cells only, so rows and columns stay exactly as they were.

The file is not re-serialised (that would re-quote untouched cells): values are masked in place
within each cell's own characters. Masks hold no delimiter, quote or line break, so the cell
structure is unchanged. A column whose header names sensitive data (password, phone, 身份证 …)
is masked whole, whatever its values look like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from hostclaim.domain.redact.detect import ContactAllowList, Detection, find_sensitive
from hostclaim.domain.redact.result import MaskedSpan
from hostclaim.domain.redact.text import apply_masks

_SENSITIVE_COLUMNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"pass(?:word|wd)?|pwd|密码|口令", re.I), "password"),
    (re.compile(r"(?:api[_ -]?)?(?:key|token|secret)|密钥|令牌", re.I), "api_key"),
    (re.compile(r"id[_ -]?(?:card|number|no)|national[_ -]?id|身份证", re.I), "id_number"),
    (re.compile(r"(?:bank[_ -]?)?card(?:[_ -]?(?:no|number))?|卡号|银行卡|pan", re.I), "bank_card"),
    (re.compile(r"phone|mobile|tel(?:ephone)?|cell|手机|电话|联系方式", re.I), "phone"),
    (re.compile(r"e-?mail|mail|邮箱|电子邮件", re.I), "email"),
)


def sniff_delimiter(text: str, default: str = ",") -> str:
    head = text[:4096].split("\n")[:5]
    best, best_score = default, 0
    for candidate in (",", ";", "\t", "|"):
        counts = [line.count(candidate) for line in head if line.strip()]
        if counts and min(counts) > 0 and len(set(counts)) == 1 and counts[0] > best_score:
            best, best_score = candidate, counts[0]
    return best


def iter_cells(text: str, delimiter: str, quote: str = '"') -> Iterator[tuple[int, int, int, int]]:
    """(row, column, start, end) of every cell's content; quoted cells exclude their quotes."""
    row = column = 0
    i, size = 0, len(text)
    while i <= size:
        if i < size and text[i] == quote:
            start = i + 1
            j = start
            while j < size:
                if text[j] == quote:
                    if j + 1 < size and text[j + 1] == quote:
                        j += 2
                        continue
                    break
                j += 1
            end = j
            i = j + 1
            # Anything between the closing quote and the delimiter is kept as it is.
            while i < size and text[i] not in (delimiter, "\n", "\r"):
                i += 1
        else:
            start = i
            while i < size and text[i] not in (delimiter, "\n", "\r"):
                i += 1
            end = i
        yield row, column, start, end
        if i >= size:
            return
        if text[i] == delimiter:
            column += 1
            i += 1
        else:
            i += 2 if text.startswith("\r\n", i) else 1
            row, column = row + 1, 0
            if i >= size:
                return


def _column_kind(header: str) -> str | None:
    for pattern, kind in _SENSITIVE_COLUMNS:
        if pattern.fullmatch(header.strip().strip('"').replace(" ", "_")) or pattern.fullmatch(
            header.strip()
        ):
            return kind
    return None


def redact_csv(
    text: str,
    *,
    allow: ContactAllowList,
    literals: Iterable[str] = (),
    delimiter: str | None = None,
) -> tuple[str, list[MaskedSpan]]:
    sep = delimiter or sniff_delimiter(text)
    cells = list(iter_cells(text, sep))
    column_kinds = {
        column: kind
        for row, column, start, end in cells
        if row == 0 and (kind := _column_kind(text[start:end]))
    }
    detections: list[Detection] = []
    for row, column, start, end in cells:
        value = text[start:end]
        if not value.strip():
            continue
        kind = column_kinds.get(column) if row > 0 else None
        if kind is not None:
            stripped = value.strip()
            keep = (kind == "email" and allow.allows_email(stripped)) or (
                kind == "phone" and allow.allows_phone(stripped)
            )
            if not keep:
                offset = start + value.index(stripped)
                digits = "".join(c for c in stripped if c.isdigit())
                hint = digits[-4:] if kind == "bank_card" else ""
                detections.append(Detection(kind, offset, offset + len(stripped), stripped, hint))
                continue
        for det in find_sensitive(value, allow=allow, literals=literals):
            detections.append(
                Detection(det.kind, start + det.start, start + det.end, det.value, det.hint)
            )
    return apply_masks(text, detections)
