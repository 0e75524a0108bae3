"""Both languages, always: every catalog key exists in English and 简体中文 with the same fields."""

import re
import string

from hostclaim.i18n import catalog, detect, normalise, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    en, zh = catalog("en"), catalog("zh")
    assert set(en) - set(zh) == set(), "keys missing in zh"
    assert set(zh) - set(en) == set(), "keys missing in en"
    # An ordinal is spelled "2nd" in English but "第 2 个" in Chinese: the two texts may use
    # different parameters of the same call, and only there.
    ordinal = {"sla.claim.rule.end_of_nth_billing_cycle_after_incident"}
    mismatched = [k for k in en if k not in ordinal and _fields(en[k]) != _fields(zh[k])]
    assert mismatched == []


def test_chinese_catalog_is_actually_chinese() -> None:
    zh = catalog("zh")
    han = re.compile(r"[\u4e00-\u9fff]")
    words = re.compile(r"[A-Za-z]{4,}")

    def prose(value: str) -> bool:  # formulas such as "{rate} × {fee} = {amount}" need no words
        return bool(words.search(re.sub(r"\{[^}]*\}", "", value)))

    untranslated = [
        key
        for key, value in zh.items()
        if prose(value) and not han.search(value) and value == catalog("en")[key]
    ]
    assert untranslated == []


def test_language_choice_order(monkeypatch) -> None:
    monkeypatch.setenv("HOSTCLAIM_LANG", "zh")
    assert detect("en") == "en"
    assert detect(None) == "zh"
    monkeypatch.delenv("HOSTCLAIM_LANG")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert detect(None) == "zh"
    assert normalise("zh-Hans") == "zh"


def test_translation_fills_parameters() -> None:
    assert (
        t("error.case_not_found", "zh", ref="HC-1")
        == "没有案件“HC-1”。用 `hostclaim case list` 查看案件列表。"
    )
