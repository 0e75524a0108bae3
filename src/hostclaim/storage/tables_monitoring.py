"""Tables of the monitoring capability (registered on the shared metadata by ``tables.py``)."""

from __future__ import annotations

from sqlalchemy import Float, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hostclaim.storage.tables import Base, _CaseChild


class Monitor(_CaseChild, Base):
    """One thing ``hostclaim monitor run`` checks for a case: a server at the provider."""

    __tablename__ = "monitors"
    __table_args__ = (
        UniqueConstraint("case_id", "number"),
        UniqueConstraint("case_id", "name", name="uq_monitors_case_id_name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    check: Mapped[str] = mapped_column(String(8))
    """http, https, tcp, dns or tls."""
    target: Mapped[str] = mapped_column(String(500))
    """URL (http/https), host:port (tcp, tls) or host name (dns)."""
    interval_s: Mapped[float] = mapped_column(Float)
    timeout_s: Mapped[float] = mapped_column(Float)
    expect_status: Mapped[str | None] = mapped_column(String(100))
    """Accepted HTTP status codes or ranges, e.g. ``200`` or ``200-299,301``."""
    expect_text: Mapped[str | None] = mapped_column(Text)


#: Tables of this module whose rows the ledger snapshots and ``verify`` compares.
RECORDS: tuple[type[Base], ...] = (Monitor,)
