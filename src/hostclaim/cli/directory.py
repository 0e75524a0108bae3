"""``hostclaim directory``: search and show providers and complaint bodies (every value with its
source, date and status), the source guide's contact table with our verdicts, and linking a case
to a provider."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hostclaim.cli.common import JSON_OPTION, console, make_app, print_json, workspace
from hostclaim.i18n import t
from hostclaim.services import directory as directory_service

app = make_app("help.group.directory")

STATUS_STYLE = {"verified": "green", "unconfirmed": "yellow", "wrong-in-source": "red"}
VERDICT_STYLE = {
    "verified": "green",
    "unconfirmed": "yellow",
    "unconfirmed_likely_wrong": "yellow",
    "wrong": "red",
    "wrong_attribution": "red",
    "wrong_body": "red",
    "likely_fabricated": "red",
}


def _status(status: str, basis: str | None = None) -> str:
    style = STATUS_STYLE.get(status, "white")
    text = t(f"directory.status.{status}")
    if basis == "inference":
        text += f" · {t('directory.basis.inference')}"
    return f"[{style}]{escape(text)}[/]"


@app.command("search", help=t("help.directory.search"))
def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help=t("help.directory_arg.text"))],
    as_json: bool = JSON_OPTION,
) -> None:
    hits = directory_service.search_directory(text)
    if as_json:
        print_json([hit.__dict__ for hit in hits])
        return
    if not hits:
        console.print(t("followup.cli.no_hits", text=text))
        return
    table = Table()
    for key in ("kind", "key", "name", "country", "matched"):
        table.add_column(t(f"followup.col.{key}"), overflow="fold")
    for hit in hits:
        table.add_row(
            t(f"followup.hit.{hit.kind}"),
            hit.key,
            escape(hit.name),
            hit.country,
            escape(hit.matched),
        )
    console.print(table)
    console.print(t("followup.cli.show_hint"))


@app.command("show", help=t("help.directory.show"))
def show(
    key: Annotated[str, typer.Argument(metavar="KEY", help=t("help.directory_arg.key"))],
    as_json: bool = JSON_OPTION,
) -> None:
    entry = directory_service.show_entry(key)
    if as_json:
        print_json(
            {
                "kind": entry.kind,
                "key": entry.key,
                "name": entry.name,
                "facts": [fact.as_dict() for fact in entry.facts],
                "record": entry.record,
            }
        )
        return
    console.print(
        f"[bold]{escape(entry.name)}[/] ({entry.key}) — {t(f'followup.hit.{entry.kind}')}"
    )
    table = Table()
    table.add_column(t("followup.col.field"))
    table.add_column(t("followup.col.value"), overflow="fold")
    table.add_column(t("followup.col.status"))
    table.add_column(t("followup.col.checked"), no_wrap=True)
    table.add_column(t("followup.col.source"), overflow="fold")
    for fact in entry.facts:
        style = STATUS_STYLE.get(fact.status, "white")
        value = f"[{style}]{escape(fact.value)}[/]"
        if fact.note:
            value += f"\n[dim]{escape(fact.note)}[/]"
        table.add_row(
            fact.label,
            value,
            _status(fact.status, fact.basis),
            fact.checked,
            escape(fact.source),
        )
    console.print(table)


@app.command("guide", help=t("help.directory.guide"))
def guide(as_json: bool = JSON_OPTION) -> None:
    rows = directory_service.source_guide()
    if as_json:
        print_json([row.__dict__ for row in rows])
        return
    console.print(t("followup.cli.guide_intro"))
    table = Table()
    table.add_column(t("followup.col.section"), no_wrap=True)
    for key in ("as_written", "contact", "verdict", "finding", "correct_body"):
        table.add_column(t(f"followup.col.{key}"), overflow="fold")
    for row in rows:
        style = VERDICT_STYLE.get(row.verdict, "white")
        correct = "—"
        if row.correct_body:
            correct = f"{row.correct_body}\n{escape(row.correct_body_name or '')}"
        if row.see_also:
            correct += "\n" + t("followup.cli.see_also", keys=", ".join(row.see_also))
        table.add_row(
            row.section,
            f"{escape(row.body_as_written)}\n[dim]{escape(row.body_translated)}[/]",
            f"[{STATUS_STYLE.get(row.contact_status, 'white')}]{escape(row.contact)}[/]",
            f"[{style}]{escape(row.verdict_text)}[/]",
            escape(row.finding),
            correct,
        )
    console.print(table)


@app.command("link", help=t("help.directory.link"))
def link(
    ctx: typer.Context,
    case_ref: Annotated[str, typer.Argument(metavar="CASE", help=t("help.arg.case"))],
    provider_key: Annotated[
        str, typer.Argument(metavar="PROVIDER_KEY", help=t("help.directory_arg.provider_key"))
    ],
) -> None:
    result = directory_service.link_case(workspace(ctx), case_ref, provider_key)
    console.print(
        t(
            "followup.cli.linked",
            case=result.case.ref,
            name=result.provider_name,
            key=result.provider_key,
            fields=", ".join(result.changed),
        )
    )
