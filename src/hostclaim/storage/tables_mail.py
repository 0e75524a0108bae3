"""Tables of the mail-import capability (registered on the shared metadata by ``tables.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hostclaim.storage.tables import Base, _CaseChild


class MailMessage(_CaseChild, Base):
    """One imported e-mail: what was read out of its bytes, and where those bytes are kept.

    The raw message is an evidence item (``evidence_number``); a dated, readable message is
    also a contact (``communication_number``). A message that could not be read as mail is
    kept with ``status = "unparsed"`` so that importing the mailbox again skips it too.
    ``message_id`` is normalised (see ``hostclaim.mail``); one row per Message-ID per case.
    """

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        UniqueConstraint("case_id", "message_id", name="uq_mail_messages_case_id_message_id"),
    )

    message_id: Mapped[str] = mapped_column(String(1000))
    message_id_synthesised: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    """``parsed`` or ``unparsed``."""
    problem: Mapped[str | None] = mapped_column(String(40))
    problem_detail: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(500))
    source_index: Mapped[int] = mapped_column(Integer)
    source_offset: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)

    sent_at: Mapped[datetime | None]
    """The Date header, or None when it is missing, invalid or without a zone."""
    received_at: Mapped[datetime | None]
    sender: Mapped[str | None] = mapped_column(String(500))
    recipients: Mapped[list[Any]] = mapped_column()
    subject: Mapped[str] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(String(16))
    """``inbound``, ``outbound`` or ``unknown`` (none of the complainant's addresses in it)."""
    counterpart: Mapped[str | None] = mapped_column(String(500))

    thread_root: Mapped[str] = mapped_column(String(1000))
    in_reply_to: Mapped[str | None] = mapped_column(String(1000))
    references: Mapped[list[Any]] = mapped_column()
    ticket_refs: Mapped[list[Any]] = mapped_column()

    dkim_signed: Mapped[bool] = mapped_column(Boolean)
    dkim_verified: Mapped[bool | None] = mapped_column(Boolean)
    dkim_domain: Mapped[str | None] = mapped_column(String(255))
    dkim_selector: Mapped[str | None] = mapped_column(String(255))
    dkim_reason: Mapped[str | None] = mapped_column(String(40))
    dkim_detail: Mapped[str | None] = mapped_column(Text)
    dkim_aligned: Mapped[bool] = mapped_column(Boolean)
    dkim_key_record: Mapped[str | None] = mapped_column(Text)
    """The TXT record the verdict used: keys are rotated, so it is kept with the message."""
    dkim_signatures: Mapped[list[Any]] = mapped_column()

    attachments: Mapped[list[Any]] = mapped_column()
    warnings: Mapped[list[Any]] = mapped_column()
    evidence_number: Mapped[int] = mapped_column(Integer)
    communication_number: Mapped[int | None] = mapped_column(Integer)


#: Tables of this module whose rows the ledger snapshots and ``verify`` compares.
RECORDS: tuple[type[Base], ...] = (MailMessage,)
