"""``hostclaim monitor``: what to probe, and monitoring data brought in from other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import RenderableType
from rich.live import Live
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from hostclaim.cli.common import (
    JSON_OPTION,
    console,
    err_console,
    make_app,
    print_json,
    when,
    workspace,
)
from hostclaim.domain.accounting import from_us
from hostclaim.domain.probes import State
from hostclaim.domain.timeutil import iso_utc
from hostclaim.i18n import t
from hostclaim.probes import LiveStatus, RunSummary
from hostclaim.services import cases, monitoring
from hostclaim.services.monitoring import CHECKS, ImportOutcome, parse_duration
from hostclaim.services.records import as_dict, ref_of

app = make_app("help.group.monitor")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))
BAD_ROWS_SHOWN = 10


def _opt(key: str, *names: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=t(f"monitoring.opt.{key}"), metavar=metavar)


@app.command("add", help=t("monitoring.help.add"))
def add(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    name: Annotated[str, _opt("name", "--name")],
    check: Annotated[str, _opt("check", "--check", metavar="|".join(CHECKS))],
    target: Annotated[str, _opt("target", "--target", metavar="URL|HOST[:PORT]")],
    interval: Annotated[str, _opt("interval", "--interval", metavar="DURATION")] = "60s",
    timeout: Annotated[str | None, _opt("timeout", "--timeout", metavar="DURATION")] = None,
    expect_status: Annotated[
        str | None, _opt("expect_status", "--expect-status", metavar="200[-299,…]")
    ] = None,
    expect_text: Annotated[str | None, _opt("expect_text", "--expect-text")] = None,
) -> None:
    row = monitoring.add_monitor(
        workspace(ctx),
        case_ref,
        monitoring.MonitorInput(
            name=name,
            check=check,
            target=target,
            interval_s=parse_duration(interval, what="--interval"),
            timeout_s=None if timeout is None else parse_duration(timeout, what="--timeout"),
            expect_status=expect_status,
            expect_text=expect_text,
        ),
    )
    console.print(t("monitoring.cli.added", ref=ref_of(row), name=row.name, target=row.target))


@app.command("list", help=t("monitoring.help.list"))
def list_(ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION) -> None:
    rows = monitoring.list_monitors(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(monitor) for _, monitor in rows])
        return
    if not rows:
        console.print(t("monitoring.cli.no_monitors", case=case_ref.upper()))
        return
    table = Table(
        t("col.ref"),
        t("monitoring.col.name"),
        t("monitoring.col.check"),
        t("col.target"),
        t("monitoring.col.interval"),
        t("monitoring.col.timeout"),
        t("monitoring.col.expect"),
    )
    for _, m in rows:
        expect = " · ".join(
            x for x in (m.expect_status, m.expect_text and f"“{m.expect_text}”") if x
        )
        table.add_row(
            ref_of(m),
            m.name,
            m.check,
            m.target,
            f"{m.interval_s:g} s",
            f"{m.timeout_s:g} s",
            expect or "—",
        )
    console.print(table)


@app.command("import", help=t("monitoring.help.import"))
def import_(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    file: Annotated[Path, typer.Argument(metavar="FILE", help=t("monitoring.arg.file"))],
    fmt: Annotated[
        str | None,
        _opt("format", "--format", metavar="uptime-kuma|prometheus|gatus|csv|jsonl|ping"),
    ] = None,
    monitor: Annotated[str | None, _opt("monitor", "--monitor", metavar="ID|NAME|all")] = None,
    tz: Annotated[str | None, _opt("tz", "--tz", metavar="ZONE")] = None,
    option: Annotated[list[str] | None, _opt("option", "--option", metavar="KEY=VALUE")] = None,
    as_json: bool = JSON_OPTION,
) -> None:
    options = monitoring.parse_options(option or [])
    if monitor is not None:
        options["monitor"] = monitor
    if tz is not None:
        options["tz"] = tz
    ws = workspace(ctx)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task(t("monitoring.cli.reading", name=file.name), total=None)

        def progress(read: int) -> None:
            bar.update(task, description=t("monitoring.cli.reading_n", name=file.name, n=read))

        outcome = monitoring.import_file(
            ws, case_ref, file, format=fmt, options=options, progress=progress
        )
    if as_json:
        print_json(_import_json(outcome))
        return
    _print_import(outcome, cases.get_case(ws, case_ref).service_tz)


def _import_json(outcome: ImportOutcome) -> dict[str, Any]:
    result = outcome.result
    bad = result.bad_rows
    return {
        "evidence": ref_of(outcome.evidence),
        "segment": ref_of(outcome.segment),
        "segment_evidence": f"E{outcome.segment.evidence_number}",
        "format": result.format,
        "options": dict(outcome.options),
        "rows_read": result.rows_read,
        "rows": result.table.num_rows,
        "targets": result.targets,
        "vantages": result.vantages,
        "start": iso_utc(outcome.start),
        "end": iso_utc(outcome.end),
        "bad_rows": len(bad),
        "bad_rows_by_reason": {t(k): n for k, n in bad.counts().items()},
        "bad_row_samples": [
            {"line": b.line_or_index, "reason": t(b.reason), "excerpt": b.excerpt}
            for b in bad[:BAD_ROWS_SHOWN]
        ],
        "notes": [note.render() for note in result.notes],
    }


def _print_import(outcome: ImportOutcome, provider_tz: str) -> None:
    result = outcome.result
    console.print(
        t(
            "monitoring.cli.imported",
            file=outcome.evidence.original_name or outcome.evidence.title,
            ref=ref_of(outcome.evidence),
            format=result.format,
            segment=ref_of(outcome.segment),
            segment_evidence=f"E{outcome.segment.evidence_number}",
        )
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row(
        t("monitoring.field.rows"),
        t("monitoring.cli.rows", rows=f"{result.table.num_rows:,}", read=f"{result.rows_read:,}"),
    )
    grid.add_row(t("monitoring.field.targets"), ", ".join(result.targets))
    grid.add_row(t("monitoring.field.vantages"), ", ".join(result.vantages))
    grid.add_row(
        t("monitoring.field.span"),
        f"{when(outcome.start, provider_tz)} → {when(outcome.end, provider_tz)}",
    )
    grid.add_row(t("monitoring.field.bad_rows"), str(len(result.bad_rows)))
    console.print(grid)
    bad = result.bad_rows
    if len(bad):
        for reason, count in sorted(bad.counts().items(), key=lambda kv: -kv[1]):
            console.print(f"  [yellow]{count:>6}[/] × {t(reason)}")
        shown = bad[:BAD_ROWS_SHOWN]
        console.print(t("monitoring.cli.bad_rows_first", n=len(shown), total=len(bad)))
        for row in shown:
            console.print(f"  [yellow]![/] {row.describe()}", soft_wrap=True)
    for note in result.notes:
        console.print(f"[cyan]ℹ[/] {note.render()}", soft_wrap=True)


@app.command("run", help=t("monitoring.help.run"))
def run(
    ctx: typer.Context,
    case_ref: Annotated[
        str | None, typer.Argument(metavar="CASE", help=t("monitoring.arg.run_case"))
    ] = None,
    vantage: Annotated[str | None, _opt("vantage", "--vantage", metavar="NAME")] = None,
    duration: Annotated[str | None, _opt("duration", "--duration", metavar="DURATION")] = None,
    reference: Annotated[
        list[str] | None, _opt("reference", "--reference", metavar="HOST:PORT|URL")
    ] = None,
    public_references: Annotated[bool, _opt("public_references", "--public-references")] = False,
    interface: Annotated[str | None, _opt("interface", "--interface", metavar="NAME|auto")] = None,
) -> None:
    seconds = None if duration is None else parse_duration(duration, what="--duration")
    probe_run = monitoring.prepare_run(
        workspace(ctx),
        case_ref,
        vantage=vantage,
        references=reference or [],
        public_references=public_references,
        interface=interface,
    )
    prober = probe_run.prober
    console.print(
        t(
            "monitoring.cli.run_start",
            count=len(probe_run.routes),
            cases=", ".join(probe_run.cases),
            vantage=prober.vantage,
        )
    )
    if not probe_run.references:
        console.print(f"[yellow]ℹ[/] {t('monitoring.cli.no_reference')}", soft_wrap=True)
    if console.is_terminal:
        with Live(
            get_renderable=lambda: _live_view(prober.live_status()),
            console=console,
            refresh_per_second=2,
        ):
            summary = probe_run.execute(seconds)
    else:
        summary = probe_run.execute(seconds)
        console.print(_live_view(prober.live_status()))
    _print_summary(probe_run, summary)


def _live_view(status: LiveStatus) -> RenderableType:
    if status.healthy is None:
        health = f"[yellow]{t('monitoring.live.health_unknown')}[/]"
    elif status.healthy:
        health = f"[green]{t('monitoring.live.healthy')}[/]"
    else:
        detail = f": {status.health_detail}" if status.health_detail else ""
        health = f"[bold red]{t('monitoring.live.unhealthy')}{detail}[/]"
    table = Table(
        t("monitoring.col.name"),
        t("monitoring.col.check"),
        t("col.target"),
        t("col.status"),
        t("monitoring.col.latency"),
        t("monitoring.col.last_check"),
        t("monitoring.col.failures"),
        title=t(
            "monitoring.live.title",
            vantage=status.vantage,
            health=health,
            done=status.checks_done,
            skipped=status.checks_skipped,
            rows=status.rows_written,
            pending=status.rows_pending,
            segments=status.segments_stored,
            p99="—" if status.lateness_p99_ms is None else f"{status.lateness_p99_ms:.0f} ms",
        ),
    )
    for item in status.targets:
        if item.state is None:
            state = "…"
        else:
            colour = {State.UP: "green", State.DOWN: "bold red", State.DEGRADED: "yellow"}.get(
                item.state, "dim"
            )
            state = f"[{colour}]{t(f'monitoring.state.{item.state.name.lower()}')}[/]"
            if item.error:
                state += f" {item.error}"
        table.add_row(
            item.name,
            item.kind,
            item.target,
            state,
            "—" if item.latency_ms is None else f"{item.latency_ms:.1f} ms",
            "—" if item.at_us is None else when(from_us(item.at_us)),
            f"{item.failures}/{item.checks}"
            + (f" ({item.consecutive_failures}×)" if item.consecutive_failures else ""),
        )
    return table


def _print_summary(probe_run: monitoring.ProbeRun, summary: RunSummary) -> None:
    console.print(
        t(
            "monitoring.cli.run_done",
            done=summary.checks_done,
            due=summary.checks_due,
            rows=summary.rows_written,
            unknown=summary.prober_unknown_rows,
            segments=summary.segments_stored,
            p99="—" if summary.lateness_p99_ms is None else f"{summary.lateness_p99_ms:.0f} ms",
        )
    )
    for ref in probe_run.cases:
        mine = [
            f"{ref_of(s)} (E{s.evidence_number})" for owner, s in probe_run.stored if owner == ref
        ]
        console.print(f"  {ref}: {', '.join(mine) or '—'}")
