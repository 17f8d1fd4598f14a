"""Recurring bookings: the repeat fields, the sentence, the preview's totals, the
series page with every date and its status."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from intranet.bookings import series as series_text
from intranet.bookings import services
from intranet.bookings.models import Booking, BookingSeries
from intranet.bookings.recurrence import Recurrence
from intranet.core.formatting import format_date_long
from intranet.extensions import db
from tests.web.test_booking_views import form_data


@pytest.fixture
def room(make_room):
    return make_room("Aula", capacity=100, needs_approval=False)


def _monday_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (Recurrence("weekly", weekdays=(1,), count=14), "Setiap Selasa, 09.00–11.00, 14 kali"),
        (Recurrence("weekly", weekdays=(1, 3), count=4), "Setiap Selasa dan Kamis, 09.00–11.00"),
        (Recurrence("weekly", interval=2, count=3), "Setiap 2 minggu pada Senin, 09.00"),
        (Recurrence("daily", count=5), "Setiap hari, 09.00–11.00, 5 kali"),
        (Recurrence("monthly_date", count=3), "Setiap bulan pada tanggal 7, 09.00"),
        (Recurrence("monthly_weekday", count=3), "Setiap bulan pada Senin pertama, 09.00"),
    ],
)
def test_the_rule_in_one_sentence(app, rule, words):
    first = date(2026, 12, 7)  # a Monday, the first of its month
    with app.test_request_context():
        text = series_text.describe(first, time(9), time(11), rule)
        last = format_date_long(series_text.expand(first, rule)[-1])
    assert text.startswith(words), text
    assert text.endswith(f"sampai {last}")


def test_live_check_says_the_sentence(login_as, room, next_week):
    staff = login_as("staff")
    html = staff.htmx_get(
        f"/bookings/check?room_id={room.id}&date={next_week.isoformat()}&start=09:00"
        f"&end=11:00&frequency=weekly&interval=1&weekdays={next_week.weekday()}&count=14"
    ).get_data(as_text=True)
    assert 'id="repeat-summary"' in html and "14 kali sampai" in html
    assert "09.00–11.00" in html


def test_repeat_fields_are_grouped_for_every_frequency(login_as):
    html = login_as("staff").get("/bookings/new").get_data(as_text=True)
    assert 'data-repeat="weekly"' in html  # the weekdays, shown by script only for weekly
    assert html.count('class="repeat-group') == 3 and "<legend>" in html
    assert "data-repeat-choice" in html


def test_preview_totals_and_first_real_date(login_as, room, next_week, book):
    monday = _monday_after(next_week)
    tuesday = monday + timedelta(days=1)
    book(room, tuesday + timedelta(days=7), time(9), time(10), title="Sudah ada")
    staff = login_as("staff")
    data = form_data(room, monday, frequency="weekly", interval="1", weekdays="1", count="5")
    response = staff.post_form("/bookings/new", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<strong data-count="book">4</strong> akan dipinjam' in html
    assert '<strong data-count="skip">1</strong> dilewati' in html
    assert f'name="date" required type="date" value="{tuesday.isoformat()}"' in html  # snapped
    assert "Dipindah ke tanggal pertama" in html
    assert f'id="skip-{(tuesday + timedelta(days=7)).isoformat()}"' in html
    assert f'<label for="skip-{tuesday.isoformat()}">' in html  # label beside, not over


def test_series_page_lists_every_date_with_its_status(login_as, users, room, next_week):
    staff = login_as("staff")
    monday = _monday_after(next_week)
    data = form_data(room, monday, frequency="weekly", interval="1", count="4", confirm="1")
    data["skip"] = [(monday + timedelta(days=14)).isoformat()]
    response = staff.post_form("/bookings/new", data)
    series = db.session.query(BookingSeries).one()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/bookings/series/{series.id}"
    assert series.first_date == monday and series.skipped_days == [monday + timedelta(days=14)]
    bookings = db.session.query(Booking).order_by(Booking.start_at).all()
    assert len(bookings) == 3
    services.cancel(users["receptionist"], bookings[1].id, "Libur")
    db.session.commit()
    page = staff.get(f"/bookings/series/{series.id}").get_data(as_text=True)
    assert page.count('<li class="state-') == 4
    assert 'class="state-skipped"' in page and 'class="state-cancelled"' in page
    for label, n in (("Dipinjam", 2), ("Dibatalkan", 1), ("Dilewati", 1)):
        assert f'">{label}</span> <strong>{n}</strong>' in page, label
    assert "Setiap Senin" in page
    # reachable from each occurrence, with a true count
    detail = staff.get(f"/bookings/{bookings[0].id}").get_data(as_text=True)
    assert f'href="/bookings/series/{series.id}"' in detail
    assert "2 tanggal dipinjam" in detail
    fragment = staff.htmx_get(f"/bookings/series/{series.id}").get_data(as_text=True)
    assert "<html" not in fragment and 'class="state-skipped"' in fragment
    assert staff.get("/bookings/series/999999").status_code == 404


def test_this_and_following_splits_the_dates_between_the_series(ctx_app, users, room, next_week):
    staff = users["staff"]
    monday = _monday_after(next_week)
    rule = Recurrence("weekly", count=5)
    request = services.BookingRequest(
        room_id=room.id, day=monday, start=time(9), end=time(10), title="Koordinasi"
    )
    old, bookings = services.create_series(staff, request, rule, skip={monday + timedelta(21)})
    services.update_booking(
        staff,
        bookings[1].id,
        services.request_from_booking(bookings[1], start=time(13), end=time(14)),
        scope="following",
    )
    db.session.refresh(old)
    new = db.session.get(BookingSeries, db.session.get(Booking, bookings[1].id).series_id)
    assert new.id != old.id
    assert old.until == monday + timedelta(days=6) and old.skipped_days == []
    assert new.skipped_days == [monday + timedelta(days=21)]
    assert len(series_text.dates_of(old, services.series_bookings(old.id))) == 1
    assert len(series_text.dates_of(new, services.series_bookings(new.id))) == 4


@pytest.fixture
def ctx_app(app):
    with app.test_request_context():
        yield app


def test_series_edit_that_hits_a_conflict_names_the_date_and_offers_skipping(
    login_as, users, room, next_week, book
):
    staff = login_as("staff")
    monday = _monday_after(next_week)
    old, bookings = services.create_series(
        users["staff"],
        services.BookingRequest(
            room_id=room.id, day=monday, start=time(9), end=time(10), title="Koordinasi"
        ),
        Recurrence("weekly", count=4),
    )
    clash_day = monday + timedelta(days=14)
    book(room, clash_day, time(13), time(14), title="Pelatihan kader")
    data = form_data(room, monday, "13:00", "14:00", title="Koordinasi", scope="all")
    response = staff.post_form(f"/bookings/{bookings[0].id}/edit", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    with staff.application.test_request_context():
        named = format_date_long(clash_day)
    assert f"Tanggal ini tidak dapat diubah: {named}" in html
    assert '<strong data-count="book">3</strong> akan diubah' in html
    assert f'id="skip-{clash_day.isoformat()}" name="skip" value="{clash_day.isoformat()}"' in html
    assert "Pelatihan kader" in html  # the conflict, beside its date
    assert db.session.get(Booking, bookings[0].id).start_at.hour == 2  # nothing changed yet
    # Saving with the ticked date: the others move, the troubled one stays.
    data.update(confirm="1", skip=[clash_day.isoformat()])
    response = staff.post_form(f"/bookings/{bookings[0].id}/edit", data)
    assert response.status_code == 303
    hours = [b.start_at.hour for b in services.series_bookings(old.id)]
    assert hours == [6, 6, 2, 6]  # 13.00 WIB = 06 UTC; the skipped date kept 09.00


def test_series_edit_conflict_in_the_service_names_its_date(ctx_app, users, room, next_week):
    staff = users["staff"]
    monday = _monday_after(next_week)
    request = services.BookingRequest(
        room_id=room.id, day=monday, start=time(9), end=time(10), title="Koordinasi"
    )
    _series, bookings = services.create_series(staff, request, Recurrence("weekly", count=3))
    services.create_booking(
        staff, services.BookingRequest(room.id, monday + timedelta(7), time(13), time(14), "Lain")
    )
    moved = services.request_from_booking(bookings[0], start=time(13), end=time(14))
    with pytest.raises(services.BookingRejected) as error:
        services.update_booking(staff, bookings[0].id, moved, scope="all")
    assert error.value.message.startswith(format_date_long(monday + timedelta(7)))
    preview = services.preview_update(staff, bookings[0].id, moved, scope="following")
    assert [bool(o.check.problems) for o in preview] == [False, True, False]
    changed = services.update_series(
        staff, bookings[0].id, moved, scope="all", skip={monday + timedelta(7)}
    )
    assert len(changed) == 2


def test_the_sentence_asks_until_when(login_as, room, next_week):
    html = (
        login_as("staff")
        .htmx_get(f"/bookings/check?date={next_week.isoformat()}&frequency=daily&interval=1")
        .get_data(as_text=True)
    )
    assert "Sebutkan sampai kapan: tanggal atau jumlah kali." in html
