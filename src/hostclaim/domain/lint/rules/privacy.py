"""Privacy (隐私泄露): third parties' contacts, ID and card numbers, passwords, keys."""

from __future__ import annotations

from collections.abc import Iterator

from hostclaim.domain.lint.context import LintContext
from hostclaim.domain.lint.model import Hit
from hostclaim.domain.lint.rules import rule
from hostclaim.domain.redact.detect import Detection, find_sensitive, preview

RULE_OF_KIND = {
    "phone": "privacy.phone",
    "email": "privacy.email",
    "id_number": "privacy.id_number",
    "bank_card": "privacy.bank_card",
    "password": "privacy.password",
    "api_key": "privacy.api_key",
    "private_key": "privacy.private_key",
}


def _detections(ctx: LintContext) -> list[Detection]:
    if "privacy" not in ctx.memo:
        own = ctx.facts.own_contacts if ctx.facts else ()
        ctx.memo["privacy"] = find_sensitive(ctx.text, allow=own, kinds=RULE_OF_KIND)
    found: list[Detection] = ctx.memo["privacy"]  # type: ignore[assignment]
    return found


def _hits(ctx: LintContext, kind: str) -> Iterator[Hit]:
    for det in _detections(ctx):
        if det.kind == kind:
            # The excerpt never repeats the secret: the finding may end up in a log or a ticket.
            shown = preview(det)
            yield Hit(
                RULE_OF_KIND[kind], det.start, det.end, excerpt=shown, params={"found": shown}
            )


@rule("privacy.phone", "warning")
def phones(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "phone")


@rule("privacy.email", "warning")
def emails(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "email")


@rule("privacy.id_number", "error")
def id_numbers(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "id_number")


@rule("privacy.bank_card", "error")
def bank_cards(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "bank_card")


@rule("privacy.password", "error")
def passwords(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "password")


@rule("privacy.api_key", "error")
def api_keys(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "api_key")


@rule("privacy.private_key", "error")
def private_keys(ctx: LintContext) -> Iterator[Hit]:
    yield from _hits(ctx, "private_key")
