from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from hostclaim.domain.sla import PolicyRegistry, list_policies, load_policy
from hostclaim.errors import InvalidInput, NotFound


def test_list_policies_gives_every_version_newest_first() -> None:
    refs = [p.ref for p in list_policies()]
    assert len(refs) == len(set(refs)) >= 16
    assert refs.index("digitalocean-droplets@2025-06-03") < refs.index(
        "digitalocean-droplets@pre-2025-06-03"
    )


def test_load_policy_without_version_gives_the_newest() -> None:
    assert load_policy("digitalocean-droplets").version == "2025-06-03"
    assert load_policy("digitalocean-droplets@pre-2025-06-03").version == "pre-2025-06-03"
    assert load_policy("aws-ec2-region").ref == "aws-ec2-region@as-of-2026-11"


def test_unknown_key_and_version(check_error: Any) -> None:
    with pytest.raises(NotFound) as unknown:
        load_policy("aws-ec3")
    check_error(unknown.value, "sla.error.unknown_policy")
    assert "aws-ec2-region" in unknown.value.render("en")

    with pytest.raises(NotFound) as version:
        load_policy("aws-ec2-region@1999-01-01")
    check_error(version.value, "sla.error.unknown_version")
    assert "as-of-2026-11" in version.value.render("zh")


def test_registry_needs_one_chain_of_versions(check_error: Any) -> None:
    old = load_policy("digitalocean-droplets@pre-2025-06-03")
    new = load_policy("digitalocean-droplets@2025-06-03")
    assert PolicyRegistry([old, new]).get("digitalocean-droplets") == new
    assert PolicyRegistry([new, old]).history("digitalocean-droplets") == [new, old]

    with pytest.raises(InvalidInput) as missing:
        PolicyRegistry([new])
    check_error(missing.value, "sla.error.bad_supersedes")

    rival = new.model_copy(update={"version": "2025-07-01"})
    with pytest.raises(InvalidInput) as two_heads:
        PolicyRegistry([old, new, rival])
    check_error(two_heads.value, "sla.error.no_single_latest")

    with pytest.raises(InvalidInput) as twice:
        PolicyRegistry([old, old])
    check_error(twice.value, "sla.error.duplicate_version")


def test_policies_from_the_registry_are_immutable() -> None:
    policy = load_policy("vultr")
    with pytest.raises(ValidationError):
        policy.version = "other"
