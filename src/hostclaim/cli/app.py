"""The complete ``hostclaim`` app, every group loaded (for tests, docs and embedding).

The console script goes through ``hostclaim.__main__``, which loads only the group it runs.
"""

from __future__ import annotations

from hostclaim.cli.root import register

app = register()

__all__ = ["app"]
