"""``hostclaim directory``: search, show, the source guide's table, and linking a case."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from hostclaim.i18n import set_language


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """``--lang zh`` sets the language for the rest of the process; tests start in English."""
    set_language("en")
    yield
    set_language("en")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_search_finds_providers_and_bodies_in_both_languages(cli) -> None:
    hits = json.loads(ok(cli("directory", "search", "hetzner", "--json")))
    assert hits[0]["kind"] == "provider" and hits[0]["key"] == "hetzner"
    by_phone = json.loads(ok(cli("directory", "search", "12315", "--json")))
    assert {("body", "cn-12315"), ("source_guide", "cca-phone")} <= {
        (h["kind"], h["key"]) for h in by_phone
    }
    chinese = json.loads(ok(cli("directory", "search", "消费者协会", "--json")))
    assert "cn-cca" in {h["key"] for h in chinese}
    assert "hetzner" in ok(cli("directory", "search", "Hetzner"))
    assert "Nothing in the directory" in ok(cli("directory", "search", "zzzz-nothing"))
    zh_names = json.loads(ok(cli("--lang", "zh", "directory", "search", "消费者", "--json")))
    assert "中国消费者协会" in {h["name"] for h in zh_names}


def test_show_a_body_with_sources_and_rules(cli) -> None:
    data = json.loads(ok(cli("directory", "show", "uk-ofcom-adr", "--json")))
    assert data["kind"] == "body" and data["record"]["key"] == "uk-ofcom-adr"
    for fact in data["facts"]:
        assert fact["source"] and fact["checked"]
        assert fact["status"] in ("verified", "unconfirmed", "wrong-in-source")
    fields = {f["field"] for f in data["facts"]}
    assert {"eligibility", "opens_when", "membership", "hosting_scope"} <= fields
    who = next(f for f in data["facts"] if f["field"] == "eligibility")
    assert "10 employees" in who["value"]
    waits = [f["value"] for f in data["facts"] if f["field"] == "opens_when"]
    assert any("8 weeks" in w for w in waits) and any("deadlock" in w for w in waits)
    text = ok(cli("directory", "show", "uk-ofcom-adr"))
    assert "Who may use it" in text and "our inference" in text
    zh = ok(cli("--lang", "zh", "directory", "show", "uk-ofcom-adr"))
    assert "谁可以使用" in zh


def test_show_a_provider_and_a_small_claims_court(cli) -> None:
    provider = json.loads(ok(cli("directory", "show", "hetzner", "--json")))
    assert provider["kind"] == "provider"
    assert any(
        f["field"] == "support_channel" and "support-form" in f["value"] for f in provider["facts"]
    )
    court = json.loads(ok(cli("directory", "show", "uk-small-claims", "--json")))
    limit = next(f for f in court["facts"] if f["field"] == "claim_limit")
    assert "GBP 10,000" in limit["value"]
    closed = json.loads(ok(cli("directory", "show", "eu-odr", "--json")))
    life = next(f for f in closed["facts"] if f["field"] == "lifecycle")
    assert "2025-07-20" in life["value"]


def test_show_unknown_key_is_one_red_line(cli) -> None:
    result = cli("directory", "show", "no-such-thing")
    assert result.exit_code == 2
    assert "directory search" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_guide_shows_each_row_with_verdict_and_correct_body(cli) -> None:
    rows = json.loads(ok(cli("directory", "guide", "--json")))
    by_key = {r["key"]: r for r in rows}
    assert by_key["miit-phone"]["verdict"] == "wrong"
    assert by_key["miit-phone"]["correct_body"] == "cn-miit-12300"
    assert "+86-10-12321-12321" in by_key["miit-phone"]["contact"]
    assert by_key["cca-phone"]["verdict"] == "wrong_attribution"
    assert by_key["cca-phone"]["correct_body"] == "cn-12315"
    assert by_key["fcc-phone"]["verdict"] == "verified"
    assert by_key["consumer-reports-phone"]["verdict"] == "likely_fabricated"
    assert by_key["consumer-reports-phone"]["correct_body"] is None
    text = ok(cli("directory", "guide"))
    assert "中国工业和信息化部" in text and "cn-miit-12300" in text and "probably made up" in text
    row = json.loads(ok(cli("directory", "show", "miit-phone", "--json")))
    assert row["kind"] == "source_guide"
    contact = next(f for f in row["facts"] if f["field"] == "contact_as_written")
    assert contact["status"] == "wrong-in-source"


def test_link_a_case_to_a_provider(cli) -> None:
    ref = ok(cli("case", "new", "--provider", "Hetzner Online GmbH", "--name", "Leo")).strip()
    out = ok(cli("directory", "link", ref, "hetzner"))
    assert "hetzner" in out and "provider_country" in out
    case = json.loads(ok(cli("case", "show", ref, "--json")))
    assert case["provider_key"] == "hetzner"
    assert case["provider_country"] == "DE"
    assert case["provider_website"] == "https://www.hetzner.com"
    again = cli("directory", "link", ref, "hetzner")
    assert again.exit_code == 2  # nothing to change
    unknown = cli("directory", "link", ref, "no-such-host")
    assert unknown.exit_code == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert ok(cli("verify", ref)).startswith(f"{ref}: intact")


def test_link_keeps_what_the_case_already_says(cli, case_ref) -> None:
    ok(cli("directory", "link", case_ref, "ovhcloud"))
    case = json.loads(ok(cli("case", "show", case_ref, "--json")))
    assert case["provider_key"] == "ovhcloud"
    assert case["provider_country"] == "DE"  # given when the case was opened
