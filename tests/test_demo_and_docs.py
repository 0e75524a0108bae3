"""The newcomer's path: the demo works, and every command is documented."""

from __future__ import annotations

import json
from pathlib import Path

from hostclaim.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def _commands(group, prefix=()):
    import typer.main

    command = typer.main.get_command(group)
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        path = (*prefix, name)
        if hasattr(sub, "commands"):
            for sub_name, leaf in sub.commands.items():
                yield (*path, sub_name), leaf
        else:
            yield path, sub


def test_demo_builds_a_complete_verifiable_case(cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    ref = result.stdout.split()[2]
    checklist = json.loads(cli("checklist", ref, "--json").stdout)
    assert all(item["present"] for item in checklist)
    kinds = {e["kind"] for e in json.loads(cli("evidence", "list", ref, "--json").stdout)}
    assert kinds == {"contract", "payment", "system_log", "communication"}
    assert cli("verify", ref).exit_code == 0


def test_every_command_and_option_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, command in _commands(app):
        assert command.help, path
        for param in command.params:
            if getattr(
                param, "param_type_name", ""
            ) == "option" or param.__class__.__name__.endswith("Option"):
                assert getattr(param, "help", None), (path, param.name)
        assert "hostclaim " + " ".join(path) in readme, (
            f"README does not mention `hostclaim {' '.join(path)}`"
        )


def test_help_is_available_in_chinese() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "hostclaim", "--lang", "zh", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "证据库" in out
