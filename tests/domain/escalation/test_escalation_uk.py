"""A UK consumer, a UK micro-business and a larger UK business against a UK provider."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hostclaim.domain.escalation import LetterKind, Risk, Step, ladder

UK = {"provider_country": "GB"}


def consumer(**extra: Any) -> dict[str, Any]:
    return {"complainant": {"type": "consumer", "country": "GB"}, **UK, **extra}


def business(employees: int | None, **extra: Any) -> dict[str, Any]:
    who = {"type": "business", "country": "GB", "employees": employees}
    return {"complainant": who, **UK, **extra}


def email(day: date, **extra: Any) -> dict[str, Any]:
    return {"at": day, "direction": "outbound", "channel": "email", **extra}


@pytest.mark.parametrize(
    ("complained", "today", "opens"),
    [
        # Complaint early in 2026: the eight-week rule still runs out before 8 April.
        (date(2026, 1, 5), date(2026, 2, 10), date(2026, 3, 2)),
        # Eight weeks would end after 8 April; six weeks apply from then on.
        (date(2026, 3, 1), date(2026, 3, 30), date(2026, 4, 12)),
        # Six weeks end before 8 April but the eight weeks after: opens on 8 April.
        (date(2026, 2, 20), date(2026, 3, 30), date(2026, 4, 8)),
        # Complaint after 8 April: six weeks.
        (date(2026, 5, 1), date(2026, 5, 20), date(2026, 6, 12)),
    ],
)
def test_ofcom_adr_opens_after_the_waiting_period(
    make_facts: Any, helpers: Any, complained: date, today: date, opens: date
) -> None:
    rungs = ladder(make_facts(**consumer(complaint_first_made_at=complained), today=today))
    adr = helpers.verdict(rungs, "uk-ofcom-adr")
    assert not adr.open
    assert adr.opens_on == opens
    assert "path_wait" in helpers.codes(adr, blocking=True)
    mediation = helpers.rung(rungs, Step.MEDIATION)
    assert not mediation.open and mediation.opens_on == opens
    # Once the day comes, it is open.
    later = ladder(make_facts(**consumer(complaint_first_made_at=complained), today=opens))
    assert helpers.verdict(later, "uk-ofcom-adr").open
    assert helpers.rung(later, Step.MEDIATION).open


def test_a_deadlock_letter_opens_adr_early(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        **consumer(complaint_first_made_at=date(2026, 5, 1), deadlock_letter_at=date(2026, 5, 10)),
        today=date(2026, 5, 12),
    )
    adr = helpers.verdict(ladder(facts), "uk-ofcom-adr")
    assert adr.open and adr.opens_on is None
    assert "open" in helpers.codes(adr)


def test_adr_needs_a_complaint_first(make_facts: Any, helpers: Any) -> None:
    rungs = ladder(make_facts(**consumer(), today=date(2026, 5, 12)))
    adr = helpers.verdict(rungs, "uk-ofcom-adr")
    assert not adr.open and adr.opens_on is None
    assert helpers.codes(adr, blocking=True) == ["path_needs"] * 3
    management = helpers.rung(rungs, Step.PROVIDER_MANAGEMENT)
    assert not management.open
    assert helpers.codes(management) == ["complain_first"]
    support = helpers.rung(rungs, Step.PROVIDER_SUPPORT)
    assert support.open and support.letter is LetterKind.SUPPORT_TICKET


def test_micro_business_is_treated_like_a_consumer(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        **business(8, complaint_first_made_at=date(2026, 5, 1)), today=date(2026, 6, 12)
    )
    rungs = ladder(facts)
    assert helpers.verdict(rungs, "uk-ofcom-adr").open
    assert "b2b_outside_telecom_adr" in helpers.codes(helpers.rung(rungs, Step.MEDIATION))


def test_business_size_must_be_known(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        **business(None, complaint_first_made_at=date(2026, 5, 1)), today=date(2026, 6, 12)
    )
    adr = helpers.verdict(ladder(facts), "uk-ofcom-adr")
    assert not adr.open
    assert "size_unknown_employees" in helpers.codes(adr, blocking=True)


def test_larger_business_goes_the_contract_route(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        **business(
            50,
            complaint_first_made_at=date(2026, 5, 1),
            deadlock_letter_at=date(2026, 5, 10),
            amounts_claimed=[{"amount": "2400", "currency": "GBP"}],
        ),
        today=date(2026, 6, 20),
    )
    rungs = ladder(facts)
    adr = helpers.verdict(rungs, "uk-ofcom-adr")
    assert not adr.open and adr.opens_on is None  # waiting will not help
    assert "too_big_employees" in helpers.codes(adr, blocking=True)
    assert not helpers.rung(rungs, Step.MEDIATION).open

    legal = helpers.rung(rungs, Step.LEGAL)
    assert legal.open
    assert legal.letter is LetterKind.LETTER_BEFORE_ACTION
    assert {"consult_lawyer", "check_contract_forum", "send_lba_first"} <= set(helpers.codes(legal))
    assert Risk.LITIGATION_RISK in legal.risks
    small = helpers.verdict(rungs, "uk-small-claims")
    assert not small.open
    assert "amount_fits" in helpers.codes(small, blocking=False)
    assert helpers.codes(small, blocking=True) == ["path_needs"]


@pytest.mark.parametrize(
    ("today", "is_open", "opens_on"),
    [(date(2026, 6, 10), False, date(2026, 6, 15)), (date(2026, 6, 15), True, None)],
)
def test_small_claims_after_the_letter_before_action(
    make_facts: Any, helpers: Any, today: date, is_open: bool, opens_on: date | None
) -> None:
    facts = make_facts(
        **business(
            50,
            complaint_first_made_at=date(2026, 5, 1),
            contacts=[email(date(2026, 6, 1), letter="letter_before_action")],
            amounts_claimed=[{"amount": "2400", "currency": "GBP"}],
        ),
        today=today,
    )
    rungs = ladder(facts)
    small = helpers.verdict(rungs, "uk-small-claims")
    assert (small.open, small.opens_on) == (is_open, opens_on)
    legal = helpers.rung(rungs, Step.LEGAL)
    assert legal.letter is LetterKind.LAWYER_BRIEF
    assert "lba_sent" in helpers.codes(legal)


def test_a_claim_above_the_small_claims_limit(make_facts: Any, helpers: Any) -> None:
    facts = make_facts(
        **business(
            50,
            contacts=[email(date(2026, 6, 1), letter="letter_before_action")],
            amounts_claimed=[
                {"amount": "8000", "currency": "GBP"},
                {"amount": "3000", "currency": "GBP"},
                {"amount": "500", "currency": "EUR"},
            ],
        ),
        today=date(2026, 7, 1),
    )
    small = helpers.verdict(ladder(facts), "uk-small-claims")
    assert not small.open
    assert helpers.codes(small, blocking=True) == ["amount_over_limit"]
    assert "amount_other_currency" in helpers.codes(small, blocking=False)


def test_support_letters_follow_the_conversation(make_facts: Any, helpers: Any) -> None:
    asked = make_facts(**consumer(contacts=[email(date(2026, 5, 1))]), today=date(2026, 5, 20))
    support = helpers.rung(ladder(asked), Step.PROVIDER_SUPPORT)
    assert support.letter is LetterKind.FOLLOW_UP
    assert "awaiting_reply" in helpers.codes(support)

    answered = make_facts(
        **consumer(contacts=[email(date(2026, 5, 1), answered=True)]), today=date(2026, 5, 20)
    )
    support = helpers.rung(ladder(answered), Step.PROVIDER_SUPPORT)
    assert support.letter is LetterKind.COMPLAINT_LETTER


def test_each_rung_has_its_letter_and_risks(make_facts: Any) -> None:
    rungs = ladder(make_facts(**consumer(), today=date(2026, 5, 12)))
    assert [r.step for r in rungs] == list(Step)
    letters = {r.step: r.letter for r in rungs}
    assert letters[Step.PROVIDER_MANAGEMENT] is LetterKind.ESCALATION_MANAGEMENT
    assert letters[Step.MEDIATION] is LetterKind.MEDIATION_REQUEST
    assert letters[Step.REGULATOR] is LetterKind.REGULATOR_COMPLAINT
    assert letters[Step.CONSUMER_BODY] is LetterKind.CONSUMER_BODY_COMPLAINT
    for r in rungs:
        assert Risk.NO_FALSE_STATEMENTS in r.risks
    assert Risk.PRIVACY in rungs[0].risks and Risk.STAY_RATIONAL in rungs[0].risks


def test_the_stage_marks_the_current_rung(make_facts: Any) -> None:
    rungs = ladder(
        make_facts(
            **consumer(complaint_first_made_at=date(2026, 5, 1)),
            stage="escalated_internal",
            today=date(2026, 5, 12),
        )
    )
    assert [r.step for r in rungs if r.current] == [Step.PROVIDER_MANAGEMENT]
