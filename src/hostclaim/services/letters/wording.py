"""What a letter says in its own language: country and month names, enclosure labels, and
catalog texts in both languages for a LetterContext's per-language fields."""

from __future__ import annotations

import calendar
from typing import Literal

from hostclaim.i18n import t

_MONTHS_EN = tuple(calendar.month_name)  # "", "January", … (C locale)
_COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "奥地利"),
    "AU": ("Australia", "澳大利亚"),
    "BE": ("Belgium", "比利时"),
    "CA": ("Canada", "加拿大"),
    "CH": ("Switzerland", "瑞士"),
    "CN": ("China", "中国"),
    "DE": ("Germany", "德国"),
    "DK": ("Denmark", "丹麦"),
    "ES": ("Spain", "西班牙"),
    "FI": ("Finland", "芬兰"),
    "FR": ("France", "法国"),
    "GB": ("United Kingdom", "英国"),
    "HK": ("Hong Kong", "香港"),
    "IE": ("Ireland", "爱尔兰"),
    "IN": ("India", "印度"),
    "IT": ("Italy", "意大利"),
    "JP": ("Japan", "日本"),
    "KR": ("South Korea", "韩国"),
    "LU": ("Luxembourg", "卢森堡"),
    "NL": ("Netherlands", "荷兰"),
    "NO": ("Norway", "挪威"),
    "PL": ("Poland", "波兰"),
    "SE": ("Sweden", "瑞典"),
    "SG": ("Singapore", "新加坡"),
    "US": ("United States", "美国"),
}


def country(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    names = _COUNTRY_NAMES.get(code.upper())
    if names is None:
        return code.upper()
    return names[1] if lang == "zh" else names[0]


def month_label(year: int, month: int, lang: str) -> str:
    return f"{year}年{month}月" if lang == "zh" else f"{_MONTHS_EN[month]} {year}"


def both(key: str, **params: object) -> dict[Literal["en", "zh"], str]:
    """A catalog text in both languages, for a LetterContext's per-language fields."""
    return {"en": t(key, "en", **params), "zh": t(key, "zh", **params)}


def enclosure_label(index: int, lang: str) -> str:
    return f"附件 {index}" if lang == "zh" else f"Encl. {index}"
