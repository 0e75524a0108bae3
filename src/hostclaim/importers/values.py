"""Reading the loose values monitoring exports contain: times, up/down words, latencies, errors.

Each parser raises ``RowRejected`` with a reason key when a value cannot be read; the importer
turns that into a ``BadRow`` for the record. File-level problems (a naive time without ``tz``)
raise ``InvalidInput`` instead, because every row would fail the same way.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hostclaim.domain.probes import ErrorClass, State
from hostclaim.domain.timeutil import localize
from hostclaim.errors import InvalidInput

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


class RowRejected(Exception):
    """This record cannot be used; ``reason`` is a catalog key under ``importers.bad_row``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_us(dt: datetime) -> int:
    """Microseconds since the epoch, exactly (no float on the way)."""
    return (dt - EPOCH) // _ONE_US


def tz_option(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput("importers.error.bad_tz", tz=name) from None


# --- time -------------------------------------------------------------------------------------

TIME_UNITS = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0}
"""Factor to microseconds; ns is divided instead."""


def epoch_to_us(value: float | int | str, unit: str | None = None) -> int:
    """Epoch seconds, ms, µs or ns to µs. Without ``unit``, the magnitude decides.

    Seconds up to 1e11 (year 5138), ms up to 1e14, µs up to 1e17, ns above: any real check
    time falls clearly in one band.
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            number: float | int = int(text) if text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            raise RowRejected("importers.bad_row.bad_time") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise RowRejected("importers.bad_row.bad_time")
    if number <= 0:
        raise RowRejected("importers.bad_row.bad_time")
    if unit is None:
        magnitude = abs(number)
        bands = ((1e11, "s"), (1e14, "ms"), (1e17, "us"))
        unit = next((name for limit, name in bands if magnitude < limit), "ns")
    if unit == "ns":
        return int(number) // 1000 if isinstance(number, int) else round(number / 1000)
    factor = TIME_UNITS[unit]
    if isinstance(number, int):
        return number * factor
    # Decimal places of a float epoch are what the exporter printed: round, don't truncate.
    return round(number * factor)


_NUMERIC = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_timestamp(
    raw: object,
    *,
    tz: ZoneInfo | None,
    unit: str | None = None,
    line: int | None = None,
) -> int:
    """A timestamp cell (ISO 8601 text, epoch number) to UTC µs.

    A naive ISO time needs ``tz``; without it the whole import stops with a clear error rather
    than guess the zone of evidence.
    """
    if isinstance(raw, bool) or raw is None:
        raise RowRejected("importers.bad_row.bad_time")
    if isinstance(raw, int | float):
        return epoch_to_us(raw, unit)
    if not isinstance(raw, str):
        raise RowRejected("importers.bad_row.bad_time")
    text = raw.strip()
    if not text:
        raise RowRejected("importers.bad_row.missing_time")
    if _NUMERIC.match(text):
        return epoch_to_us(text, unit)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise RowRejected("importers.bad_row.bad_time") from None
    if parsed.tzinfo is None:
        if tz is None:
            raise InvalidInput("importers.error.naive_time", value=text, line=line or 0)
        try:
            parsed = localize(parsed, tz)
        except InvalidInput:
            raise RowRejected("importers.bad_row.local_time_gap") from None
    return to_us(parsed)


# --- state ------------------------------------------------------------------------------------

_WORDS: dict[str, State] = {}
for _state, _words in {
    State.UP: "up ok okay online success successful succeeded healthy true yes pass passed good "
    "available running operational alive reachable y t",
    State.DOWN: "down fail failed failure error err offline false no critical dead unreachable "
    "timeout timedout timed_out unavailable bad outage pending n f",
    State.DEGRADED: "degraded warning warn slow partial",
    State.MAINTENANCE: "maintenance maint paused",
    State.UNKNOWN: "unknown",
}.items():
    for _word in _words.split():
        _WORDS[_word] = _state


def state_from_code(code: int) -> tuple[State, str | None]:
    """An HTTP status code: 2xx/3xx is up, anything else down (error class http_status)."""
    if 200 <= code < 400:
        return State.UP, None
    return State.DOWN, ErrorClass.HTTP_STATUS.value


def parse_state(raw: object, *, http_only: bool = False) -> tuple[State, str | None, str | None]:
    """A status cell to (state, error class, detail).

    Accepts up/down words (PENDING counts as down, as Uptime Kuma counts it), booleans, 0/1 and
    HTTP status codes (100–599). ``http_only`` is for columns named like ``status_code``, where
    only codes make sense.
    """
    if isinstance(raw, bool):
        return (State.UP, None, None) if raw else (State.DOWN, None, None)
    code: int | None = None
    if isinstance(raw, int):
        code = raw
    elif isinstance(raw, float) and raw.is_integer():
        code = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise RowRejected("importers.bad_row.missing_state")
        if text.isdigit():
            code = int(text)
        elif not http_only:
            word = text.lower().replace(" ", "_").replace("-", "_")
            state = _WORDS.get(word)
            if state is None:
                raise RowRejected("importers.bad_row.bad_state")
            return state, None, None
    if code is None:
        raise RowRejected("importers.bad_row.bad_state")
    if 100 <= code <= 599:
        state, error = state_from_code(code)
        return state, error, f"HTTP {code}"
    if not http_only and code in (0, 1):
        return (State.UP if code else State.DOWN), None, None
    raise RowRejected("importers.bad_row.bad_state")


# --- latency ----------------------------------------------------------------------------------

LATENCY_UNITS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "sec": 1000.0}
_LATENCY = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*(ns|us|µs|ms|s|sec)?\s*$")


def parse_latency(raw: object, unit: str = "ms") -> float | None:
    """A latency cell to milliseconds; empty is unknown (None). ``12.3 ms`` and ``0.5s`` work."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value, factor = float(raw), LATENCY_UNITS[unit]
    else:
        text = str(raw).strip()
        if not text or text.lower() in ("null", "none", "nan", "-", "n/a"):
            return None
        match = _LATENCY.match(text)
        if not match:
            raise RowRejected("importers.bad_row.bad_latency")
        value = float(match.group(1))
        factor = LATENCY_UNITS[match.group(2) or unit]
    if not math.isfinite(value) or value < 0:
        raise RowRejected("importers.bad_row.bad_latency")
    return value * factor


# --- error classes ----------------------------------------------------------------------------

_ERROR_PATTERNS: list[tuple[re.Pattern[str], ErrorClass]] = [
    (
        re.compile(r"no such host|enotfound|eai_again|getaddrinfo|\bdns\b|nxdomain|lookup ", re.I),
        ErrorClass.DNS,
    ),
    (re.compile(r"x509|certificate|\btls\b|\bssl\b|handshake|cert_", re.I), ErrorClass.TLS),
    (
        re.compile(r"timeout|timed out|deadline exceeded|etimedout|esockettimedout", re.I),
        ErrorClass.TIMEOUT,
    ),
    (
        re.compile(
            r"refused|econnrefused|econnreset|unreachable|no route|connect|reset by peer|"
            r"broken pipe|ehostunreach|enetunreach",
            re.I,
        ),
        ErrorClass.CONNECT,
    ),
    (re.compile(r"status code|\bhttp \d{3}\b|\b[45]\d\d\b", re.I), ErrorClass.HTTP_STATUS),
    (re.compile(r"keyword|json query|body|content|expected value", re.I), ErrorClass.CONTENT),
]


def classify_error(message: str | None) -> str | None:
    """Best-effort error class from a monitor's message; None when nothing fits."""
    if not message:
        return None
    for pattern, error_class in _ERROR_PATTERNS:
        if pattern.search(message):
            return error_class.value
    return None
