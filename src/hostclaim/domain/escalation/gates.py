"""Whether one body is open to one case today, and every reason why or why not.

Gates, in the order they are reported: the body is closed; hosting is outside its remit; the
provider or the complainant is outside its area; the complainant may not use it (consumers only,
business too big); the provider is not a member of a voluntary scheme; the claimed amount does
not fit its limits; a time bar has passed; its preconditions are not met yet (with the day they
will be, when only waiting is left). All failed gates are reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hostclaim.domain.case import ComplainantType
from hostclaim.domain.directory.models import (
    Anchor,
    Body,
    BodyKind,
    BodyState,
    Condition,
    ConditionKind,
    HostingScope,
    Membership,
    OpeningPath,
    Provider,
)
from hostclaim.domain.directory.regions import covered_by_any, covers
from hostclaim.domain.directory.values import Money, Sourced, Status
from hostclaim.domain.escalation.facts import CaseFacts
from hostclaim.domain.escalation.text import Phrase, Reason


@dataclass(frozen=True)
class BodyVerdict:
    key: str
    kind: BodyKind
    open: bool
    opens_on: date | None  # when closed only by waiting: the first day it opens
    reasons: tuple[Reason, ...]


def _flags(value: Sourced[Any]) -> dict[str, bool]:
    return {"inference": value.inference, "unconfirmed": value.status is not Status.VERIFIED}


def _block(code: str, value: Sourced[Any], **params: object) -> Reason:
    return Reason(f"escalation.reason.{code}", params, blocking=True, **_flags(value))


def _info(code: str, value: Sourced[Any] | None = None, **params: object) -> Reason:
    flags = _flags(value) if value is not None else {}
    return Reason(f"escalation.reason.{code}", params, **flags)


def relevant(body: Body, facts: CaseFacts) -> bool:
    """A body matters to a case when it sits where the complainant, the provider or the
    contract's venue is."""
    places = [facts.complainant.country, facts.provider_country]
    if facts.contract_forum is not None:
        places.append(facts.contract_forum.venue_country)
    return any(place and covers(body.country_code, place) for place in places)


# -- single gates -------------------------------------------------------------------------


def _lifecycle(body: Body) -> Iterable[Reason]:
    life = body.lifecycle.value
    if life.state is BodyState.CLOSED:
        yield _block(
            "closed",
            body.lifecycle,
            no_new_from=life.no_new_cases_from or "—",
            closed_on=life.closed_on or "—",
        )


def _scope(body: Body) -> Iterable[Reason]:
    scope = body.hosting_scope.value
    if scope is HostingScope.OUT_OF_SCOPE:
        yield _block("scope_out", body.hosting_scope)
    elif scope is HostingScope.LIKELY_OUT_OF_SCOPE:
        yield _block("scope_likely_out", body.hosting_scope)
    elif scope is HostingScope.CHECK:
        yield _info("scope_check", body.hosting_scope)


def _jurisdiction(body: Body, facts: CaseFacts) -> Iterable[Reason]:
    rule, sourced = body.jurisdiction.value, body.jurisdiction
    provider_country, own_country = facts.provider_country, facts.complainant.country
    if rule.provider_in:
        if provider_country is None:
            yield _block("provider_country_unknown", sourced)
        elif not covered_by_any(rule.provider_in, provider_country):
            yield _block(
                "provider_outside", sourced, areas=rule.provider_in, country=provider_country
            )
    if rule.complainant_in and not covered_by_any(rule.complainant_in, own_country):
        yield _block("complainant_outside", sourced, areas=rule.complainant_in, country=own_country)
    if rule.cross_border and provider_country == own_country:
        yield _block("not_cross_border", sourced)


def _eligibility(body: Body, facts: CaseFacts) -> Iterable[Reason]:
    rule, sourced, who = body.eligibility.value, body.eligibility, facts.complainant
    if who.type is ComplainantType.CONSUMER:
        if not rule.consumers:
            yield _block("business_only", sourced)
        return
    if not rule.businesses:
        yield _block("consumer_only", sourced)
        return
    if rule.max_employees is not None:
        if who.employees is None:
            yield _block("size_unknown_employees", sourced, limit=rule.max_employees)
        elif who.employees > rule.max_employees:
            yield _block(
                "too_big_employees", sourced, limit=rule.max_employees, actual=who.employees
            )
    if rule.max_full_time_equivalents is not None:
        fte = who.full_time_equivalents
        if fte is None and who.employees is not None:
            fte = Decimal(who.employees)  # headcount: an upper bound for full-time equivalents
        if fte is None:
            yield _block("size_unknown_fte", sourced, limit=rule.max_full_time_equivalents)
        elif fte > rule.max_full_time_equivalents:
            yield _block("too_big_fte", sourced, limit=rule.max_full_time_equivalents, actual=fte)
    if rule.max_turnover is not None:
        turnover = who.annual_turnover
        if turnover is None:
            yield _block("size_unknown_turnover", sourced, limit=rule.max_turnover)
        elif turnover.currency != rule.max_turnover.currency:
            yield _block(
                "turnover_other_currency", sourced, limit=rule.max_turnover, actual=turnover
            )
        elif turnover.amount > rule.max_turnover.amount:
            yield _block("too_big_turnover", sourced, limit=rule.max_turnover, actual=turnover)


def _membership(body: Body, facts: CaseFacts, provider: Provider | None) -> Iterable[Reason]:
    rule = body.membership.value
    if rule is Membership.VOLUNTARY:
        listed = {ref.value for ref in provider.adr_memberships} if provider else set()
        if body.key not in listed | set(facts.provider_memberships):
            yield _block("provider_not_member", body.membership)
    elif rule is Membership.COMPULSORY:
        yield _info("compulsory_member", body.membership)


def claimed_in(facts: CaseFacts, currency: str) -> tuple[Money | None, list[Money]]:
    """The claimed total in ``currency``, and the amounts claimed in other currencies."""
    same = [m for m in facts.amounts_claimed if m.currency == currency]
    others = [m for m in facts.amounts_claimed if m.currency != currency]
    total = Money(amount=sum((m.amount for m in same), Decimal(0)), currency=currency)
    return (total if same else None), others


def _amounts(body: Body, facts: CaseFacts) -> Iterable[Reason]:
    if body.claim_limit is None:
        return
    limit, sourced = body.claim_limit.value, body.claim_limit
    bound = limit.maximum or limit.minimum
    if bound is None:
        return
    total, others = claimed_in(facts, bound.currency)
    if others:
        yield _info("amount_other_currency", sourced, amounts=others, currency=bound.currency)
    if limit.maximum is not None:
        if total is None:
            yield _info("limit", sourced, limit=limit.maximum)
        elif total.amount <= limit.maximum.amount:
            yield _info("amount_fits", sourced, amount=total, limit=limit.maximum)
        elif limit.by_consent is not None and total.amount <= limit.by_consent.amount:
            yield _info("amount_fits_by_consent", sourced, amount=total, limit=limit.by_consent)
        else:
            yield _block("amount_over_limit", sourced, amount=total, limit=limit.maximum)
    if limit.minimum is not None and total is not None and total.amount < limit.minimum.amount:
        yield _block("amount_under_minimum", sourced, amount=total, minimum=limit.minimum)


def _time_bars(body: Body, facts: CaseFacts) -> Iterable[Reason]:
    for sourced in body.time_bars:
        bar = sourced.value
        start = facts.anchor(bar.since)
        if start is None:
            continue
        last_day = bar.period.after(start)
        params = {"date": last_day, "period": bar.period, "anchor": _anchor(bar.since)}
        if bar.applies_to is not None:
            yield _info("time_bar_partial", sourced, applies_to=bar.applies_to, **params)
        elif facts.today > last_day:
            yield _block("time_bar_passed", sourced, **params)
        else:
            yield _info("time_bar_until", sourced, **params)


# -- preconditions ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    met: bool = False
    on: date | None = None  # not met yet, but will be on this day if nothing else changes
    needs: Phrase | None = None  # not met: this event has to happen first
    dead: bool = False  # can no longer be met (a reply came; the rule is no longer in force)


def _anchor(which: Anchor) -> Phrase:
    return Phrase(f"escalation.anchor.{which.value}")


def _event(facts: CaseFacts, kind: ConditionKind) -> bool:
    if kind is ConditionKind.COMPLAINED_TO_PROVIDER:
        return facts.anchor(Anchor.COMPLAINT_FIRST_MADE) is not None
    if kind is ConditionKind.WRITTEN_COMPLAINT:
        return facts.anchor(Anchor.WRITTEN_COMPLAINT) is not None
    if kind is ConditionKind.MANAGEMENT_ESCALATION:
        return facts.anchor(Anchor.MANAGEMENT_ESCALATION) is not None
    if kind is ConditionKind.DEADLOCK_LETTER:
        return facts.deadlock_letter_at is not None
    if kind is ConditionKind.LETTER_BEFORE_ACTION:
        return facts.anchor(Anchor.LETTER_BEFORE_ACTION) is not None
    start = facts.anchor(Anchor.COMPLAINT_FIRST_MADE)  # PROVIDER_REPLIED
    return start is not None and facts.replied_between(start, facts.today)


def _check(condition: Condition, facts: CaseFacts) -> _Check:
    if condition.period is None or condition.since is None:
        if _event(facts, condition.kind):
            return _Check(met=True)
        return _Check(needs=Phrase(f"escalation.condition.{condition.kind.value}"))
    start = facts.anchor(condition.since)
    if start is None:
        return _Check(needs=_describe(condition))
    due = condition.period.after(start)
    if condition.kind is ConditionKind.NO_REPLY_WITHIN and facts.replied_between(
        start, min(due, facts.today)
    ):
        return _Check(dead=True)
    if condition.in_force_from is not None:
        due = max(due, condition.in_force_from)
    if condition.in_force_until is not None and due > condition.in_force_until:
        return _Check(dead=True)
    return _Check(met=True) if facts.today >= due else _Check(on=due)


def _describe(condition: Condition) -> Phrase:
    if condition.period is None or condition.since is None:
        return Phrase(f"escalation.condition.{condition.kind.value}")
    return Phrase(
        f"escalation.condition.{condition.kind.value}",
        {"period": condition.period, "anchor": _anchor(condition.since)},
    )


def _paths(body: Body, facts: CaseFacts) -> tuple[list[Reason], date | None]:
    """Reasons from the preconditions (empty when a path is open) and the first opening day."""
    pending: list[tuple[Sourced[OpeningPath], list[_Check], tuple[Condition, ...]]] = []
    for sourced in body.opens_when:
        conditions = sourced.value.conditions
        checks = [_check(c, facts) for c in conditions]
        if all(c.met for c in checks):
            return [], None
        if not any(c.dead for c in checks):
            pending.append((sourced, checks, conditions))
    if not body.opens_when:
        return [], None
    reasons: list[Reason] = []
    days: list[date] = []
    for sourced, checks, conditions in pending:
        missing: list[Phrase] = []
        for check in checks:
            if check.needs is not None and check.needs not in missing:
                missing.append(check.needs)
        if missing:
            reasons.append(_block("path_needs", sourced, needs=missing))
            continue
        day = max(c.on for c in checks if c.on is not None)
        waiting = [_describe(cond) for cond, c in zip(conditions, checks, strict=True) if c.on]
        reasons.append(_block("path_wait", sourced, date=day, waiting=waiting))
        days.append(day)
    if not reasons:
        reasons.append(_block("path_none", body.opens_when[0]))
    return reasons, min(days, default=None)


def judge(body: Body, facts: CaseFacts, provider: Provider | None) -> BodyVerdict:
    reasons = [
        *_lifecycle(body),
        *_scope(body),
        *_jurisdiction(body, facts),
        *_eligibility(body, facts),
        *_membership(body, facts, provider),
        *_amounts(body, facts),
        *_time_bars(body, facts),
    ]
    waiting, opens_on = _paths(body, facts)
    reasons += waiting
    blocked = [r for r in reasons if r.blocking]
    # A date to open is only meaningful when waiting is all that stands in the way.
    only_waiting = opens_on is not None and all(r in waiting for r in blocked)
    if not blocked:
        reasons.append(_info("open"))
    return BodyVerdict(
        key=body.key,
        kind=body.kind.value,
        open=not blocked,
        opens_on=opens_on if only_waiting else None,
        reasons=tuple(reasons),
    )
