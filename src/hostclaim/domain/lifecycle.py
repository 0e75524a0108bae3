"""The escalation ladder a case moves along, and which moves are allowed."""

from __future__ import annotations

from enum import StrEnum

from hostclaim.errors import InvalidInput


class Stage(StrEnum):
    PREPARING = "preparing"
    COMPLAINED = "complained"
    FORMAL_LETTER = "formal_letter"
    FOLLOWING_UP = "following_up"
    ESCALATED_INTERNAL = "escalated_internal"
    THIRD_PARTY = "third_party"
    LEGAL = "legal"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


LADDER: tuple[Stage, ...] = (
    Stage.PREPARING,
    Stage.COMPLAINED,
    Stage.FORMAL_LETTER,
    Stage.FOLLOWING_UP,
    Stage.ESCALATED_INTERNAL,
    Stage.THIRD_PARTY,
    Stage.LEGAL,
)
TERMINAL = frozenset({Stage.RESOLVED, Stage.WITHDRAWN})


def check_move(current: Stage, target: Stage, reason: str) -> None:
    """Allow climbing the ladder (steps may be skipped), closing, and reopening a closed case.

    Going back down the ladder is refused: a complaint that was escalated stays escalated in
    the record; a reopened case restarts at following_up or later.
    """
    if not reason.strip():
        raise InvalidInput("error.stage_reason_required")
    if target == current:
        raise InvalidInput("error.stage_same", stage=current.value)
    if current in TERMINAL:
        if target in TERMINAL or LADDER.index(target) < LADDER.index(Stage.FOLLOWING_UP):
            raise InvalidInput("error.stage_reopen", stage=current.value)
        return
    if target in TERMINAL:
        return
    if LADDER.index(target) < LADDER.index(current):
        raise InvalidInput("error.stage_backwards", current=current.value, target=target.value)


def next_stages(current: Stage) -> list[Stage]:
    """The stages a user may move to from ``current``."""
    result = []
    for stage in (*LADDER, *TERMINAL):
        try:
            check_move(current, stage, "x")
        except InvalidInput:
            continue
        result.append(stage)
    return result
