"""The one protocol every deadline rule follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from hostclaim.domain.deadlines.inputs import DeadlineInputs
from hostclaim.domain.deadlines.model import Deadline, DeadlineKind, Message


@runtime_checkable
class DeadlineRule(Protocol):
    """Reads a case's :class:`DeadlineInputs` and yields the deadlines it implies (often none).

    A rule never yields a deadline due before the event it starts from, and leaves
    ``Deadline.urgency`` unset: :func:`compute_deadlines` fills it in.
    """

    @property
    def rule_id(self) -> str: ...

    @property
    def kind(self) -> DeadlineKind: ...

    def deadlines(self, inputs: DeadlineInputs) -> Iterator[Deadline]: ...


def title_of(rule_id: str, **params: object) -> Message:
    return Message(f"deadlines.title.{rule_id}", params)


def text_of(rule_id: str, **params: object) -> Message:
    return Message(f"deadlines.rule.{rule_id}", params)
