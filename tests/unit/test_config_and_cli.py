"""Settings, the secret key, the command line and the migrations."""

from __future__ import annotations

import os
import stat

from sqlalchemy import create_engine, inspect

from intranet import create_app
from intranet.auth.models import Pillar, User
from intranet.config import normalise_database_url, secret_key_from_instance
from intranet.core.audit import AuditEntry
from intranet.extensions import db
from tests.conftest import POSTGRES_URL, base_config


def test_secret_key_generated_once_with_mode_600(tmp_path):
    key = secret_key_from_instance(str(tmp_path))
    path = tmp_path / "secret_key"
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key_from_instance(str(tmp_path)) == key


def test_environment_overrides(monkeypatch, database_url):
    monkeypatch.setenv("INTRANET_OFFICE_TIMEZONE", "Asia/Makassar")
    monkeypatch.setenv("INTRANET_PAGE_SIZE", "10")
    monkeypatch.setenv("INTRANET_DEMO", "0")
    monkeypatch.setenv("INTRANET_SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app()
    assert app.config["OFFICE_TIMEZONE"] == "Asia/Makassar"
    assert app.config["PAGE_SIZE"] == 10
    assert app.config["DEMO"] is False
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == normalise_database_url(database_url)


def test_behind_https_proxy_secures_cookies(database_url):
    app = create_app({**base_config(database_url), "BEHIND_HTTPS_PROXY": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_postgres_urls_use_psycopg():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_create_user_command(app, make_pillar, monkeypatch):
    make_pillar("TKSK")
    runner = app.test_cli_runner()
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", "rahasia-123")
    result = runner.invoke(
        args=["create-user", "kepala", "--role", "admin", "--password-env", "FIRST_ADMIN_PASSWORD"]
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    user = db.session.query(User).filter_by(username="kepala").one()
    assert user.role == "admin" and user.check_password("rahasia-123")
    result = runner.invoke(
        args=["create-user", "sek", "--role", "secretary", "--pillar", "tksk"],
        input="rahasia-123\nrahasia-123\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["create-user", "x", "--password-env", "FIRST_ADMIN_PASSWORD"],
    )
    assert result.exit_code != 0 and "username" in result.output


def test_seed_demo_only_in_demo_mode_and_empty_database(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert "Demo mode is off" in result.output
    app.config["DEMO"] = True
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "sekretaris.tksk" in result.output
    db.session.rollback()
    usernames = {u.username for u in db.session.query(User)}
    assert {
        "admin",
        "resepsionis",
        "sekretaris.tksk",
        "sekretaris.tagana",
        "pengurus.barang",
        "staf",
    } <= usernames
    assert db.session.query(Pillar).count() == 10
    staf = db.session.query(User).filter_by(username="staf").one()
    assert staf.pillar.code == "PSM" and staf.check_password("demo12345")
    tagana = db.session.query(User).filter_by(username="sekretaris.tagana").one()
    assert tagana.role == "secretary" and tagana.pillar.code == "TAGANA"
    assert db.session.query(AuditEntry).count() > 0
    again = runner.invoke(args=["seed-demo"])
    assert "demo12345" in again.output  # the accounts are printed at every start
    assert db.session.query(Pillar).count() == 10


def test_migrations_build_the_schema_the_models_describe(tmp_path):
    """`flask db upgrade` on an empty database gives exactly the models' tables."""
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app(base_config(url))
    with app.app_context():
        if POSTGRES_URL:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output  # fails when models and migrations differ
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        if POSTGRES_URL:
            # leave the schema as the other tests expect it
            db.create_all()
        db.engine.dispose()
    if not POSTGRES_URL:
        engine = create_engine(url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
    os.environ.pop("FLASK_APP", None)


def test_office_timezone_must_exist_and_have_no_daylight_saving(database_url):
    import pytest

    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        create_app({**base_config(database_url), "OFFICE_TIMEZONE": zone})
    for zone in ("Europe/Amsterdam", "Not/AZone"):
        with pytest.raises((ValueError, KeyError)):  # KeyError: ZoneInfoNotFoundError
            create_app({**base_config(database_url), "OFFICE_TIMEZONE": zone})
