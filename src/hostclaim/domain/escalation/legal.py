"""The legal route as a checklist (source guide FAQ 3): consult a lawyer, prepare the materials,
file, the hearing, enforcement — per step what the case already has and what it lacks, and the
small-claims limits of the forums that may hear it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hostclaim.domain.case import EvidenceKind
from hostclaim.domain.directory.loader import Directory, load_directory
from hostclaim.domain.directory.models import Anchor, Body
from hostclaim.domain.directory.regions import covers
from hostclaim.domain.directory.values import Money
from hostclaim.domain.escalation.facts import CaseFacts, ContractForum, EvidenceSummary
from hostclaim.domain.escalation.gates import claimed_in
from hostclaim.domain.escalation.ladder import BODY_KINDS, Step, resolve_provider
from hostclaim.domain.escalation.text import Reason


class LegalStepKind(StrEnum):
    CONSULT_LAWYER = "consult_lawyer"
    PREPARE_MATERIALS = "prepare_materials"
    FILE_CLAIM = "file_claim"
    HEARING = "hearing"
    ENFORCEMENT = "enforcement"


class Item(StrEnum):
    """What a step needs; shown as ``escalation.item.<value>``."""

    CHRONOLOGY = "chronology"
    CONTRACT = "contract"
    AMOUNT_CALCULATION = "amount_calculation"
    FORUM_KNOWN = "forum_known"
    LAWYER_CONSULTED = "lawyer_consulted"
    STATEMENT_OF_CLAIM = "statement_of_claim"
    EVIDENCE_LIST = "evidence_list"
    COMMUNICATIONS = "communications"
    TECHNICAL_PROOF = "technical_proof"
    PAYMENT_PROOF = "payment_proof"
    LETTER_BEFORE_ACTION = "letter_before_action"
    FILED = "filed"
    HEARING_DATE = "hearing_date"
    JUDGMENT = "judgment"
    ENFORCED = "enforced"


@dataclass(frozen=True)
class LegalStep:
    step: LegalStepKind
    done: bool
    has: tuple[Item, ...]
    lacks: tuple[Item, ...]
    notes: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class ForumLimit:
    """A small-claims forum that may hear the case, its limit, and whether the claim fits."""

    body_key: str
    why: str  # contract_venue | provider_country | complainant_country
    maximum: Money
    by_consent: Money | None
    claimed: Money | None  # the claim's total in the forum's currency
    fits: bool | None  # None: nothing claimed in this currency yet (convert first)


@dataclass(frozen=True)
class LegalChecklist:
    steps: tuple[LegalStep, ...]
    forums: tuple[ForumLimit, ...]
    contract_forum: ContractForum | None


def _split(items: dict[Item, bool]) -> tuple[tuple[Item, ...], tuple[Item, ...]]:
    return (
        tuple(item for item, ok in items.items() if ok),
        tuple(item for item, ok in items.items() if not ok),
    )


def _forum_limit(body: Body, why: str, facts: CaseFacts) -> ForumLimit | None:
    limit = body.claim_limit.value if body.claim_limit else None
    if limit is None or limit.maximum is None:
        return None
    total, _others = claimed_in(facts, limit.maximum.currency)
    ceiling = limit.by_consent or limit.maximum
    return ForumLimit(
        body_key=body.key,
        why=why,
        maximum=limit.maximum,
        by_consent=limit.by_consent,
        claimed=total,
        fits=None if total is None else total.amount <= ceiling.amount,
    )


def _forums(facts: CaseFacts, directory: Directory) -> list[ForumLimit]:
    places: list[tuple[str, str | None]] = [
        ("contract_venue", facts.contract_forum.venue_country if facts.contract_forum else None),
        ("provider_country", facts.provider_country),
        ("complainant_country", facts.complainant.country),
    ]
    found: dict[str, ForumLimit] = {}
    for why, place in places:
        if place is None:
            continue
        for body in directory.bodies.values():
            if body.key in found or body.kind.value not in BODY_KINDS[Step.LEGAL]:
                continue
            if body.country_code != place and not _cross_border_fits(body, facts, place):
                continue
            limit = _forum_limit(body, why, facts)
            if limit is not None:
                found[body.key] = limit
    return list(found.values())


def _cross_border_fits(body: Body, facts: CaseFacts, place: str) -> bool:
    """A regional procedure (the European Small Claims Procedure) fits when both parties are
    inside its region and in different countries."""
    rule = body.jurisdiction.value
    if not rule.cross_border or not covers(body.country_code, place):
        return False
    both = (facts.complainant.country, facts.provider_country)
    return (
        all(country is not None and covers(body.country_code, country) for country in both)
        and both[0] != both[1]
    )


def legal_route_checklist(
    facts: CaseFacts, evidence: EvidenceSummary, directory: Directory | None = None
) -> LegalChecklist:
    directory = directory or load_directory()
    facts, provider = resolve_provider(facts, directory)
    kinds = evidence.kinds
    forum = facts.contract_forum
    forum_known = bool(forum and (forum.governing_law or forum.venue)) or bool(
        provider and provider.governing_law
    )
    forums = _forums(facts, directory)

    consult = {
        Item.CHRONOLOGY: bool(facts.contacts) or bool(facts.incidents),
        Item.CONTRACT: EvidenceKind.CONTRACT in kinds,
        Item.AMOUNT_CALCULATION: bool(facts.amounts_claimed),
        Item.FORUM_KNOWN: forum_known,
        Item.LAWYER_CONSULTED: evidence.lawyer_consulted,
    }
    prepare = {
        Item.STATEMENT_OF_CLAIM: evidence.statement_of_claim,
        Item.EVIDENCE_LIST: evidence.evidence_list,
        Item.CONTRACT: EvidenceKind.CONTRACT in kinds,
        Item.COMMUNICATIONS: EvidenceKind.COMMUNICATION in kinds or bool(facts.contacts),
        Item.TECHNICAL_PROOF: bool(
            kinds & {EvidenceKind.SYSTEM_LOG, EvidenceKind.TECHNICAL_REPORT}
        ),
        Item.PAYMENT_PROOF: EvidenceKind.PAYMENT in kinds,
        Item.LETTER_BEFORE_ACTION: facts.anchor(Anchor.LETTER_BEFORE_ACTION) is not None,
    }
    file = {
        Item.FORUM_KNOWN: forum_known or any(f.fits for f in forums),
        Item.STATEMENT_OF_CLAIM: evidence.statement_of_claim,
        Item.FILED: evidence.filed_on is not None,
    }
    hearing = {
        Item.HEARING_DATE: evidence.hearing_on is not None,
        Item.EVIDENCE_LIST: evidence.evidence_list,
        Item.JUDGMENT: evidence.judgment_on is not None,
    }
    enforce = {
        Item.JUDGMENT: evidence.judgment_on is not None,
        Item.ENFORCED: evidence.judgment_enforced,
    }

    enforcement_notes: list[Reason] = []
    venue = forum.venue_country if forum else None
    if facts.provider_country is not None and venue not in (None, facts.provider_country):
        enforcement_notes.append(
            Reason(
                "escalation.reason.enforce_abroad",
                {"venue": venue, "country": facts.provider_country},
            )
        )
    filing_notes = [
        Reason(
            "escalation.reason.forum_fits" if f.fits else "escalation.reason.forum_limit",
            {"body": f.body_key, "limit": f.maximum, "amount": f.claimed or "—"},
        )
        for f in forums
    ]
    if not forums:
        places = sorted({p for p in (facts.provider_country, facts.complainant.country) if p})
        filing_notes.append(
            Reason("escalation.reason.no_small_claims_forum", {"countries": places})
        )

    steps = []
    for kind, items, done, notes in (
        (LegalStepKind.CONSULT_LAWYER, consult, evidence.lawyer_consulted, []),
        (
            LegalStepKind.PREPARE_MATERIALS,
            prepare,
            evidence.statement_of_claim and evidence.evidence_list,
            [],
        ),
        (LegalStepKind.FILE_CLAIM, file, evidence.filed_on is not None, filing_notes),
        (LegalStepKind.HEARING, hearing, evidence.judgment_on is not None, []),
        (LegalStepKind.ENFORCEMENT, enforce, evidence.judgment_enforced, enforcement_notes),
    ):
        has, lacks = _split(items)
        steps.append(LegalStep(kind, done, has, lacks, tuple(notes)))
    return LegalChecklist(steps=tuple(steps), forums=tuple(forums), contract_forum=forum)
