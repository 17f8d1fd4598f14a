"""Equipment for bookings: reserved for the booking's time, moved or released with it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from intranet.assets import equipment, loans
from intranet.assets.models import Loan
from intranet.bookings import services as booking_services
from intranet.core.services import ServiceError
from intranet.extensions import db
from tests.asset_helpers import local, make_asset


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def room(make_room):
    return make_room("Aula Peralatan", opens_at=time(7), closes_at=time(18))


def test_reserve_moves_with_the_booking(ctx, users, room, book, next_week):
    booking = book(room, next_week, time(9), time(11))
    projector = make_asset(name="Proyektor aula")
    loan = equipment.reserve(users["staff"], booking, [projector.id])
    assert (loan.start_at, loan.end_at, loan.booking_id) == (
        booking.start_at,
        booking.end_at,
        booking.id,
    )
    request = booking_services.request_from_booking(booking, start=time(13), end=time(15))
    booking_services.update_booking(users["staff"], booking.id, request)
    db.session.expire_all()
    moved = db.session.get(Loan, loan.id)
    assert moved.start_at == local(next_week, 13) and moved.end_at == local(next_week, 15)
    assert all(item.start_at == moved.start_at for item in moved.items)


def test_a_move_onto_a_lent_time_is_refused_with_the_reason(ctx, users, room, book, next_week):
    booking = book(room, next_week, time(9), time(11))
    projector = make_asset(name="Proyektor aula")
    equipment.reserve(users["staff"], booking, [projector.id])
    loans.request_loan(
        users["secretary"],
        loans.LoanRequest(
            [projector.id], local(next_week, 13), local(next_week, 16), "Sosialisasi"
        ),
    )
    request = booking_services.request_from_booking(booking, start=time(14), end=time(15))
    with pytest.raises(ServiceError) as error:
        booking_services.update_booking(users["staff"], booking.id, request)
    assert "Proyektor aula" in error.value.message and error.value.field == "start"
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).start_at == local(next_week, 9)


def test_cancelling_the_booking_releases_the_equipment(ctx, users, room, book, next_week):
    booking = book(room, next_week, time(9), time(11))
    projector = make_asset()
    loan = equipment.reserve(users["staff"], booking, [projector.id])
    booking_services.cancel(users["staff"], booking.id, "Rapat ditunda")
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).status == "cancelled"
    # free again for someone else at that time
    loans.request_loan(
        users["secretary"],
        loans.LoanRequest([projector.id], local(next_week, 9), local(next_week, 11), "Rapat"),
    )


def test_equipment_cannot_be_reserved_twice(ctx, users, room, book, next_week):
    first = book(room, next_week, time(9), time(11))
    other_room_booking = book(room, next_week, time(11), time(12))
    projector = make_asset()
    equipment.reserve(users["staff"], first, [projector.id])
    equipment.reserve(users["staff"], other_room_booking, [projector.id])  # touching: fine
    third = book(room, next_week + timedelta(days=0), time(13), time(14))
    with pytest.raises(loans.LoanRejected):
        loans.request_loan(
            users["secretary"],
            loans.LoanRequest([projector.id], local(next_week, 10), local(next_week, 12), "X"),
        )
    equipment.reserve(users["staff"], third, [projector.id])


def test_front_desk_lists_what_goes_out_and_comes_back(ctx, users, next_week):
    asset = make_asset(name="Kamera dokumentasi")
    loan = loans.request_loan(
        users["asset_keeper"],
        loans.LoanRequest([asset.id], local(next_week, 8), local(next_week, 15), "Dokumentasi"),
    )
    lists = equipment.desk_lists([next_week])
    assert [x.id for x in lists["hand_out"]] == [loan.id] and lists["come_back"] == []
    loans.hand_out(users["asset_keeper"], loan.id)
    lists = equipment.desk_lists([next_week])
    assert lists["hand_out"] == [] and [x.id for x in lists["come_back"]] == [loan.id]
