from __future__ import annotations

from collections.abc import Callable

import pytest

from hostclaim.errors import HostclaimError


def _check(error: HostclaimError, key: str) -> None:
    assert error.key == key, f"expected {key}, got {error.key}"
    for lang in ("en", "zh"):
        text = error.render(lang)
        assert text != error.key, f"{error.key} is missing from the {lang} catalog"
        assert "{" not in text, f"unfilled placeholder in the {lang} message: {text}"


@pytest.fixture
def check_error() -> Callable[[HostclaimError, str], None]:
    """Check an error's catalog key, and that it renders fully in English and Chinese."""
    return _check
