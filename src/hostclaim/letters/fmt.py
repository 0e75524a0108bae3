"""How facts read in a letter: dates, times in two zones, money, durations, safe Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hostclaim.domain.timeutil import utc, zone

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Names a Chinese reader knows; any other code is shown as the code itself.
_CURRENCY_ZH = {
    "AUD": "澳元",
    "CAD": "加元",
    "CHF": "瑞士法郎",
    "CNY": "元人民币",
    "EUR": "欧元",
    "GBP": "英镑",
    "HKD": "港元",
    "JPY": "日元",
    "SGD": "新加坡元",
    "USD": "美元",
}
_NO_MINOR_UNIT = {"JPY", "KRW"}


def day(value: date, lang: str) -> str:
    """``3 October 2026`` / ``2026年10月3日``: no reader can take it for another date."""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def when(moment: datetime, recipient_zone: str | None, lang: str) -> str:
    """A moment in UTC and, when known, in the recipient's zone."""
    at = utc(moment)
    base = f"{at:%Y-%m-%d %H:%M} UTC"
    if not recipient_zone or recipient_zone.upper() == "UTC":
        return base
    local = at.astimezone(zone(recipient_zone))
    offset = local.strftime("%z")
    utc_offset = f"UTC{offset[:3]}:{offset[3:]}"
    if lang == "zh":
        return f"{base}（{recipient_zone} 当地时间 {local:%Y-%m-%d %H:%M}，{utc_offset}）"
    return f"{base} ({local:%Y-%m-%d %H:%M} {local.tzname()}, {utc_offset}, {recipient_zone})"


def duration(value: timedelta, lang: str) -> str:
    """``19 h 55 min`` / ``19 小时 55 分钟``."""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} 秒" if lang == "zh" else f"{seconds} s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = ("天", "小时", "分钟") if lang == "zh" else ("d", "h", "min")
    parts = [f"{n} {unit}" for n, unit in zip((days, hours, minutes), units, strict=True) if n]
    return " ".join(parts)


def amount(value: Decimal, currency: str | None) -> str:
    """``1,234.50``: grouped, with the currency's minor unit (none for JPY)."""
    places = Decimal(1) if currency in _NO_MINOR_UNIT else Decimal("0.01")
    if value.as_tuple().exponent < places.as_tuple().exponent:  # type: ignore[operator]
        # More precise than the minor unit (a rate, a pro-rata share): keep every digit given.
        return f"{value:,}"
    return f"{value.quantize(places, rounding=ROUND_HALF_UP):,}"


def money(value: Decimal, currency: str | None, lang: str) -> str:
    """``EUR 26.70`` / ``26.70 欧元``."""
    number = amount(value, currency)
    if not currency:
        return number
    if lang == "zh":
        return f"{number} {_CURRENCY_ZH.get(currency, currency)}"
    return f"{currency} {number}"


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_LATIN = re.compile(f"([{_HAN}])([A-Za-z])")
_LATIN_HAN = re.compile(f"([A-Za-z.])([{_HAN}])")
_PAREN_SPACE = re.compile(f"([）】」])[ ]+(?=[{_HAN}])|(?<=[{_HAN}])[ ]+(?=[（【「])")


def has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


_ZH_DIGITS = "零一二三四五六七八九"


def numeral(n: int, lang: str) -> str:
    """``3`` / ``三`` (up to 99, enough for section numbers)."""
    if lang != "zh" or not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")
    return head + (_ZH_DIGITS[ones] if ones else "")


def space_zh(text: str) -> str:
    """Chinese typesetting: a space between Han characters and Latin words, none at full-width
    brackets (``我方是 Rheinhost 的客户``, ``UTC（…）起``)."""
    text = _HAN_LATIN.sub(r"\1 \2", text)
    text = _LATIN_HAN.sub(r"\1 \2", text)
    return _PAREN_SPACE.sub(r"\1", text)


def series(items: list[str], lang: str) -> str:
    """``a, b and c`` / ``a、b和c``."""
    if len(items) <= 1:
        return "".join(items)
    if lang == "zh":
        return "、".join(items[:-1]) + "和" + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def percent(value: Decimal, lang: str) -> str:
    return f"{value.normalize():f} %" if lang != "zh" else f"{value.normalize():f}%"


def local(text: str | Mapping[str, str] | None, lang: str) -> str:
    """Pick the reader's language from per-language text, else the text as written."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    other = "en" if lang == "zh" else "zh"
    return text.get(lang) or text.get(other) or ""


_MD_SPECIAL = re.compile(r"([\\`*\[\]])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# "<x>" would be an autolink and "&amp;" an entity: both would change what the reader sees.
_MD_AUTOLINK = re.compile(r"<(?=[^\s<>]*>)")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line these open a heading, list, quote, rule, setext underline or fence.
_MD_BLOCK_MARK = re.compile(r"^(?:(?=#{1,6}(?:\s|$))|(?=[+\-](?:\s|$))|(?=[>~])|(?=[-=\s]+$))")
_MD_ORDERED_MARK = re.compile(r"^(\d+)([.)])(?=\s|$)")


PLACEHOLDER_RE = re.compile(r"\[\[TO FILL: (.+?)\]\]")


def md(text: object) -> str:
    """User text made inert inside Markdown: it reads the same, and never turns into markup.

    ``[[TO FILL: …]]`` placeholders are kept as they are, so they stay findable in the draft.
    """
    flat = " ".join(str(text).split())
    pieces = PLACEHOLDER_RE.split(flat)
    # split() with one group alternates: text, placeholder label, text, …
    return "".join(
        _escape(piece) if i % 2 == 0 else f"[[TO FILL: {piece}]]" for i, piece in enumerate(pieces)
    )


def _escape(flat: str) -> str:
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    flat = _MD_UNDERSCORE.sub(r"\\_", flat)
    flat = _MD_AUTOLINK.sub(r"\\<", flat)
    flat = _MD_ENTITY.sub(r"\\&", flat)
    flat = _MD_BLOCK_MARK.sub(r"\\", flat, count=1)
    return _MD_ORDERED_MARK.sub(r"\1\\\2", flat)


def cell(text: object) -> str:
    """Like :func:`md`, for a table cell: a ``|`` would end the cell."""
    return md(text).replace("|", "\\|")
