from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    # Messages are asserted in English; the language comes from the environment otherwise.
    monkeypatch.setenv("HOSTCLAIM_LANG", "en")
