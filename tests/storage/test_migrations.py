"""Alembic is the only way the schema changes: migrations must produce exactly the tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hostclaim.storage.tables import Base


def test_migrated_schema_matches_the_models(ws) -> None:
    with ws.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(ws) -> None:
    with ws.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert "alembic_version" in inspect(connection).get_table_names()


def test_opening_twice_does_not_migrate_again(home) -> None:
    from hostclaim.services.workspace import open_workspace

    first = open_workspace(home)
    first.close()
    second = open_workspace(home)
    with second.engine.connect() as connection:
        versions = (
            connection.exec_driver_sql("select version_num from alembic_version").scalars().all()
        )
    assert len(versions) >= 1
    second.close()
