"""Builders shared by the deadline tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from hostclaim.domain.deadlines import DeadlineInputs, Party
from hostclaim.domain.timeutil import parse_time

SHENZHEN = Party("CN", "Asia/Shanghai")
FRANKFURT = Party("DE", "Europe/Berlin")


def at(text: str) -> datetime:
    """``2026-10-03T09:00+08:00`` → aware UTC."""
    return parse_time(text)


@pytest.fixture
def case() -> Callable[..., DeadlineInputs]:
    """``case(provider=Party(...), letters=[...])``: inputs with sensible defaults."""

    def build(**overrides: Any) -> DeadlineInputs:
        values: dict[str, Any] = {
            "now": at("2026-10-05T12:00:00+08:00"),
            "complainant": SHENZHEN,
            "provider": FRANKFURT,
        }
        values.update(overrides)
        return DeadlineInputs(**values)

    return build
