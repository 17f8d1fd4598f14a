"""Fixtures: a fresh app and database per test, clients per role, small factories.

The database is SQLite in a temporary file by default. With TEST_DATABASE_URL set
(``make test-postgres``) every test runs against that PostgreSQL database instead,
its tables emptied before each test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from intranet import create_app
from intranet.auth import services as auth_services
from intranet.auth.models import Pillar, Role, User
from intranet.core.db import write_transaction
from intranet.extensions import db

PASSWORD = "secret-pass-1"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
CSRF_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgresql`` do not apply to SQLite: deselected there, not skipped."""
    if POSTGRES_URL:
        return
    keep = [item for item in items if not item.get_closest_marker("postgresql")]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DEMO": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing for tests
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Path | None:
    """SQLite: one database file with the schema, copied for every test."""
    if POSTGRES_URL:
        app = create_app(base_config(POSTGRES_URL))
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()
        return None
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


def _empty_postgres_tables() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def database_url(tmp_path, schema_template) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    path = tmp_path / "test.sqlite3"
    shutil.copy(schema_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path) -> Iterator[Flask]:
    config = {**base_config(database_url), "UPLOAD_FOLDER": str(tmp_path / "uploads")}
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        if POSTGRES_URL:
            _empty_postgres_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


class Client(FlaskClient):
    """A test client that knows its CSRF token and how to log in."""

    _csrf: str | None = None

    def open(self, *args, **kwargs):
        # Each request gets its own app context (fresh ``g`` and database session), as
        # in production, even though the test itself holds one open.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # The test's own session then sees what the request committed.
        if db.session().in_transaction():
            db.session.commit()
        return response

    def csrf_token(self) -> str:
        if self._csrf is None:
            page = self.get("/login", follow_redirects=True).get_data(as_text=True)
            match = CSRF_RE.search(page)
            assert match, "no CSRF token in the page"
            self._csrf = match.group(1)
        return self._csrf

    def post_form(self, url: str, data: dict | None = None, htmx: bool = False, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        headers = kwargs.pop("headers", {})
        if htmx:
            headers = {"HX-Request": "true", **headers}
        return self.post(url, data=data, headers=headers, **kwargs)

    def login(self, username: str, password: str = PASSWORD):
        response = self.post_form("/login", {"username": username, "password": password})
        self._csrf = None  # a new session after login
        return response

    def htmx_get(self, url: str, **headers):
        return self.get(url, headers={"HX-Request": "true", **headers})


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


# --- factories -------------------------------------------------------------------


@pytest.fixture
def make_pillar(app):
    counter = iter(range(1, 10_000))

    def make(code: str | None = None, **fields) -> Pillar:
        n = next(counter)
        with write_transaction():
            pillar = auth_services.create_pillar(
                code=code or f"P{n}",
                name=fields.pop("name", f"Pillar {n}"),
                colour=fields.pop("colour", "#123456"),
                actor=None,
                **fields,
            )
        return pillar

    return make


@pytest.fixture
def make_user(app, make_pillar):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, role: str = Role.STAFF.value, **fields) -> User:
        pillar = fields.pop("pillar", None)
        if role == Role.SECRETARY.value and pillar is None and "pillar_id" not in fields:
            pillar = make_pillar()
        with write_transaction():
            user = auth_services.create_user(
                username=username or f"{role.replace('_', '.')}.{next(counter)}",
                full_name=fields.pop("full_name", (username or role).title()),
                password=fields.pop("password", PASSWORD),
                role=role,
                pillar_id=pillar.id if pillar else fields.pop("pillar_id", None),
                actor=None,
                **fields,
            )
        return user

    return make


ROLES = [r.value for r in Role]


@pytest.fixture
def users(make_user, make_pillar) -> dict[str, User]:
    """One user per role (the secretary belongs to pillar SEC)."""
    pillar = make_pillar("SEC")
    return {
        role: make_user(role, role=role, pillar=pillar if role == Role.SECRETARY.value else None)
        for role in ROLES
    }


@pytest.fixture
def login_as(app, users):
    """``login_as("admin")`` → a client logged in as that role's user."""

    def login(role: str) -> Client:
        client = app.test_client()
        response = client.login(users[role].username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return login


@pytest.fixture
def make_room(app):
    from intranet.bookings import services as booking_services

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **fields):
        data = booking_services.RoomData(
            name=name or f"Ruang {next(counter)}",
            capacity=fields.pop("capacity", 20),
            needs_approval=fields.pop("needs_approval", False),
            **fields,
        )
        with write_transaction():
            room = booking_services.create_room(data, actor=None)
        return room

    return make


@pytest.fixture
def next_week(app):
    """A day a week from now (office time): far enough for the notice rules."""
    from datetime import timedelta

    from intranet.core.formatting import local_today

    with app.test_request_context():
        return local_today() + timedelta(days=7)


@pytest.fixture
def book(app, users):
    """``book(room, day, start, end, status=...)``: a booking made a day ahead of time."""
    from datetime import datetime, time, timedelta

    from intranet.bookings import services as booking_services
    from intranet.core.formatting import office_zone

    def make(
        room, day, start=time(9), end=time(10), *, user=None, status=None, title="Rapat", **kw
    ):
        user = user or users["staff"]
        earlier = datetime.combine(day, time.min, tzinfo=office_zone()) - timedelta(days=1)
        booking = booking_services.create_booking(
            user,
            booking_services.BookingRequest(
                room_id=room.id,
                day=day,
                start=start,
                end=end,
                title=title,
                attendees=kw.pop("attendees", 5),
                **kw,
            ),
            now=earlier,
        )
        desk = users["receptionist"]
        if status == "approved" and booking.status == "pending":
            booking_services.approve(desk, booking.id)
        elif status == "cancelled":
            booking_services.cancel(desk, booking.id, "Acara batal")
        elif status == "rejected":
            booking_services.reject(desk, booking.id, "Ruang dipakai")
        db.session.refresh(booking)
        assert status is None or booking.status == status
        return booking

    return make


@pytest.fixture
def make_training(app, users):
    """``make_training(organiser, sessions=[(day, start, end, room)], capacity=…)``: a
    training with its sessions (booked a day ahead of time), published unless
    ``status="draft"``."""
    from datetime import datetime, time, timedelta

    from intranet.core.formatting import office_zone
    from intranet.trainings import services as training_services

    def make(organiser=None, *, sessions=(), status="published", capacity=10, **fields):
        organiser = organiser or users["secretary"]
        training = training_services.create_training(
            organiser,
            training_services.TrainingData(
                title=fields.pop("title", "Pelatihan Pendataan"),
                organiser_pillar_id=fields.pop("pillar_id", organiser.pillar_id),
                capacity=capacity,
                **fields,
            ),
        )
        for day, start, end, room in sessions or ():
            earlier = datetime.combine(day, time.min, tzinfo=office_zone()) - timedelta(days=1)
            training_services.add_session(
                organiser,
                training.id,
                training_services.SessionData(
                    day=day,
                    start=start,
                    end=end,
                    topic="Materi",
                    room_id=room.id if room else None,
                    place="" if room else "Kantor Camat",
                ),
                now=earlier,
            )
        if status == "published":
            training_services.publish(organiser, training.id)
        db.session.refresh(training)
        return training

    return make
