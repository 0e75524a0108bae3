"""Where SLA policies come from: the packaged YAML files, or a case's own contract file.

Packaged policies live in ``hostclaim/data/sla/<key>@<version>.yaml``, one file per version of one
provider's terms. ``load_policy("aws-ec2-region")`` gives the newest version (the one no other
version supersedes); ``load_policy("aws-ec2-region@as-of-2026-11")`` a given one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import ValidationError

from hostclaim.domain.sla.schema import Policy, split_ref
from hostclaim.errors import InvalidInput, NotFound

PACKAGED = "hostclaim.data"
FOLDER = "sla"


class _DecimalLoader(yaml.SafeLoader):
    """YAML with decimals read as ``Decimal``: ``99.99`` stays exactly what the provider wrote."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return loader.construct_yaml_float(node)  # .inf, .nan: the schema refuses them
    return number if number.is_finite() else loader.construct_yaml_float(node)


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


class PolicySource(Protocol):
    """The small protocol of a policy registry."""

    def policies(self) -> Iterable[Policy]: ...


def parse_policy(data: object, *, origin: str) -> Policy:
    """Validate already-parsed YAML; errors name the file and the field path."""
    if not isinstance(data, Mapping):
        raise InvalidInput("sla.error.file_not_mapping", path=origin)
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InvalidInput(
            "sla.error.file_invalid",
            path=origin,
            field=field,
            problem=first["msg"],
            more=len(errors) - 1,
        ) from None


def parse_policy_text(text: str, *, origin: str) -> Policy:
    try:
        data: Any = yaml.load(text, Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "?"
        raise InvalidInput("sla.error.file_not_yaml", path=origin, where=where) from None
    return parse_policy(data, origin=origin)


def load_policy_file(path: str | Path) -> Policy:
    """A case's own contract SLA, in the same schema as the shipped policies."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound("sla.error.file_missing", path=str(file)) from None
    except (OSError, UnicodeDecodeError):
        raise InvalidInput("sla.error.file_unreadable", path=str(file)) from None
    return parse_policy_text(text, origin=str(file))


class PolicyRegistry:
    """Policies by key and version, with "latest" resolved through ``supersedes``."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._by_key: dict[str, dict[str, Policy]] = {}
        for policy in policies:
            versions = self._by_key.setdefault(policy.key, {})
            if policy.version in versions:
                raise InvalidInput("sla.error.duplicate_version", ref=policy.ref)
            versions[policy.version] = policy
        self._latest = {key: self._newest(key, versions) for key, versions in self._by_key.items()}

    @staticmethod
    def _newest(key: str, versions: Mapping[str, Policy]) -> Policy:
        replaced = {p.supersedes for p in versions.values() if p.supersedes is not None}
        for policy in versions.values():
            if policy.supersedes is not None and policy.supersedes not in versions:
                raise InvalidInput(
                    "sla.error.bad_supersedes", ref=policy.ref, missing=policy.supersedes
                )
        heads = [p for p in versions.values() if p.version not in replaced]
        if len(heads) != 1:
            raise InvalidInput(
                "sla.error.no_single_latest",
                policy_key=key,
                versions=", ".join(sorted(p.version for p in heads)) or "-",
            )
        return heads[0]

    def _unknown(self, ref: str) -> NotFound:
        return NotFound("sla.error.unknown_policy", ref=ref, known=", ".join(sorted(self._by_key)))

    def policies(self) -> list[Policy]:
        """Every version, grouped by key, newest version first within a key."""
        out: list[Policy] = []
        for key in sorted(self._by_key):
            out.extend(self.history(key))
        return out

    def history(self, key: str) -> list[Policy]:
        versions = self._by_key.get(key)
        if versions is None:
            raise self._unknown(key)
        chain: list[Policy] = []
        current: Policy | None = self._latest[key]
        while current is not None and current not in chain:
            chain.append(current)
            current = versions.get(current.supersedes) if current.supersedes else None
        chain.extend(p for _, p in sorted(versions.items()) if p not in chain)
        return chain

    def get(self, ref: str) -> Policy:
        key, version = split_ref(ref)
        versions = self._by_key.get(key)
        if versions is None:
            raise self._unknown(ref)
        if version is None:
            return self._latest[key]
        policy = versions.get(version)
        if policy is None:
            raise NotFound(
                "sla.error.unknown_version",
                ref=ref,
                policy_key=key,
                versions=", ".join(sorted(versions)),
            )
        return policy


def _packaged_files() -> list[Traversable]:
    folder = resources.files(PACKAGED).joinpath(FOLDER)
    return sorted(
        (item for item in folder.iterdir() if item.name.endswith(".yaml")), key=lambda f: f.name
    )


@cache
def packaged_registry() -> PolicyRegistry:
    policies = []
    for item in _packaged_files():
        origin = f"{PACKAGED}/{FOLDER}/{item.name}"
        policy = parse_policy_text(item.read_text(encoding="utf-8"), origin=origin)
        if item.name != f"{policy.ref}.yaml":
            raise InvalidInput("sla.error.file_name_mismatch", path=origin, ref=policy.ref)
        policies.append(policy)
    return PolicyRegistry(policies)


def list_policies() -> list[Policy]:
    """Every shipped policy version, by key, newest first within a key."""
    return packaged_registry().policies()


def load_policy(ref: str) -> Policy:
    """``key`` (newest version) or ``key@version``."""
    return packaged_registry().get(ref)
