"""Tables of the letters capability (registered on the shared metadata by ``tables.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hostclaim.storage.tables import Base, _CaseChild


class Letter(_CaseChild, Base):
    """A letter drafted from the case (``drafted``) and, once sent, what was issued (``issued``).

    A draft is a plain Markdown file the user edits; only its hash at drafting time is kept here.
    Issuing stores the final text and every rendering as evidence and links them here.
    """

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    kind: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    """``drafted`` or ``issued``."""
    recipient: Mapped[str | None] = mapped_column(String(300))
    """The body a letter is addressed to when it is not the provider (``--to``)."""
    draft_file: Mapped[str | None] = mapped_column(String(1000))
    draft_sha256: Mapped[str | None] = mapped_column(String(64))
    missing_facts: Mapped[list[Any]] = mapped_column(JSON)
    reply_days: Mapped[int] = mapped_column(Integer)
    reply_by: Mapped[date | None] = mapped_column(Date)

    issued_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    final_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_number: Mapped[int | None] = mapped_column(Integer)
    """The final text (Markdown with its header) in the locker."""
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Rendered format → evidence number (``{"pdf": 12, "eml": 13}``)."""
    enclosure_numbers: Mapped[list[Any]] = mapped_column(JSON)
    communication_number: Mapped[int | None] = mapped_column(Integer)
    deadline_number: Mapped[int | None] = mapped_column(Integer)
    sent_evidence_number: Mapped[int | None] = mapped_column(Integer)
    smtp_reply: Mapped[str | None] = mapped_column(Text)
    forced_reason: Mapped[str | None] = mapped_column(Text)
    """Why the letter was issued despite error-level lint findings (``--force``)."""


#: Tables of this module whose rows the ledger snapshots and ``verify`` compares.
RECORDS: tuple[type[Base], ...] = (Letter,)
