"""Outage accounting: from raw probe rows to incidents and availability per SLA period.

Pure and vectorised (numpy over Arrow columns); no I/O. One entry point::

    result = analyze(
        probes,                     # pyarrow Table / polars DataFrame in PROBE_SCHEMA
        tz="Europe/Berlin",         # the SLA's zone: calendar months are cut there
        periods=None,               # or [(start, end), ...] aware datetimes; default: the months
                                    # the data touches (see ``month_periods``)
        quorum=0.5,                 # share of knowing vantage points that must say DOWN
        max_gap=None,               # timedelta | seconds; default 2 × the series' median spacing
        min_duration=0,             # shortest incident counted (timedelta | seconds)
        merge_tolerance=0,          # DOWN runs closer than this form one incident
        granularity_s=60,           # 60, 300 … or None for continuous seconds
        interval_rule="any",        # "any" | "all": when an interval counts as down
        exclusions=[],              # Exclusion(start, end, target=None) or (start, end)
        presorted=False,            # True: a promise that rows are sorted by
                                    # (target, vantage, at_us), as probe segments are written
    )
    result.incidents                # list[Incident]
    result.periods                  # list[PeriodAvailability], per target and pooled (None)
    result.latency                  # list[LatencySummary] per target and vantage point
                                    # (incidents, periods, latency: computed on first access)
    result.timeline(target)         # Timeline: the target's state by quorum
    result.vantage_timeline(target, vantage)
    result.method.statement(lang)   # the method in words, "en" or "zh"

The method (stated with every figure, see ``Method.statement``):

1. **Per vantage point**, a sample's state holds from its time until the next sample of the same
   (target, vantage), at most ``max_gap``; beyond that the time is unknown. The median interval
   is the lower middle of the positive steps between samples; the last sample holds for one
   median interval (at most ``max_gap``). UNKNOWN samples (the prober itself unhealthy) are
   unknown time.
2. **Per target**, at each moment, among the vantage points that know the state: MAINTENANCE if
   any says so (excluded time); DOWN if at least ``quorum`` of them say DOWN (with 0.5: 1 of 2,
   2 of 3, but not 1 of 3); DEGRADED if any says so (counted as up, reported); else UP; UNKNOWN
   when none knows. A vantage point that falls silent leaves the quorum to the others.
3. **Incidents** are runs of DOWN; runs closer than ``merge_tolerance`` are bridged; an incident
   shorter than ``min_duration`` (start to end) does not count. Only proven DOWN inside counts;
   the bridged gaps and any unknown time inside are not down time (``unknown_s`` reports it).
4. **Availability per period** = (total − excluded − down) / (total − excluded), time-weighted,
   with down = counted incident down time; unknown time is never counted as up or down: it is
   reported as ``unknown_s`` and ``coverage``, and ``availability_if_unknown_down`` gives the figure
   had it all been down. Excluded = MAINTENANCE plus the exclusion windows. With a granularity,
   intervals aligned to the period start are classified whole: rule ``any`` (the default: an
   interval with any proven down time is a down interval, the plain reading of "minutes of
   downtime") or ``all`` (only intervals down throughout, for SLAs that say so). Unknown
   intervals follow the same rule; an interval is excluded only when wholly excluded. See
   ``periods`` for the exact wording.
5. **Latency**: per target and vantage point, loss = DOWN / known samples, p50/p95/p99 of the
   latency of UP and DEGRADED samples.

Input order: with ``presorted=True`` the groups of rows are found by galloping over the key
columns (a handful of look-ups per series) and only spot-checked: a key seen twice or time
running backwards inside a series makes the engine sort the table and start again, but rows
that break the promise in other ways are not detected. Without it, every adjacent pair of keys
is compared (exact; a few seconds more per 50 million rows) and, if the rows are not grouped,
they are put in order through a stable permutation.
Of several samples of one series at the same time, the last row wins.
"""

from __future__ import annotations

from hostclaim.domain.accounting.engine import AnalysisResult, analyze
from hostclaim.domain.accounting.model import (
    Exclusion,
    Incident,
    IntervalRule,
    LatencySummary,
    Method,
    PeriodAvailability,
    Timeline,
    from_us,
    to_us,
)
from hostclaim.domain.accounting.periods import month_periods

__all__ = [
    "AnalysisResult",
    "Exclusion",
    "Incident",
    "IntervalRule",
    "LatencySummary",
    "Method",
    "PeriodAvailability",
    "Timeline",
    "analyze",
    "from_us",
    "month_periods",
    "to_us",
]
