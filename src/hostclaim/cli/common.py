"""What every command shares: the workspace, consoles, errors at the edge, JSON output."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from typer.core import TyperGroup

from hostclaim.domain.timeutil import parse_time, show, zone
from hostclaim.errors import HostclaimError
from hostclaim.i18n import t
from hostclaim.services.workspace import Workspace, open_workspace

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _exit_with(message: str) -> NoReturn:
    """One red line on stderr, exit code 2: what a script and a person both understand."""
    err_console.print(f"[bold red]{t('cli.error')}:[/] {message}", soft_wrap=True)
    raise typer.Exit(2)


class Group(TyperGroup):
    """Translates domain errors raised anywhere below into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except HostclaimError as exc:
            _exit_with(exc.render())


def make_app(help_key: str) -> typer.Typer:
    return typer.Typer(
        cls=Group,
        help=t(help_key),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
    )


@dataclass
class AppState:
    home: Path | None = None
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = open_workspace(self.home)
        return self._workspace


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def workspace(ctx: typer.Context) -> Workspace:
    return state(ctx).workspace()


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(key: str, **params: object) -> NoReturn:
    _exit_with(t(key, **params))


def user_zone() -> ZoneInfo:
    name = os.environ.get("HOSTCLAIM_TZ")
    if name:
        return zone(name)
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (OSError, ValueError):
        pass
    return ZoneInfo("UTC")


def when(dt: datetime | None, provider_tz: str | None = None) -> str:
    """A time in the user's zone, and in the provider's zone when it differs."""
    if dt is None:
        return "—"
    mine = user_zone()
    text = show(dt, mine)
    if provider_tz and provider_tz != str(mine):
        text += f" / {show(dt, provider_tz)}"
    return text


def time_arg(value: str | None, tz: str | None) -> datetime | None:
    return None if value is None else parse_time(value, tz)


HOME_HELP = "cli.opt.home"
JSON_OPTION = typer.Option(False, "--json", help=t("cli.opt.json"))
TZ_OPTION = typer.Option("--tz", help=t("cli.opt.tz"), metavar="ZONE")


class TransferBar:
    """A byte-progress bar, shown only on a terminal and only for transfers worth watching.

    Services take ``on_start(total)`` and ``progress(count)`` callbacks; pass these two methods.
    """

    MINIMUM = 32 * 1024 * 1024

    def __init__(self, label: str, *, enabled: bool = True, minimum: int = MINIMUM) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

        self.label = label
        self.minimum = minimum
        self.enabled = enabled and console.is_terminal
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=console,
            transient=True,
        )
        self._task: Any = None

    def on_start(self, total: int) -> None:
        if self.enabled and total >= self.minimum:
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)

    def progress(self, count: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, count)

    def __enter__(self) -> TransferBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._bar.stop()
