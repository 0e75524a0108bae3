"""A draft as a plain Markdown file the user can edit: a small header, then the letter.

```
---
kind: sla_credit_claim
lang: en
case: HC-2026-0007
subject: SLA Credit Request – customer ID K-204519
---
(the letter in Markdown)
```
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from hostclaim.errors import InvalidInput
from hostclaim.i18n import normalise
from hostclaim.letters.drafting import Draft

FENCE = "---"


@dataclass(frozen=True)
class DraftMeta:
    kind: str
    lang: str
    subject: str
    case: str | None = None


def to_markdown(draft: Draft) -> str:
    # One line each: YAML would fold line breaks (even U+0085) into spaces anyway.
    case = " ".join((draft.case_ref or "").split())
    header = {"kind": draft.kind, "lang": draft.lang, "case": case, "subject": draft.subject}
    if not case:
        del header["case"]
    dumped = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=10_000)
    return f"{FENCE}\n{dumped}{FENCE}\n\n{draft.markdown}"


def parse_draft(text: str) -> tuple[DraftMeta, str]:
    """Split an (edited) draft file into its header and its Markdown body."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise InvalidInput("error.letters.no_front_matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise InvalidInput("error.letters.no_front_matter") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(
            "error.letters.bad_front_matter", problem=str(exc).split("\n")[0]
        ) from None
    if not isinstance(meta, dict):
        raise InvalidInput(
            "error.letters.bad_front_matter", problem="not a list of 'key: value' lines"
        )
    for key in ("kind", "lang", "subject"):
        if not str(meta.get(key) or "").strip():
            raise InvalidInput("error.letters.bad_front_matter", problem=f"'{key}' is missing")
    lang = normalise(str(meta["lang"]))
    if lang is None:
        raise InvalidInput(
            "error.letters.bad_front_matter", problem=f"unknown lang '{meta['lang']}'"
        )
    case = meta.get("case")
    body = "\n".join(lines[end + 1 :]).lstrip("\n")
    return (
        DraftMeta(
            kind=str(meta["kind"]).strip(),
            lang=lang,
            subject=" ".join(str(meta["subject"]).split()),
            case=(" ".join(str(case).split()) or None) if case is not None else None,
        ),
        body,
    )


def draft_from_text(text: str) -> Draft:
    """A draft read back from its file, ready to render or issue."""
    meta, body = parse_draft(text)
    return Draft(
        subject=meta.subject, markdown=body, kind=meta.kind, lang=meta.lang, case_ref=meta.case
    )
