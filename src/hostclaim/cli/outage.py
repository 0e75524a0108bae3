"""``hostclaim outage``: raw monitoring data → incidents on the case, availability, latency."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Annotated, Any

import typer
from rich.table import Table

from hostclaim.cli.common import (
    JSON_OPTION,
    TZ_OPTION,
    console,
    make_app,
    print_json,
    time_arg,
    when,
    workspace,
)
from hostclaim.domain.timeutil import fmt_duration, iso_utc, zone
from hostclaim.i18n import t
from hostclaim.services import outages
from hostclaim.services.monitoring import parse_duration
from hostclaim.services.records import ref_of

app = make_app("help.group.outage")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))


def _opt(key: str, *names: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=t(f"monitoring.opt.{key}"), metavar=metavar)


def pct(value: float | None) -> str:
    """A share as a percent with 4 decimals, rounded down: a figure just under a tier bound
    never shows as equal to it (as in the SLA computation)."""
    if value is None:
        return "—"
    shown = (Decimal(repr(value)) * 100).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    return f"{shown:f}%"


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@app.command("analyze", help=t("monitoring.help.analyze"))
def analyze(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    target: Annotated[list[str] | None, _opt("analyze_target", "--target", metavar="NAME")] = None,
    start: Annotated[str | None, _opt("from", "--from", metavar="TIME")] = None,
    end: Annotated[str | None, _opt("to", "--to", metavar="TIME")] = None,
    tz: Annotated[str | None, TZ_OPTION] = None,
    min_duration: Annotated[str, _opt("min_duration", "--min-duration", metavar="DURATION")] = "0",
    merge_tolerance: Annotated[
        str, _opt("merge_tolerance", "--merge-tolerance", metavar="DURATION")
    ] = "0",
    quorum: Annotated[float, _opt("quorum", "--quorum", metavar="SHARE")] = 0.5,
    as_json: bool = JSON_OPTION,
) -> None:
    analysis = outages.analyze_case(
        workspace(ctx),
        case_ref,
        targets=target or None,
        start=time_arg(start, tz),
        end=time_arg(end, tz),
        min_duration=parse_duration(min_duration, what="--min-duration"),
        merge_tolerance=parse_duration(merge_tolerance, what="--merge-tolerance"),
        quorum=quorum,
    )
    if as_json:
        print_json(_json(analysis))
        return
    _print(analysis)


def _json(analysis: outages.OutageAnalysis) -> dict[str, Any]:
    result = analysis.result
    return {
        "case": analysis.case_ref,
        "rows": analysis.rows,
        "segments": analysis.segments,
        "window": None
        if analysis.window is None
        else [iso_utc(analysis.window[0]), iso_utc(analysis.window[1])],
        "incidents": [
            {
                "ref": ref_of(r.record),
                "new": r.new,
                "target": r.found.target,
                "start": iso_utc(r.found.start),
                "end": iso_utc(r.found.end),
                "duration_s": r.found.duration.total_seconds(),
                "down_s": r.found.down_s,
                "unknown_s": r.found.unknown_s,
                "vantages": list(r.found.vantages),
                "first_error": r.found.first_error,
                "first_detail": r.found.first_detail,
                "evidence": [f"E{n}" for n in r.record.evidence_numbers],
            }
            for r in analysis.incidents
        ],
        "periods": [
            {
                "target": p.target,
                "start": iso_utc(p.start),
                "end": iso_utc(p.end),
                "availability": p.availability,
                "coverage": p.coverage,
                "availability_if_unknown_down": p.availability_if_unknown_down,
                "down_s": p.down_s,
                "unknown_s": p.unknown_s,
                "excluded_s": p.excluded_s,
                "incidents": p.incidents,
            }
            for p in result.periods
        ],
        "latency": [
            {
                "target": s.target,
                "vantage": s.vantage,
                "samples": s.samples,
                "known_samples": s.known_samples,
                "down_samples": s.down_samples,
                "loss": s.loss,
                "p50_ms": s.p50_ms,
                "p95_ms": s.p95_ms,
                "p99_ms": s.p99_ms,
            }
            for s in result.latency
        ],
        "method": result.method.statement(),
        "deadlines": [ref_of(d) for d in analysis.deadlines],
        "notes": [n.render() for n in analysis.notes],
    }


def _print(analysis: outages.OutageAnalysis) -> None:
    result, tz = analysis.result, analysis.service_tz
    console.print(
        t(
            "monitoring.cli.analysed",
            rows=f"{analysis.rows:,}",
            segments=", ".join(analysis.segments),
            count=len(analysis.incidents),
            new=analysis.new_count,
        )
    )
    if analysis.incidents:
        table = Table(
            t("col.ref"),
            t("col.target"),
            t("col.start"),
            t("col.end"),
            t("col.duration"),
            t("monitoring.col.down"),
            t("monitoring.col.vantages"),
            t("monitoring.col.first_error"),
            t("col.evidence"),
            "",
        )
        for r in analysis.incidents:
            found = r.found
            table.add_row(
                ref_of(r.record),
                found.target,
                when(found.start, tz),
                when(found.end, tz),
                fmt_duration(found.duration),
                fmt_duration(timedelta(seconds=found.down_s)),
                ", ".join(found.vantages),
                found.first_error or "—",
                ", ".join(f"E{n}" for n in r.record.evidence_numbers) or "—",
                t("monitoring.cli.new") if r.new else t("monitoring.cli.known"),
            )
        console.print(table)
    periods = Table(
        t("col.target"),
        t("monitoring.col.period"),
        t("monitoring.col.availability"),
        t("monitoring.col.coverage"),
        t("monitoring.col.if_unknown_down"),
        t("monitoring.col.down"),
        t("monitoring.col.unknown"),
        t("monitoring.col.incidents"),
        title=t("monitoring.cli.periods_title", tz=tz),
    )
    pooled = len(result.targets) > 1
    for p in result.periods:
        if p.target is None and not pooled:
            continue  # one target: the pooled figure is the same
        label = (
            p.start.astimezone(zone(tz)).strftime("%Y-%m")
            if result.method.calendar_months
            else f"{when(p.start, tz)} → {when(p.end, tz)}"
        )
        periods.add_row(
            p.target or t("monitoring.cli.all_targets"),
            label,
            pct(p.availability),
            pct(p.coverage),
            pct(p.availability_if_unknown_down),
            fmt_duration(timedelta(seconds=p.down_s)),
            fmt_duration(timedelta(seconds=p.unknown_s)),
            str(p.incidents),
        )
    console.print(periods)
    latency = Table(
        t("col.target"),
        t("monitoring.col.vantage"),
        t("monitoring.col.samples"),
        t("monitoring.col.loss"),
        "p50 ms",
        "p95 ms",
        "p99 ms",
        title=t("monitoring.cli.latency_title"),
    )
    for s in result.latency:
        latency.add_row(
            s.target,
            s.vantage,
            f"{s.samples:,}",
            pct(s.loss),
            ms(s.p50_ms),
            ms(s.p95_ms),
            ms(s.p99_ms),
        )
    console.print(latency)
    console.print(
        f"[dim]{t('monitoring.cli.method')}: {result.method.statement()}[/]", soft_wrap=True
    )
    if analysis.deadlines:
        console.print(
            t(
                "monitoring.cli.deadlines_added",
                refs=", ".join(ref_of(d) for d in analysis.deadlines),
            )
        )
    for note in analysis.notes:
        console.print(f"[cyan]ℹ[/] {note.render()}", soft_wrap=True)
