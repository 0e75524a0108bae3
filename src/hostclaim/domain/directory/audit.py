"""Walk loaded records: every sourced value with its path, and any value that is not sourced."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from hostclaim.domain.directory.values import Sourced, Status

# Our own identifiers, not facts about the world.
IDENTIFIER_FIELDS = frozenset({"key"})


def walk(node: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Yield ``(path, leaf)`` for each ``Sourced`` value and each bare value outside one."""
    if isinstance(node, Sourced):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name in IDENTIFIER_FIELDS:
                continue
            yield from walk(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            yield from walk(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from walk(item, f"{path}.{key}")
    elif node is not None:
        yield path, node


def sourced_values(record: BaseModel) -> Iterator[tuple[str, Sourced[object]]]:
    for path, leaf in walk(record):
        if isinstance(leaf, Sourced):
            yield path, leaf


def unsourced_values(record: BaseModel) -> list[str]:
    """Paths of values that carry no source, date and status (should be none)."""
    return [path for path, leaf in walk(record) if not isinstance(leaf, Sourced)]


def unconfirmed_values(record: BaseModel) -> list[tuple[str, Sourced[object]]]:
    return [(p, v) for p, v in sourced_values(record) if v.status is not Status.VERIFIED]
