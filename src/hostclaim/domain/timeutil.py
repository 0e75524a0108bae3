"""Time is never naive: parse user input to aware UTC, format for storage and display."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hostclaim.errors import InvalidInput


def zone(name: str) -> ZoneInfo:
    """An IANA zone such as ``Asia/Shanghai``; a clear error for anything else."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput("error.bad_zone", zone=name) from None


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a wall-clock time, refusing times a DST change skips or repeats."""
    first = naive.replace(tzinfo=tz, fold=0)
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise InvalidInput("error.nonexistent_time", value=naive.isoformat(), zone=str(tz))
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput("error.ambiguous_time", value=naive.isoformat(), zone=str(tz))
    return first


def parse_time(text: str, tz: str | ZoneInfo | None = None) -> datetime:
    """Parse ISO 8601 with an offset, or a wall-clock time in ``tz``; return aware UTC.

    A time without offset and without ``tz`` is refused: guessing the zone of evidence is how
    a claim ends up eight hours off.
    """
    raw = text.strip()
    candidate = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        raise InvalidInput("error.bad_time", value=text) from None
    if parsed.tzinfo is None:
        if tz is None:
            raise InvalidInput("error.naive_time", value=text)
        parsed = localize(parsed, zone(tz) if isinstance(tz, str) else tz)
    return parsed.astimezone(UTC)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("error.bad_date", value=text) from None


def utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        # Values read back from SQLite lose their zone; everything stored is UTC.
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iso_utc(dt: datetime) -> str:
    """Canonical storage/ledger form: ``2026-10-03T08:15:00Z`` (microseconds only if present)."""
    value = utc(dt)
    spec = "seconds" if value.microsecond == 0 else "microseconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def now_utc() -> datetime:
    return datetime.now(UTC)


def show(dt: datetime, tz: str | ZoneInfo | None) -> str:
    """A time for people: ``2026-10-03 16:15 CST (+08:00)``."""
    target = zone(tz) if isinstance(tz, str) else (tz or ZoneInfo("UTC"))
    local = utc(dt).astimezone(target)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({offset[:3]}:{offset[3:]})"


def fmt_duration(delta: timedelta) -> str:
    """``19 h 55 min``; ``45 s`` below a minute."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} d")
    if hours:
        parts.append(f"{hours} h")
    if minutes or not parts:
        parts.append(f"{minutes} min")
    return " ".join(parts)
