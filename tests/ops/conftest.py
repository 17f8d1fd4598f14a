"""Fixtures for operability tests: scratch databases built by the migrations.

Backups, restores and migrations replace or drop whole schemas, so these tests use
databases of their own: a SQLite file, or (``make test-postgres``) a scratch PostgreSQL
database created next to the test database and dropped afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from intranet import create_app
from intranet.extensions import db
from tests.conftest import POSTGRES_URL, Client, base_config


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[Callable[[str], str]]:
    """``scratch_url("name")`` → the URL of a new, empty database."""
    created: list[str] = []
    admin = None
    if POSTGRES_URL:
        admin = create_engine(POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def make(name: str) -> str:
        if not POSTGRES_URL:
            return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        database = f"kb_{name}_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        created.append(database)
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for database in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def make_app(tmp_path) -> Iterator[Callable[..., Flask]]:
    """``make_app(url, name)`` → an app on that database with its own instance folder
    (uploads, backups, secret key); ``migrate=False`` leaves the database empty."""
    apps: list[Flask] = []

    def make(url: str, name: str = "office", *, migrate: bool = True, **config) -> Flask:
        instance = tmp_path / name / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        app = create_app(
            {
                **base_config(url),
                "UPLOAD_FOLDER": str(instance / "uploads"),
                "BACKUP_FOLDER": str(tmp_path / name / "backups"),
                **config,
            },
            instance_path=str(instance),
        )
        app.test_client_class = Client
        if migrate:
            with app.app_context():
                upgrade()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def instance_file(app: Flask, name: str) -> Path:
    return Path(app.instance_path) / name
