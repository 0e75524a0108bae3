import pytest

from hostclaim.domain.lifecycle import Stage, check_move, next_stages
from hostclaim.errors import InvalidInput


def test_a_case_climbs_the_ladder_and_may_skip_rungs() -> None:
    check_move(Stage.PREPARING, Stage.COMPLAINED, "reported by e-mail")
    check_move(Stage.COMPLAINED, Stage.LEGAL, "provider silent for two months")


def test_every_move_needs_a_reason() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        check_move(Stage.PREPARING, Stage.COMPLAINED, "  ")


def test_no_way_back_down_but_closed_cases_can_reopen() -> None:
    with pytest.raises(InvalidInput, match="move back down"):
        check_move(Stage.THIRD_PARTY, Stage.COMPLAINED, "oops")
    check_move(Stage.LEGAL, Stage.RESOLVED, "paid")
    with pytest.raises(InvalidInput, match="reopen"):
        check_move(Stage.RESOLVED, Stage.PREPARING, "problem back")
    check_move(Stage.RESOLVED, Stage.FOLLOWING_UP, "problem back")


def test_next_stages_from_preparing_offers_every_later_rung() -> None:
    offered = next_stages(Stage.PREPARING)
    assert Stage.PREPARING not in offered
    assert offered[0] == Stage.COMPLAINED
    assert {Stage.RESOLVED, Stage.WITHDRAWN} <= set(offered)
