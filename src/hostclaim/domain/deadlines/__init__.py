"""Deadline rules: what is due when in a case, why, and on whose authority.

``compute_deadlines(inputs)`` runs the registry of rules (:data:`DEFAULT_RULES`) over what a case
knows (:class:`DeadlineInputs`) and returns :class:`Deadline` objects, soonest first. Calendar
arithmetic (local dates, business days, DST) lives in :mod:`.calendar_math`; the iCalendar
export in :mod:`.ics`. Pure: no I/O, no clock reads except where a caller leaves ``stamp`` out of
:func:`~hostclaim.domain.deadlines.ics.to_ics`.
"""

from hostclaim.domain.deadlines.calendar_math import (
    BusinessCalendar,
    Period,
    Unit,
    add_days,
    add_months,
    add_weeks,
    add_years,
    business_calendar,
    due_after,
    end_of_day,
    local_date,
)
from hostclaim.domain.deadlines.contact_rules import (
    DEFAULT_FOLLOW_UP_DAYS,
    DEFAULT_REPLY_DAYS,
    FollowUpCadenceRule,
    HandlingTimeRule,
    ReplyDueRule,
    SlaClaimWindowRule,
)
from hostclaim.domain.deadlines.inputs import (
    BodyFiling,
    ComplainantKind,
    Contact,
    DeadlineInputs,
    Direction,
    DisputeKind,
    HandlingTime,
    LetterIssued,
    Party,
    SlaClaimDeadline,
)
from hostclaim.domain.deadlines.model import (
    DUE_SOON,
    Deadline,
    DeadlineKind,
    EventKind,
    Message,
    Severity,
    Source,
    SourceKind,
    SourceStatus,
    StartEvent,
    Urgency,
)
from hostclaim.domain.deadlines.registry import (
    DEFAULT_RULES,
    RULES,
    compute_deadlines,
    default_rules,
    rule_by_id,
)
from hostclaim.domain.deadlines.rule import DeadlineRule
from hostclaim.domain.deadlines.scheme_rules import (
    BodyReplyRule,
    EscalationRule,
    FrenchMediatorRule,
    TimeBarRule,
)

__all__ = [
    "DEFAULT_FOLLOW_UP_DAYS",
    "DEFAULT_REPLY_DAYS",
    "DEFAULT_RULES",
    "DUE_SOON",
    "RULES",
    "BodyFiling",
    "BodyReplyRule",
    "BusinessCalendar",
    "ComplainantKind",
    "Contact",
    "Deadline",
    "DeadlineInputs",
    "DeadlineKind",
    "DeadlineRule",
    "Direction",
    "DisputeKind",
    "EscalationRule",
    "EventKind",
    "FollowUpCadenceRule",
    "FrenchMediatorRule",
    "HandlingTime",
    "HandlingTimeRule",
    "LetterIssued",
    "Message",
    "Party",
    "Period",
    "ReplyDueRule",
    "Severity",
    "SlaClaimDeadline",
    "SlaClaimWindowRule",
    "Source",
    "SourceKind",
    "SourceStatus",
    "StartEvent",
    "TimeBarRule",
    "Unit",
    "Urgency",
    "add_days",
    "add_months",
    "add_weeks",
    "add_years",
    "business_calendar",
    "compute_deadlines",
    "default_rules",
    "due_after",
    "end_of_day",
    "local_date",
    "rule_by_id",
]
