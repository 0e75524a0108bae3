"""The escalation ladder of a case: which rungs are open today, why, and what to send.

Rungs, in order (source guide §三 and FAQ 2): provider support → provider management →
mediation / ADR → regulator → consumer body → lawyer, small claims, court or arbitration.
Pure rules over :class:`CaseFacts` and the directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hostclaim.domain.case import ComplainantType
from hostclaim.domain.directory.loader import Directory, load_directory
from hostclaim.domain.directory.models import Anchor, BodyKind, Provider
from hostclaim.domain.escalation.facts import CaseFacts, LetterKind
from hostclaim.domain.escalation.gates import BodyVerdict, judge, relevant
from hostclaim.domain.escalation.text import Reason
from hostclaim.domain.lifecycle import Stage


class Step(StrEnum):
    PROVIDER_SUPPORT = "provider_support"
    PROVIDER_MANAGEMENT = "provider_management"
    MEDIATION = "mediation"
    REGULATOR = "regulator"
    CONSUMER_BODY = "consumer_body"
    LEGAL = "legal"


class Risk(StrEnum):
    """The legal risks the source guide warns about (FAQ 5 and its closing words)."""

    NO_FALSE_STATEMENTS = "no_false_statements"
    NO_INFRINGING_RIGHTS = "no_infringing_rights"
    PRIVACY = "privacy"
    LITIGATION_RISK = "litigation_risk"
    STAY_RATIONAL = "stay_rational"


BODY_KINDS: dict[Step, frozenset[BodyKind]] = {
    Step.MEDIATION: frozenset({BodyKind.ADR_SCHEME, BodyKind.MEDIATION}),
    Step.REGULATOR: frozenset({BodyKind.REGULATOR}),
    Step.CONSUMER_BODY: frozenset({BodyKind.CONSUMER_BODY, BodyKind.ADVICE_ONLY}),
    Step.LEGAL: frozenset({BodyKind.SMALL_CLAIMS, BodyKind.COURT, BodyKind.ARBITRATION}),
}

RISKS: dict[Step, tuple[Risk, ...]] = {
    Step.PROVIDER_SUPPORT: (Risk.NO_FALSE_STATEMENTS, Risk.PRIVACY, Risk.STAY_RATIONAL),
    Step.PROVIDER_MANAGEMENT: (
        Risk.NO_FALSE_STATEMENTS,
        Risk.NO_INFRINGING_RIGHTS,
        Risk.STAY_RATIONAL,
    ),
    Step.MEDIATION: (Risk.NO_FALSE_STATEMENTS, Risk.PRIVACY, Risk.STAY_RATIONAL),
    Step.REGULATOR: (Risk.NO_FALSE_STATEMENTS, Risk.NO_INFRINGING_RIGHTS, Risk.PRIVACY),
    Step.CONSUMER_BODY: (Risk.NO_FALSE_STATEMENTS, Risk.NO_INFRINGING_RIGHTS, Risk.PRIVACY),
    Step.LEGAL: (Risk.LITIGATION_RISK, Risk.NO_FALSE_STATEMENTS, Risk.PRIVACY),
}

LETTERS: dict[Step, LetterKind] = {
    Step.PROVIDER_MANAGEMENT: LetterKind.ESCALATION_MANAGEMENT,
    Step.MEDIATION: LetterKind.MEDIATION_REQUEST,
    Step.REGULATOR: LetterKind.REGULATOR_COMPLAINT,
    Step.CONSUMER_BODY: LetterKind.CONSUMER_BODY_COMPLAINT,
}

STAGE_STEP: dict[Stage, Step] = {
    Stage.COMPLAINED: Step.PROVIDER_SUPPORT,
    Stage.FORMAL_LETTER: Step.PROVIDER_SUPPORT,
    Stage.FOLLOWING_UP: Step.PROVIDER_SUPPORT,
    Stage.ESCALATED_INTERNAL: Step.PROVIDER_MANAGEMENT,
    Stage.LEGAL: Step.LEGAL,
}
THIRD_PARTY_STEPS = (Step.MEDIATION, Step.REGULATOR, Step.CONSUMER_BODY)


@dataclass(frozen=True)
class Rung:
    step: Step
    open: bool
    opens_on: date | None  # closed only by waiting: the first day a body of this rung opens
    reasons: tuple[Reason, ...]
    bodies: tuple[BodyVerdict, ...]  # every relevant body, open or not, with its own reasons
    letter: LetterKind
    risks: tuple[Risk, ...]
    current: bool  # the case's stage is on this rung

    @property
    def body_keys(self) -> tuple[str, ...]:
        return tuple(verdict.key for verdict in self.bodies)

    @property
    def open_body_keys(self) -> tuple[str, ...]:
        return tuple(verdict.key for verdict in self.bodies if verdict.open)


def _reason(code: str, **params: object) -> Reason:
    return Reason(f"escalation.reason.{code}", params)


def _is_current(step: Step, stage: Stage) -> bool:
    if stage is Stage.THIRD_PARTY:
        return step in THIRD_PARTY_STEPS
    return STAGE_STEP.get(stage) is step


def _support(facts: CaseFacts, provider: Provider | None) -> tuple[list[Reason], LetterKind]:
    reasons: list[Reason] = []
    if provider is not None:
        reasons += [
            _reason("provider_channel", kind=c.value.kind, address=c.value.address)
            for c in provider.support_channels
        ]
        reasons += [_reason("provider_route", text=step.value) for step in provider.complaint_route]
    complained = facts.anchor(Anchor.COMPLAINT_FIRST_MADE)
    if complained is None:
        reasons.append(_reason("support_start"))
        return reasons, LetterKind.SUPPORT_TICKET
    reasons.append(_reason("complaint_made", date=complained))
    waiting = facts.last_unanswered()
    if waiting is not None:
        reasons.append(_reason("awaiting_reply", date=waiting.at))
        return reasons, LetterKind.FOLLOW_UP
    if facts.complaint_first_made_at is None:
        # Contacts so far were support requests; the formal complaint letter is still to send.
        return reasons, LetterKind.COMPLAINT_LETTER
    return reasons, LetterKind.FOLLOW_UP


def _management(facts: CaseFacts, provider: Provider | None) -> tuple[bool, list[Reason]]:
    if facts.anchor(Anchor.COMPLAINT_FIRST_MADE) is None:
        return False, [Reason("escalation.reason.complain_first", {}, blocking=True)]
    reasons = [_reason("management_when")]
    if provider is not None:
        reasons += [_reason("provider_route", text=s.value) for s in provider.escalation_route]
    done = facts.anchor(Anchor.MANAGEMENT_ESCALATION)
    if done is not None:
        reasons.append(_reason("management_done", date=done))
    return True, reasons


def _third_party(
    step: Step, verdicts: list[BodyVerdict], facts: CaseFacts
) -> tuple[bool, date | None, list[Reason]]:
    reasons: list[Reason] = []
    if facts.complainant.type is ComplainantType.BUSINESS and step is Step.MEDIATION:
        reasons.append(_reason("b2b_outside_telecom_adr"))
    if not verdicts:
        reasons.append(Reason("escalation.reason.no_body", {}, blocking=True))
        return False, None, reasons
    is_open = any(v.open for v in verdicts)
    if not is_open:
        reasons.append(Reason("escalation.reason.no_body_open", {}, blocking=True))
    days = [v.opens_on for v in verdicts if v.opens_on is not None]
    return is_open, (None if is_open else min(days, default=None)), reasons


def _legal(facts: CaseFacts, provider: Provider | None) -> tuple[list[Reason], LetterKind]:
    reasons = [_reason("consult_lawyer")]
    forum = facts.contract_forum
    if forum is not None and (forum.governing_law or forum.venue):
        reasons.append(
            _reason(
                "contract_arbitration" if forum.arbitration else "contract_forum",
                law=forum.governing_law or "—",
                venue=forum.venue or "—",
            )
        )
    else:
        reasons.append(_reason("check_contract_forum"))
        if provider is not None:
            reasons += [
                _reason("provider_terms_forum", law=f.value.law, venue=f.value.venue or "—")
                for f in provider.governing_law
            ]
    sent = facts.anchor(Anchor.LETTER_BEFORE_ACTION)
    if sent is None:
        reasons.append(_reason("send_lba_first"))
        return reasons, LetterKind.LETTER_BEFORE_ACTION
    reasons.append(_reason("lba_sent", date=sent))
    return reasons, LetterKind.LAWYER_BRIEF


def resolve_provider(facts: CaseFacts, directory: Directory) -> tuple[CaseFacts, Provider | None]:
    """Fill the provider's country from the directory when the facts leave it out."""
    if facts.provider_key is None:
        return facts, None
    provider = directory.provider(facts.provider_key)
    if facts.provider_country is None:
        facts = facts.model_copy(update={"provider_country": provider.country_code})
    return facts, provider


def ladder(facts: CaseFacts, directory: Directory | None = None) -> list[Rung]:
    """Every rung of the ladder for this case today, in order."""
    directory = directory or load_directory()
    facts, provider = resolve_provider(facts, directory)

    def rung(
        step: Step,
        is_open: bool,
        reasons: list[Reason],
        letter: LetterKind,
        bodies: list[BodyVerdict] | None = None,
        opens_on: date | None = None,
    ) -> Rung:
        return Rung(
            step=step,
            open=is_open,
            opens_on=opens_on,
            reasons=tuple(reasons),
            bodies=tuple(bodies or ()),
            letter=letter,
            risks=RISKS[step],
            current=_is_current(step, facts.stage),
        )

    verdicts: dict[Step, list[BodyVerdict]] = {step: [] for step in BODY_KINDS}
    for body in directory.bodies.values():
        if not relevant(body, facts):
            continue
        for step, kinds in BODY_KINDS.items():
            if body.kind.value in kinds:
                verdicts[step].append(judge(body, facts, provider))
    for found in verdicts.values():
        found.sort(key=lambda v: (not v.open, v.key))

    support_reasons, support_letter = _support(facts, provider)
    management_open, management_reasons = _management(facts, provider)
    rungs = [
        rung(Step.PROVIDER_SUPPORT, True, support_reasons, support_letter),
        rung(
            Step.PROVIDER_MANAGEMENT,
            management_open,
            management_reasons,
            LETTERS[Step.PROVIDER_MANAGEMENT],
        ),
    ]
    for step in THIRD_PARTY_STEPS:
        is_open, opens_on, reasons = _third_party(step, verdicts[step], facts)
        rungs.append(rung(step, is_open, reasons, LETTERS[step], verdicts[step], opens_on))
    legal_reasons, legal_letter = _legal(facts, provider)
    # Consulting a lawyer is always possible, whatever the small-claims forums say.
    rungs.append(rung(Step.LEGAL, True, legal_reasons, legal_letter, verdicts[Step.LEGAL]))
    return rungs
