"""The room finder and the suggestions a clashing request gets."""

from __future__ import annotations

from datetime import time

from intranet.bookings import finder
from intranet.bookings.models import Booking
from intranet.extensions import db


def _rooms(make_room):
    return (
        make_room("Aula", capacity=150),
        make_room("Ruang Rapat 1", capacity=20),
        make_room("Ruang Rapat 2", capacity=12),
    )


def test_free_rooms_for_the_whole_range_with_enough_seats(app, make_room, book, next_week):
    _aula, rapat1, _rapat2 = _rooms(make_room)
    book(rapat1, next_week, time(11, 30), time(12, 30))  # overlaps the end of 10.00–12.00
    free = finder.free_rooms(next_week, time(10), time(12), people=15)
    assert [r.name for r in free] == ["Aula"]  # Rapat 1 busy, Rapat 2 too small
    free = finder.free_rooms(next_week, time(10), time(11, 30), people=10)
    assert [r.name for r in free] == ["Ruang Rapat 2", "Ruang Rapat 1", "Aula"]  # smallest first
    assert finder.free_rooms(next_week, time(6), time(8), people=1) == []  # before opening


def test_nearest_free_times_in_the_same_room(app, make_room, book, next_week):
    aula, *_ = _rooms(make_room)
    book(aula, next_week, time(9), time(11))
    book(aula, next_week, time(11), time(12))
    slots = finder.nearest_free_times(aula, next_week, time(10), time(11))
    assert [(s.start, s.end) for s in slots] == [
        (time(7, 45), time(8, 45)),
        (time(8), time(9)),
        (time(12), time(13)),
    ]


def test_the_finder_lists_free_rooms_one_tap_from_a_prefilled_form(
    login_as, make_room, book, next_week
):
    aula, rapat1, _rapat2 = _rooms(make_room)
    book(rapat1, next_week, time(10), time(11))
    staff = login_as("staff")
    first = staff.get("/rooms/find").get_data(as_text=True)
    assert 'name="date"' in first and '<option selected value="' in first
    assert ">14.00</option>" in first and "AM" not in first  # 24-hour times
    query = f"/rooms/find?date={next_week.isoformat()}&start=10:00&end=12:00&people=15"
    page = staff.get(query).get_data(as_text=True)
    assert "1 ruang kosong" in page and "Aula" in page and "Ruang Rapat 1" not in page
    link = (
        f"/bookings/new?room_id={aula.id}&amp;date={next_week.isoformat()}"
        "&amp;start=10:00&amp;end=12:00&amp;attendees=15"
    )
    assert link in page
    form = staff.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="15"' in form
    fragment = staff.get(query, headers={"HX-Request": "true", "HX-Target": "finder"})
    assert "<html" not in fragment.get_data(as_text=True)
    bad = staff.get(f"/rooms/find?date={next_week.isoformat()}&start=12:00&end=10:00&people=0")
    text = bad.get_data(as_text=True)
    assert (
        "Jam selesai harus setelah jam mulai." in text and "Isi angka dari 1 sampai 5000." in text
    )
    assert "finder-found" not in text


def test_a_clash_suggests_other_times_and_rooms(login_as, make_room, book, next_week):
    aula, rapat1, rapat2 = _rooms(make_room)
    book(aula, next_week, time(9), time(11), title="Rapat Dinas")
    staff = login_as("staff")
    html = staff.htmx_get(
        f"/bookings/check?room_id={aula.id}&date={next_week.isoformat()}"
        "&start=10:00&end=11:00&attendees=10&title=Rapat"
    ).get_data(as_text=True)
    assert 'class="suggestions"' in html
    assert "start=11:00&amp;end=12:00" in html and ">11.00–12.00</a>" in html
    assert f"room_id={rapat1.id}" in html and f"room_id={rapat2.id}" in html
    assert db.session.query(Booking).count() == 1  # the check wrote nothing
