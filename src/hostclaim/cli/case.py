"""``hostclaim case``: open, list, show, edit and move cases."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hostclaim.cli.common import JSON_OPTION, console, make_app, print_json, when, workspace
from hostclaim.domain.case import parse_choice
from hostclaim.domain.lifecycle import Stage
from hostclaim.i18n import t
from hostclaim.services import cases
from hostclaim.services.records import as_dict

app = make_app("help.group.case")


def _opt(key: str, *names: str, metavar: str | None = None) -> object:
    return typer.Option(*names, help=t(f"help.case_opt.{key}"), metavar=metavar)


@app.command("new", help=t("help.case.new"))
def new(
    ctx: typer.Context,
    provider: Annotated[str, typer.Option("--provider", help=t("help.case_opt.provider"))],
    name: Annotated[str, typer.Option("--name", help=t("help.case_opt.name"))],
    title: Annotated[str | None, _opt("title", "--title")] = None,
    complainant_type: Annotated[
        str | None, _opt("type", "--type", metavar="business|consumer")
    ] = None,
    org: Annotated[str | None, _opt("org", "--org")] = None,
    role: Annotated[str | None, _opt("role", "--role")] = None,
    contact: Annotated[str | None, _opt("contact", "--contact")] = None,
    account_id: Annotated[str | None, _opt("account_id", "--account-id")] = None,
    country: Annotated[str | None, _opt("country", "--country", metavar="CC")] = None,
    provider_country: Annotated[
        str | None, _opt("provider_country", "--provider-country", metavar="CC")
    ] = None,
    website: Annotated[str | None, _opt("website", "--website", metavar="URL")] = None,
    contract_ref: Annotated[str | None, _opt("contract_ref", "--contract-ref")] = None,
    product: Annotated[str | None, _opt("product", "--product")] = None,
    start: Annotated[str | None, _opt("start", "--start", metavar="YYYY-MM-DD")] = None,
    fee: Annotated[str | None, _opt("fee", "--fee", metavar="AMOUNT")] = None,
    currency: Annotated[str | None, _opt("currency", "--currency", metavar="EUR")] = None,
    billing_day: Annotated[str | None, _opt("billing_day", "--billing-day", metavar="1-31")] = None,
    service_tz: Annotated[str | None, _opt("service_tz", "--service-tz", metavar="ZONE")] = None,
    sla: Annotated[str | None, _opt("sla", "--sla", metavar="KEY@VERSION")] = None,
    goal: Annotated[
        list[str] | None, _opt("goal", "--goal", metavar="repair|compensation|termination")
    ] = None,
    liability: Annotated[
        str | None, _opt("liability", "--liability", metavar="provider_full|shared")
    ] = None,
) -> None:
    details = cases.details_from_text(
        {
            "provider_name": provider,
            "complainant_name": name,
            "title": title,
            "complainant_type": complainant_type,
            "complainant_org": org,
            "complainant_role": role,
            "complainant_contact": contact,
            "complainant_account_id": account_id,
            "complainant_country": country,
            "provider_country": provider_country,
            "provider_website": website,
            "contract_ref": contract_ref,
            "product": product,
            "service_start": start,
            "monthly_fee": fee,
            "currency": currency,
            "billing_day": billing_day,
            "service_tz": service_tz,
            "sla_policy": sla,
            "goals": goal or [],
            "liability": liability,
        }
    )
    case = cases.create_case(workspace(ctx), details)
    typer.echo(case.ref)


@app.command("edit", help=t("help.case.edit"))
def edit(
    ctx: typer.Context,
    case_ref: Annotated[str, typer.Argument(metavar="CASE", help=t("help.arg.case"))],
    assignments: Annotated[
        list[str], typer.Option("--set", help=t("help.case_opt.set"), metavar="FIELD=VALUE")
    ],
) -> None:
    values: dict[str, str | list[str] | None] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            from hostclaim.errors import InvalidInput

            raise InvalidInput("error.bad_assignment", value=item)
        values[key.strip().replace("-", "_")] = value
    case = cases.update_case(workspace(ctx), case_ref, cases.details_from_text(values))
    console.print(t("cli.case_updated", ref=case.ref))


@app.command("list", help=t("help.case.list"))
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    rows = cases.list_cases(workspace(ctx))
    if as_json:
        print_json([as_dict(row) for row in rows])
        return
    if not rows:
        console.print(t("cli.no_cases"))
        return
    table = Table(t("col.case"), t("col.title"), t("col.provider"), t("col.stage"), t("col.opened"))
    for row in rows:
        table.add_row(
            row.ref, row.title, row.provider_name, t(f"stage.{row.stage}"), when(row.created_at)
        )
    console.print(table)


@app.command("show", help=t("help.case.show"))
def show(
    ctx: typer.Context,
    case_ref: Annotated[str, typer.Argument(metavar="CASE", help=t("help.arg.case"))],
    as_json: bool = JSON_OPTION,
) -> None:
    ws = workspace(ctx)
    data = cases.case_summary(ws, case_ref)
    history = cases.stage_history(ws, case_ref)
    if as_json:
        data["stage_history"] = [as_dict(h) for h in history]
        print_json(data)
        return
    case = cases.get_case(ws, case_ref)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    fee = f"{case.monthly_fee} {case.currency or ''}".strip() if case.monthly_fee else "—"
    rows = [
        ("case", f"{case.ref}  {case.title}"),
        ("stage", t(f"stage.{case.stage}")),
        (
            "complainant",
            " · ".join(
                x
                for x in (
                    case.complainant_name,
                    case.complainant_org,
                    case.complainant_role,
                    case.complainant_contact,
                )
                if x
            ),
        ),
        ("account_id", case.complainant_account_id or "—"),
        (
            "provider",
            " · ".join(
                x for x in (case.provider_name, case.provider_country, case.provider_website) if x
            ),
        ),
        ("service", " · ".join(x for x in (case.product, case.contract_ref) if x) or "—"),
        ("service_start", case.service_start.isoformat() if case.service_start else "—"),
        (
            "fee",
            fee + (f" · {t('cli.billing_day', day=case.billing_day)}" if case.billing_day else ""),
        ),
        ("service_tz", case.service_tz),
        ("goals", ", ".join(t(f"goal.{g}") for g in case.goals) or "—"),
        ("liability", t(f"liability.{case.liability}") if case.liability else "—"),
        ("opened", when(case.created_at, case.service_tz)),
        ("counts", t("cli.counts", **data["counts"])),
        ("next_stages", ", ".join(data["next_stages"])),
    ]
    for key, value in rows:
        table.add_row(t(f"field.{key}"), value)
    console.print(table)
    for change in history:
        console.print(
            f"  {when(change.created_at)}  {change.from_stage} → {change.to_stage}: {change.reason}"
        )


@app.command("stage", help=t("help.case.stage"))
def stage(
    ctx: typer.Context,
    case_ref: Annotated[str, typer.Argument(metavar="CASE", help=t("help.arg.case"))],
    target: Annotated[str, typer.Argument(metavar="STAGE", help=t("help.arg.stage"))],
    reason: Annotated[str, typer.Option("--reason", help=t("help.opt.reason"))],
) -> None:
    change = cases.move_stage(
        workspace(ctx), case_ref, parse_choice(Stage, target, "stage"), reason
    )
    console.print(
        t("cli.stage_moved", ref=case_ref.upper(), frm=change.from_stage, to=change.to_stage)
    )
