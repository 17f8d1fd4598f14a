"""Concurrent registrations for the last seats: exactly the free seats are taken, the rest
wait in order, and the count never exceeds the capacity.

Fired over real HTTP at a threaded server and at gunicorn with several worker processes,
on whichever database the suite runs (``make test-postgres`` for PostgreSQL).
"""

from __future__ import annotations

from datetime import time as clock
from functools import partial

import pytest
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.trainings import services
from intranet.trainings.models import Registration, Training
from tests.servers import Gunicorn, all_at_once, signed_in, threaded_server

CONTENDERS = 24
CAPACITY = 10
TAKEN_BEFORE = 7  # three seats left for 24 people


@pytest.fixture
def last_seats(app, make_user, make_training, next_week):
    with app.test_request_context():
        training = make_training(
            capacity=CAPACITY, sessions=[(next_week, clock(9), clock(12), None)]
        )
        early = [make_user(f"awal.{n}") for n in range(TAKEN_BEFORE)]
        for person in early:
            services.register_self(person, training.id)
    contenders = [make_user(f"rebutan.{n}") for n in range(CONTENDERS)]
    return training.id, contenders


def _fire(base: str, training_id: int, contenders) -> list[int]:
    path = f"/trainings/{training_id}/register"
    browsers = signed_in(base, [p.username for p in contenders], f"/trainings/{training_id}")
    results = all_at_once(
        [partial(browser.request, path, {"csrf_token": token}) for browser, token in browsers]
    )
    return [status for status, _html in results]


def _assert_seats(training_id: int, contenders) -> None:
    db.session.rollback()
    training = db.session.get(Training, training_id)
    rows = list(
        db.session.scalars(select(Registration).where(Registration.training_id == training_id))
    )
    registered = [r for r in rows if r.status == "registered"]
    waiting = sorted(
        (r for r in rows if r.status == "waitlisted"), key=lambda r: r.waitlist_position
    )
    assert len(rows) == TAKEN_BEFORE + CONTENDERS  # everyone got an answer, nobody twice
    assert len(registered) == CAPACITY == training.seats_taken
    assert len(waiting) == CONTENDERS - (CAPACITY - TAKEN_BEFORE)
    # The waitlist is in the order the requests were served: positions 1, 2, 3 … and
    # registered earlier means a smaller position.
    assert [r.waitlist_position for r in waiting] == list(range(1, len(waiting) + 1))
    times = [r.registered_at for r in waiting]
    assert times == sorted(times)
    seated_contenders = {r.user_id for r in registered} & {u.id for u in contenders}
    assert all(
        r.registered_at <= waiting[0].registered_at
        for r in registered
        if r.user_id in seated_contenders
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.training_id == training_id, Registration.status == "registered")
        )
        <= training.capacity
    )


def test_concurrent_registrations_threads(app, last_seats):
    training_id, contenders = last_seats
    with threaded_server(app) as base:
        statuses = _fire(base, training_id, contenders)
    assert statuses == [303] * CONTENDERS
    _assert_seats(training_id, contenders)


def test_concurrent_registrations_processes(app, last_seats):
    training_id, contenders = last_seats
    with Gunicorn(app, workers=4) as server:
        statuses = _fire(server.base, training_id, contenders)
    assert statuses == [303] * CONTENDERS
    _assert_seats(training_id, contenders)
