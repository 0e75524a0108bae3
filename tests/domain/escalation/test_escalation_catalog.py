"""Every phrase the rules can produce exists in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from hostclaim.domain.directory import (
    Anchor,
    BodyKind,
    ConditionKind,
    HostingScope,
    Membership,
    Status,
    Verdict,
)
from hostclaim.domain.directory.values import Basis, PeriodUnit
from hostclaim.domain.escalation import Item, LegalStepKind, LetterKind, Risk, Step
from hostclaim.i18n import catalog

SOURCES = Path(__file__).parents[3] / "src" / "hostclaim" / "domain" / "escalation"
CODE = re.compile(r'(?:_block|_info|_reason)\(\s*"([a-z_]+)"|"escalation\.reason\.([a-z_]+)"')


def _reason_codes() -> set[str]:
    found: set[str] = set()
    for path in SOURCES.glob("*.py"):
        for match in CODE.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def _enum_keys() -> list[str]:
    groups = {
        "directory.status": Status,
        "directory.basis": Basis,
        "directory.kind": BodyKind,
        "directory.hosting_scope": HostingScope,
        "directory.membership": Membership,
        "directory.verdict": Verdict,
        "escalation.step": Step,
        "escalation.letter": LetterKind,
        "escalation.risk": Risk,
        "escalation.anchor": Anchor,
        "escalation.condition": ConditionKind,
        "escalation.item": Item,
        "escalation.legal_step": LegalStepKind,
        "escalation.period": PeriodUnit,
    }
    keys = [f"{prefix}.{member.value}" for prefix, enum in groups.items() for member in enum]
    # Anchors can stand in for a missing condition event.
    keys += [f"escalation.condition.{anchor.value}" for anchor in Anchor]
    return keys


REASONS = sorted(_reason_codes())


def test_the_scan_finds_the_reasons() -> None:
    assert {"closed", "path_wait", "consumer_only", "provider_not_member", "open"} <= set(REASONS)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", REASONS)
def test_reason_is_in_both_catalogs(lang: str, code: str) -> None:
    assert f"escalation.reason.{code}" in catalog(lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_enum_labels_are_in_both_catalogs(lang: str) -> None:
    missing = [key for key in _enum_keys() if key not in catalog(lang)]
    assert missing == []


def test_both_catalogs_have_the_same_keys_and_placeholders() -> None:
    en = {k: v for k, v in catalog("en").items() if k.startswith(("escalation.", "directory."))}
    zh = {k: v for k, v in catalog("zh").items() if k.startswith(("escalation.", "directory."))}
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rendered_reasons_fill_every_placeholder(lang: str, make_facts: Any) -> None:
    from datetime import date

    from hostclaim.domain.escalation import EvidenceSummary, ladder, legal_route_checklist

    cases = [
        make_facts(
            complainant={"type": "business", "country": "CN", "employees": 40},
            provider_key="hetzner",
            incidents=[date(2026, 10, 3)],
            complaint_first_made_at=date(2026, 10, 20),
            amounts_claimed=[{"amount": "26.70", "currency": "EUR"}],
        ),
        make_facts(
            complainant={"type": "consumer", "country": "FR"},
            provider_key="ovhcloud",
            contacts=[{"at": date(2025, 1, 10), "direction": "outbound", "channel": "letter"}],
            incidents=[date(2025, 1, 9)],
            amounts_claimed=[{"amount": "30", "currency": "EUR"}],
        ),
        make_facts(
            complainant={"type": "business", "country": "AU"},
            provider_country="AU",
            contract_forum={"governing_law": "NSW law", "venue": "ACDC", "arbitration": True},
        ),
    ]
    rendered = []
    for facts in cases:
        for rung in ladder(facts):
            rendered += [r.render(lang) for r in rung.reasons]
            rendered += [r.render(lang) for v in rung.bodies for r in v.reasons]
        for step in legal_route_checklist(facts, EvidenceSummary()).steps:
            rendered += [n.render(lang) for n in step.notes]
    assert len(rendered) > 40
    for text in rendered:
        assert "{" not in text and not text.startswith("escalation."), text
