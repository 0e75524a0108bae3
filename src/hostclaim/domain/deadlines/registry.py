"""The registry of deadline rules, and the one function that runs them over a case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType

from hostclaim.domain.deadlines.calendar_math import Period, Unit
from hostclaim.domain.deadlines.contact_rules import (
    DEFAULT_FOLLOW_UP_DAYS,
    DEFAULT_REPLY_DAYS,
    FollowUpCadenceRule,
    HandlingTimeRule,
    ReplyDueRule,
    SlaClaimWindowRule,
)
from hostclaim.domain.deadlines.inputs import DeadlineInputs, DisputeKind
from hostclaim.domain.deadlines.model import DUE_SOON, Deadline, EventKind, Severity
from hostclaim.domain.deadlines.rule import DeadlineRule
from hostclaim.domain.deadlines.scheme_rules import (
    BodyReplyRule,
    EscalationRule,
    FrenchMediatorRule,
    TimeBarRule,
)
from hostclaim.domain.deadlines.schemes import (
    AU_TIO,
    FR_MEDIATEUR,
    HK_CCSS,
    MIIT_12300,
    NL_GESCHILLEN,
    OFCOM_ADR,
    SAMR_12315,
    SG_SMALL_CLAIMS,
    SOURCES,
)
from hostclaim.errors import InvalidInput, NotFound

ALWAYS = date.min
OFCOM_SHORTER_WAIT_FROM = date(2026, 4, 8)

SCHEME_RULES: tuple[DeadlineRule, ...] = (
    EscalationRule(
        MIIT_12300,
        ((ALWAYS, Period(15, Unit.DAYS)),),
        SOURCES["miit_wait"],
        opened_by=frozenset({EventKind.PROVIDER_ANSWER, EventKind.DEADLOCK_LETTER}),
    ),
    EscalationRule(
        OFCOM_ADR,
        ((ALWAYS, Period(8, Unit.WEEKS)), (OFCOM_SHORTER_WAIT_FROM, Period(6, Unit.WEEKS))),
        SOURCES["ofcom_adr"],
        opened_by=frozenset({EventKind.DEADLOCK_LETTER}),
    ),
    FrenchMediatorRule(FR_MEDIATEUR, SOURCES["fr_mediateur"]),
    EscalationRule(NL_GESCHILLEN, ((ALWAYS, Period(1, Unit.MONTHS)),), SOURCES["nl_geschillen"]),
    EscalationRule(
        HK_CCSS,
        ((ALWAYS, Period(6, Unit.WEEKS)),),
        SOURCES["hk_ccss"],
        opened_by=frozenset({EventKind.DEADLOCK_LETTER}),
    ),
    # The TIO has no waiting period: the provider must have had the complaint first.
    EscalationRule(AU_TIO, ((ALWAYS, Period(0, Unit.HOURS)),), SOURCES["au_tio"]),
    BodyReplyRule(MIIT_12300, Period(5, Unit.BUSINESS_DAYS), SOURCES["miit_acceptance"]),
    BodyReplyRule(SAMR_12315, Period(7, Unit.BUSINESS_DAYS), SOURCES["samr_acceptance"]),
    TimeBarRule(
        MIIT_12300,
        Period(5, Unit.MONTHS),
        SOURCES["miit_time_bar"],
        suffix="billing",
        dispute_kind=DisputeKind.BILLING,
    ),
    TimeBarRule(
        MIIT_12300,
        Period(2, Unit.YEARS),
        SOURCES["miit_time_bar"],
        suffix="other",
        dispute_kind=DisputeKind.OTHER,
    ),
    TimeBarRule(SAMR_12315, Period(3, Unit.YEARS), SOURCES["samr_time_bar"]),
    TimeBarRule(FR_MEDIATEUR, Period(1, Unit.YEARS), SOURCES["fr_mediateur"], from_complaint=True),
    TimeBarRule(
        SG_SMALL_CLAIMS, Period(2, Unit.YEARS), SOURCES["sg_small_claims"], start_is_reading=True
    ),
    TimeBarRule(AU_TIO, Period(2, Unit.YEARS), SOURCES["au_tio"], start_is_reading=True),
)


def default_rules(
    *,
    reply_days: int = DEFAULT_REPLY_DAYS,
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
) -> tuple[DeadlineRule, ...]:
    """The standard rules, with the two hostclaim defaults (reply period, follow-up cadence)
    set as a case or user prefers."""
    for amount in (reply_days, follow_up_days):
        if amount < 0:
            raise InvalidInput("error.deadlines.negative_period", amount=amount)
    return (
        ReplyDueRule(default_days=reply_days),
        HandlingTimeRule(),
        SlaClaimWindowRule(),
        FollowUpCadenceRule(every_days=follow_up_days),
        *SCHEME_RULES,
    )


DEFAULT_RULES: tuple[DeadlineRule, ...] = default_rules()

RULES: Mapping[str, DeadlineRule] = MappingProxyType({r.rule_id: r for r in DEFAULT_RULES})


def rule_by_id(rule_id: str) -> DeadlineRule:
    try:
        return RULES[rule_id]
    except KeyError:
        raise NotFound("error.deadlines.unknown_rule", rule_id=rule_id) from None


_SEVERITY_FIRST = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def compute_deadlines(
    inputs: DeadlineInputs,
    rules: Iterable[DeadlineRule] = DEFAULT_RULES,
    *,
    soon: timedelta = DUE_SOON,
) -> list[Deadline]:
    """Every deadline the rules find in the case, soonest first, each marked overdue / due soon
    (within ``soon``, default 7 days) / later relative to ``inputs.now``.

    At equal times the more severe deadline comes first.
    """
    found = [
        replace(deadline, urgency=deadline.urgency_at(inputs.now, soon))
        for rule in rules
        for deadline in rule.deadlines(inputs)
    ]
    found.sort(key=lambda d: (d.due_at, _SEVERITY_FIRST[d.severity], d.rule_id, d.subject))
    return found
