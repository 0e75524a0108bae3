"""Gatus ``GET /api/v1/endpoints/{key}/statuses`` (one endpoint) or ``…/endpoints/statuses``
(a list of them).

Each endpoint is ``{"name", "group", "key", "results": [...]}``; each result carries ``status``
(HTTP code, 0 when there was no HTTP answer), ``duration`` (nanoseconds), ``errors``,
``conditionResults`` (``{"condition", "success"}``), ``success`` and ``timestamp`` (RFC 3339).

- ``success`` true → UP, false → DOWN; latency = duration / 1e6 ms.
- Error class of a failed result: from its ``errors`` text when it has some (dns, connect,
  timeout, tls …), else from the first failed condition: ``[STATUS]`` → http_status,
  ``[CONNECTED]`` → connect, ``[DNS_RCODE]`` → dns, ``[CERTIFICATE_EXPIRATION]`` → tls,
  ``[RESPONSE_TIME]`` → timeout, anything else (``[BODY]`` …) → content.
- Detail: ``HTTP <status>`` and the failed conditions / errors.
- Target: ``group/name`` (or ``name``); option ``target`` when there is one endpoint; vantage:
  option ``vantage``, default ``gatus``.

Gatus keeps only the latest results of each endpoint in memory storage (100 by default): the
import says which span it covers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
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
from hostclaim.importers.values import RowRejected, classify_error, to_us

CONDITION_CLASSES = {
    "[STATUS]": ErrorClass.HTTP_STATUS,
    "[CONNECTED]": ErrorClass.CONNECT,
    "[DNS_RCODE]": ErrorClass.DNS,
    "[CERTIFICATE_EXPIRATION]": ErrorClass.TLS,
    "[DOMAIN_EXPIRATION]": ErrorClass.DNS,
    "[RESPONSE_TIME]": ErrorClass.TIMEOUT,
}


def _endpoints(answer: object) -> list[dict[str, Any]] | None:
    if isinstance(answer, dict) and isinstance(answer.get("results"), list):
        return [answer]
    if isinstance(answer, list) and all(
        isinstance(e, dict) and isinstance(e.get("results"), list) for e in answer
    ):
        return answer
    return None


def _time(raw: object) -> int:
    if not isinstance(raw, str):
        raise RowRejected("importers.bad_row.bad_time")
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise RowRejected("importers.bad_row.bad_time") from None
    if parsed.tzinfo is None:
        raise RowRejected("importers.bad_row.bad_time")
    return to_us(parsed)


def _failure(result: dict[str, Any]) -> tuple[str | None, list[str]]:
    """Error class and the human-readable reasons of a failed result."""
    errors = [str(e) for e in result.get("errors") or [] if e]
    failed = [
        str(c.get("condition", ""))
        for c in result.get("conditionResults") or []
        if isinstance(c, dict) and not c.get("success", False)
    ]
    error_class = None
    for text in errors:
        error_class = classify_error(text)
        if error_class:
            break
    if error_class is None and failed:
        placeholder = failed[0].split(" ", 1)[0].upper()
        error_class = CONDITION_CLASSES.get(placeholder, ErrorClass.CONTENT).value
    return error_class, errors + failed


class GatusImporter:
    name = "gatus"
    options = frozenset({"target", "vantage"})

    def detect(self, path: Path, head: bytes) -> float:
        text = head.lstrip()
        if not text.startswith((b"{", b"[")):
            return 0.0
        if b'"results"' in head and (b'"conditionResults"' in head or b'"key"' in head):
            return 0.9
        return 0.0

    def read(self, path: Path, *, options: Mapping[str, Any]) -> ImportResult:
        progress = progress_of(options)
        try:
            with open(path, encoding="utf-8-sig") as handle:
                answer = json.load(handle)
        except (ValueError, UnicodeDecodeError) as problem:
            raise InvalidInput(
                "importers.error.bad_json", path=str(path), problem=str(problem)
            ) from None
        endpoints = _endpoints(answer)
        if endpoints is None:
            raise InvalidInput("importers.error.gatus_shape", path=str(path))
        target_option = text_option(options, "target")
        if target_option is not None and len(endpoints) != 1:
            raise InvalidInput("importers.error.target_needs_one_endpoint")
        vantage = text_option(options, "vantage") or self.name
        rows = RowBuilder()
        bad = BadRows()
        read = 0
        longest = 0
        for endpoint in endpoints:
            name = str(endpoint.get("name") or endpoint.get("key") or "")
            group = str(endpoint.get("group") or "")
            target = target_option or (f"{group}/{name}" if group else name)
            results = endpoint["results"]
            longest = max(longest, len(results))
            for result in results:
                read += 1
                try:
                    if not target:
                        raise RowRejected("importers.bad_row.missing_target")
                    if not isinstance(result, dict) or not isinstance(result.get("success"), bool):
                        raise RowRejected("importers.bad_row.bad_state")
                    at_us = _time(result.get("timestamp"))
                except RowRejected as rejected:
                    bad.add(read, rejected.reason, json.dumps(result)[:400])
                    continue
                duration = result.get("duration")
                latency = (
                    duration / 1e6
                    if isinstance(duration, int | float) and not isinstance(duration, bool)
                    else None
                )
                status = result.get("status")
                parts = [f"HTTP {status}"] if isinstance(status, int) and status > 0 else []
                error = None
                if result["success"]:
                    state = State.UP
                else:
                    state = State.DOWN
                    error, reasons = _failure(result)
                    parts.extend(reasons)
                detail = "; ".join(parts) or None
                rows.add(target, vantage, at_us, state, latency, error, detail)
            if progress is not None:
                progress(read)
        notes = [Note("importers.note.gatus_retention", {"count": longest})]
        return finish(self.name, rows, rows_read=read, bad_rows=bad, notes=notes)
