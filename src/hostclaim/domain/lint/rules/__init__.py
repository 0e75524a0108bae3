"""Lint rules: one small function per rule, registered with its id and severity."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hostclaim.domain.lint.context import LintContext
from hostclaim.domain.lint.model import Hit, Severity

Check = Callable[[LintContext], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    check: Check


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity) -> Callable[[Check], Check]:
    """Register ``check`` under ``rule_id``; its why/fix live at ``lint.<rule_id>.why|fix``."""

    def register(check: Check) -> Check:
        if rule_id in REGISTRY:
            raise ValueError(f"lint rule {rule_id!r} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, severity, check)
        return check

    return register


def load_builtin_rules() -> dict[str, Rule]:
    # Importing the modules registers their rules.
    from hostclaim.domain.lint.rules import checklist, legal, privacy, tone  # noqa: F401

    return REGISTRY
