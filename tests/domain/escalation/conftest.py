from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from hostclaim.domain.escalation import CaseFacts, Rung, Step
from hostclaim.domain.escalation.gates import BodyVerdict

MakeFacts = Callable[..., CaseFacts]


@pytest.fixture
def make_facts() -> MakeFacts:
    """Case facts from keyword arguments, with the complainant given as a plain dict."""

    def build(**fields: Any) -> CaseFacts:
        fields.setdefault("today", date(2026, 11, 30))
        return CaseFacts.model_validate(fields)

    return build


def rung(rungs: list[Rung], step: Step) -> Rung:
    return next(r for r in rungs if r.step is step)


def verdict(rungs: list[Rung], key: str) -> BodyVerdict:
    return next(v for r in rungs for v in r.bodies if v.key == key)


def codes(item: Rung | BodyVerdict, *, blocking: bool | None = None) -> list[str]:
    return [
        reason.key.rsplit(".", 1)[1]
        for reason in item.reasons
        if blocking is None or reason.blocking is blocking
    ]


@pytest.fixture
def helpers() -> Any:
    class Helpers:
        rung = staticmethod(rung)
        verdict = staticmethod(verdict)
        codes = staticmethod(codes)

    return Helpers
