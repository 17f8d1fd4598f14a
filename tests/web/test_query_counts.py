"""Lists stay at a handful of queries however many rows they show (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

import pytest
from sqlalchemy import event

from intranet.bookings import services
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today
from intranet.extensions import db


@contextmanager
def counted():
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


@pytest.fixture
def busy_office(app, users, make_user, make_pillar, make_room):
    pillars = [make_pillar(f"Q{n}") for n in range(5)]
    people = [make_user(f"orang.{n}", role="secretary", pillar=pillars[n % 5]) for n in range(30)]
    rooms = [make_room(f"Ruang {n}", needs_approval=True) for n in range(3)]
    with app.test_request_context():
        first = local_today() + timedelta(days=3)
        with write_transaction():
            for n in range(60):
                services.create_booking(
                    people[n % 30],
                    services.BookingRequest(
                        room_id=rooms[n % 3].id,
                        day=first + timedelta(days=n // 24),
                        start=time(8 + (n // 3) % 8, 0),
                        end=time(8 + (n // 3) % 8, 45),
                        title=f"Rapat {n}",
                        pillar_id=pillars[n % 5].id,
                    ),
                )
    return people


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("staff", "/bookings/?who=all"),
        ("receptionist", "/bookings/approvals"),
        ("staff", "/bookings/calendar?view=week"),
        ("staff", "/"),
        ("admin", "/admin/users/"),
        ("admin", "/admin/audit/"),
        ("admin", "/admin/pillars/"),
        ("staff", "/rooms/"),
    ],
)
def test_list_pages_use_few_queries(login_as, busy_office, role, url):
    client = login_as(role)
    client.get(url)  # warm up (session, translations)
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= 12, "\n".join(statements)
