"""Dates, times and sums of money as a letter writes them, in English and Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"

_ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_NUM = "[〇零一二两三四五六七八九十百千万]"


def zh_number(text: str) -> int | None:
    """十月 → 10, 二〇二六 → 2026, 三千六百 → 3600, 1.2万 is handled elsewhere."""
    if not text:
        return None
    if all(c in _ZH_DIGITS for c in text):  # digit by digit: 二〇二六
        return int("".join(str(_ZH_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in units:
            section += (digit or 1) * units[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            return None
    return total + section + digit


_DATE_PATTERNS = (
    re.compile(r"(?<![\d.])(?P<year>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d])"),
    re.compile(
        r"(?<![\w])(?P<day>\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MONTH
        + r"\.?(?:,?\s+(?P<year>\d{4}))?(?![\w])",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<![\w])" + _MONTH + r"\.?\s+(?P<day>\d{1,2})" + _ORD
        + r"(?![\d:])(?:,?\s+(?P<year>\d{4}))?(?![\w])",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\d/.])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?![\d/])"),
    re.compile(
        r"(?:(?P<year>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"
    ),
    re.compile(
        r"(?:(?P<zyear>[〇零一二三四五六七八九]{4})年)?(?P<zm>[一二三四五六七八九十]{1,2})月"
        r"(?P<zday>[一二三四五六七八九十]{1,3})[日号]"
    ),
)  # fmt: skip

_TIME_PATTERNS = (
    re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])"),
    re.compile(r"(?<![\w])\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?![\w])", re.IGNORECASE),
    re.compile(
        r"\b(?:yesterday|today|this (?:morning|afternoon|evening|week)|last (?:night|week|month"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:on|since) (?:monday"
        r"|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:凌晨|上午|下午|晚上|晚|中午|早上|早|傍晚|深夜)\s*(?:\d{1,2}|[一二两三四五六七八九十]{1,3})\s*[点时]"
        r"|\d{1,2}\s*点\s*\d{0,2}\s*分?|[一二两三四五六七八九十]{1,3}点(?:[一二三四五六七八九十]{1,3}分|半|多)?"
        r"|昨天|昨晚|前天|今天|今早|上周|本周|上个月|周[一二三四五六日天]|星期[一二三四五六日天]"
    ),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    # Readings of the text as (year or None, month, day); a numeric 03/10/2026 has two.
    readings: tuple[tuple[int | None, int, int], ...]


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def find_dates(text: str) -> list[DateMention]:
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = match.groupdict()
            if groups.get("zm"):  # 二〇二六年十月五日
                groups = {
                    "year": str(zh_number(groups["zyear"])) if groups.get("zyear") else None,
                    "m": str(zh_number(groups["zm"]) or 0),
                    "day": str(zh_number(groups["zday"]) or 0),
                }
            year = int(groups["year"]) if groups.get("year") else None
            readings: list[tuple[int | None, int, int]] = []
            if groups.get("a"):
                a, b = int(groups["a"]), int(groups["b"])
                readings = [(year, m, d) for d, m in ((a, b), (b, a)) if _valid(m, d)]
            else:
                if groups.get("month"):
                    month = _MONTHS[groups["month"].lower()]
                else:
                    month = int(groups["m"])
                day = int(groups["day"])
                if _valid(month, day):
                    readings = [(year, month, day)]
            if readings:
                found.append(
                    DateMention(match.start(), match.end(), tuple(dict.fromkeys(readings)))
                )
                taken.append(match.span())
    return sorted(found, key=lambda d: d.start)


def has_time_reference(text: str) -> bool:
    return bool(find_dates(text)) or any(p.search(text) for p in _TIME_PATTERNS)


# --- money --------------------------------------------------------------------------------

_CODES = "EUR|USD|GBP|CNY|RMB|JPY|HKD|SGD|AUD|CAD|CHF|NZD"
_DOLLARS = frozenset({"USD", "HKD", "SGD", "AUD", "CAD", "NZD"})
_SYMBOLS: dict[str, frozenset[str]] = {
    "US$": frozenset({"USD"}), "HK$": frozenset({"HKD"}), "S$": frozenset({"SGD"}),
    "A$": frozenset({"AUD"}), "C$": frozenset({"CAD"}), "NZ$": frozenset({"NZD"}),
    "$": _DOLLARS, "€": frozenset({"EUR"}), "£": frozenset({"GBP"}),
    "¥": frozenset({"CNY", "JPY"}), "￥": frozenset({"CNY", "JPY"}), "RMB": frozenset({"CNY"}),
    "人民币": frozenset({"CNY"}), "元": frozenset({"CNY"}), "块": frozenset({"CNY"}),
    "美元": frozenset({"USD"}), "欧元": frozenset({"EUR"}), "英镑": frozenset({"GBP"}),
    "日元": frozenset({"JPY"}), "港元": frozenset({"HKD"}), "港币": frozenset({"HKD"}),
    "新元": frozenset({"SGD"}), "euro": frozenset({"EUR"}), "euros": frozenset({"EUR"}),
    "dollar": _DOLLARS, "dollars": _DOLLARS, "pound": frozenset({"GBP"}),
    "pounds": frozenset({"GBP"}),
}  # fmt: skip
_NUM = r"(?P<num>\d{1,3}(?:(?:,|\u00a0|\u202f| |\.)\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_MULT = r"(?P<mult>\s?(?:万|千|k|K)(?![A-Za-z]))?"
_PRE = r"(?P<pre>US\$|HK\$|S\$|A\$|C\$|NZ\$|\$|€|£|¥|￥|人民币|(?:" + _CODES + r")(?![A-Za-z]))"
_SUF = (
    r"(?P<suf>\s?(?:(?:" + _CODES + r"|euros?|dollars?|pounds?)(?![A-Za-z])"
    r"|€|£|元|块|人民币|美元|欧元|英镑|日元|港元|港币|新元))"
)
_AMOUNT = re.compile(
    r"(?<![\w.,])(?:" + _PRE + r"\s?" + _NUM + _MULT + r"(?:" + _SUF + r")?"
    r"|(?P<num2>\d{1,3}(?:(?:,|\u00a0|\u202f| |\.)\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"(?P<mult2>\s?(?:万|千|k|K)(?![A-Za-z]))?" + _SUF.replace("suf", "suf2") + r")"
)


@dataclass(frozen=True, slots=True)
class AmountMention:
    start: int
    end: int
    values: tuple[Decimal, ...]  # every reading of the number (1.200 may be 1.2 or 1200)
    currencies: frozenset[str]  # ISO codes it may be in; empty if unknown


def _currency(token: str | None) -> frozenset[str]:
    if not token:
        return frozenset()
    token = token.strip()
    if token.upper() in _CODES.split("|"):
        return frozenset({"CNY" if token.upper() == "RMB" else token.upper()})
    return _SYMBOLS.get(token, _SYMBOLS.get(token.lower(), frozenset()))


def _readings(number: str) -> set[Decimal]:
    plain = number.replace("\u00a0", " ").replace("\u202f", " ")
    candidates: set[str] = set()
    if "," in plain and "." in plain:
        decimal_mark = "," if plain.rfind(",") > plain.rfind(".") else "."
        group = "." if decimal_mark == "," else ","
        candidates.add(plain.replace(" ", "").replace(group, "").replace(decimal_mark, "."))
    else:
        squeezed = plain.replace(" ", "")
        for mark in (",", "."):
            if mark in squeezed:
                parts = squeezed.split(mark)
                if all(len(p) == 3 for p in parts[1:]):
                    candidates.add(squeezed.replace(mark, ""))  # grouping: 1,200 / 1.200
                if (len(parts) == 2 and len(parts[1]) <= 2) or (len(parts) == 2 and mark == "."):
                    candidates.add(squeezed.replace(mark, "."))  # decimal: 26,70 / 1.200
        if not any(m in squeezed for m in ",."):
            candidates.add(squeezed)
    out: set[Decimal] = set()
    for candidate in candidates:
        try:
            out.add(Decimal(candidate))
        except InvalidOperation:
            continue
    return out


_ZH_AMOUNT = re.compile(
    r"(?P<num>[一二两三四五六七八九十百千万零〇]{1,12})(?P<cur>元|块|美元|欧元|英镑|日元|港元|港币|新元)"
)
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100,
}  # fmt: skip
_WORD_AMOUNT = re.compile(
    r"\b(?:(?P<count>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty"
    r"|fifty|a few|several|some|many|tens of|hundreds of)\s+)?(?P<scale>hundred|thousand|million)s?"
    r"\s+(?:of\s+)?(?P<cur>dollars|euros|pounds|yuan|USD|EUR|GBP|CNY)\b",
    re.IGNORECASE,
)


def find_amounts(text: str) -> list[AmountMention]:
    found = []
    for match in _ZH_AMOUNT.finditer(text):
        value = zh_number(match.group("num"))
        if value:
            found.append(AmountMention(match.start(), match.end(), (Decimal(value),),
                                       _currency(match.group("cur"))))  # fmt: skip
    for match in _WORD_AMOUNT.finditer(text):
        count = (match.group("count") or "one").lower()
        scale = {"hundred": 100, "thousand": 1000, "million": 1_000_000}[
            match.group("scale").lower()
        ]
        # "several thousand" has no exact value: no fact can back it, so it never matches.
        values: tuple[Decimal, ...] = (
            (Decimal(_WORD_NUMBERS[count] * scale),) if count in _WORD_NUMBERS else ()
        )
        found.append(
            AmountMention(match.start(), match.end(), values, _currency(match.group("cur")))
        )
    for match in _AMOUNT.finditer(text):
        number = match.group("num") or match.group("num2")
        mult = (match.group("mult") or match.group("mult2") or "").strip()
        factor = {"万": 10000, "千": 1000, "k": 1000, "K": 1000}.get(mult, 1)
        currencies = _currency(match.group("pre")) | _currency(
            match.group("suf") or match.group("suf2")
        )
        values = tuple(sorted(v * factor for v in _readings(number)))
        if values:
            found.append(AmountMention(match.start(), match.end(), values, currencies))
    return found
