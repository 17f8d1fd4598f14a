"""The large-office generator of `make bench`, on a small scale."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from intranet import bench
from intranet.auth.models import User
from intranet.bookings.models import HOLDING_STATUSES, Booking, BookingSeries, Room
from intranet.core.audit import AuditEntry
from intranet.extensions import db

SCALE = 0.1  # 5,000 bookings: a few months back, the planted busy day among them


@pytest.fixture
def generated(app):
    with app.test_request_context():
        return bench.generate(scale=SCALE, seed=7)


def test_generates_the_office_with_scaled_history(generated):
    assert generated["user_account"] == bench.USERS == 300
    assert generated["room"] == 12
    assert generated["booking"] == 5_000
    assert generated["audit_entry"] >= 5_000  # every booking has its "requested" entry
    assert generated["booking_series"] > 0
    statuses = dict(
        db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all()
    )
    assert set(statuses) == {"approved", "pending", "cancelled", "rejected"}
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.role == "secretary"))
        == 10
    )


def test_bookings_never_overlap_and_keep_office_hours(generated):
    held: dict[int, list[tuple]] = defaultdict(list)
    for booking in db.session.scalars(select(Booking).where(Booking.status.in_(HOLDING_STATUSES))):
        held[booking.room_id].append((booking.start_at, booking.end_at))
        local = booking.start_at.astimezone(booking.end_at.tzinfo)
        assert booking.day is not None and booking.end_at > booking.start_at
        assert local.minute % 15 == 0
    for spans in held.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            assert e1 <= s2


def test_series_occurrences_point_to_their_series(generated):
    linked = db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.series_id.is_not(None))
    )
    assert linked > 0
    series = db.session.scalars(select(BookingSeries)).all()
    assert all(s.frequency == "weekly" for s in series)


def test_the_same_seed_makes_the_same_office(app, generated):
    # By room name: PostgreSQL does not restart its id sequences after a delete.
    same = (
        select(Room.name, Booking.start_at, Booking.title, Booking.status)
        .join(Room, Booking.room_id == Room.id)
        .order_by(Booking.start_at, Room.name)
    )
    first = db.session.execute(same).all()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    with app.test_request_context():
        bench.generate(scale=SCALE, seed=7)
    again = db.session.execute(same).all()
    assert first == again


def test_refuses_a_database_that_is_not_empty(app, generated):
    import click

    with app.test_request_context(), pytest.raises(click.ClickException):
        bench.generate(scale=SCALE)


def test_every_bench_page_answers(app, generated):
    with app.test_request_context():
        pages = bench.pages()
    assert {"today", "calendar day (all rooms)", "approval queue", "room iCal feed"} <= {
        p["name"] for p in pages
    }
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={
            "username": bench.BENCH_USERNAME,
            "password": bench.BENCH_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    for page in pages:
        if page["kind"] == "baseline":
            continue  # benchmark mode only (next test)
        headers = {}
        if page["htmx"]:
            headers = {"HX-Request": "true", "HX-Target": page["target"]}
        response = client.get(page["path"], headers=headers)
        assert response.status_code == 200, page


def test_the_baseline_page_exists_only_in_benchmark_mode(app, generated):
    assert "bench.baseline" not in app.view_functions
    from intranet import create_app

    bench_app = create_app({**app.config, "BENCH": True})
    assert "bench.baseline" in bench_app.view_functions


def test_busy_day_is_planted_in_the_recent_past(generated):
    rooms = db.session.scalar(select(func.count()).select_from(Room))
    per_day = db.session.execute(
        select(Booking.day, func.count())
        .where(Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.day)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    assert per_day[1] == 5 * rooms
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 5_000
