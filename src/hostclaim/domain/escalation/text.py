"""Catalog-backed phrases: rules say *why* with a key and parameters; interfaces render them.

Parameters may be dates, money, periods, bilingual :class:`Text`, other phrases or lists of
them; each is shown in the language asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from hostclaim.domain.directory.values import Money, Period, Text
from hostclaim.i18n import current_language, normalise, t


@dataclass(frozen=True)
class Phrase:
    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        code = normalise(lang) or current_language()
        return t(self.key, code, **{name: show(value, code) for name, value in self.params.items()})


@dataclass(frozen=True)
class Reason(Phrase):
    """Why a rung or a body is open or closed.

    ``blocking`` reasons close the route; the others inform. ``inference`` marks a reason that
    rests on our reading rather than on a source saying so; ``unconfirmed`` one whose data is
    not verified.
    """

    blocking: bool = False
    inference: bool = False
    unconfirmed: bool = False


def show(value: object, lang: str) -> str:
    if isinstance(value, Phrase):
        return value.render(lang)
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, Period):
        return t(f"escalation.period.{value.unit.value}", lang, n=value.amount)
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return t("escalation.join", lang).join(show(item, lang) for item in value)
    return str(value)
