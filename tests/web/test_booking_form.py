"""The booking form: every problem at once and in the reader's language, 24-hour
times on the room's grid, the date in words, pillar tags; the room and user forms."""

from __future__ import annotations

import re
from datetime import time

import pytest

from intranet.bookings.models import Booking
from intranet.core.formatting import format_date_long
from intranet.extensions import db
from tests.web.test_booking_views import LIVE_ERROR, form_data

LIVE_OOB = (
    '<div id="live-{name}" class="live-error" aria-live="polite" hx-swap-oob="true">'
    '<small class="field-error">'
)


@pytest.fixture
def room(make_room):
    return make_room("Aula", capacity=100, needs_approval=True)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option[^>]*value="([^"]*)"', select.group(1))


def test_empty_form_flags_every_required_field_at_once(login_as, room):
    staff = login_as("staff")
    response = staff.post_form(
        "/bookings/new", {"room_id": "", "purpose": "Rapat bulanan", "phone": "0812"}, htmx=True
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    for name in ("room_id", "date", "start", "end"):
        assert LIVE_ERROR.format(name=name) in html, name
    assert 'id="title-error"' in html
    assert "Pilih ruang dari daftar." in html  # the room too, in the same answer
    assert "Rapat bulanan" in html and 'value="0812"' in html  # values kept
    assert db.session.query(Booking).count() == 0


def test_number_range_message_is_indonesian_in_submit_and_live_check(login_as, room, next_week):
    staff = login_as("staff")
    response = staff.post_form(
        "/bookings/new", form_data(room, next_week, attendees=99999, title=""), htmx=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Angka harus antara 1 dan 5000." in html
    assert "Number must be" not in html
    assert 'id="title-error"' in html  # and the other problems with it
    live = staff.htmx_get(
        f"/bookings/check?room_id={room.id}&date={next_week.isoformat()}"
        "&start=09:00&end=10:00&attendees=99999"
    ).get_data(as_text=True)
    assert LIVE_OOB.format(name="attendees") + "Angka harus antara 1 dan 5000." in live
    # the live check does not flag a field nobody has filled yet
    assert "Isi nama rapat atau kegiatan." not in live


def test_live_check_flags_bad_values_before_the_slot_is_complete(login_as, room):
    staff = login_as("staff")
    live = staff.htmx_get(f"/bookings/check?room_id={room.id}&attendees=0").get_data(as_text=True)
    assert LIVE_OOB.format(name="attendees") in live
    assert LIVE_OOB.format(name="date") not in live  # empty, not wrong


def test_times_are_24_hour_selects_on_the_rooms_grid(login_as, make_room, next_week):
    room = make_room("Ruang Rapat 1", opens_at=time(8, 0), closes_at=time(12, 0))
    staff = login_as("staff")
    html = staff.get(
        f"/bookings/new?room_id={room.id}&date={next_week.isoformat()}&start=09:00"
    ).get_data(as_text=True)
    assert 'type="time"' not in html
    starts, ends = _options(html, "start"), _options(html, "end")
    assert starts[0] == "" and starts[1] == "08:00" and starts[-1] == "11:45"
    assert ends[1] == "08:15" and ends[-1] == "12:00"
    assert all(int(v[3:]) % 15 == 0 for v in starts[1:])
    assert '<option value="09:00" selected>09.00</option>' in html
    assert "AM" not in html and "PM" not in html


def test_front_desk_times_span_the_day_and_off_grid_values_are_kept(login_as, room, next_week):
    desk = login_as("receptionist")
    html = desk.get(
        f"/bookings/new?room_id={room.id}&date={next_week.isoformat()}&start=06:10&end=07:00"
    ).get_data(as_text=True)
    starts = _options(html, "start")
    assert "00:00" in starts and "23:30" in starts
    assert "06:10" in starts  # kept, so the rules can say what is wrong with it


def test_live_check_swaps_the_times_only_when_the_hours_change(login_as, make_room, next_week):
    early = make_room("Ruang Pagi", opens_at=time(6, 0), closes_at=time(10, 0))
    staff = login_as("staff")
    base = f"/bookings/check?room_id={early.id}&date={next_week.isoformat()}&start=07:00"
    changed = staff.htmx_get(base + "&hours_shown=07:30-16:00").get_data(as_text=True)
    assert 'id="time-pair" class="time-pair" hx-swap-oob="true"' in changed
    assert '<option value="06:00">06.00</option>' in changed
    same = staff.htmx_get(base + "&hours_shown=06:00-10:00").get_data(as_text=True)
    assert 'id="time-pair"' not in same and 'id="live-start"' in same


def test_the_date_in_words_beside_the_field(app, login_as, room, next_week):
    staff = login_as("staff")
    with app.test_request_context():
        words = format_date_long(next_week)
    page = staff.post_form("/bookings/new", form_data(room, next_week, title="")).get_data(
        as_text=True
    )
    assert f'id="date-words" class="date-words" aria-live="polite">{words}</small>' in page
    live = staff.htmx_get(f"/bookings/check?date={next_week.isoformat()}").get_data(as_text=True)
    assert 'id="date-words"' in live and words in live and 'hx-swap-oob="true"' in live


def test_member_tags_a_booking_with_their_pillar(login_as, users, room, make_pillar, next_week):
    staff = login_as("staff")
    psm = make_pillar("PSM")
    users["staff"].pillar_id = psm.id
    db.session.commit()
    html = staff.get("/bookings/new").get_data(as_text=True)
    assert f'value="{psm.id}"' in html and "PSM" in html
    response = staff.post_form("/bookings/new", form_data(room, next_week, pillar_id=psm.id))
    assert response.status_code == 303
    booking = db.session.query(Booking).one()
    assert booking.pillar_id == psm.id and booking.status == "pending"  # still approved by desk
    other = make_pillar("LK3")
    refused = staff.post_form(
        "/bookings/new", form_data(room, next_week, "11:00", "12:00", pillar_id=other.id)
    )
    assert refused.status_code == 422


def test_new_user_form_shows_every_problem_at_once(login_as, users):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/users/new",
        {
            "username": "Budi Santoso",
            "full_name": "",
            "email": "budi@contoh.id",
            "role": "secretary",
            "pillar_id": "",
            "password": "pendek",
        },
        htmx=True,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("username", "full_name", "password", "pillar_id"):
        assert f'id="{name}-error"' in html, name
    assert 'value="budi@contoh.id"' in html and 'value="Budi Santoso"' in html
    assert "pendek" not in html  # the password is never sent back
    empty = admin.post_form("/admin/users/new", {"role": "staff"}).get_data(as_text=True)
    assert "Beri orang ini kata sandi awal." in empty and 'id="username-error"' in empty


def test_room_form_times_and_every_problem_at_once(login_as):
    admin = login_as("admin")
    page = admin.get("/admin/rooms/new").get_data(as_text=True)
    assert 'type="time"' not in page and '<option value="07:30">07.30</option>' in page
    response = admin.post_form(
        "/admin/rooms/new",
        {"name": "", "capacity": "0", "colour": "merah", "opens_at": "12:00", "closes_at": "08:00"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("name", "capacity", "colour", "closes_at"):
        assert f'id="{name}-error"' in html, name
    assert "Angka harus antara 1 dan 5000." in html


def test_an_edit_keeps_a_pillar_the_booker_could_not_choose(
    login_as, users, room, make_pillar, next_week
):
    tksk = make_pillar("TKSK")
    desk = login_as("receptionist")
    desk.post_form(
        "/bookings/new",
        form_data(room, next_week, pillar_id=tksk.id, override_reason="", title="Untuk staf"),
    )
    booking = db.session.query(Booking).one()
    booking.booked_by_id = users["staff"].id  # booked by the desk on the staff's behalf
    db.session.commit()
    staff = login_as("staff")
    page = staff.get(f"/bookings/{booking.id}/edit").get_data(as_text=True)
    assert f'<option value="{tksk.id}" selected>' in page
    response = staff.post_form(
        f"/bookings/{booking.id}/edit",
        form_data(room, next_week, pillar_id=tksk.id, title="Nama baru"),
    )
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.title == "Nama baru" and booking.pillar_id == tksk.id
