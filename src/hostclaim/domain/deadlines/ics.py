"""Deadlines as an iCalendar file (RFC 5545), for the calendar the user already looks at.

One VEVENT per deadline: a one-hour block that *ends* at the deadline (so the deadline is the
last moment shown, and a 23:59:59 deadline stays on its day), times in UTC, reminders relative to
the end (``TRIGGER;RELATED=END``) — by default 3 days and 1 day before. UIDs are stable: the same
deadline of the same case exported twice gets the same UID, so a re-import updates the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from hashlib import sha256

from icalendar import Alarm, Calendar, Event

from hostclaim.domain.deadlines.model import Deadline, Message, Severity
from hostclaim.domain.timeutil import iso_utc, now_utc, utc

PRODID = "-//hostclaim//deadlines//EN"
DEFAULT_ALARMS: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
EVENT_LENGTH = timedelta(hours=1)
_PRIORITY = {Severity.CRITICAL: 1, Severity.WARNING: 5, Severity.INFO: 9}


def deadline_uid(deadline: Deadline, case_ref: str) -> str:
    """Stable UID from the case, the rule, the due time (and the subject, when a rule makes
    several deadlines — one per letter, per incident — that could fall at the same time)."""
    parts = [case_ref, deadline.rule_id, iso_utc(deadline.due_at)]
    if deadline.subject:
        parts.append(deadline.subject)
    digest = sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@hostclaim"


def describe(deadline: Deadline, case_ref: str, lang: str | None = None) -> str:
    """The event's DESCRIPTION: what is due, by which rule, on whose authority, from when."""
    source = deadline.source
    start = deadline.starts_from
    lines = [
        deadline.title.render(lang),
        deadline.rule_text.render(lang),
        Message(
            "deadlines.ics.source",
            {
                "citation": source.citation,
                "status": Message(f"deadlines.status.{source.status}"),
            },
        ).render(lang),
    ]
    if source.url:
        lines.append(source.url)
    lines.append(
        Message(
            "deadlines.ics.starts_from",
            {
                "event": Message(f"deadlines.event.{start.event}"),
                "ref": f" {start.ref}" if start.ref else "",
                "at": iso_utc(start.at),
            },
        ).render(lang)
    )
    lines.append(Message("deadlines.ics.due", {"at": iso_utc(deadline.due_at)}).render(lang))
    lines.extend(f"• {caveat.render(lang)}" for caveat in deadline.caveats)
    lines.append(Message("deadlines.ics.case", {"case": case_ref}).render(lang))
    return "\n".join(lines)


def to_ics(
    deadlines: Iterable[Deadline],
    *,
    calendar_name: str,
    case_ref: str,
    lang: str | None = None,
    stamp: datetime | None = None,
    alarms: Sequence[timedelta] = DEFAULT_ALARMS,
) -> bytes:
    """An iCalendar file with one event per deadline.

    ``stamp`` is the DTSTAMP of every event (default: now); pass it for byte-identical output.
    ``alarms`` are how long before each deadline to remind. A deadline whose UID repeats an
    earlier one (the same rule, subject and due time) is written once.
    """
    stamped = utc(stamp) if stamp is not None else now_utc()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    seen: set[str] = set()
    for deadline in deadlines:
        uid = deadline_uid(deadline, case_ref)
        if uid in seen:
            continue
        seen.add(uid)
        calendar.add_component(_event(deadline, uid, case_ref, stamped, lang, alarms))
    return calendar.to_ical()


def _ahead(before: timedelta) -> Message:
    """``3 days`` / ``12 hours`` / ``30 minutes``, in the reader's language."""
    seconds = int(before.total_seconds())
    if seconds % 86400 == 0:
        return Message("deadlines.ics.days", {"n": seconds // 86400})
    if seconds % 3600 == 0:
        return Message("deadlines.ics.hours", {"n": seconds // 3600})
    return Message("deadlines.ics.minutes", {"n": max(seconds // 60, 0)})


def _event(
    deadline: Deadline,
    uid: str,
    case_ref: str,
    stamp: datetime,
    lang: str | None,
    alarms: Sequence[timedelta],
) -> Event:
    title = deadline.title.render(lang)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.due_at - EVENT_LENGTH)
    event.add("dtend", deadline.due_at)
    event.add("summary", title)
    event.add("description", describe(deadline, case_ref, lang))
    event.add("categories", [str(deadline.kind)])
    event.add("priority", _PRIORITY[deadline.severity])
    event.add("transp", "TRANSPARENT")
    if deadline.source.url:
        event.add("url", deadline.source.url)
    for before in alarms:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add(
            "description",
            Message("deadlines.ics.alarm", {"title": title, "when": _ahead(before)}).render(lang),
        )
        alarm.add("trigger", -before, parameters={"RELATED": "END"})
        event.add_component(alarm)
    return event
