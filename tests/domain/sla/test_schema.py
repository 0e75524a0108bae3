"""The policy schema: every shipped file validates, and no fact goes without its provenance."""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from hostclaim.domain.sla import STATUSES, Policy, Sourced, load_policy_file
from hostclaim.domain.sla.registry import _DecimalLoader, parse_policy
from hostclaim.domain.sla.schema import (
    AvailabilityTiers,
    Commitment,
    CreditTerms,
    Measurement,
    OutageDurationBrackets,
)
from hostclaim.errors import InvalidInput, NotFound

DATA = Path(str(resources.files("hostclaim.data").joinpath("sla")))
FILES = sorted(DATA.glob("*.yaml"))
IDS = [f.stem for f in FILES]


def raw(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)
    assert isinstance(data, dict)
    return data


def sourced_nodes(node: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every ``{value, source, checked, status}`` mapping in raw YAML, with its path."""
    if isinstance(node, dict):
        if "status" in node and "source" in node:
            yield path
        for key, child in node.items():
            if key != "value":
                yield from sourced_nodes(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from sourced_nodes(child, (*path, index))


def walk_sourced(model: BaseModel) -> Iterator[Sourced[Any]]:
    if isinstance(model, Sourced):
        yield model
        return
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from walk_sourced(item)


def test_there_is_a_file_for_every_provider_in_reference_section_4() -> None:
    keys = {f.stem.split("@")[0] for f in FILES}
    assert keys >= {
        "aws-ec2-region",
        "aws-ec2-instance",
        "gcp-compute-single-instance",
        "gcp-compute-multi-zone",
        "azure-vm-availability-zones",
        "azure-vm-availability-set",
        "azure-vm-single-instance",
        "digitalocean-droplets",
        "linode-compute",
        "vultr",
        "hetzner-cloud",
        "ovhcloud-dedicated",
        "leaseweb-public-cloud",
        "equinix-colocation",
    }


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_schema_accepts_every_shipped_file(path: Path) -> None:
    policy = load_policy_file(path)
    assert path.name == f"{policy.ref}.yaml"
    assert policy.sources


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_fact_has_source_and_status(path: Path) -> None:
    policy = load_policy_file(path)
    facts = list(walk_sourced(policy))
    assert len(facts) >= 10
    for fact in facts:
        assert fact.source.strip()
        assert fact.status in STATUSES
        if fact.status == "verified":
            assert fact.value is not None
            assert fact.checked is not None


@pytest.mark.parametrize("path", FILES, ids=IDS)
@pytest.mark.parametrize("drop", ["source", "status"])
def test_a_fact_without_source_or_status_is_refused(path: Path, drop: str) -> None:
    data = raw(path)
    nodes = list(sourced_nodes(data))
    assert nodes
    for node_path in nodes:
        broken = copy.deepcopy(data)
        target: Any = broken
        for part in node_path:
            target = target[part]
        del target[drop]
        with pytest.raises(InvalidInput) as info:
            parse_policy(broken, origin=path.name)
        field = info.value.params["field"]
        assert isinstance(field, str)
        assert field.startswith(".".join(str(p) for p in node_path))


def _is_sourced(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, Sourced):
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return all(_is_sourced(a) for a in args)
    if origin is list:
        return all(_is_sourced(a) for a in typing.get_args(annotation))
    return False


@pytest.mark.parametrize("section", [Commitment, Measurement, CreditTerms])
def test_every_term_in_the_schema_is_a_sourced_fact(section: type[BaseModel]) -> None:
    for name, info in section.model_fields.items():
        assert _is_sourced(info.annotation), f"{section.__name__}.{name} is not Sourced"


def test_claim_terms_are_sourced_facts() -> None:
    for name, info in Policy.model_fields["claim"].annotation.model_fields.items():  # type: ignore[union-attr]
        assert _is_sourced(info.annotation), f"claim.{name} is not Sourced"


def test_yaml_decimals_are_exact() -> None:
    policy = load_policy_file(DATA / "aws-ec2-region@as-of-2026-11.yaml")
    schedule = policy.credit.schedule.value
    assert isinstance(schedule, AvailabilityTiers)
    assert schedule.tiers[0].upper == Decimal("99.99")
    assert str(schedule.tiers[1].upper) == "99.0"  # written as the provider writes it


def _aws() -> dict[str, Any]:
    return raw(DATA / "aws-ec2-region@as-of-2026-11.yaml")


def test_verified_fact_without_a_value_is_refused(check_error: Any) -> None:
    data = _aws()
    del data["commitment"]["target_percent"]["value"]
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    check_error(info.value, "sla.error.file_invalid")
    assert info.value.params["field"] == "commitment.target_percent"


def test_verified_fact_without_a_checked_date_is_refused() -> None:
    data = _aws()
    del data["credit"]["schedule"]["checked"]
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert info.value.params["field"] == "credit.schedule"


def test_unknown_status_and_unknown_fields_are_refused() -> None:
    data = _aws()
    data["commitment"]["target_percent"]["status"] = "probably"
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert info.value.params["field"] == "commitment.target_percent.status"

    data = _aws()
    data["commitment"]["target_percent"]["confidence"] = "high"
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert info.value.params["field"] == "commitment.target_percent.confidence"


def test_float_percent_is_refused() -> None:
    data = _aws()
    data["commitment"]["target_percent"]["value"] = 99.99  # a binary float, not YAML's decimal
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert info.value.params["field"] == "commitment.target_percent.value"


def test_tiers_must_be_contiguous_and_end_at_the_commitment() -> None:
    data = _aws()
    data["credit"]["schedule"]["value"]["tiers"][1]["upper"] = Decimal("98.0")
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert str(info.value.params["field"]).startswith("credit.schedule.value.availability_tiers")

    data = _aws()
    data["commitment"]["target_percent"]["value"] = Decimal("99.95")
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert "99.95" in str(info.value.params["problem"])


def test_duration_brackets_must_cover_all_lengths() -> None:
    data = raw(DATA / "vultr@as-of-2026-11.yaml")
    del data["credit"]["schedule"]["value"]["brackets"][2]
    with pytest.raises(InvalidInput):
        parse_policy(data, origin="x.yaml")
    data = raw(DATA / "vultr@as-of-2026-11.yaml")
    policy = parse_policy(data, origin="x.yaml")
    assert isinstance(policy.credit.schedule.value, OutageDurationBrackets)


def test_unknown_time_zone_is_refused() -> None:
    data = _aws()
    data["measurement"]["timezone"]["value"] = "Mars/Olympus_Mons"
    with pytest.raises(InvalidInput) as info:
        parse_policy(data, origin="x.yaml")
    assert info.value.params["field"] == "measurement.timezone"


def test_file_errors_say_what_and_where(tmp_path: Path, check_error: Any) -> None:
    with pytest.raises(NotFound) as missing:
        load_policy_file(tmp_path / "nope.yaml")
    check_error(missing.value, "sla.error.file_missing")

    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as not_yaml:
        load_policy_file(bad_yaml)
    check_error(not_yaml.value, "sla.error.file_not_yaml")

    a_list = tmp_path / "list.yaml"
    a_list.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as not_mapping:
        load_policy_file(a_list)
    check_error(not_mapping.value, "sla.error.file_not_mapping")

    contract = tmp_path / "contract.yaml"
    text = (DATA / "ovhcloud-dedicated@as-of-2026-11.yaml").read_text(encoding="utf-8")
    contract.write_text(text.replace("percent_per_interval: 5", "percent_per_interval: 500"))
    with pytest.raises(InvalidInput) as invalid:
        load_policy_file(contract)
    check_error(invalid.value, "sla.error.file_invalid")
    assert invalid.value.params["path"] == str(contract)
    assert invalid.value.params["field"] == (
        "credit.schedule.value.per_started_interval.percent_per_interval"
    )
    assert "percent_per_interval" in invalid.value.render("en")
    assert "percent_per_interval" in invalid.value.render("zh")


def test_a_contract_file_with_its_own_terms_loads(tmp_path: Path) -> None:
    contract = tmp_path / "my-contract.yaml"
    text = (DATA / "ovhcloud-dedicated@as-of-2026-11.yaml").read_text(encoding="utf-8")
    contract.write_text(
        text.replace("key: ovhcloud-dedicated", "key: acme-contract").replace(
            "value: 99.9\n", "value: 99.95\n"
        ),
        encoding="utf-8",
    )
    policy = load_policy_file(contract)
    assert policy.ref == "acme-contract@as-of-2026-11"
    assert policy.commitment.target_percent.value == Decimal("99.95")
