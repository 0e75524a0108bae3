"""Top-level follow-up commands: ``hostclaim next``, ``due``, ``calendar``, ``legal``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from hostclaim.cli.common import JSON_OPTION, console, fail, print_json, when, workspace
from hostclaim.i18n import t
from hostclaim.services import followup
from hostclaim.services.followup import DueItem

CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))
STATE_STYLE = {
    "overdue": "bold red",
    "passed": "red",
    "opened": "green",
    "due_soon": "yellow",
    "later": "white",
}


def _state(item: DueItem) -> str:
    return f"[{STATE_STYLE.get(item.state, 'white')}]{t(f'followup.state.{item.state}')}[/]"


def _deadline_table(items: list[DueItem], *, with_case: bool = False) -> Table:
    columns = [t("followup.col.case")] if with_case else []
    columns += [
        t("col.ref"),
        t("followup.col.state"),
        t("col.due"),
        t("col.kind"),
        t("col.title"),
    ]
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    for item in items:
        row = [item.case_ref] if with_case else []
        row += [
            item.ref,
            _state(item),
            when(item.due_at, item.provider_tz),
            t(f"deadlines.kind.{item.kind}") if item.kind else "—",
            escape(item.title),
        ]
        table.add_row(*row)
    return table


def _reason(reason: dict[str, Any]) -> str:
    text = escape(reason["text"])
    if reason.get("inference"):
        text += f" [dim]{escape(t('followup.mark.inference'))}[/]"
    elif reason.get("unconfirmed"):
        text += f" [dim]{escape(t('followup.mark.unconfirmed'))}[/]"
    return text


def _print_next(result: followup.NextStep) -> None:
    console.print(
        f"[bold]{result.case_ref}[/] · {t('field.stage')}: {t(f'stage.{result.stage}')}"
        + (f" · {t('followup.cli.today', date=result.today)}" if result.today else "")
    )
    if result.added:
        console.print(f"[dim]{t('followup.cli.added', refs=', '.join(result.added))}[/]")
    if result.overdue:
        console.print(f"\n[bold red]{t('followup.cli.overdue')}[/]")
        console.print(_deadline_table(result.overdue))
    if result.upcoming:
        console.print(f"\n[bold yellow]{t('followup.cli.upcoming')}[/]")
        console.print(_deadline_table(result.upcoming))
    if result.missing:
        for name in result.missing:
            console.print(
                "\n[yellow]"
                + t("followup.cli.missing", field=name, case=result.case_ref, example="CN")
                + "[/]"
            )
        return
    step = result.step
    if step is None:
        for why in result.why:
            console.print(f"\n{_reason(why)}")
        return
    console.print(f"\n[bold green]{t('followup.cli.next', step=step['title'])}[/]")
    for why in result.why:
        console.print(f"  → {_reason(why)}")
    for reason in step["reasons"]:
        if not reason["blocking"]:
            console.print(f"  • {_reason(reason)}")
    for body in step["bodies"]:
        mark = "[green]✔[/]" if body["open"] else "[red]✘[/]"
        channels = ", ".join(body["channels"])
        console.print(f"  {mark} {escape(body['name'])} ({body['key']}) {escape(channels)}")
        for reason in body["reasons"]:
            console.print(f"      {_reason(reason)}")
    if result.command:
        console.print(
            f"\n{t('followup.cli.draft', letter=result.letter_title)}\n  [bold]{result.command}[/]"
        )
    else:
        until = (
            when(result.wait_until, result.provider_tz) if result.wait_until else t("cli.ongoing")
        )
        console.print(f"\n{t('followup.cli.wait', until=until)}")
    if step["risks"]:
        console.print(f"\n[bold]{t('followup.cli.risks')}[/]")
        for risk in step["risks"]:
            console.print(f"  ! {escape(risk)}")
    if result.opening:
        console.print(f"\n[bold]{t('followup.cli.opening')}[/]")
        for rung in result.opening:
            console.print(f"  {rung['opens_on']}: {rung['title']}")
    if result.closed:
        console.print(f"\n[bold]{t('followup.cli.closed')}[/]")
        for rung in result.closed:
            reasons = [r for r in rung["reasons"] if r["blocking"]]
            line = " ".join(_reason(r) for r in reasons)
            console.print(f"  [red]✘[/] {rung['title']}" + (f": {line}" if line else ""))
            for body in rung["bodies"]:
                blocking = [r for r in body["reasons"] if r["blocking"]]
                if blocking:
                    text = " ".join(_reason(r) for r in blocking)
                    console.print(f"      {escape(body['name'])}: {text}")


def next_cmd(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    result = followup.next_step(workspace(ctx), case_ref)
    if as_json:
        print_json(result.as_dict())
        return
    _print_next(result)


def due_cmd(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", help=t("help.followup_opt.days"), metavar="N", min=0)
    ] = followup.DEFAULT_DUE_DAYS,
    as_json: bool = JSON_OPTION,
) -> None:
    items = followup.due(workspace(ctx), days)
    if as_json:
        print_json([item.as_dict() for item in items])
        return
    if not items:
        console.print(t("followup.cli.nothing_due", days=days))
        return
    console.print(_deadline_table(items, with_case=True))


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a temp file in the same folder, then renamed over."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def calendar_cmd(
    ctx: typer.Context,
    first: Annotated[
        str, typer.Argument(metavar="CASE|OUT.ics", help=t("help.followup_arg.calendar_first"))
    ],
    second: Annotated[
        str | None, typer.Argument(metavar="OUT.ics", help=t("help.followup_arg.out"))
    ] = None,
    all_cases: Annotated[bool, typer.Option("--all", help=t("help.followup_opt.all"))] = False,
) -> None:
    if all_cases:
        if second is not None:
            fail("error.followup.calendar_target")
        case_ref, out = None, first
    else:
        if second is None:
            fail("error.followup.calendar_target")
        case_ref, out = first, second
    path = Path(out).expanduser()
    if path.suffix.lower() != ".ics":
        fail("error.followup.ics_path", path=str(path))
    if path.is_dir():
        fail("error.file_is_directory", path=str(path))
    if not path.parent.exists():
        fail("error.file_missing", path=str(path.parent))
    export = followup.calendar(workspace(ctx), case_ref, all_cases=all_cases)
    _write(path, export.ics)
    console.print(
        t("followup.cli.calendar_written", events=export.events, cases=len(export.cases), path=path)
    )


def legal_cmd(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    view = followup.legal_route(workspace(ctx), case_ref)
    if as_json:
        print_json(view.as_dict())
        return
    if view.missing:
        for name in view.missing:
            console.print(
                "[yellow]"
                + t("followup.cli.missing", field=name, case=view.case_ref, example="CN")
                + "[/]"
            )
        return
    console.print(f"[bold]{t('followup.cli.legal_title', case=view.case_ref)}[/]")
    table = Table()
    for key in ("step", "done", "has", "lacks", "notes"):
        table.add_column(t(f"followup.col.{key}"), overflow="fold")
    for step in view.steps:
        done = f"[green]✔ {t('followup.cli.done')}[/]" if step["done"] else "…"
        table.add_row(
            step["title"],
            done,
            "\n".join(f"[green]✔[/] {i['text']}" for i in step["has"]) or "—",
            "\n".join(f"[red]✘[/] {i['text']}" for i in step["lacks"]) or "—",
            "\n".join(_reason(n) for n in step["notes"]) or "",
        )
    console.print(table)
    console.print(
        t("followup.cli.claimed", amounts=", ".join(view.claimed) or t("followup.cli.nothing"))
    )
    if view.contract_forum:
        forum = view.contract_forum
        console.print(
            t(
                "followup.cli.contract_forum",
                law=forum.get("governing_law") or "—",
                venue=forum.get("venue") or "—",
                country=forum.get("venue_country") or "—",
            )
        )
    if not view.forums:
        console.print(t("followup.cli.no_forum"))
        return
    forums = Table()
    for key in ("forum", "why", "limit", "claimed", "fits"):
        forums.add_column(t(f"followup.col.{key}"), overflow="fold")
    for forum in view.forums:
        if forum["fits"] is None:
            fits = f"[yellow]? {t('followup.cli.fits_unknown')}[/]"
        elif forum["fits"]:
            fits = f"[green]✔ {t('followup.cli.fits')}[/]"
        else:
            fits = f"[red]✘ {t('followup.cli.over_limit')}[/]"
        limit = forum["limit"]
        if forum["by_consent"]:
            limit += " " + t("followup.cli.by_consent", limit=forum["by_consent"])
        forums.add_row(
            f"{escape(forum['name'])} ({forum['body']})",
            forum["why_text"],
            limit,
            forum["claimed"] or "—",
            fits,
        )
    console.print(forums)


def register(app: typer.Typer) -> None:
    """Add the follow-up commands to the root app."""
    app.command("next", help=t("help.followup.next"))(next_cmd)
    app.command("due", help=t("help.followup.due"))(due_cmd)
    app.command("calendar", help=t("help.followup.calendar"))(calendar_cmd)
    app.command("legal", help=t("help.followup.legal"))(legal_cmd)
