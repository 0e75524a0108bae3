"""The reply a letter asks for: how long the recipient has by default, the deadline an issued
letter adds, which kinds expect no answer, and the last reply date the provider let pass."""

from __future__ import annotations

from datetime import date, datetime

from hostclaim.domain.deadlines.calendar_math import local_date
from hostclaim.errors import InvalidInput
from hostclaim.services.letters.case_file import CaseFile

DEFAULT_REPLY_DAYS = 14
REPLY_RULE = "reply_due.letter"
REPLY_KIND = "reply_due"
# Letters addressed to the provider or a body that owes an answer; a brief for one's own
# counsel is not answered by anyone, so it sets no reply deadline.
NO_REPLY_KINDS = frozenset({"lawyer_brief"})


def check_reply_days(days: int) -> None:
    if not 1 <= days <= 366:
        raise InvalidInput("letter_cli.error.bad_reply_days", value=days)


def missed_deadline(data: CaseFile, now: datetime) -> date | None:
    passed = [row for row in data.deadlines if row.kind == REPLY_KIND and row.due_at < now]
    if not passed:
        return None
    return local_date(max(passed, key=lambda row: row.due_at).due_at, data.complainant_zone)
