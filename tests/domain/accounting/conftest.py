"""Make the shared builders (``accounting_kit``) importable (pytest runs with
``--import-mode=importlib``, which puts no test folder on sys.path)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
