"""Draft a letter of a given kind from case facts, in English or Chinese."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import jinja2

from hostclaim.domain.timeutil import utc
from hostclaim.errors import InvalidInput
from hostclaim.i18n import SUPPORTED, normalise, t
from hostclaim.letters import fmt
from hostclaim.letters.facts import FactSheet, fact_label, find_placeholders, present, resolve
from hostclaim.letters.kinds import get_kind
from hostclaim.letters.model import LetterContext

TEMPLATES = Path(__file__).parent / "templates"

DISCLAIMER = "letters.disclaimer"
"""Catalog key of the "draft, not legal advice" notice. Interfaces show it beside a draft;
it is never part of the letter itself."""


@dataclass(frozen=True)
class Draft:
    subject: str
    markdown: str
    kind: str
    lang: str
    missing_facts: tuple[str, ...] = ()
    """Paths of the facts shown as ``[[TO FILL: …]]`` (``provider.support_email`` …)."""
    case_ref: str | None = None

    @property
    def placeholders(self) -> list[str]:
        """Placeholders still in the text (after any editing), subject included."""
        return find_placeholders(self.subject) + find_placeholders(self.markdown)

    def missing_labels(self) -> list[str]:
        return [fact_label(path, self.lang) for path in self.missing_facts]


def ensure_complete(draft: Draft) -> None:
    """Refuse a draft that still has something to fill in (before issuing it)."""
    left = draft.placeholders
    if left:
        raise InvalidInput("error.letters.unfilled", count=len(left), first=left[0])


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # Markdown, not HTML: user text goes through the ``md`` filter instead
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = fmt.md
    env.filters["cell"] = fmt.cell
    return env


def _helpers(
    sheet: FactSheet, ctx: LetterContext, lang: str, issued: date, required: tuple[str, ...]
) -> dict[str, object]:
    zone = ctx.zone_for_recipient()

    def money(value: Decimal | None, currency: str | None = None) -> str:
        if value is None:
            return sheet.hole("demands")
        return fmt.money(value, currency or ctx.service.currency, lang)

    def opt(path: str) -> str:
        return sheet.fact(path) if sheet.has(path) else ""

    def addr(path: str) -> list[str]:
        value = resolve(ctx, path)
        if not isinstance(value, str):
            return []
        return [fmt.md(line) for line in value.splitlines() if line.strip()]

    def lines(*items: str | list[str], indent: str = "") -> str:
        """Lines of an address or a list item: Markdown hard breaks, empty ones dropped."""
        flat: list[str] = []
        for item in items:
            flat.extend(item if isinstance(item, list) else [item])
        return ("\\\n" + indent).join(item for item in flat if item)

    def incident_days() -> str:
        days = sorted({utc(inc.start).date() for inc in ctx.incidents})
        if not days:
            return sheet.hole("incidents")
        return fmt.series([fmt.day(d, lang) for d in days], lang)

    def claim_total() -> str:
        """The sum claimed, per currency (``EUR 1,026.70``), from the demands with amounts."""
        totals: dict[str, Decimal] = {}
        for demand in ctx.demands:
            if demand.amount is not None:
                code = demand.currency or ctx.service.currency or ""
                totals[code] = totals.get(code, Decimal(0)) + demand.amount
        if not totals:
            return sheet.hole("demands")
        return fmt.series([fmt.money(v, c or None, lang) for c, v in totals.items()], lang)

    def timeline() -> list[tuple[str, object]]:
        """Incidents and contacts in one chronological list, for a summary."""
        events: list[tuple[datetime, str, object]] = [
            (utc(inc.start), "incident", inc) for inc in ctx.incidents
        ]
        events += [(utc(c.at), "contact", c) for c in ctx.communications]
        events.sort(key=lambda item: (item[0], item[1]))
        return [(what, item) for _, what, item in events]

    def addr_inline(path: str) -> str:
        parts = addr(path)
        return ("，" if any(fmt.has_han(p) for p in parts) else ", ").join(parts)

    return {
        "ctx": ctx,
        "need": lambda path: path in required or sheet.has(path),
        "sections": lambda: _Sections(lang),
        "addr_inline": addr_inline,
        "incident_days": incident_days,
        "claim_total": claim_total,
        "timeline": timeline,
        "opt": opt,
        "addr": addr,
        "lines": lines,
        "lang": lang,
        "has": sheet.has,
        "fact": sheet.fact,
        "plain": sheet.plain,
        "first": sheet.first,
        "hole": sheet.hole,
        "text": sheet.text,
        "series": lambda items: fmt.series(list(items), lang),
        "md": fmt.md,
        "cell": fmt.cell,
        "loc": lambda text: fmt.md(fmt.local(text, lang)),
        "day": lambda value: fmt.day(value, lang),
        "when": lambda moment: fmt.md(fmt.when(moment, zone, lang)),
        "duration": lambda value: fmt.duration(value, lang),
        "money": money,
        "percent": lambda value: fmt.percent(value, lang),
        "label": lambda path: fact_label(path, lang),
        "tr": lambda key, **params: t(f"letters.{key}", lang, **params),
        "issued": issued,
        "reply_by": ctx.reply_deadline(issued),
        "zone": zone,
    }


class _Sections:
    """Numbers headings in the reader's style: 1, 2, 3 / 一、二、三."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return fmt.numeral(self.count, self.lang)


_BLANK_RUN = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """One blank line between blocks, no trailing spaces: templates need not count newlines."""
    stripped = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_RUN.sub("\n\n", stripped).strip() + "\n"


def draft(kind: str, ctx: LetterContext, lang: str, *, today: date | None = None) -> Draft:
    """Draft ``kind`` from ``ctx`` in ``lang`` (``en`` or ``zh``).

    ``today`` stands in for the issue date when ``ctx.letter_date`` is not set.
    """
    code = normalise(lang)
    if code is None:
        raise InvalidInput("error.letters.bad_lang", lang=lang, known=", ".join(SUPPORTED))
    letter_kind = get_kind(kind)
    sheet = FactSheet(ctx, code)
    issued = ctx.issue_date(today)
    template = environment().get_template(letter_kind.template(code))
    module = template.make_module(_helpers(sheet, ctx, code, issued, letter_kind.required))
    body = _tidy(str(module))
    subject = " ".join(str(getattr(module, "subject")()).split())  # noqa: B009 - macro
    if code == "zh":
        body, subject = fmt.space_zh(body), fmt.space_zh(subject)
    for path in letter_kind.required:
        if not present(resolve(ctx, path)) and path not in sheet.missing:
            sheet.missing.append(path)
    return Draft(
        subject=subject,
        markdown=body,
        kind=letter_kind.key,
        lang=code,
        missing_facts=tuple(sheet.missing),
        case_ref=ctx.case_ref,
    )
