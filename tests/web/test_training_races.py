"""Concurrent registrations for the last seats: exactly the free seats are taken, the rest
wait in order, and the count never exceeds the capacity.

Fired over real HTTP at a threaded server and at gunicorn with several worker processes,
on whichever database the suite runs (``make test-postgres`` for PostgreSQL).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time as clock

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from intranet.extensions import db
from intranet.trainings import services
from intranet.trainings.models import Registration, Training
from tests.servers import Gunicorn
from tests.web.test_booking_races import Browser

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
    browsers = []
    for person in contenders:
        browser = Browser(base)
        browser.login(person.username)
        browsers.append((browser, browser.token(f"/trainings/{training_id}")))
    barrier = threading.Barrier(len(browsers))

    def post(pair):
        browser, token = pair
        barrier.wait(timeout=60)
        status, _html = browser.request(f"/trainings/{training_id}/register", {"csrf_token": token})
        return status

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        return list(pool.map(post, browsers))


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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        statuses = _fire(f"http://127.0.0.1:{server.server_port}", training_id, contenders)
    finally:
        server.shutdown()
    assert statuses == [303] * CONTENDERS
    _assert_seats(training_id, contenders)


def test_concurrent_registrations_processes(app, last_seats):
    training_id, contenders = last_seats
    with Gunicorn(app, workers=4) as server:
        statuses = _fire(server.base, training_id, contenders)
    assert statuses == [303] * CONTENDERS
    _assert_seats(training_id, contenders)
