"""What the calendar reads from the database: light rows by local day, month summaries,
the booking's day kept from its start, and the queue of bookings waiting for a decision."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from intranet.bookings import services
from intranet.bookings.models import LONGEST_BOOKING, Booking
from intranet.core.formatting import local_today
from intranet.extensions import db


@pytest.fixture
def rooms(make_room):
    return make_room("Aula", needs_approval=True), make_room("Kecil")


@pytest.fixture
def day(app) -> date:
    return local_today() + timedelta(days=7)


def test_every_write_keeps_the_bookings_local_day(rooms, book, day, users):
    aula, _kecil = rooms
    booking = book(aula, day, time(7, 30), time(8, 30))
    assert booking.day == day  # 07.30 WIB is 00.30 UTC: the same date
    early = book(aula, day, time(6, 0), time(6, 30), override_reason="x", user=users["admin"])
    assert early.day == day  # 06.00 WIB is 23.00 UTC the day before: still the local date
    moved = services.request_from_booking(booking, day=day + timedelta(days=1))
    services.update_booking(users["staff"], booking.id, moved)
    assert db.session.get(Booking, booking.id).day == day + timedelta(days=1)


def test_calendar_entries_are_the_holding_bookings_of_the_days(rooms, book, day):
    aula, kecil = rooms
    first = book(aula, day, time(9), time(10), title="Pertama")
    book(kecil, day, time(8), time(9), status="cancelled", title="Batal")
    other_day = book(kecil, day + timedelta(days=1), time(8), time(9))
    entries = services.calendar_entries(day, day + timedelta(days=1))
    assert [e.id for e in entries] == [first.id]
    (entry,) = entries
    assert (entry.day, entry.start, entry.end, entry.time_text) == (day, 540, 600, "09.00–10.00")
    assert entry.pending and entry.title == "Pertama"
    both = services.calendar_entries(day, day + timedelta(days=2), room_id=kecil.id)
    assert [e.id for e in both] == [other_day.id]


def test_month_summary_counts_and_lists_the_first_of_each_day(rooms, book, day):
    aula, kecil = rooms
    made = [book(kecil, day, time(h), time(h, 45), title=f"Rapat {h}") for h in (11, 8, 10, 9)]
    book(aula, day, time(13), time(14))  # pending (the Aula needs approval)
    book(kecil, day, time(15), time(16), status="cancelled")
    book(kecil, day + timedelta(days=2), time(8), time(9))
    first = day - timedelta(days=day.weekday())
    summary = services.month_summary(first, first + timedelta(days=14), per_day=3)
    assert set(summary) == {day, day + timedelta(days=2)}
    today = summary[day]
    assert (today.count, today.pending) == (5, 1)
    assert [e.title for e in today.entries] == ["Rapat 8", "Rapat 9", "Rapat 10"]
    assert made[0].id not in [e.id for e in today.entries]  # 11.00 is the fourth
    only_aula = services.month_summary(first, first + timedelta(days=14), room_id=aula.id)
    assert set(only_aula) == {day} and only_aula[day].count == 1


def test_the_queue_and_its_count_are_the_pending_bookings_from_today(rooms, book, day, users):
    aula, _kecil = rooms
    waiting = book(aula, day, time(9), time(10))
    book(aula, day, time(11), time(12), status="approved")
    assert services.pending_count() == 1
    queue = db.session.scalars(*services.approval_queue()).all()
    assert [b.id for b in queue] == [waiting.id]
    # once its day has passed it leaves the queue
    stale = db.session.get(Booking, waiting.id)
    back = timedelta(days=(day - local_today()).days + 1)
    stale.start_at, stale.end_at = stale.start_at - back, stale.end_at - back
    db.session.commit()
    assert stale.day == local_today() - timedelta(days=1)
    assert services.pending_count() == 0


def test_interval_queries_look_back_no_further_than_the_longest_booking(rooms, book, day):
    aula, _kecil = rooms
    booking = book(aula, day, time(8), time(16))
    start, end = services.local_day_bounds(day)
    assert [b.id for b in services.bookings_between(start, end)] == [booking.id]
    assert [b.id for b in db.session.scalars(*services.overlapping(aula.id, start, end))] == [
        booking.id
    ]
    # a booking is one local day's start and end, so a day is the longest it can be
    assert booking.end_at - booking.start_at < LONGEST_BOOKING
