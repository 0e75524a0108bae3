from __future__ import annotations

import pytest

from hostclaim.domain.directory import search
from hostclaim.domain.directory.search import HitKind


def keys(text: str) -> list[str]:
    return [hit.key for hit in search(text)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hetzner", "hetzner"),
        ("hetzner online gmbh", "hetzner"),  # legal entity
        ("ＡＷＳ", "aws"),  # full width
        ("aws", "aws"),  # case
        ("Akamai", "linode"),
        ("中国消费者协会", "cn-cca"),
        ("消费者协会", "cn-cca"),  # Chinese substring
        ("消协", "cn-cca"),
        ("电信用户申诉", "cn-miit-12300"),
        ("010 12300", "cn-miit-12300"),  # punctuation and spaces ignored
        ("１２３１５", "cn-12315"),
        ("CISAS", "uk-ofcom-adr"),
        ("communications ombudsman", "uk-ofcom-adr"),
        ("少額訴訟", "jp-small-claims"),
        ("support@equinix.com", "equinix"),  # channel
        ("abuse@12321.cn", "cn-12321"),
    ],
)
def test_finds_by_name_alias_and_channel(query: str, expected: str) -> None:
    assert expected in keys(query)


def test_countries_by_code_and_name_in_both_languages() -> None:
    german = {"hetzner", "contabo", "ionos", "de-bnetza-schlichtung"}
    assert german <= set(keys("德国"))
    assert german <= set(keys("germany"))
    assert german <= set(keys("DE"))
    assert "cn-12315" in keys("中国")


def test_country_codes_match_only_exactly() -> None:
    # "de" is a country code, not a fragment of every name containing "de".
    assert "nl-geschillencommissie-telecom" not in keys("de")


def test_source_guide_rows_are_found_too() -> None:
    hits = search("contact@miit.gov.cn")
    assert hits[0].kind is HitKind.SOURCE_GUIDE
    assert hits[0].key == "miit-email"
    assert {"cca-phone", "cn-12315"} <= set(keys("12315"))


def test_best_hits_first_and_one_hit_per_record() -> None:
    hits = search("Hetzner")
    assert hits[0].key == "hetzner" and hits[0].score == 3
    assert len({(h.kind, h.key) for h in hits}) == len(hits)


def test_empty_or_punctuation_only_queries_find_nothing() -> None:
    assert search("") == []
    assert search(" - ") == []
    assert search("zzzz-no-such-thing") == []
