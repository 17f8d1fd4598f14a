"""Upgrades keep data; every migration steps back down.

Written against the migration history as a whole, so revisions added later are
covered without touching this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from intranet.auth.models import LoginFailure, Pillar, User
from intranet.core import meta
from intranet.core.audit import AuditEntry
from intranet.extensions import db
from tests.conftest import PASSWORD
from tests.ops.migration_data import (
    FIRST_REVISION_TABLES,
    fill_first_revision,
    first_revision,
    revisions,
)


def _current_revision() -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _schema() -> dict[str, dict]:
    """Tables with their columns, indexes and foreign keys, as the database has them."""
    inspector = inspect(db.engine)
    return {
        table: {
            "columns": sorted(c["name"] for c in inspector.get_columns(table)),
            "indexes": sorted(i["name"] for i in inspector.get_indexes(table)),
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(table)
            ),
        }
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def _usernames() -> set[str]:
    names = set(db.session.scalars(select(User.username)))
    db.session.commit()
    return names


def test_data_of_the_first_schema_survives_the_upgrade_to_the_newest(make_app, scratch_url):
    app = make_app(scratch_url("upgrade"), migrate=False)
    with app.app_context():
        upgrade(revision=first_revision())
        # Every table that existed then gets rows.
        assert set(_schema()) == FIRST_REVISION_TABLES
        fill_first_revision(db.session)
        db.session.commit()

        upgrade()
        assert _current_revision() == revisions()[-1]
        ani = db.session.scalar(select(User).where(User.username == "ani.tksk"))
        assert (ani.full_name, ani.email, ani.phone) == (
            "Ani Rahmawati",
            "ani@dinsos.example",
            "0812-3456-7890",
        )
        assert (ani.role, ani.pillar.code, ani.locale, ani.active) == (
            "secretary",
            "TKSK",
            "id",
            True,
        )
        assert ani.check_password(PASSWORD)
        assert ani.created_at == datetime(2025, 11, 24, 2, 30, tzinfo=UTC)
        budi = db.session.scalar(select(User).where(User.username == "budi"))
        assert budi.role == "admin" and budi.pillar is None and budi.last_login_at is None
        tagana = db.session.scalar(select(Pillar).where(Pillar.code == "TAGANA"))
        assert (tagana.name, tagana.active) == ("Taruna Siaga Bencana", False)
        failure = db.session.scalar(select(LoginFailure))
        assert (failure.username, failure.address) == ("budi", "10.0.0.5")
        assert meta.get("installed") == "2025-11-24"
        entry = db.session.get(AuditEntry, 1)
        assert entry.changes == {"role": [None, "secretary"]}
        assert entry.user.username == "budi"

        # The upgraded office works: the old password logs in, pages open.
        client = app.test_client()
        assert client.login("ani.tksk").status_code == 303
        assert client.get("/").status_code == 200
        assert client.get("/bookings/new").status_code == 200
        db.session.remove()


def test_every_migration_downgrades_one_step(make_app, scratch_url):
    app = make_app(scratch_url("downgrade"), migrate=False)
    history = revisions()
    schemas: dict[str | None, dict] = {}
    with app.app_context():
        schemas[None] = _schema()
        for number, revision in enumerate(history):
            upgrade(revision=revision)
            if number == 0:
                fill_first_revision(db.session)
                db.session.commit()
            schemas[revision] = _schema()
        people = _usernames()

        # From the newest down: each step restores exactly the schema before it.
        for number in range(len(history) - 1, -1, -1):
            previous = history[number - 1] if number else None
            downgrade(revision="-1")
            assert _current_revision() == previous, history[number]
            assert _schema() == schemas[previous], f"downgrade of {history[number]}"
            if previous is not None:
                assert _usernames() == people  # the foundation's rows stay

        upgrade()
        assert _schema() == schemas[history[-1]]
        db.session.remove()


@pytest.mark.postgresql
def test_app_servers_starting_together_migrate_once(scratch_url):
    """Each server's unit runs `db upgrade` before serving; started together, one
    migrates while the others wait on the database lock, then find nothing to do."""
    env = {**os.environ, "DATABASE_URL": scratch_url("together"), "INTRANET_SECRET_KEY": "x"}
    flask = Path(sys.executable).with_name("flask")
    runs = [
        subprocess.Popen(
            [str(flask), "--app", "intranet", "db", "upgrade"],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    log = "".join(outputs)
    for revision in revisions():
        assert log.count(f"-> {revision},") == 1, log
