"""Top-level follow-up commands: ``hostclaim next``, ``due``, ``calendar``, ``legal``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the follow-up commands to the root app."""
