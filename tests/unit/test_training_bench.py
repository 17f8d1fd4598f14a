"""The trainings of the large-office generator, on a small scale."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intranet import bench
from intranet.extensions import db
from intranet.trainings.models import Attendance, Registration, Training, TrainingSession


@pytest.fixture
def generated(app):
    with app.test_request_context():
        return bench.generate(scale=0.1, seed=7)


def test_scaled_trainings_registrations_and_attendance(generated):
    assert generated["training"] == 200
    assert 3_000 <= generated["training_registration"] <= 5_000  # 20 a training on average
    assert generated["training_attendance"] > 1_000
    statuses = set(db.session.scalars(select(Training.status).distinct()))
    assert statuses == {"draft", "published", "finished", "cancelled"}


def test_seats_waitlists_and_attendance_are_consistent(generated):
    for training in db.session.scalars(select(Training)):
        registered = db.session.scalar(
            select(func.count()).where(
                Registration.training_id == training.id, Registration.status == "registered"
            )
        )
        assert training.seats_taken == registered <= training.capacity
        positions = db.session.scalars(
            select(Registration.waitlist_position)
            .where(Registration.training_id == training.id, Registration.status == "waitlisted")
            .order_by(Registration.waitlist_position)
        ).all()
        assert positions == list(range(1, len(positions) + 1))
    # Only people with a seat attended, and only sessions that ran.
    wrong = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(Registration, Registration.id == Attendance.registration_id)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where((Registration.status != "registered") | (Training.status != "finished"))
    )
    assert wrong == 0


def test_bench_pages_include_the_training_pages(app, generated):
    with app.test_request_context():
        names = {p["name"] for p in bench.pages()}
    assert {"training agenda", "training page", "check-in list"} <= names
