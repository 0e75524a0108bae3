"""Prometheus HTTP API answers with ``resultType: matrix`` holding blackbox_exporter series.

Export with ``GET /api/v1/query_range?query=…&start=…&end=…&step=…`` (samples evaluated at each
step) or ``GET /api/v1/query?query=probe_success[7d]`` (the raw scraped samples); put
``probe_success``, ``probe_duration_seconds`` and ``probe_http_status_code`` in one file with
``query={__name__=~"probe_success|probe_duration_seconds|probe_http_status_code"}``.

- ``probe_success`` (option ``metric``): 1 → UP, 0 → DOWN; any other value is a bad row.
- ``probe_duration_seconds`` with the same labels at the same time gives the latency;
  ``probe_http_status_code`` gives the detail (``HTTP 503``; 0 is "no HTTP response") and the
  error class ``http_status`` for a failed probe that got a 4xx/5xx.
- Target: label ``target`` when every series has it, else ``instance`` (option
  ``target_label``). Vantage: option ``vantage_label``, or the first of ``vantage``, ``probe``,
  ``instance``, ``job`` whose value differs between series of one target, or else the first
  present; option ``vantage`` sets a fixed name.
- A failed scrape gives no sample: that is a gap in the rows, and no sample is ever invented.
- An instant ``vector`` answer is refused: it holds one moment, not a history.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hostclaim.domain.probes import ErrorClass, State
from hostclaim.errors import InvalidInput
from hostclaim.importers.base import (
    BadRows,
    ImportResult,
    Note,
    RowBuilder,
    finish,
    progress_of,
    text_option,
)

SUCCESS = "probe_success"
DURATION = "probe_duration_seconds"
STATUS_CODE = "probe_http_status_code"
VANTAGE_LABELS = ("vantage", "probe", "instance", "job")

Labels = dict[str, str]
Key = frozenset[tuple[str, str]]


_Sorted = tuple[
    list[dict[str, Any]], dict[Key, dict[int, str]], dict[Key, dict[int, str]], set[str]
]
"""probe_success series; duration and status-code samples by series key; names not used."""


def _key(labels: Labels) -> Key:
    return frozenset((k, v) for k, v in labels.items() if k != "__name__")


def _at_us(ts: object) -> int:
    # Prometheus times are milliseconds written as float seconds: round to the millisecond.
    if isinstance(ts, bool) or not isinstance(ts, int | float | str):
        raise ValueError(ts)
    return round(float(ts) * 1000) * 1000


def _by_time(series: dict[str, Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for pair in series.get("values") or []:
        try:
            out[_at_us(pair[0])] = pair[1]
        except (ValueError, TypeError, IndexError):
            continue
    return out


class PrometheusImporter:
    name = "prometheus"
    options = frozenset({"metric", "target_label", "vantage_label", "vantage"})

    def detect(self, path: Path, head: bytes) -> float:
        text = head.lstrip()
        if not text.startswith(b"{"):
            return 0.0
        if b'"resultType"' in head:
            return 0.95 if b'"status"' in head else 0.8
        return 0.0

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        metric = text_option(options, "metric") or SUCCESS
        progress = progress_of(options)
        series = self._load(path)
        success, durations, codes, ignored = self._sort(series, metric)
        if not success:
            raise InvalidInput(
                "importers.error.prometheus_no_metric",
                metric=metric,
                found=", ".join(sorted(ignored)) or "-",
            )
        target_label = text_option(options, "target_label") or (
            "target" if all("target" in s["metric"] for s in success) else "instance"
        )
        fixed_vantage = text_option(options, "vantage")
        vantage_label = text_option(options, "vantage_label") or _pick_vantage_label(
            success, target_label
        )
        rows = RowBuilder()
        bad = BadRows()
        notes: list[Note] = []
        read = 0
        seen: dict[tuple[str, str], Labels] = {}
        steps: Counter[int] = Counter()
        for number, item in enumerate(success, start=1):
            labels: Labels = item["metric"]
            values = item.get("values") or []
            target = labels.get(target_label)
            if not target:
                read += len(values)
                bad.add(number, "importers.bad_row.no_target_label", json.dumps(labels))
                continue
            vantage = fixed_vantage or labels.get(vantage_label or "", "") or self.name
            other = seen.setdefault((target, vantage), labels)
            if other is not labels:
                differing = sorted(
                    k for k in set(other) | set(labels) if other.get(k) != labels.get(k)
                )
                raise InvalidInput(
                    "importers.error.prometheus_same_series",
                    target=target,
                    vantage=vantage,
                    labels=", ".join(differing),
                )
            key = _key(labels)
            latency_of = durations.get(key, {})
            code_of = codes.get(key, {})
            previous: int | None = None
            for pair in values:
                read += 1
                try:
                    at_us = _at_us(pair[0])
                    value = float(pair[1])
                except (ValueError, TypeError, IndexError):
                    bad.add(number, "importers.bad_row.bad_sample", json.dumps(pair))
                    continue
                if value not in (0.0, 1.0):
                    bad.add(number, "importers.bad_row.not_zero_one", json.dumps(pair))
                    continue
                state = State.UP if value == 1.0 else State.DOWN
                latency = _float(latency_of.get(at_us))
                code = _float(code_of.get(at_us))
                detail = error = None
                if code is not None:
                    detail = f"HTTP {int(code)}" if code > 0 else "no HTTP response"
                    if state == State.DOWN and (code >= 400 or 0 < code < 200):
                        error = ErrorClass.HTTP_STATUS.value
                rows.add(
                    target,
                    vantage,
                    at_us,
                    state,
                    round(latency * 1000, 6) if latency is not None else None,
                    error,
                    detail,
                )
                if previous is not None:
                    steps[at_us - previous] += 1
                previous = at_us
            if progress is not None:
                progress(read)
        if vantage_label and not fixed_vantage:
            notes.append(Note("importers.note.prometheus_vantage", {"label": vantage_label}))
        interval = steps.most_common(1)[0][0] / 1e6 if steps else None
        notes.append(Note("importers.note.prometheus_gaps", {"interval": interval or "?"}))
        if ignored:
            notes.append(
                Note("importers.note.prometheus_ignored", {"names": ", ".join(sorted(ignored))})
            )
        return finish(self.name, rows, rows_read=read, bad_rows=bad, notes=notes)

    @staticmethod
    def _load(path: Path) -> list[dict[str, Any]]:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                answer = json.load(handle)
        except (ValueError, UnicodeDecodeError) as problem:
            raise InvalidInput(
                "importers.error.bad_json", path=str(path), problem=str(problem)
            ) from None
        if isinstance(answer, dict) and answer.get("status", "success") != "success":
            raise InvalidInput(
                "importers.error.prometheus_failed",
                error=f"{answer.get('errorType', '')} {answer.get('error', '')}".strip(),
            )
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), dict):
            raise InvalidInput("importers.error.prometheus_shape", path=str(path))
        result_type = answer["data"].get("resultType")
        if result_type != "matrix":
            raise InvalidInput("importers.error.prometheus_not_range", result_type=result_type)
        result = answer["data"].get("result")
        if not isinstance(result, list):
            raise InvalidInput("importers.error.prometheus_shape", path=str(path))
        return [s for s in result if isinstance(s, dict) and isinstance(s.get("metric"), dict)]

    @staticmethod
    def _sort(series: list[dict[str, Any]], metric: str) -> _Sorted:
        names = {s["metric"].get("__name__") for s in series}
        # A query like max by (instance) (probe_success) drops the name: then every series is it.
        unnamed_are_success = names == {None}
        success = []
        durations: dict[Key, dict[int, str]] = {}
        codes: dict[Key, dict[int, str]] = {}
        ignored: set[str] = set()
        for item in series:
            name = item["metric"].get("__name__")
            if name == metric or (name is None and unnamed_are_success):
                success.append(item)
            elif name == DURATION:
                durations[_key(item["metric"])] = _by_time(item)
            elif name == STATUS_CODE:
                codes[_key(item["metric"])] = _by_time(item)
            else:
                ignored.add(str(name))
        return success, durations, codes, ignored


def _pick_vantage_label(success: list[dict[str, Any]], target_label: str) -> str | None:
    candidates = [label for label in VANTAGE_LABELS if label != target_label]
    per_target: dict[str, list[Labels]] = {}
    for item in success:
        labels = item["metric"]
        per_target.setdefault(labels.get(target_label, ""), []).append(labels)
    for label in candidates:
        for group in per_target.values():
            if len({labels.get(label) for labels in group}) > 1:
                return label
    for label in candidates:
        if all(label in item["metric"] for item in success):
            return label
    return None


def _float(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no value
