"""Fixtures for the mail tests; the helpers live in ``mailkit`` next to this file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test modules import the helpers as ``mailkit`` (tests are collected with importlib mode,
# which puts no test folder on sys.path).
sys.path.insert(0, str(Path(__file__).parent))

from mailkit import SigningKey, make_key


@pytest.fixture(scope="session")
def key() -> SigningKey:
    return make_key()
