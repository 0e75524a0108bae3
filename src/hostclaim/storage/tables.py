"""The case file's tables. Alembic migrations are the only way they change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hostclaim.storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    stage: Mapped[str] = mapped_column(String(32))

    complainant_type: Mapped[str] = mapped_column(String(16))
    complainant_name: Mapped[str] = mapped_column(String(200))
    complainant_org: Mapped[str | None] = mapped_column(String(200))
    complainant_role: Mapped[str | None] = mapped_column(String(200))
    complainant_contact: Mapped[str | None] = mapped_column(String(300))
    complainant_account_id: Mapped[str | None] = mapped_column(String(200))
    complainant_country: Mapped[str | None] = mapped_column(String(2))

    provider_name: Mapped[str] = mapped_column(String(200))
    provider_country: Mapped[str | None] = mapped_column(String(2))
    provider_website: Mapped[str | None] = mapped_column(String(300))
    provider_key: Mapped[str | None] = mapped_column(String(100))

    contract_ref: Mapped[str | None] = mapped_column(String(200))
    product: Mapped[str | None] = mapped_column(String(300))
    service_start: Mapped[date | None] = mapped_column(Date)
    monthly_fee: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    billing_day: Mapped[int | None] = mapped_column(Integer)
    service_tz: Mapped[str] = mapped_column(String(64))
    sla_policy: Mapped[str | None] = mapped_column(String(120))

    goals: Mapped[list[Any]] = mapped_column(JSON)
    liability: Mapped[str | None] = mapped_column(String(32))

    # Follow-up and escalation (issue 5): who may use which body, the contract's forum, the
    # provider's answers that open routes, and how far the legal route has come. All optional.
    complainant_tz: Mapped[str | None] = mapped_column(String(64))
    complainant_employees: Mapped[int | None] = mapped_column(Integer)
    complainant_turnover: Mapped[str | None] = mapped_column(String(40))
    complainant_turnover_currency: Mapped[str | None] = mapped_column(String(3))
    provider_memberships: Mapped[list[Any] | None] = mapped_column(JSON)
    governing_law: Mapped[str | None] = mapped_column(String(300))
    venue: Mapped[str | None] = mapped_column(String(300))
    venue_country: Mapped[str | None] = mapped_column(String(2))
    arbitration: Mapped[bool | None] = mapped_column(Boolean)
    deadlock_letter_at: Mapped[datetime | None]
    management_escalation_at: Mapped[datetime | None]
    lawyer_consulted_on: Mapped[date | None] = mapped_column(Date)
    statement_of_claim: Mapped[str | None] = mapped_column(String(300))
    evidence_list: Mapped[str | None] = mapped_column(String(300))
    claim_filed_on: Mapped[date | None] = mapped_column(Date)
    hearing_on: Mapped[date | None] = mapped_column(Date)
    judgment_on: Mapped[date | None] = mapped_column(Date)
    judgment_enforced_on: Mapped[date | None] = mapped_column(Date)


class _CaseChild:
    """Columns every per-case record has: its case and a number unique within the case."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Evidence(_CaseChild, Base):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    captured_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    original_name: Mapped[str | None] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    origin: Mapped[str] = mapped_column(String(200))
    derived_from: Mapped[int | None] = mapped_column(Integer)


class Communication(_CaseChild, Base):
    __tablename__ = "communications"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))
    counterpart: Mapped[str | None] = mapped_column(String(300))
    subject: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text)
    ticket_ref: Mapped[str | None] = mapped_column(String(200))
    evidence_numbers: Mapped[list[Any]] = mapped_column(JSON)


class Incident(_CaseChild, Base):
    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    start_at: Mapped[datetime]
    end_at: Mapped[datetime | None]
    target: Mapped[str | None] = mapped_column(String(500))
    impact: Mapped[str] = mapped_column(Text)
    established_by: Mapped[str] = mapped_column(String(64))
    evidence_numbers: Mapped[list[Any]] = mapped_column(JSON)


class Demand(_CaseChild, Base):
    __tablename__ = "demands"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    kind: Mapped[str] = mapped_column(String(40))
    amount: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    due_date: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))


class StageChange(_CaseChild, Base):
    __tablename__ = "stage_changes"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class Deadline(_CaseChild, Base):
    """A dated obligation or opportunity, with the rule that produced it."""

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    due_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    rule: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))


class ProbeSegment(_CaseChild, Base):
    """A closed Parquet file of raw probe results (probed or imported), held as evidence."""

    __tablename__ = "probe_segments"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    evidence_number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    source_evidence_number: Mapped[int | None] = mapped_column(Integer)
    targets: Mapped[list[Any]] = mapped_column(JSON)
    vantages: Mapped[list[Any]] = mapped_column(JSON)
    start_us: Mapped[int] = mapped_column(BigInteger)
    end_us: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(BigInteger)


class LedgerEntry(Base):
    """One event of a case, chained to the one before by hash."""

    __tablename__ = "ledger"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


#: Tables whose rows the ledger snapshots and ``verify`` compares.
RECORD_TABLES: tuple[type[Base], ...] = (
    Case,
    Evidence,
    Communication,
    Incident,
    Demand,
    StageChange,
    Deadline,
    ProbeSegment,
)

# Each capability keeps its tables in its own module; importing them here registers them on the
# shared metadata (for Alembic) and adds their records to what the ledger and verify cover.
from hostclaim.storage import (  # noqa: E402
    tables_followup,
    tables_letters,
    tables_mail,
    tables_monitoring,
)

RECORD_TABLES = (
    RECORD_TABLES
    + tables_monitoring.RECORDS
    + tables_letters.RECORDS
    + tables_followup.RECORDS
    + tables_mail.RECORDS
)
