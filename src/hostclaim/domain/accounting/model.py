"""What the accounting engine returns: plain frozen dataclasses, times as aware UTC datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from hostclaim.domain.probes import State
from hostclaim.i18n import t

IntervalRule = Literal["any", "all"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_us(value: int) -> datetime:
    """Microseconds since the epoch (the raw rows' ``at_us``) as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=int(value))


def to_us(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a time zone")
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A window the SLA excludes (announced maintenance …), for one target or for all (None)."""

    start: datetime
    end: datetime
    target: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    """A run of proven down time of one target (at least the minimum length, short gaps bridged).

    ``duration`` is the span from start to end. Only ``down_s`` is proven down time; unknown time
    inside the span (``unknown_s``) is reported and never counted as down, and neither are the
    bridged gaps.
    """

    target: str
    start: datetime
    end: datetime
    duration: timedelta
    down_s: float
    unknown_s: float
    vantages: tuple[str, ...]
    """The vantage points with a DOWN sample in effect during the incident."""
    samples: int
    """Samples of known state from the target's vantage points taken during the incident, plus
    each vantage point's sample in effect at its start when taken before it."""
    down_samples: int
    """Of those, the DOWN samples."""
    first_error: str | None
    first_detail: str | None
    """Error class and detail of the earliest DOWN sample in effect during the incident (of two
    taken at the same moment, the one from the vantage point whose name sorts first)."""


@dataclass(frozen=True, slots=True)
class Method:
    """The accounting method behind every figure; ``statement(lang)`` says it in words."""

    tz: str
    quorum: float
    max_gap_s: float | None
    """None: twice each vantage point's median sampling interval."""
    min_duration_s: float
    merge_tolerance_s: float
    granularity_s: int | None
    interval_rule: IntervalRule
    vantages: int
    exclusions: int
    calendar_months: bool = True
    """False when the periods were given, not cut as calendar months in ``tz``."""

    def statement(self, lang: str | None = None) -> str:
        gap = (
            t("accounting.method.gap_default", lang)
            if self.max_gap_s is None
            else t("accounting.method.gap_fixed", lang, seconds=_num(self.max_gap_s))
        )
        if self.granularity_s is None:
            granularity = t("accounting.method.continuous", lang)
        else:
            size = (
                t("accounting.method.minutes", lang, n=self.granularity_s // 60)
                if self.granularity_s % 60 == 0
                else t("accounting.method.seconds", lang, n=self.granularity_s)
            )
            granularity = t(f"accounting.method.rule_{self.interval_rule}", lang, size=size)
        incidents = (
            t("accounting.method.incidents_min", lang, minimum=_num(self.min_duration_s))
            if self.min_duration_s
            else t("accounting.method.incidents_any", lang)
        )
        if self.merge_tolerance_s:
            incidents = t(
                "accounting.method.merge", lang, base=incidents, merge=_num(self.merge_tolerance_s)
            )
        excluded = (
            t("accounting.method.excluded", lang, windows=self.exclusions)
            if self.exclusions
            else t("accounting.method.excluded_none", lang)
        )
        return t(
            "accounting.method.statement",
            lang,
            time_weighted=t("accounting.method.time_weighted", lang, gap=gap),
            quorum=t(
                "accounting.method.quorum",
                lang,
                vantages=self.vantages,
                percent=_num(self.quorum * 100),
            ),
            unknown=t("accounting.method.unknown", lang),
            excluded=excluded,
            incidents=incidents,
            granularity=granularity,
            zone=t(
                "accounting.method.zone" if self.calendar_months else "accounting.method.given",
                lang,
                tz=self.tz,
            ),
        )


def _num(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class PeriodAvailability:
    """Availability of one target (or of all targets pooled: ``target`` None) in one period.

    Seconds add up: ``total_s`` = excluded + down + unknown + the rest (up). With a granularity,
    down, unknown and excluded are whole intervals as the interval rule classifies them;
    ``degraded_s`` and ``short_down_s`` are always continuous seconds, reported, counted as up.
    """

    target: str | None
    start: datetime
    end: datetime
    total_s: float
    excluded_s: float
    down_s: float
    unknown_s: float
    degraded_s: float
    short_down_s: float
    """Proven down time in runs shorter than the minimum incident length: not counted."""
    coverage: float | None
    """Known share of the counted time: (total − excluded − unknown) / (total − excluded)."""
    availability: float | None
    """(total − excluded − down) / (total − excluded), proven down only; None if all excluded."""
    availability_if_unknown_down: float | None
    incidents: int
    """Incidents with counted down time in this period."""
    method: Method

    @property
    def up_s(self) -> float:
        return self.total_s - self.excluded_s - self.down_s - self.unknown_s


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Per target and vantage point. ``loss`` = DOWN samples / known samples (UNKNOWN left out);
    latency percentiles over UP and DEGRADED samples that carry a latency (None when none do)."""

    target: str
    vantage: str
    interval_s: float | None
    """The median interval between samples (None for a single sample)."""
    samples: int
    known_samples: int
    down_samples: int
    loss: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


@dataclass(frozen=True, slots=True)
class Timeline:
    """Intervals ``[start_us, end_us)`` with a ``State`` each, sorted and contiguous.

    Time before the first and after the last interval is unknown.
    """

    start_us: npt.NDArray[np.int64]
    end_us: npt.NDArray[np.int64]
    state: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.start_us.size)

    def intervals(self) -> list[tuple[datetime, datetime, State]]:
        return [
            (from_us(s), from_us(e), State(int(v)))
            for s, e, v in zip(
                self.start_us.tolist(), self.end_us.tolist(), self.state.tolist(), strict=True
            )
        ]

    def seconds(self, state: State) -> float:
        mask = self.state == int(state)
        return float((self.end_us[mask] - self.start_us[mask]).sum()) / 1e6
