"""Booking rules: overlaps, limits, approvals, edits, recurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from intranet.bookings import services
from intranet.bookings.models import Booking, BookingSeries
from intranet.bookings.recurrence import Recurrence, RecurrenceError, expand
from intranet.core.audit import AuditEntry
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def req(room, day, start, end, **fields):
    return services.BookingRequest(
        room_id=room.id,
        day=day,
        start=time(*start),
        end=time(*end),
        title=fields.pop("title", "Rapat"),
        attendees=fields.pop("attendees", 5),
        **fields,
    )


@pytest.fixture
def staff(make_user):
    return make_user("budi")


@pytest.fixture
def desk(make_user):
    return make_user("meja", role="receptionist")


# --- overlaps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "clash"),
    [
        ((8, 0), (9, 0), False),  # ends where the other starts
        ((11, 0), (12, 0), False),  # starts where the other ends
        ((9, 0), (11, 0), True),  # identical
        ((8, 0), (12, 0), True),  # containing
        ((9, 30), (10, 30), True),  # contained
        ((8, 30), (9, 30), True),  # overlapping the start
        ((10, 45), (11, 30), True),  # overlapping the end
    ],
)
def test_overlap_edges(ctx, make_room, staff, next_week, start, end, clash):
    room = make_room()
    services.create_booking(staff, req(room, next_week, (9, 0), (11, 0)))
    check = services.check_request(staff, req(room, next_week, start, end))
    assert bool(check.conflicts) is clash
    if clash:
        with pytest.raises(services.BookingRejected) as error:
            services.create_booking(staff, req(room, next_week, start, end))
        assert error.value.field == "start"
        assert "Rapat" in error.value.message


def test_other_rooms_and_days_do_not_clash(ctx, make_room, staff, next_week):
    room, other = make_room(), make_room()
    services.create_booking(staff, req(room, next_week, (9, 0), (11, 0)))
    assert not services.check_request(staff, req(other, next_week, (9, 0), (11, 0))).conflicts
    tomorrow = next_week + timedelta(days=1)
    assert not services.check_request(staff, req(room, tomorrow, (9, 0), (11, 0))).conflicts


def test_cancelled_and_rejected_free_the_slot(ctx, make_room, staff, desk, next_week):
    room = make_room(needs_approval=True)
    first = services.create_booking(staff, req(room, next_week, (9, 0), (11, 0)))
    assert first.status == "pending"  # pending holds the slot too
    assert services.check_request(staff, req(room, next_week, (9, 0), (10, 0))).conflicts
    services.reject(desk, first.id, "Aula dipakai")
    second = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    services.cancel(staff, second.id, "batal")
    assert not services.check_request(staff, req(room, next_week, (9, 0), (10, 0))).conflicts


def test_edited_booking_is_excluded_from_its_own_conflicts(ctx, make_room, staff, next_week):
    room = make_room()
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (11, 0)))
    changed = services.update_booking(staff, booking.id, req(room, next_week, (10, 0), (12, 0)))
    assert changed[0].start_at == services.to_utc(next_week, time(10, 0))


def test_overlap_across_midnight_in_utc(ctx, make_room, staff, desk, next_week):
    """Office-local 06.00 is 23.00 UTC the day before: the check works on instants."""
    room = make_room(opens_at=time(5, 0), closes_at=time(22, 0))
    services.create_booking(staff, req(room, next_week, (6, 0), (8, 0)))
    assert services.check_request(staff, req(room, next_week, (7, 0), (9, 0))).conflicts
    start = services.to_utc(next_week, time(6, 0))
    assert start.date() == next_week - timedelta(days=1)  # the stored instant crosses midnight


# --- rules ------------------------------------------------------------------------------


def _fields(check):
    return {p.field for p in check.problems}


def test_end_after_start(ctx, make_room, staff, next_week):
    room = make_room()
    assert "end" in _fields(services.check_request(staff, req(room, next_week, (10, 0), (9, 0))))
    assert "end" in _fields(services.check_request(staff, req(room, next_week, (10, 0), (10, 0))))


def test_fifteen_minute_steps(ctx, make_room, staff, next_week):
    room = make_room()
    check = services.check_request(staff, req(room, next_week, (9, 10), (10, 0)))
    assert "start" in _fields(check)


def test_bookable_hours_from_room_or_office(ctx, app, make_room, staff, next_week):
    room = make_room()  # office hours 07.30–16.45
    assert "start" in _fields(services.check_request(staff, req(room, next_week, (7, 0), (8, 0))))
    assert "end" in _fields(services.check_request(staff, req(room, next_week, (16, 0), (17, 0))))
    late = make_room(opens_at=time(7, 0), closes_at=time(21, 0))
    assert not services.check_request(staff, req(late, next_week, (19, 0), (21, 0))).problems


def test_too_long_too_far_too_soon(ctx, app, make_room, staff, next_week):
    room = make_room(opens_at=time(0, 0), closes_at=time(23, 45))
    long = services.check_request(staff, req(room, next_week, (7, 0), (18, 0)))
    assert any("10" in p.message for p in long.problems)
    far = next_week + timedelta(days=app.config["BOOKING_MAX_DAYS_AHEAD"])
    assert "date" in _fields(services.check_request(staff, req(room, far, (9, 0), (10, 0))))
    now = services.to_utc(next_week, time(8, 30))
    soon = services.check_request(staff, req(room, next_week, (9, 0), (10, 0)), now=now)
    assert "start" in _fields(soon)
    past = services.check_request(staff, req(room, next_week, (7, 0), (8, 0)), now=now)
    assert "date" in _fields(past)


def test_capacity(ctx, make_room, staff, next_week):
    room = make_room(capacity=10)
    check = services.check_request(staff, req(room, next_week, (9, 0), (10, 0), attendees=11))
    assert "attendees" in _fields(check)


def test_front_desk_overrides_rules_with_reason_but_never_overlaps(
    ctx, make_room, staff, desk, next_week
):
    room = make_room(capacity=10)
    big = req(room, next_week, (9, 0), (10, 0), attendees=30)
    with pytest.raises(services.BookingRejected):
        services.create_booking(staff, big)  # staff cannot override
    with pytest.raises(services.BookingRejected) as error:
        services.create_booking(desk, big)  # no reason given
    assert "override_reason" in _fields(error.value.check)
    big.override_reason = "Kursi tambahan dari gudang"
    booking = services.create_booking(desk, big)
    assert booking.override_reason == "Kursi tambahan dari gudang"
    actions = {e.action for e in db.session.query(AuditEntry).filter_by(object_id=str(booking.id))}
    assert {"booking.create", "booking.override"} <= actions
    clash = req(room, next_week, (9, 30), (10, 30), override_reason="penting")
    with pytest.raises(services.BookingRejected):
        services.create_booking(desk, clash)


def test_pillar_permission(ctx, make_room, make_user, make_pillar, desk, next_week):
    tksk, pkh = make_pillar("TKSK"), make_pillar("PKH")
    secretary = make_user("sek", role="secretary", pillar=tksk)
    room = make_room()
    ok = services.check_request(secretary, req(room, next_week, (9, 0), (10, 0), pillar_id=tksk.id))
    assert not ok.problems
    bad = services.check_request(secretary, req(room, next_week, (9, 0), (10, 0), pillar_id=pkh.id))
    assert "pillar_id" in _fields(bad)
    assert not services.check_request(
        desk, req(room, next_week, (9, 0), (10, 0), pillar_id=pkh.id)
    ).problems


def test_database_keeps_end_after_start(ctx, make_room, staff, next_week):
    from sqlalchemy.exc import IntegrityError

    from intranet.core.db import write_transaction

    room = make_room()
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    with pytest.raises(IntegrityError), write_transaction():
        db.session.get(Booking, booking.id).end_at = booking.start_at


# --- approvals and state ---------------------------------------------------------------------


def test_approval_flow_and_audit(ctx, make_room, staff, desk, next_week):
    room = make_room(needs_approval=True)
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    assert booking.status == "pending"
    assert services.pending_count() == 1
    with pytest.raises(NotAllowed):
        services.approve(staff, booking.id)
    services.approve(desk, booking.id)
    booking = db.session.get(Booking, booking.id)
    assert booking.status == "approved" and booking.decided_by_id == desk.id
    with pytest.raises(NotAllowed):
        services.approve(desk, booking.id)  # only pending ones
    with pytest.raises(ServiceError):
        services.cancel(staff, booking.id, "")  # a reason is needed
    services.cancel(staff, booking.id, "Acara batal")
    actions = [
        e.action
        for e in db.session.query(AuditEntry)
        .filter_by(object_type="booking", object_id=str(booking.id))
        .order_by(AuditEntry.id)
    ]
    assert actions == ["booking.create", "booking.approve", "booking.cancel"]


def test_front_desk_bookings_are_approved_at_once(ctx, make_room, desk, next_week):
    room = make_room(needs_approval=True)
    assert services.create_booking(desk, req(room, next_week, (9, 0), (10, 0))).status == "approved"


def test_staff_cancel_only_their_own(ctx, make_room, staff, make_user, next_week):
    other = make_user("other")
    room = make_room()
    booking = services.create_booking(other, req(room, next_week, (9, 0), (10, 0)))
    with pytest.raises(NotAllowed):
        services.cancel(staff, booking.id, "bukan punya saya")
    with pytest.raises(NotAllowed):
        services.update_booking(staff, booking.id, req(room, next_week, (10, 0), (11, 0)))


def test_moving_an_approved_booking_needs_approval_again(ctx, make_room, staff, desk, next_week):
    room = make_room(needs_approval=True)
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    services.approve(desk, booking.id)
    services.update_booking(staff, booking.id, req(room, next_week, (13, 0), (14, 0)))
    assert db.session.get(Booking, booking.id).status == "pending"
    services.update_booking(
        staff, booking.id, req(room, next_week, (13, 0), (14, 0), title="Rapat baru")
    )
    assert db.session.get(Booking, booking.id).title == "Rapat baru"


# --- recurrence --------------------------------------------------------------------------


def test_expand_weekly_on_chosen_days():
    days = expand(date(2025, 11, 24), Recurrence("weekly", weekdays=(0, 2), count=4))
    assert days == [date(2025, 11, 24), date(2025, 11, 26), date(2025, 12, 1), date(2025, 12, 3)]


def test_expand_daily_until():
    days = expand(date(2025, 11, 24), Recurrence("daily", until=date(2025, 11, 27)))
    assert days == [date(2025, 11, 24) + timedelta(days=n) for n in range(4)]


def test_expand_monthly_same_date_skips_short_months():
    days = expand(date(2026, 1, 31), Recurrence("monthly_date", count=3))
    assert days == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]


def test_expand_second_tuesday():
    days = expand(date(2025, 11, 11), Recurrence("monthly_weekday", count=3))
    assert days == [date(2025, 11, 11), date(2025, 12, 9), date(2026, 1, 13)]


def test_expand_missing_fifth_weekday_is_skipped():
    days = expand(date(2025, 12, 30), Recurrence("monthly_weekday", count=3))  # 5th Tuesday
    assert days == [date(2025, 12, 30), date(2026, 3, 31), date(2026, 6, 30)]


def test_expand_is_capped_at_a_year():
    days = expand(date(2025, 1, 1), Recurrence("daily", until=date(2030, 1, 1)))
    assert days[-1] == date(2026, 1, 1) and len(days) == 366


def test_expand_needs_an_end():
    with pytest.raises(RecurrenceError):
        expand(date(2025, 1, 1), Recurrence("weekly"))


def test_series_preview_and_skip(ctx, make_room, staff, next_week):
    room = make_room()
    third = next_week + timedelta(days=14)
    services.create_booking(staff, req(room, third, (9, 30), (10, 30), title="Lain"))
    rule = Recurrence("weekly", count=4)
    preview = services.preview_series(staff, req(room, next_week, (9, 0), (11, 0)), rule)
    assert [o.ok for o in preview] == [True, True, False, True]
    with pytest.raises(services.BookingRejected):
        services.create_series(staff, req(room, next_week, (9, 0), (11, 0)), rule)
    assert db.session.query(Booking).count() == 1  # all or nothing
    series, bookings = services.create_series(
        staff, req(room, next_week, (9, 0), (11, 0)), rule, skip={third}
    )
    assert len(bookings) == 3 and all(b.series_id == series.id for b in bookings)
    assert db.session.get(BookingSeries, series.id).frequency == "weekly"


def test_series_approve_all_and_cancel_following(ctx, make_room, staff, desk, next_week):
    room = make_room(needs_approval=True)
    _series, bookings = services.create_series(
        staff, req(room, next_week, (9, 0), (10, 0)), Recurrence("weekly", count=4)
    )
    approved = services.approve(desk, bookings[0].id, scope="all")
    assert len(approved) == 4
    services.cancel(staff, bookings[2].id, "libur", scope="following")
    statuses = [db.session.get(Booking, b.id).status for b in bookings]
    assert statuses == ["approved", "approved", "cancelled", "cancelled"]


def test_series_edit_this_and_following(ctx, make_room, staff, next_week):
    room = make_room()
    series, bookings = services.create_series(
        staff, req(room, next_week, (9, 0), (10, 0)), Recurrence("weekly", count=4)
    )
    second_day = next_week + timedelta(days=7)
    changed = services.update_booking(
        staff,
        bookings[1].id,
        req(room, second_day, (13, 0), (14, 0), title="Rapat siang"),
        scope="following",
    )
    assert len(changed) == 3
    times = [db.session.get(Booking, b.id).start_at for b in bookings]
    assert times[0] == services.to_utc(next_week, time(9, 0))
    assert times[3] == services.to_utc(next_week + timedelta(days=21), time(13, 0))
    # The edited part became a series of its own.
    assert db.session.get(Booking, bookings[3].id).series_id != series.id


def test_series_edit_all_checks_every_occurrence(ctx, make_room, staff, next_week):
    room = make_room()
    _series, bookings = services.create_series(
        staff, req(room, next_week, (9, 0), (10, 0)), Recurrence("weekly", count=3)
    )
    services.create_booking(
        staff, req(room, next_week + timedelta(days=14), (13, 0), (14, 0), title="Lain")
    )
    with pytest.raises(services.BookingRejected):
        services.update_booking(
            staff, bookings[0].id, req(room, next_week, (13, 0), (14, 0)), scope="all"
        )
    assert db.session.get(Booking, bookings[0].id).start_at.astimezone(UTC).hour == 2  # 09.00 WIB


def test_search_and_schedule(ctx, make_room, staff, next_week):
    room = make_room()
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    found = db.session.scalars(*services.search_bookings(user_id=staff.id, date_from=next_week))
    assert [b.id for b in found] == [booking.id]
    later = services.create_booking(staff, req(room, next_week, (11, 0), (12, 0)))
    rows = services.booking_rows([later.id, booking.id, 999_999])  # the page's order
    assert [r.id for r in rows] == [later.id, booking.id]
    assert (rows[1].room_name, rows[1].booked_by_name) == (room.name, staff.full_name)
    assert rows[1].start_at == booking.start_at and rows[1].status == booking.status
    schedule = services.day_schedule(room, next_week)
    assert [s.booking.id for s in schedule.segments] == [booking.id, later.id]
    segment = schedule.segments[0]
    assert 0 < segment.left < 100 and 0 < segment.width < 100
    assert isinstance(datetime.now(UTC), datetime)


def test_members_tag_their_own_pillar_only(ctx, make_room, make_user, make_pillar, next_week):
    psm, lk3 = make_pillar("PSM"), make_pillar("LK3")
    member = make_user("anggota", pillar=psm)  # staff, member of PSM, not its secretary
    loner = make_user("tanpa.pilar")
    room = make_room(needs_approval=True)
    assert [p.code for p in services.allowed_pillars(member)] == ["PSM"]
    assert services.allowed_pillars(loner) == []
    other = services.check_request(member, req(room, next_week, (9, 0), (10, 0), pillar_id=lk3.id))
    assert "pillar_id" in _fields(other)
    booking = services.create_booking(
        member, req(room, next_week, (9, 0), (10, 0), pillar_id=psm.id)
    )
    # the tag shows the colour; it does not skip the front desk's approval
    assert booking.pillar_id == psm.id and booking.status == "pending"


def test_weekly_on_chosen_days_starts_at_first_chosen_day():
    days = expand(date(2025, 11, 25), Recurrence("weekly", weekdays=(0, 2), count=3))  # a Tuesday
    assert days == [date(2025, 11, 26), date(2025, 12, 1), date(2025, 12, 3)]


def test_renaming_a_booking_that_starts_soon_keeps_its_slot(ctx, make_room, staff, next_week):
    room = make_room()
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    soon = services.to_utc(next_week, time(8, 45))  # 15 minutes before the start
    services.update_booking(
        staff, booking.id, req(room, next_week, (9, 0), (10, 0), title="Nama baru"), now=soon
    )
    assert db.session.get(Booking, booking.id).title == "Nama baru"
    with pytest.raises(services.BookingRejected):  # but moving it now needs notice
        services.update_booking(staff, booking.id, req(room, next_week, (9, 15), (10, 0)), now=soon)


def test_moving_clears_the_old_decision(ctx, make_room, staff, desk, next_week):
    room = make_room(needs_approval=True)
    booking = services.create_booking(staff, req(room, next_week, (9, 0), (10, 0)))
    services.approve(desk, booking.id)
    services.update_booking(staff, booking.id, req(room, next_week, (11, 0), (12, 0)))
    moved = db.session.get(Booking, booking.id)
    assert moved.status == "pending" and moved.decided_by_id is None
