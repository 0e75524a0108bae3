"""``hostclaim monitor``."""

from __future__ import annotations

from hostclaim.cli.common import make_app

app = make_app("help.group.monitor")
