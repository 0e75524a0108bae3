"""Shared fixtures: a real workspace (SQLite + blob directory) in a temp dir, and the CLI."""

from __future__ import annotations

import os

os.environ["HOSTCLAIM_LANG"] = "en"  # help texts are translated at import time
os.environ.setdefault("HOSTCLAIM_TZ", "Asia/Shanghai")
os.environ.setdefault("COLUMNS", "200")

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hostclaim.services.workspace import Workspace, open_workspace


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def ws(home: Path) -> Iterator[Workspace]:
    workspace = open_workspace(home)
    yield workspace
    workspace.close()


@dataclass
class Cli:
    home: Path
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None):
        from hostclaim.cli.app import app

        return self.runner.invoke(app, ["--home", str(self.home), *args], input=input)


@pytest.fixture
def cli(home: Path) -> Cli:
    return Cli(home, CliRunner())


@pytest.fixture
def case_ref(cli: Cli) -> str:
    result = cli(
        "case",
        "new",
        "--provider",
        "Nordstern Hosting GmbH",
        "--name",
        "Wang Min",
        "--provider-country",
        "DE",
        "--fee",
        "89.00",
        "--currency",
        "EUR",
        "--service-tz",
        "Europe/Berlin",
        "--goal",
        "compensation",
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()
