"""merge the capability branches (monitoring, letters, follow-up, mail) into one head

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
