"""Translation catalog shared by every interface (CLI, web, letters).

Catalogs are YAML files under ``locales/<lang>/``; every file of a language is merged, so each
capability keeps its own file (``core.yaml``, ``outage.yaml`` …). Keys are dotted names; values are
``str.format`` templates. English is the fallback for a key a language lacks.
"""

from __future__ import annotations

import locale
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import yaml

SUPPORTED = ("en", "zh")
_LOCALES = Path(__file__).parent / "locales"
_current: ContextVar[str] = ContextVar("hostclaim_lang", default="")


def normalise(lang: str | None) -> str | None:
    """Map ``zh_CN.UTF-8``, ``zh-Hans``, ``en_GB`` … to a supported language, or None."""
    if not lang:
        return None
    code = lang.replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in SUPPORTED else None


def detect(explicit: str | None = None) -> str:
    """``--lang`` wins, then ``HOSTCLAIM_LANG``, then the process locale, then English."""
    for candidate in (explicit, os.environ.get("HOSTCLAIM_LANG")):
        found = normalise(candidate)
        if found:
            return found
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalise(os.environ.get(var))
        if found:
            return found
    try:
        found = normalise(locale.getlocale()[0])
    except ValueError:
        found = None
    return found or "en"


def set_language(lang: str) -> None:
    code = normalise(lang)
    if code is None:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(SUPPORTED)}")
    _current.set(code)


def current_language() -> str:
    return _current.get() or detect()


def _flatten(prefix: str, node: object, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node)


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = _LOCALES / lang
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _flatten("", data, merged)
    return merged


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``key`` into ``lang`` (default: the current language) and fill ``params``."""
    code = normalise(lang) or current_language()
    template = catalog(code).get(key) or catalog("en").get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
