"""``hostclaim sla``: availability of a period, the credit owed and the claim deadline."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.table import Table

from hostclaim.cli.common import JSON_OPTION, console, err_console, make_app, print_json, when
from hostclaim.cli.common import workspace as open_ws
from hostclaim.cli.outage import pct
from hostclaim.domain.sla import fmt_money
from hostclaim.domain.timeutil import fmt_duration, show
from hostclaim.i18n import t
from hostclaim.services import sla_report
from hostclaim.services.sla_report import IncidentClaim, SlaReport

app = make_app("help.group.sla")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))


def _opt(key: str, *names: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, help=t(f"monitoring.opt.{key}"), metavar=metavar)


@app.command("report", help=t("monitoring.help.report"))
def report(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    period: Annotated[str, _opt("period", "--period", metavar="YYYY-MM")],
    policy: Annotated[str | None, _opt("policy", "--policy", metavar="KEY@VERSION")] = None,
    policy_file: Annotated[
        Path | None, _opt("policy_file", "--policy-file", metavar="PATH")
    ] = None,
    target: Annotated[str | None, _opt("report_target", "--target", metavar="NAME")] = None,
    quorum: Annotated[float, _opt("quorum", "--quorum", metavar="SHARE")] = 0.5,
    chart: Annotated[Path | None, _opt("chart", "--chart", metavar="OUT_BASENAME")] = None,
    as_json: bool = JSON_OPTION,
) -> None:
    result = sla_report.sla_report(
        open_ws(ctx),
        case_ref,
        period=period,
        policy_ref=policy,
        policy_file=policy_file,
        target=target,
        quorum=quorum,
        chart=chart,
    )
    if as_json:
        print_json(result.as_dict())
        if result.warning:
            err_console.print(f"[bold red]⚠ {_warning_text(result)}[/]", soft_wrap=True)
        return
    _print(result)


def _state(claim: IncidentClaim, result: SlaReport) -> str:
    window = claim.window
    if window is None:
        return t("monitoring.sla.window_unknown")
    if not window.is_open(result.now):
        return f"[red]{t('monitoring.sla.closed')}[/]"
    days = window.days_remaining(result.now)
    colour = "bold red" if window.deadline - result.now <= timedelta(days=7) else "green"
    return f"[{colour}]{t('monitoring.sla.open_days', days=days)}[/]"


def _warning_text(result: SlaReport) -> str:
    claim = result.claim
    assert claim is not None and claim.window is not None
    window = claim.window
    return t(
        "monitoring.sla.warning",
        days=window.days_remaining(result.now),
        hours=int((window.deadline - result.now).total_seconds() // 3600),
        deadline=when(window.deadline, window.tz),
        last_day=window.last_day.isoformat(),
        incident=claim.ref,
    )


def _print(result: SlaReport) -> None:
    tz = result.service_tz
    policy = result.policy
    fig = result.figure
    if result.warning:
        console.print(
            Panel(f"[bold]{_warning_text(result)}[/]", style="bold white on red", expand=True)
        )
    console.rule(
        t(
            "monitoring.sla.heading",
            case=result.case_ref,
            period=result.period,
            tz=result.tz,
            target=result.target,
        )
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    origin = t(f"monitoring.sla.origin.{result.policy_origin}", ref=result.policy_evidence or "")
    grid.add_row(
        t("monitoring.field.policy"),
        f"{policy.ref} · {policy.provider} · {policy.product} ({origin})",
    )
    grid.add_row(t("monitoring.field.source"), ", ".join(policy.sources))
    grid.add_row(
        t("monitoring.field.period"),
        f"{show(result.period_start, result.tz)} → {show(result.period_end, result.tz)}",
    )
    target_pct = policy.commitment.target_percent.value
    commitment = f"{target_pct}%" if target_pct is not None else "—"
    grid.add_row(
        t("monitoring.field.availability"),
        f"[bold]{_trim(result)}%[/]  ({t('monitoring.sla.commitment', target=commitment)})",
    )
    grid.add_row(t("monitoring.field.coverage"), pct(fig.coverage))
    grid.add_row(t("monitoring.field.if_unknown_down"), pct(fig.availability_if_unknown_down))
    grid.add_row(
        t("monitoring.field.seconds"),
        t(
            "monitoring.sla.seconds",
            down=fmt_duration(timedelta(seconds=fig.down_s)),
            unknown=fmt_duration(timedelta(seconds=fig.unknown_s)),
            excluded=fmt_duration(timedelta(seconds=fig.excluded_s)),
            short=fmt_duration(timedelta(seconds=fig.short_down_s)),
        ),
    )
    console.print(grid)
    if result.thin_coverage:
        console.print(
            f"[bold yellow]⚠ {t('monitoring.sla.thin_coverage', coverage=pct(fig.coverage))}[/]",
            soft_wrap=True,
        )
    console.print(f"[dim]{t('monitoring.cli.method')}: {fig.method.statement()}[/]", soft_wrap=True)

    if result.incidents:
        table = Table(
            t("col.ref"),
            t("col.start"),
            t("col.end"),
            t("col.duration"),
            t("monitoring.col.counted"),
            t("monitoring.col.deadline"),
            t("col.status"),
            title=t("monitoring.sla.incidents_title"),
        )
        for claim in result.incidents:
            window = claim.window
            table.add_row(
                claim.ref,
                when(claim.start, tz),
                when(claim.end, tz),
                fmt_duration(claim.end - claim.start),
                t("monitoring.cli.answer_yes") if claim.counted else t("monitoring.cli.answer_no"),
                when(window.deadline, tz) if window else "—",
                _state(claim, result),
            )
        console.print(table)
    else:
        console.print(t("monitoring.sla.no_incidents"))

    credit = result.credit
    console.print(f"\n[bold]{t('monitoring.sla.credit_title')}[/]")
    if credit.tier is not None:
        lower = f"{credit.tier.lower}%" if credit.tier.lower is not None else "0%"
        console.print(
            "  "
            + t(
                "monitoring.sla.tier",
                lower=lower,
                upper=f"{credit.tier.upper}%",
                percent=f"{credit.tier.percent}%",
            )
        )
    console.print(
        "  [bold]"
        + t("monitoring.sla.amount", amount=fmt_money(credit.amount, credit.currency))
        + "[/]"
    )
    for line in credit.lines():
        console.print(f"    {line}", soft_wrap=True)

    console.print(f"\n[bold]{t('monitoring.sla.claim_title')}[/]")
    first = result.claim
    if first is None or first.window is None:
        problem = next((c.problem for c in result.incidents if c.problem is not None), None)
        console.print("  " + (problem.render() if problem else t("monitoring.sla.no_deadline")))
    else:
        window = first.window
        console.print("  " + window.deadline_text(), soft_wrap=True)
        console.print(
            "  " + t("monitoring.sla.deadline_local", deadline=when(window.deadline, tz)),
            soft_wrap=True,
        )
        console.print("  " + t("monitoring.sla.rule", rule=window.rule_text()), soft_wrap=True)
        console.print("  " + _state(first, result))
        if first.deadline_ref:
            console.print(
                "  " + t("monitoring.sla.on_case", refs=_deadline_refs(result)), soft_wrap=True
            )

    if result.procedure:
        console.print(f"\n[bold]{t('monitoring.sla.procedure_title')}[/]")
        for item in result.procedure:
            mark = "" if item.status == "verified" else f" [yellow]({item.status})[/]"
            console.print(f"  • {item.step.render()}{mark}", soft_wrap=True)

    if result.latency:
        latency = Table(
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
                s.vantage,
                f"{s.samples:,}",
                pct(s.loss),
                _ms(s.p50_ms),
                _ms(s.p95_ms),
                _ms(s.p99_ms),
            )
        console.print(latency)
    if result.chart is not None:
        console.print(t("monitoring.sla.chart", png=str(result.chart[0]), svg=str(result.chart[1])))
    if result.policy_made_case_policy and result.policy_evidence:
        console.print(t("monitoring.sla.policy_set", ref=result.policy_evidence))
    for note in result.notes:
        console.print(f"[cyan]ℹ[/] {note.render()}", soft_wrap=True)


def _deadline_refs(result: SlaReport) -> str:
    return ", ".join(c.deadline_ref for c in result.incidents if c.deadline_ref) or "—"


def _trim(result: SlaReport) -> str:
    return f"{result.availability_percent.quantize(Decimal('0.0001'), rounding=ROUND_DOWN):f}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
