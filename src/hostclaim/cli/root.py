"""The root of the ``hostclaim`` command: global options, top-level commands, lazy groups."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hostclaim import __version__
from hostclaim.cli.common import (
    JSON_OPTION,
    Group,
    console,
    err_console,
    print_json,
    state,
    workspace,
)
from hostclaim.i18n import set_language, t
from hostclaim.services import cases
from hostclaim.services import verify as verify_service

app = typer.Typer(
    cls=Group,
    help=t("help.app"),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

#: Command groups: name → (module, attribute of its Typer app). Modules are imported only when
#: their group is used, so `hostclaim evidence add` does not pay for PDF fonts or the prober.
GROUPS: dict[str, tuple[str, str]] = {
    "case": ("hostclaim.cli.case", "app"),
    "evidence": ("hostclaim.cli.evidence", "app"),
    "comm": ("hostclaim.cli.records", "comm_app"),
    "incident": ("hostclaim.cli.records", "incident_app"),
    "demand": ("hostclaim.cli.records", "demand_app"),
    "monitor": ("hostclaim.cli.monitor", "app"),
    "outage": ("hostclaim.cli.outage", "app"),
    "sla": ("hostclaim.cli.sla", "app"),
    "letter": ("hostclaim.cli.letter", "app"),
    "mail": ("hostclaim.cli.mail", "app"),
    "directory": ("hostclaim.cli.directory", "app"),
}
#: Top-level commands defined in other modules, added by that module's ``register(app)``.
TOP_LEVEL: dict[str, str] = {
    name: "hostclaim.cli.followup" for name in ("next", "due", "calendar", "legal")
}
_registered: set[str] = set()


def register(names: set[str] | None = None) -> typer.Typer:
    """Add the given command groups (all of them when ``names`` is None) to ``app``."""
    wanted = set(GROUPS) | set(TOP_LEVEL) if names is None else names
    for name in sorted(wanted - _registered):
        if name in GROUPS:
            module, attribute = GROUPS[name]
            app.add_typer(getattr(importlib.import_module(module), attribute), name=name)
        elif name in TOP_LEVEL:
            importlib.import_module(TOP_LEVEL[name]).register(app)
            _registered.update(n for n, m in TOP_LEVEL.items() if m == TOP_LEVEL[name])
        _registered.add(name)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hostclaim {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help=t("help.opt.home"), envvar="HOSTCLAIM_HOME", metavar="DIR"),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help=t("help.opt.lang"), metavar="en|zh")
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", help=t("help.opt.version"), callback=_version, is_eager=True),
    ] = False,
) -> None:
    if lang:
        try:
            set_language(lang)
        except ValueError:
            from hostclaim.cli.common import fail

            fail("error.bad_language", value=lang)
    state(ctx).home = home


CASE = typer.Argument(metavar="CASE", help=t("help.arg.case"))


@app.command("checklist", help=t("help.checklist"))
def checklist(
    ctx: typer.Context, case_ref: Annotated[str, CASE], as_json: bool = JSON_OPTION
) -> None:
    items = cases.checklist(workspace(ctx), case_ref)
    if as_json:
        print_json([{"item": i.key, "present": i.present, "refs": i.items} for i in items])
        return
    table = Table(t("col.item"), t("col.status"), t("col.refs"), t("col.advice"))
    for item in items:
        mark = (
            f"[green]✔ {t('checklist.present')}[/]"
            if item.present
            else f"[red]✘ {t('checklist.missing')}[/]"
        )
        table.add_row(
            t(f"checklist.{item.key}"),
            mark,
            ", ".join(item.items) or "—",
            "" if item.present else t(f"checklist.advice.{item.key}"),
        )
    console.print(table)
    missing = sum(not i.present for i in items)
    console.print(t("checklist.summary", present=len(items) - missing, total=len(items)))


@app.command("verify", help=t("help.verify"))
def verify(
    ctx: typer.Context,
    case_ref: Annotated[str | None, typer.Argument(metavar="CASE", help=t("help.arg.case"))] = None,
    all_cases: Annotated[bool, typer.Option("--all", help=t("help.verify_opt.all"))] = False,
    as_json: bool = JSON_OPTION,
) -> None:
    ws = workspace(ctx)
    if all_cases == (case_ref is not None):
        from hostclaim.cli.common import fail

        fail("error.verify_target")
    reports = (
        verify_service.verify_all(ws)
        if all_cases
        else [verify_service.verify_case(ws, case_ref or "")]
    )
    if as_json:
        print_json(
            [
                {
                    "case": r.case_ref,
                    "intact": r.intact,
                    "entries": r.entries,
                    "records": r.records,
                    "blobs": r.blobs,
                    "problems": [
                        {"code": p.code, "item": p.item, "detail": p.detail, "message": p.render()}
                        for p in r.problems
                    ],
                }
                for r in reports
            ]
        )
    else:
        for report in reports:
            if report.intact:
                console.print(
                    t(
                        "verify.intact",
                        case=report.case_ref,
                        entries=report.entries,
                        records=report.records,
                        blobs=report.blobs,
                    )
                )
            else:
                err_console.print(
                    t("verify.damaged", case=report.case_ref, count=len(report.problems))
                )
                for problem in report.problems:
                    err_console.print(f"  [red]✘[/] {problem.render()}")
    if any(not r.intact for r in reports):
        raise typer.Exit(1)


@app.command("demo", help=t("help.demo"))
def demo(ctx: typer.Context) -> None:
    from hostclaim.services.demo import build_demo

    ref = build_demo(workspace(ctx))
    console.print(t("demo.done", ref=ref))


def command_word(argv: list[str]) -> str | None:
    """The command a command line asks for, skipping the global options and their values."""
    takes_value = {"--home", "--lang"}
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in takes_value:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None
