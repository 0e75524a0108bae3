"""JOURNEYS §1: a Chinese e-commerce business against its German dedicated-server host."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hostclaim.domain.case import EvidenceKind
from hostclaim.domain.escalation import (
    EvidenceSummary,
    Item,
    LegalStepKind,
    LetterKind,
    Step,
    ladder,
    legal_route_checklist,
)


@pytest.fixture
def wang_min(make_facts: Any) -> Any:
    return make_facts(
        complainant={"type": "business", "country": "CN", "employees": 40},
        provider_key="hetzner",
        stage="following_up",
        incidents=[date(2026, 10, 3)],
        contacts=[
            {"at": date(2026, 10, 3), "direction": "outbound", "channel": "ticket"},
            {"at": date(2026, 10, 4), "direction": "inbound", "channel": "email"},
            {
                "at": date(2026, 10, 20),
                "direction": "outbound",
                "channel": "email",
                "letter": "complaint_letter",
            },
        ],
        complaint_first_made_at=date(2026, 10, 20),
        management_escalation_at=date(2026, 11, 5),
        amounts_claimed=[{"amount": "26.70", "currency": "EUR"}],
        contract_forum={
            "governing_law": "German law",
            "venue": "courts at the provider's seat",
            "venue_country": "DE",
        },
        today=date(2026, 11, 30),
    )


def test_consumer_routes_are_closed_to_a_business(wang_min: Any, helpers: Any) -> None:
    rungs = ladder(wang_min)
    samr = helpers.verdict(rungs, "cn-12315")
    assert not samr.open
    assert "consumer_only" in helpers.codes(samr, blocking=True)
    cca = helpers.verdict(rungs, "cn-cca")
    assert "consumer_only" in helpers.codes(cca, blocking=True)
    ecc = helpers.verdict(rungs, "eu-ecc-net")
    assert {"consumer_only", "complainant_outside"} <= set(helpers.codes(ecc, blocking=True))


def test_miit_12300_is_out_of_scope_by_inference(wang_min: Any, helpers: Any) -> None:
    miit = helpers.verdict(ladder(wang_min), "cn-miit-12300")
    assert not miit.open
    outside = next(r for r in miit.reasons if r.key.endswith(".provider_outside"))
    assert outside.blocking and outside.inference
    assert outside.params["country"] == "DE"
    assert "CN" in outside.render("en") and "DE" in outside.render("zh")


def test_no_third_party_rung_is_open(wang_min: Any, helpers: Any) -> None:
    rungs = ladder(wang_min)
    for step in (Step.MEDIATION, Step.REGULATOR, Step.CONSUMER_BODY):
        assert not helpers.rung(rungs, step).open, step
    bnetza = helpers.verdict(rungs, "de-bnetza-schlichtung")
    assert "provider_not_member" in helpers.codes(bnetza, blocking=True)
    assert "b2b_outside_telecom_adr" in helpers.codes(helpers.rung(rungs, Step.MEDIATION))


def test_route_is_support_management_letter_before_action_court(
    wang_min: Any, helpers: Any
) -> None:
    rungs = ladder(wang_min)
    support = helpers.rung(rungs, Step.PROVIDER_SUPPORT)
    assert support.open and support.current
    channels = [r for r in support.reasons if r.key.endswith(".provider_channel")]
    assert channels and "hetzner.com/support-form" in channels[0].render("en")
    management = helpers.rung(rungs, Step.PROVIDER_MANAGEMENT)
    assert management.open and "management_done" in helpers.codes(management)
    legal = helpers.rung(rungs, Step.LEGAL)
    assert legal.open and legal.letter is LetterKind.LETTER_BEFORE_ACTION
    forum = next(r for r in legal.reasons if r.key.endswith(".contract_forum"))
    assert "German law" in forum.render("en") and "German law" in forum.render("zh")


def test_provider_terms_stand_in_when_the_contract_forum_is_unknown(
    wang_min: Any, helpers: Any
) -> None:
    linode = wang_min.model_copy(update={"provider_key": "linode", "contract_forum": None})
    legal = helpers.rung(ladder(linode), Step.LEGAL)
    terms = next(r for r in legal.reasons if r.key.endswith(".provider_terms_forum"))
    assert "New Jersey" in terms.render("en")
    assert "新泽西" in terms.render("zh")


def test_legal_checklist_shows_what_the_case_has_and_lacks(wang_min: Any) -> None:
    evidence = EvidenceSummary(
        kinds=frozenset({EvidenceKind.CONTRACT, EvidenceKind.PAYMENT, EvidenceKind.SYSTEM_LOG})
    )
    checklist = legal_route_checklist(wang_min, evidence)
    steps = {s.step: s for s in checklist.steps}
    assert list(steps) == list(LegalStepKind)
    consult = steps[LegalStepKind.CONSULT_LAWYER]
    assert {Item.CONTRACT, Item.AMOUNT_CALCULATION, Item.FORUM_KNOWN} <= set(consult.has)
    assert consult.lacks == (Item.LAWYER_CONSULTED,) and not consult.done
    prepare = steps[LegalStepKind.PREPARE_MATERIALS]
    assert {Item.STATEMENT_OF_CLAIM, Item.EVIDENCE_LIST, Item.LETTER_BEFORE_ACTION} == set(
        prepare.lacks
    )
    # No small-claims procedure for Germany or China in the directory: the contract forum.
    assert checklist.forums == ()
    filing = steps[LegalStepKind.FILE_CLAIM]
    assert [n.key.rsplit(".", 1)[1] for n in filing.notes] == ["no_small_claims_forum"]
    assert steps[LegalStepKind.ENFORCEMENT].notes == ()


def test_a_chinese_venue_warns_about_enforcement_abroad(wang_min: Any) -> None:
    at_home = wang_min.model_copy(
        update={
            "contract_forum": wang_min.contract_forum.model_copy(update={"venue_country": "CN"})
        }
    )
    enforcement = legal_route_checklist(at_home, EvidenceSummary()).steps[-1]
    assert [n.key.rsplit(".", 1)[1] for n in enforcement.notes] == ["enforce_abroad"]


def test_checklist_steps_are_done_as_the_case_moves(wang_min: Any) -> None:
    evidence = EvidenceSummary(
        lawyer_consulted=True,
        statement_of_claim=True,
        evidence_list=True,
        filed_on=date(2026, 11, 20),
        hearing_on=date(2027, 1, 15),
    )
    steps = legal_route_checklist(wang_min, evidence).steps
    assert [s.done for s in steps] == [True, True, True, False, False]
