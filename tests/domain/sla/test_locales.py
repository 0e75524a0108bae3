"""Every message of the SLA rules exists in English and 简体中文, with the same placeholders."""

from __future__ import annotations

import re
import string
import typing
from importlib import resources
from pathlib import Path

import pytest
import yaml

from hostclaim.domain.sla import schema
from hostclaim.i18n import _flatten

SRC = Path(str(resources.files("hostclaim")))
LOCALES = SRC / "locales"


def catalog(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    _flatten("", yaml.safe_load((LOCALES / lang / "sla.yaml").read_text(encoding="utf-8")), out)
    return out


EN = catalog("en")
ZH = catalog("zh")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_same_keys_in_both_languages() -> None:
    assert set(EN) == set(ZH)
    assert all(key.startswith("sla.") for key in EN)


@pytest.mark.parametrize("key", sorted(EN))
def test_same_placeholders_in_both_languages(key: str) -> None:
    assert placeholders(EN[key]) == placeholders(ZH[key]) or key.startswith("sla.claim.rule.")
    if key.startswith("sla.claim.rule."):
        # English spells the ordinal ("2nd"), Chinese uses 第 {n} 个.
        assert placeholders(EN[key]) - {"nth"} == placeholders(ZH[key]) - {"n"}


def _literal_keys() -> set[str]:
    keys: set[str] = set()
    for path in (SRC / "domain" / "sla").glob("*.py"):
        keys |= set(re.findall(r'"(sla\.[a-z_.\-]+[a-z_])"', path.read_text(encoding="utf-8")))
    return keys


def test_every_key_used_in_code_exists() -> None:
    used = _literal_keys()
    assert len(used) > 40
    assert used <= set(EN), sorted(used - set(EN))


def _args(alias: object) -> tuple[str, ...]:
    return typing.get_args(alias)


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("sla.status.", ("verified", "unconfirmed", "wrong-in-source")),
        ("sla.base.", _args(schema.CreditBase)),
        ("sla.form.", _args(schema.CreditForm)),
        ("sla.channel.", _args(schema.ChannelKind)),
        ("sla.info.", _args(schema.InfoItem)),
    ],
)
def test_every_schema_value_has_a_phrase(prefix: str, values: tuple[str, ...]) -> None:
    for value in values:
        assert f"{prefix}{value}" in EN


def test_every_claim_rule_kind_has_a_text() -> None:
    rule_types = typing.get_args(typing.get_args(schema.ClaimRule)[0])
    kinds = {typing.get_args(t.model_fields["kind"].annotation)[0] for t in rule_types}
    assert len(kinds) == 6
    for kind in kinds:
        assert f"sla.claim.rule.{kind}" in EN


def test_every_term_the_credit_rules_can_flag_has_a_name() -> None:
    code = (SRC / "domain" / "sla" / "credits.py").read_text(encoding="utf-8")
    fields = set(re.findall(r'\.(?:use|shown)\(\s*"([a-z_.]+)"', code))
    fields |= set(re.findall(r'unconfirmed\.append\("([a-z_.]+)"\)', code))
    assert "credit.schedule" in fields
    assert "measurement.counts_from_ticket" in fields
    for field in fields:
        assert f"sla.field.{field.replace('.', '_')}" in EN, field
