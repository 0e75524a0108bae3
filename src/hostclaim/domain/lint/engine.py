"""Run the rules over a letter and turn their hits into findings in the user's language."""

from __future__ import annotations

from collections.abc import Collection

from hostclaim.domain.lint.context import LintContext, detect_language
from hostclaim.domain.lint.model import SEVERITIES, Finding, Hit, LintFacts
from hostclaim.domain.lint.rules import Rule, load_builtin_rules
from hostclaim.i18n import catalog, normalise, t

_EXCERPT_MAX = 80


def rules() -> dict[str, Rule]:
    """Every rule, by id (``checklist.*``, ``tone.*``, ``legal.*``, ``privacy.*``)."""
    return dict(load_builtin_rules())


def _excerpt(text: str, hit: Hit) -> str:
    raw = hit.excerpt if hit.excerpt is not None else text[hit.start : hit.end]
    flat = " ".join(raw.split())
    return flat if len(flat) <= _EXCERPT_MAX else flat[: _EXCERPT_MAX - 1] + "…"


def _render(ctx: LintContext, rule: Rule, hit: Hit, ui_lang: str | None) -> Finding:
    line, column = ctx.position(hit.start)
    params: dict[str, object] = dict(hit.params)
    # Examples of the missing wording come in the letter's language, the advice in the user's.
    example = catalog(ctx.lang).get(f"lint.examples.{rule.id}")
    if example:
        params.setdefault("example", example)
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        line=line,
        column=column,
        span=(hit.start, hit.end),
        excerpt=_excerpt(ctx.text, hit),
        why=t(f"lint.{rule.id}.why", ui_lang, **params),
        fix=t(f"lint.{rule.id}.fix", ui_lang, **params),
    )


def lint_text(
    text: str,
    *,
    lang: str | None = None,
    facts: LintFacts | None = None,
    ui_lang: str | None = None,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Check a complaint letter; findings sorted by position, then severity.

    ``lang`` is the letter's language (``zh`` / ``en``; detected when None); ``ui_lang`` the
    language of ``why`` and ``fix`` (default: the current language). ``facts`` lets the legal
    rules compare dates and amounts with the case's evidence and allow the complainant's and the
    provider's own contacts; without it those checks are skipped. ``only`` limits the run to some
    rule ids or families (``"privacy"``).
    """
    letter_lang = normalise(lang) or detect_language(text)
    ctx = LintContext(text, letter_lang, facts)
    findings: list[Finding] = []
    for rule in load_builtin_rules().values():
        if only is not None and rule.id not in only and rule.id.split(".")[0] not in only:
            continue
        findings.extend(_render(ctx, rule, hit, ui_lang) for hit in rule.check(ctx))
    findings.sort(key=lambda f: (f.span[0], SEVERITIES.index(f.severity), f.rule))
    return findings
