"""Concurrent requests for one slot: exactly one wins, the rest get a clear conflict.

Fired over real HTTP at a threaded server (threads) and at gunicorn with several
worker processes (separate processes), on whichever database the suite runs.
"""

from __future__ import annotations

from functools import partial

import pytest

from intranet.bookings.models import Booking
from intranet.extensions import db
from tests.servers import Browser, Gunicorn, all_at_once, signed_in, threaded_server

REQUESTS = 20


@pytest.fixture
def contenders(app, make_user, make_room, next_week):
    room = make_room(capacity=30)
    users = [make_user(f"peserta.{n}") for n in range(4)]
    form = {
        "room_id": str(room.id),
        "date": next_week.isoformat(),
        "start": "09:00",
        "end": "10:00",
        "title": "Rapat rebutan",
        "attendees": "5",
        "pillar_id": "",
    }
    return users, form


def _fire(base: str, users, form) -> list[tuple[int, str]]:
    names = [users[n % len(users)].username for n in range(REQUESTS)]
    return all_at_once(
        [
            partial(browser.request, "/bookings/new", {**form, "csrf_token": token})
            for browser, token in signed_in(base, names, "/bookings/new")
        ]
    )


def _assert_one_winner(results) -> None:
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (REQUESTS - 1), statuses
    for status, html in results:
        assert "locked" not in html.lower()
        if status == 422:
            assert "Rapat rebutan" in html  # the conflict names the booking that won
    db.session.rollback()
    assert db.session.query(Booking).count() == 1


def test_concurrent_requests_threads(app, contenders):
    users, form = contenders
    with threaded_server(app) as base:
        results = _fire(base, users, form)
    _assert_one_winner(results)


def test_concurrent_requests_processes(app, contenders):
    users, form = contenders
    with Gunicorn(app, workers=4) as server:
        results = _fire(server.base, users, form)
    _assert_one_winner(results)


SERIES_EDITS = 8


def test_concurrent_series_moves_into_one_slot(app, make_user, make_room, next_week):
    """Eight weekly series move "all" their dates into the same free hour at once: one
    moves, the others are told which date clashes, and no hour is held twice."""
    from datetime import time as clock

    from intranet.bookings import services
    from intranet.bookings.recurrence import Recurrence
    from intranet.core.formatting import format_date_long

    room = make_room(capacity=30)
    owners, firsts = [], []
    for n in range(SERIES_EDITS):
        owner = make_user(f"pemilik.{n}")
        _series, dates = services.create_series(
            owner,
            services.BookingRequest(
                room_id=room.id,
                day=next_week,
                start=clock(8 + n, 0),
                end=clock(8 + n, 30),
                title=f"Rapat {n}",
            ),
            Recurrence("weekly", count=3),
        )
        owners.append(owner)
        firsts.append(dates[0].id)
    db.session.commit()
    room_id, usernames = str(room.id), [owner.username for owner in owners]
    move = {
        "room_id": room_id,
        "date": next_week.isoformat(),
        "start": "16:00",
        "end": "16:30",
        "title": "Pindah",
        "attendees": "5",
        "pillar_id": "",
        "scope": "all",
    }
    with threaded_server(app) as base:
        edits = []
        for username, booking_id in zip(usernames, firsts, strict=True):
            browser = Browser(base)
            assert browser.login(username) == 303
            path = f"/bookings/{booking_id}/edit"
            edits.append(
                partial(browser.request, path, {**move, "csrf_token": browser.token(path)})
            )
        results = all_at_once(edits)
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (SERIES_EDITS - 1), statuses
    with app.test_request_context():
        named = format_date_long(next_week)
    for status, html in results:
        assert "locked" not in html.lower()
        if status == 422:
            assert named in html  # the clash names its date
    db.session.rollback()
    at_four = [b for b in db.session.query(Booking).all() if b.start_at.hour == 9]  # 16.00 WIB
    assert len(at_four) == 3  # one series, its three dates
