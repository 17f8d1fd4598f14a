"""Booking pages: the form, live check, detail, edit, decisions, lists, queue, rooms."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.bookings.models import Booking, Room
from intranet.core.audit import AuditEntry
from intranet.extensions import db

LIVE_ERROR = (
    '<div id="live-{name}" class="live-error" aria-live="polite"><small class="field-error">'
)


def form_data(room, day, start="09:00", end="10:00", **extra):
    return {
        "room_id": str(room.id),
        "date": day.isoformat(),
        "start": start,
        "end": end,
        "title": extra.pop("title", "Rapat koordinasi"),
        "attendees": str(extra.pop("attendees", 5)),
        "pillar_id": extra.pop("pillar_id", ""),
        **extra,
    }


@pytest.fixture
def room(make_room):
    return make_room("Aula", capacity=100, needs_approval=True)


def test_new_form_prefilled_from_calendar_slot(login_as, room, next_week):
    staff = login_as("staff")
    html = staff.get(
        f"/bookings/new?room_id={room.id}&date={next_week.isoformat()}&start=13:00"
    ).get_data(as_text=True)
    assert f'<option selected value="{room.id}"' in html or f'value="{room.id}" selected' in html
    assert f'value="{next_week.isoformat()}"' in html
    assert 'value="13:00"' in html and 'value="14:00"' in html


def test_book_and_see_it(login_as, room, next_week):
    staff = login_as("staff")
    response = staff.post_form("/bookings/new", form_data(room, next_week))
    assert response.status_code == 303
    booking = db.session.query(Booking).one()
    assert response.headers["Location"] == f"/bookings/{booking.id}"
    assert booking.status == "pending"
    page = staff.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Rapat koordinasi" in page and "Aula" in page


def test_conflict_comes_back_with_values_and_message(login_as, room, next_week):
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week, title="Yang pertama"))
    response = staff.post_form(
        "/bookings/new", form_data(room, next_week, "09:30", "10:30", title="Kedua"), htmx=True
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'value="Kedua"' in html and "Yang pertama" in html
    # the message sits in the live-check box, which a late check would replace, not repeat
    assert LIVE_ERROR.format(name="start") in html
    assert db.session.query(Booking).count() == 1


def test_invalid_fields_are_reported(login_as, room, next_week):
    staff = login_as("staff")
    response = staff.post_form(
        "/bookings/new", form_data(room, next_week, "10:00", "09:00", title="", attendees=0)
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and LIVE_ERROR.format(name="attendees") in html


def test_live_check_fragment_and_full_page(login_as, room, next_week):
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week, title="Sudah ada"))
    query = (
        f"/bookings/check?room_id={room.id}&date={next_week.isoformat()}"
        "&start=09:30&end=11:00&attendees=500&title=x"
    )
    fragment = staff.htmx_get(query)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="live-start"' in html and "Sudah ada" in html
    assert 'id="live-attendees"' in html and "100" in html
    assert 'hx-swap-oob="true"' in html
    assert "HX-Request" in fragment.headers["Vary"]
    full = staff.get(query).get_data(as_text=True)
    assert "<html" in full and "Sudah ada" in full
    free = staff.htmx_get(
        query.replace("09:30", "13:00").replace("11:00", "14:00").replace("=500", "=5")
    )
    assert 'class="ok-note"' in free.get_data(as_text=True)


def test_front_desk_approves_from_queue_row(login_as, room, next_week):
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week))
    booking = db.session.query(Booking).one()
    desk = login_as("receptionist")
    queue = desk.get("/bookings/approvals").get_data(as_text=True)
    assert f'id="approval-{booking.id}"' in queue
    nav = desk.get("/").get_data(as_text=True)
    assert 'class="badge"' in nav
    response = desk.post_form(f"/bookings/{booking.id}/approve", {"view": "row"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="approval-{booking.id}"')
    assert db.session.get(Booking, booking.id).status == "approved"
    assert response.headers["HX-Trigger"] == "badgeChanged"  # the nav count refreshes
    badge = desk.htmx_get("/bookings/approvals/badge").get_data(as_text=True)
    assert 'class="badge-slot"' in badge and 'class="badge"' not in badge  # none left


def test_reject_needs_reason(login_as, room, next_week):
    login_as("staff").post_form("/bookings/new", form_data(room, next_week))
    booking = db.session.query(Booking).one()
    desk = login_as("receptionist")
    response = desk.post_form(f"/bookings/{booking.id}/reject", {"view": "row"}, htmx=True)
    assert response.status_code == 422
    assert db.session.get(Booking, booking.id).status == "pending"
    response = desk.post_form(f"/bookings/{booking.id}/reject", {"reason": "Aula dipakai Dinas"})
    assert response.status_code == 303
    booking = db.session.get(Booking, booking.id)
    assert booking.status == "rejected" and booking.status_reason == "Aula dipakai Dinas"


def test_staff_cannot_decide_or_touch_others(login_as, room, next_week, make_user):
    owner = login_as("secretary")
    owner.post_form("/bookings/new", form_data(room, next_week))
    booking = db.session.query(Booking).one()
    staff = login_as("staff")
    assert staff.post_form(f"/bookings/{booking.id}/approve").status_code == 403
    assert staff.post_form(f"/bookings/{booking.id}/cancel", {"reason": "x"}).status_code == 403
    assert staff.get(f"/bookings/{booking.id}/edit").status_code == 403
    assert staff.get(f"/bookings/{booking.id}").status_code == 200  # everyone may look


def test_booker_edits_and_cancels_own(login_as, make_room, next_week):
    room = make_room("Ruang Rapat 1")
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week))
    booking = db.session.query(Booking).one()
    html = staff.get(f"/bookings/{booking.id}/edit").get_data(as_text=True)
    assert 'value="Rapat koordinasi"' in html
    response = staff.post_form(
        f"/bookings/{booking.id}/edit", form_data(room, next_week, "13:00", "14:00")
    )
    assert response.status_code == 303
    response = staff.post_form(f"/bookings/{booking.id}/cancel", {"reason": "Diundur"})
    assert response.status_code == 303
    assert db.session.get(Booking, booking.id).status == "cancelled"
    history = staff.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Diundur" in history


def test_recurring_preview_then_confirm(login_as, make_room, next_week):
    room = make_room("Ruang Rapat 2")
    staff = login_as("staff")
    blocker_day = next_week + timedelta(days=7)
    staff.post_form("/bookings/new", form_data(room, blocker_day, title="Penghalang"))
    data = form_data(room, next_week, frequency="weekly", count="3", interval="1")
    preview = staff.post_form("/bookings/new", data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Penghalang" in html
    assert f'value="{blocker_day.isoformat()}" checked' in html
    confirm = staff.post_form(
        "/bookings/new", {**data, "confirm": "1", "skip": blocker_day.isoformat()}
    )
    assert confirm.status_code == 303
    assert db.session.query(Booking).filter(Booking.series_id.is_not(None)).count() == 2


def test_lists_mine_all_and_filters(login_as, room, next_week, make_room):
    other_room = make_room("Ruang Pelatihan")
    login_as("secretary").post_form(
        "/bookings/new", form_data(other_room, next_week, title="Punya sekretaris")
    )
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week, title="Punya staf"))
    mine = staff.get("/bookings/").get_data(as_text=True)
    assert "Punya staf" in mine and "Punya sekretaris" not in mine
    everyone = staff.htmx_get("/bookings/?who=all").get_data(as_text=True)
    assert "Punya sekretaris" in everyone and "<html" not in everyone
    by_room = staff.get(f"/bookings/?who=all&room={other_room.id}").get_data(as_text=True)
    assert "Punya staf" not in by_room
    pending = staff.get("/bookings/?who=all&status=cancelled").get_data(as_text=True)
    assert "Punya staf" not in pending


def test_room_pages(login_as, room):
    staff = login_as("staff")
    assert "Aula" in staff.get("/rooms/").get_data(as_text=True)
    assert "Aula" in staff.get(f"/rooms/{room.id}").get_data(as_text=True)
    assert staff.get("/rooms/9999").status_code == 404


def test_admin_rooms(login_as):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/rooms/new",
        {
            "name": "Aula Baru",
            "capacity": "80",
            "colour": "#6d4c41",
            "needs_approval": "y",
            "active": "y",
            "opens_at": "07:00",
            "closes_at": "21:00",
        },
    )
    assert response.status_code == 303
    room = db.session.query(Room).filter_by(name="Aula Baru").one()
    assert room.closes_at.hour == 21
    assert "Aula Baru" in admin.get("/admin/rooms/").get_data(as_text=True)
    bad = admin.post_form(
        f"/admin/rooms/{room.id}",
        {"name": "Aula Baru", "capacity": "0", "colour": "#6d4c41"},
        htmx=True,
    )
    assert bad.status_code == 422 and 'id="capacity-error"' in bad.get_data(as_text=True)
    assert db.session.query(AuditEntry).filter_by(action="room.create").count() == 1


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_room_photo_upload_is_checked_and_served(app, login_as, make_room):
    from io import BytesIO

    room = make_room("Aula Foto")
    admin = login_as("admin")
    base = {"name": "Aula Foto", "capacity": "50", "colour": "#6d4c41", "active": "y"}
    bad = admin.post_form(
        f"/admin/rooms/{room.id}",
        {**base, "photo": (BytesIO(b"<script>alert(1)</script>"), "x.png")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'id="photo-error"' in bad.get_data(as_text=True)
    good = admin.post_form(
        f"/admin/rooms/{room.id}",
        {**base, "photo": (BytesIO(PNG), "../../etc/aula.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    stored = db.session.get(Room, room.id).photo
    assert stored.endswith(".png") and "/" not in stored and "aula" not in stored
    staff = login_as("staff")
    served = staff.get(f"/rooms/{room.id}/photo")
    assert served.status_code == 200 and served.data == PNG
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get(f"/rooms/{room.id}/photo").status_code == 302
    removed = admin.post_form(
        f"/admin/rooms/{room.id}", {**base, "remove_photo": "y"}, content_type="multipart/form-data"
    )
    assert removed.status_code == 303
    assert staff.get(f"/rooms/{room.id}/photo").status_code == 404


def test_today_page_lists_todays_and_my_bookings(app, login_as, users, make_room):
    from datetime import time

    from intranet.bookings import services
    from intranet.core.formatting import local_today

    room = make_room("Ruang Hari Ini", opens_at=time(0, 0), closes_at=time(23, 45))
    with app.test_request_context():
        today = local_today()
        services.create_booking(
            users["staff"],
            services.BookingRequest(
                room_id=room.id, day=today, start=time(23, 0), end=time(23, 45), title="Rapat malam"
            ),
            now=services.to_utc(today, time(0, 0)),
        )
    html = login_as("staff").get("/").get_data(as_text=True)
    assert 'id="today-bookings-heading"' in html and "Rapat malam" in html


def test_live_check_on_edit_ignores_the_booking_itself(login_as, make_room, next_week):
    room = make_room("Ruang Sendiri")
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week, title="Punya saya"))
    booking = db.session.query(Booking).one()
    query = (
        f"/bookings/check?booking_id={booking.id}&room_id={room.id}"
        f"&date={next_week.isoformat()}&start=09:00&end=10:30&attendees=5&title=x"
    )
    html = staff.htmx_get(query).get_data(as_text=True)
    # Not a conflict, and not busy in the strip either: the slot shows as the chosen one.
    assert 'class="ok-note"' in html and "Punya saya" not in html
    assert 'class="chosen"' in html and 'class="strip-hours"' in html
    full = staff.get(query).get_data(as_text=True)
    assert f'action="/bookings/{booking.id}/edit"' in full  # no-JS check keeps editing
    other = login_as("secretary")
    assert other.htmx_get(query).status_code == 403


def test_approving_a_series_from_the_queue_refreshes_the_table(login_as, room, next_week):
    staff = login_as("staff")
    data = form_data(room, next_week, frequency="weekly", count="3", interval="1")
    staff.post_form("/bookings/new", {**data, "confirm": "1"})
    first = db.session.query(Booking).order_by(Booking.start_at).first()
    desk = login_as("receptionist")
    response = desk.post_form(
        f"/bookings/{first.id}/approve", {"view": "row", "scope": "all"}, htmx=True
    )
    assert response.headers["HX-Retarget"] == "#approvals"
    assert "approval-" not in response.get_data(as_text=True)  # nothing left waiting
    assert {b.status for b in db.session.query(Booking)} == {"approved"}


def test_pagination_links_keep_filters_and_ignore_odd_parameters(login_as):
    admin = login_as("admin")
    response = admin.get("/admin/audit/?endpoint=x&_external=1&object_type=user")
    assert response.status_code == 200


def test_booker_sees_decisions_on_the_today_page(login_as, room, next_week):
    staff = login_as("staff")
    staff.post_form("/bookings/new", form_data(room, next_week, title="Ditolak nanti"))
    booking = db.session.query(Booking).one()
    login_as("receptionist").post_form(
        f"/bookings/{booking.id}/reject", {"reason": "Aula dipakai acara Dinas"}
    )
    html = staff.get("/").get_data(as_text=True)
    assert 'id="decisions-heading"' in html and "Aula dipakai acara Dinas" in html


def test_repeat_options_are_translated(login_as):
    html = login_as("staff").get("/bookings/new").get_data(as_text=True)
    assert "Senin" in html and "Monday" not in html


def test_my_list_starts_today_unless_asked_for_the_past(login_as, users, make_room, book):
    from intranet.core.formatting import local_today

    room = make_room("Ruang Lalu")
    book(room, local_today() - timedelta(days=3), title="Sudah lewat", user=users["staff"])
    book(room, local_today() + timedelta(days=3), title="Akan datang", user=users["staff"])
    staff = login_as("staff")
    upcoming = staff.get("/bookings/").get_data(as_text=True)
    assert "Akan datang" in upcoming and "Sudah lewat" not in upcoming
    everything = staff.get("/bookings/?who=mine&from=").get_data(as_text=True)
    assert "Akan datang" in everything and "Sudah lewat" in everything


def test_deciding_from_the_queue_without_javascript_returns_to_the_queue(login_as, room, next_week):
    login_as("staff").post_form("/bookings/new", form_data(room, next_week))
    booking = db.session.query(Booking).one()
    desk = login_as("receptionist")
    queue = desk.get("/bookings/approvals").get_data(as_text=True)
    assert 'data-label="Ruang"' in queue and 'data-label="Peminjam"' in queue
    response = desk.post_form(f"/bookings/{booking.id}/approve", {"view": "row"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/approvals")
    assert db.session.get(Booking, booking.id).status == "approved"
