"""Country codes, the regions bodies are defined over, and country names for search.

Codes are ISO 3166-1 alpha-2; ``EU`` and ``EEA`` name regions. Membership lists follow
https://european-union.europa.eu/principles-countries-history/eu-countries_en (27 members since
1 February 2020) and the EEA Agreement (the EU plus Iceland, Liechtenstein and Norway).
"""

from __future__ import annotations

from collections.abc import Iterable

# fmt: off
EU = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on
EEA = EU | {"IS", "LI", "NO"}
REGIONS: dict[str, frozenset[str]] = {"EU": EU, "EEA": EEA}

# Names people type when they search; the codes the directory uses.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "AU": ("Australia", "澳大利亚", "澳洲"),
    "CN": ("China", "中国", "中华人民共和国"),
    "DE": ("Germany", "德国"),
    "EU": ("European Union", "欧盟"),
    "FR": ("France", "法国"),
    "GB": ("United Kingdom", "UK", "Britain", "英国"),
    "HK": ("Hong Kong", "香港"),
    "IE": ("Ireland", "爱尔兰"),
    "JP": ("Japan", "日本"),
    "LU": ("Luxembourg", "卢森堡"),
    "NL": ("Netherlands", "Holland", "荷兰"),
    "SG": ("Singapore", "新加坡"),
    "US": ("United States", "USA", "America", "美国"),
}

_ALIASES = {"UK": "GB", "EL": "GR"}


def normalise_country(code: str) -> str:
    """``uk`` → ``GB``; upper-case otherwise. Regions (``EU``) pass through."""
    upper = code.strip().upper()
    return _ALIASES.get(upper, upper)


def covers(area: str, country: str) -> bool:
    """Whether ``area`` (a country code or a region) includes ``country``."""
    return area == country or country in REGIONS.get(area, frozenset())


def covered_by_any(areas: Iterable[str], country: str) -> bool:
    return any(covers(area, country) for area in areas)
