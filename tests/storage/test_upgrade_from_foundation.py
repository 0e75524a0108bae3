"""A database made by an older hostclaim (foundation schema only) upgrades with its data intact."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from hostclaim.services import cases
from hostclaim.services.verify import verify_case
from hostclaim.services.workspace import open_workspace
from hostclaim.storage.db import MIGRATIONS, _heads


def test_a_foundation_database_upgrades_and_still_verifies(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'hostclaim.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0001")
    # A case written with the foundation schema, by hand, as that version stored it.
    import sqlite3

    with sqlite3.connect(home / "hostclaim.db") as db:
        db.execute(
            "insert into cases (id, ref, title, created_at, updated_at, stage, complainant_type,"
            " complainant_name, provider_name, service_tz, goals) values (1, 'HC-2026-0001', 't',"
            " '2026-10-01 00:00:00', '2026-10-01 00:00:00', 'preparing', 'business', 'N', 'P',"
            " 'UTC', '[]')"
        )
    ws = open_workspace(home)
    with ws.engine.connect() as connection:
        versions = set(
            connection.exec_driver_sql("select version_num from alembic_version").scalars()
        )
    assert versions == _heads() == {"0007"}
    case = cases.get_case(ws, "HC-2026-0001")
    assert case.provider_name == "P"
    cases.move_stage(ws, "HC-2026-0001", cases.lifecycle.Stage.COMPLAINED, "ticket opened")
    # the first change after the upgrade records the case's full new state in the ledger
    report = verify_case(ws, "HC-2026-0001")
    assert report.intact, [p.render("en") for p in report.problems]
    ws.close()
