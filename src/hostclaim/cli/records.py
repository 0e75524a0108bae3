"""``hostclaim comm``, ``incident`` and ``demand``: contacts, outages and what is asked for."""

from __future__ import annotations

from typing import Annotated

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
from hostclaim.domain.case import (
    Channel,
    DemandKind,
    DemandStatus,
    Direction,
    parse_choice,
    parse_currency,
    parse_money,
)
from hostclaim.domain.timeutil import fmt_duration, parse_date, parse_time
from hostclaim.i18n import t
from hostclaim.services import communications, demands, incidents
from hostclaim.services.records import as_dict, ref_of

comm_app = make_app("help.group.comm")
incident_app = make_app("help.group.incident")
demand_app = make_app("help.group.demand")
CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))
EVIDENCE = typer.Option("--evidence", "-e", help=t("help.opt.evidence"), metavar="E1")


@comm_app.command("add", help=t("help.comm.add"))
def comm_add(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    at: Annotated[str, typer.Option("--at", help=t("help.opt.at"), metavar="TIME")],
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help=t("help.comm_opt.channel"), metavar="|".join(c.value for c in Channel)
        ),
    ],
    direction: Annotated[
        str,
        typer.Option("--direction", help=t("help.comm_opt.direction"), metavar="outbound|inbound"),
    ],
    summary: Annotated[str, typer.Option("--summary", help=t("help.comm_opt.summary"))],
    counterpart: Annotated[
        str | None, typer.Option("--counterpart", help=t("help.comm_opt.counterpart"))
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help=t("help.comm_opt.subject"))
    ] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help=t("help.comm_opt.ticket"))] = None,
    evidence: Annotated[list[str] | None, EVIDENCE] = None,
    tz: Annotated[str | None, TZ_OPTION] = None,
) -> None:
    row = communications.log_contact(
        workspace(ctx),
        case_ref,
        communications.ContactInput(
            at=parse_time(at, tz),
            channel=parse_choice(Channel, channel, "channel"),
            direction=parse_choice(Direction, direction, "direction"),
            summary=summary,
            counterpart=counterpart,
            subject=subject,
            ticket_ref=ticket,
            evidence=evidence or [],
        ),
    )
    console.print(t("cli.logged", ref=ref_of(row)))


@comm_app.command("list", help=t("help.comm.list"))
def comm_list(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    rows = communications.list_contacts(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(r) for r in rows])
        return
    table = Table(
        t("col.ref"),
        t("col.time"),
        t("col.channel"),
        t("col.direction"),
        t("col.counterpart"),
        t("col.ticket"),
        t("col.summary"),
    )
    for r in rows:
        table.add_row(
            ref_of(r),
            when(r.at),
            t(f"channel.{r.channel}"),
            t(f"direction.{r.direction}"),
            r.counterpart or "—",
            r.ticket_ref or "—",
            r.summary,
        )
    console.print(table)


@incident_app.command("add", help=t("help.incident.add"))
def incident_add(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    start: Annotated[
        str, typer.Option("--start", help=t("help.incident_opt.start"), metavar="TIME")
    ],
    impact: Annotated[str, typer.Option("--impact", help=t("help.incident_opt.impact"))],
    end: Annotated[
        str | None, typer.Option("--end", help=t("help.incident_opt.end"), metavar="TIME")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help=t("help.incident_opt.target"))
    ] = None,
    evidence: Annotated[list[str] | None, EVIDENCE] = None,
    tz: Annotated[str | None, TZ_OPTION] = None,
) -> None:
    row = incidents.record_incident(
        workspace(ctx),
        case_ref,
        incidents.IncidentInput(
            start=parse_time(start, tz),
            end=time_arg(end, tz),
            impact=impact,
            target=target,
            evidence=evidence or [],
        ),
    )
    console.print(t("cli.logged", ref=ref_of(row)))


@incident_app.command("list", help=t("help.incident.list"))
def incident_list(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    rows = incidents.list_incidents(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(r) for r in rows])
        return
    table = Table(
        t("col.ref"),
        t("col.start"),
        t("col.end"),
        t("col.duration"),
        t("col.target"),
        t("col.impact"),
        t("col.evidence"),
    )
    for r in rows:
        duration = fmt_duration(r.end_at - r.start_at) if r.end_at else t("cli.ongoing")
        table.add_row(
            ref_of(r),
            when(r.start_at),
            when(r.end_at),
            duration,
            r.target or "—",
            r.impact,
            ", ".join(f"E{n}" for n in r.evidence_numbers) or "—",
        )
    console.print(table)


@demand_app.command("add", help=t("help.demand.add"))
def demand_add(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help=t("help.demand_opt.kind"), metavar="|".join(k.value for k in DemandKind)
        ),
    ],
    text: Annotated[str, typer.Option("--text", help=t("help.demand_opt.text"))],
    amount: Annotated[
        str | None, typer.Option("--amount", help=t("help.demand_opt.amount"))
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help=t("help.demand_opt.currency"))
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help=t("help.demand_opt.due"), metavar="YYYY-MM-DD")
    ] = None,
) -> None:
    row = demands.add_demand(
        workspace(ctx),
        case_ref,
        demands.DemandInput(
            kind=parse_choice(DemandKind, kind, "demand kind"),
            text=text,
            amount=None if amount is None else parse_money(amount),
            currency=None if currency is None else parse_currency(currency),
            due_date=None if due is None else parse_date(due),
        ),
    )
    console.print(t("cli.logged", ref=ref_of(row)))


@demand_app.command("status", help=t("help.demand.status"))
def demand_status(
    ctx: typer.Context,
    case_ref: Annotated[str, CASE],
    ref: Annotated[str, typer.Argument(metavar="DEMAND", help=t("help.arg.demand"))],
    status: Annotated[
        str,
        typer.Argument(
            metavar="|".join(s.value for s in DemandStatus), help=t("help.arg.demand_status")
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help=t("help.opt.reason"))],
) -> None:
    row = demands.set_status(
        workspace(ctx), case_ref, ref, parse_choice(DemandStatus, status, "demand status"), reason
    )
    console.print(t("cli.demand_status", ref=ref_of(row), status=row.status))


@demand_app.command("list", help=t("help.demand.list"))
def demand_list(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    rows = demands.list_demands(workspace(ctx), case_ref)
    if as_json:
        print_json([as_dict(r) for r in rows])
        return
    table = Table(
        t("col.ref"), t("col.kind"), t("col.amount"), t("col.due"), t("col.status"), t("col.text")
    )
    for r in rows:
        amount = f"{r.amount} {r.currency or ''}".strip() if r.amount else "—"
        table.add_row(
            ref_of(r),
            t(f"demand.{r.kind}"),
            amount,
            r.due_date.isoformat() if r.due_date else "—",
            t(f"demand_status.{r.status}"),
            r.text,
        )
    console.print(table)
