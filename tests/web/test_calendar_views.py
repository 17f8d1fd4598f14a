"""The room calendar (day, week, month) and the front desk sheet, through the test client."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from sqlalchemy import event

from intranet.bookings import services
from intranet.core.formatting import format_date_long, local_today, office_zone
from intranet.extensions import db

CALENDAR = "/bookings/calendar"


@pytest.fixture
def book(book):
    """The shared ``book`` fixture, titled "Rapat koordinasi" by default."""

    def make(*args, title="Rapat koordinasi", **kw):
        return book(*args, title=title, **kw)

    return make


@pytest.fixture
def rooms(make_room):
    return {
        "aula": make_room("Aula", capacity=80, colour="#6a1b9a", needs_approval=True),
        "kecil": make_room("Ruang Kecil", capacity=10, colour="#00838f"),
    }


@pytest.fixture
def today(app) -> date:
    return local_today()


def body(response) -> str:
    return response.get_data(as_text=True)


def long_date(day: date) -> str:
    """``Senin, 24 November 2025`` (Indonesian is the default language)."""
    from flask import current_app

    with current_app.test_request_context():
        return format_date_long(day)


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


# --- access, full page vs fragment ------------------------------------------------------


@pytest.mark.parametrize("url", [CALENDAR, f"{CALENDAR}?view=week", "/bookings/frontdesk"])
def test_login_required(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    htmx = client.htmx_get(url)
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]


@pytest.mark.parametrize("role", ["staff", "secretary", "receptionist", "asset_keeper", "admin"])
def test_every_role_sees_the_calendar_and_the_desk_sheet(login_as, rooms, role):
    client = login_as(role)
    assert client.get(CALENDAR).status_code == 200
    assert client.get("/bookings/frontdesk").status_code == 200


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_full_page_and_fragment(login_as, rooms, view):
    staff = login_as("staff")
    full = staff.get(f"{CALENDAR}?view={view}")
    page = body(full)
    assert full.status_code == 200
    assert "<html" in page and 'id="calendar"' in page and 'id="booking-panel"' in page
    assert "css/calendar.css" in page
    # links inside #calendar (boosted) and its toolbar swap the calendar alone
    for extra in ({}, {"HX-Boosted": "true"}):
        fragment = staff.htmx_get(f"{CALENDAR}?view={view}", **{"HX-Target": "calendar"}, **extra)
        part = body(fragment)
        assert fragment.status_code == 200
        assert "<html" not in part and 'id="booking-panel"' not in part
        assert "cal-toolbar" in part and "<title>" in part  # the tab's title follows
        assert {"HX-Request", "HX-Target"} <= set(
            fragment.headers["Vary"].replace(" ", "").split(",")
        )
    # navigation from elsewhere and history restores get the whole page
    for extra in (
        {"HX-Boosted": "true"},
        {"HX-History-Restore-Request": "true", "HX-Target": "calendar"},
    ):
        assert "<html" in body(staff.htmx_get(f"{CALENDAR}?view={view}", **extra))


def test_defaults_to_todays_day_view(login_as, rooms, today):
    page = body(login_as("staff").get(CALENDAR))
    assert f'value="{today.isoformat()}"' in page
    assert re.search(r'<a href="[^"]*view=day[^"]*"[^>]*aria-current="page"', page)
    assert "Aula" in page and "Ruang Kecil" in page
    assert f"<title>Kalender ruang · {long_date(today)} · " in page


# --- bad parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=garbage", "2025-11-24"),
        ("date=2025-02-30", "2025-11-24"),
        ("date=1899-12-31", "2000-01-01"),
        ("view=year", "hari, minggu"),
        ("room=abc", "abc"),
        ("room=9999", "9999"),
    ],
)
def test_bad_parameters_answer_400_with_a_clear_message(login_as, rooms, query, message):
    staff = login_as("staff")
    response = staff.get(f"{CALENDAR}?{query}")
    assert response.status_code == 400
    assert message in unescape(body(response))
    assert "<html" in body(response)
    fragment = staff.htmx_get(f"{CALENDAR}?{query}")
    assert fragment.status_code == 400 and "<html" not in body(fragment)
    assert fragment.headers["HX-Retarget"] == "#messages"


def test_empty_parameters_mean_the_defaults(login_as, rooms):
    response = login_as("staff").get(f"{CALENDAR}?date=&view=&room=&booking=")
    assert response.status_code == 200


def test_unknown_booking_is_404(login_as, rooms):
    staff = login_as("staff")
    assert staff.get(f"{CALENDAR}?booking=999999").status_code == 404
    assert staff.get(f"{CALENDAR}?booking=abc").status_code == 404


# --- day view ---------------------------------------------------------------------------


def test_day_view_blocks(login_as, rooms, users, book, next_week):
    secretary = users["secretary"]
    meeting = book(
        rooms["aula"],
        next_week,
        time(9),
        time(10, 30),
        user=secretary,
        pillar_id=secretary.pillar_id,
        title="Rapat PKH",
    )
    waiting = book(rooms["aula"], next_week, time(13), time(14), title="Sosialisasi")
    cancelled = book(
        rooms["kecil"], next_week, time(9), time(10), status="cancelled", title="Batal"
    )
    assert waiting.status == "pending"
    day = next_week.isoformat()

    page = body(login_as("staff").get(f"{CALENDAR}?date={day}"))

    # a block opens the booking beside the calendar: the calendar's URL with ?booking=
    opens = f"{CALENDAR}?date={day}&amp;view=day&amp;booking={meeting.id}"
    block = re.search(
        rf'<a class="cal-block[^"]*" href="{re.escape(opens)}" style="([^"]+)">', page
    )
    assert block, page
    # 09.00 is 6 quarter-hours after the 07.30 opening; the first row is grid line 2
    assert block.group(1) == "grid-area:8/2/14;--pillar:#123456"
    assert 'hx-target="#booking-panel"' in page  # inherited from the grid
    assert "09.00–10.30" in page and "Rapat PKH" in page and ">SEC<" in page
    # pending: visibly marked; no pillar: neutral (no colour of its own)
    assert re.search(
        rf'class="cal-block is-pending is-personal" href="[^"]*booking={waiting.id}" '
        r'style="grid-area:[0-9/]+"',
        page,
    )
    assert str(services.STATUS_LABELS["pending"]) in page
    # cancelled bookings do not hold the room: not shown
    assert f"booking={cancelled.id}" not in page and "Batal" not in page
    # the heading shows the date the Indonesian way; a legend says what colours mean
    assert f'<h2 class="cal-heading">{long_date(next_week)}</h2>' in page
    assert 'class="cal-legend"' in page and "Pribadi" in page


def test_day_view_lists_each_room_in_time_order(login_as, rooms, book, next_week):
    """Blocks and free stretches of a room alternate in time order: on a phone the grid
    reads as an agenda."""
    book(rooms["aula"], next_week, time(9), time(10, 30), title="Pagi")
    book(rooms["aula"], next_week, time(13), time(14), title="Siang")
    page = body(login_as("staff").get(f"{CALENDAR}?date={next_week.isoformat()}"))
    aula = page[page.index(">Aula ") : page.index(">Ruang Kecil ")]
    order = re.findall(r'class="cal-(slot|block)(?: [^"]*)?"', aula)
    assert order == ["slot", "block", "slot", "block", "slot"]


def test_day_view_free_stretches_link_to_the_booking_form(login_as, rooms, book, next_week):
    book(rooms["aula"], next_week, time(9), time(10, 30))
    page = body(login_as("staff").get(f"{CALENDAR}?date={next_week.isoformat()}"))
    aula, day = rooms["aula"].id, next_week.isoformat()
    links = [h for h in hrefs(page) if h.startswith(f"/bookings/new?room_id={aula}&")]
    # one link per free stretch of the room's hours, around the booking
    assert links == [
        f"/bookings/new?room_id={aula}&date={day}&start=07:30&end=09:00",
        f"/bookings/new?room_id={aula}&date={day}&start=10:30&end=16:45",
    ]
    assert 'data-start="450" data-end="540"' in page  # a click picks the time (app.js)
    assert "07.30–09.00 kosong · Pinjam" in page


def test_day_view_room_filter_shows_one_column(login_as, rooms, book, next_week):
    book(rooms["aula"], next_week, time(9), time(10), title="Di aula")
    book(rooms["kecil"], next_week, time(9), time(10), title="Di ruang kecil")
    url = f"{CALENDAR}?date={next_week.isoformat()}&room={rooms['kecil'].id}"
    page = body(login_as("staff").get(url))
    assert "Di ruang kecil" in page and "Di aula" not in page
    assert "--cols:1;" in page
    assert f'<option value="{rooms["kecil"].id}" selected>' in page


def test_now_line_only_today(login_as, rooms, today, next_week):
    staff = login_as("staff")
    now = datetime.now(office_zone())
    page = body(staff.get(f"{CALENDAR}?date={today.isoformat()}"))
    if time(7, 30) <= now.time() < time(16, 45):
        assert 'class="cal-now"' in page
    assert 'class="cal-now"' not in body(staff.get(f"{CALENDAR}?date={next_week.isoformat()}"))


# --- a booking beside the calendar ------------------------------------------------------


def test_booking_opens_beside_the_calendar_with_its_own_url(login_as, rooms, book, next_week):
    booking = book(rooms["aula"], next_week, time(9), time(10), title="Rapat terbuka")
    staff = login_as("staff")
    url = f"{CALENDAR}?date={next_week.isoformat()}&view=day&booking={booking.id}"
    # the whole page, with the booking in the panel (a bookmark, a reload, no JavaScript)
    page = body(staff.get(url))
    panel = page[page.index('id="booking-panel"') :]
    assert "Rapat terbuka" in panel and 'class="panel-close"' in panel
    close = f"{CALENDAR}?date={next_week.isoformat()}&amp;view=day"
    assert f'href="{close}"' in panel
    # a click in the grid (a boosted link aimed at the panel) gets the panel alone
    part = staff.htmx_get(url, **{"HX-Boosted": "true", "HX-Target": "booking-panel"})
    html = body(part)
    assert part.status_code == 200 and "<html" not in html and "cal-toolbar" not in html
    assert "Rapat terbuka" in html and "HX-Target" in part.headers["Vary"]


# --- toolbar ------------------------------------------------------------------------------


def test_toolbar_links_and_form_work_without_javascript(login_as, rooms):
    page = body(
        login_as("staff").get(f"{CALENDAR}?date=2026-01-31&view=month&room={rooms['aula'].id}")
    )
    room = rooms["aula"].id
    links = hrefs(page)
    assert f"{CALENDAR}?date=2025-12-31&view=month&room={room}" in links  # previous
    assert f"{CALENDAR}?date=2026-02-28&view=month&room={room}" in links  # next, clamped
    assert f"{CALENDAR}?date=2026-01-31&view=week&room={room}" in links  # view switch
    assert 'hx-target="this"' in page  # links inside #calendar swap it (boosted)
    # one GET form for the date and the room, enhanced by htmx
    forms = re.findall(
        r'<form class="cal-form" method="get" action="/bookings/calendar"[^>]*>', page
    )
    assert len(forms) == 1
    assert 'hx-target="#calendar"' in forms[0] and 'hx-push-url="true"' in forms[0]
    assert '<input type="date" id="cal-date" name="date" value="2026-01-31"' in page
    assert page.count('class="secondary cal-show"') == 1


def test_day_and_week_step_by_a_day_and_a_week(login_as, rooms):
    staff = login_as("staff")
    day = hrefs(body(staff.get(f"{CALENDAR}?date=2026-03-01")))
    assert f"{CALENDAR}?date=2026-02-28&view=day" in day
    assert f"{CALENDAR}?date=2026-03-02&view=day" in day
    week = hrefs(body(staff.get(f"{CALENDAR}?date=2026-03-01&view=week")))
    assert f"{CALENDAR}?date=2026-02-22&view=week" in week
    assert f"{CALENDAR}?date=2026-03-08&view=week" in week


# --- week view -------------------------------------------------------------------------


def test_week_view_of_all_rooms_is_a_table_of_rooms_by_days(login_as, rooms, book, next_week):
    monday = next_week - timedelta(days=next_week.weekday())
    if monday <= local_today():
        monday += timedelta(days=7)
    wednesday = monday + timedelta(days=2)
    book(rooms["aula"], wednesday, time(9), time(11), title="Pelatihan")
    book(rooms["kecil"], wednesday, time(10), time(12), title="Rapat kecil")
    page = body(login_as("staff").get(f"{CALENDAR}?date={wednesday.isoformat()}&view=week"))
    table = page[page.index('<table class="cal-rooms-week"') : page.index("</table>")]
    # Monday to Friday (no bookings on the weekend), a row per room
    assert table.count('<th scope="col"') == 6  # the room column and five days
    assert '<th scope="row">Aula</th>' in table and '<th scope="row">Ruang Kecil</th>' in table
    aula_row = table[table.index('<th scope="row">Aula</th>') : table.index("Ruang Kecil</th>")]
    cells = aula_row.split("<td")[1:]
    assert "Pelatihan" in cells[2] and "09.00–11.00" in cells[2] and "Pelatihan" not in cells[1]
    assert "/bookings/new?" not in table  # no free-stretch links without a room
    # each day heading links to its day view; the heading names the days shown
    assert f"{CALENDAR}?date={monday.isoformat()}&view=day" in hrefs(page)
    friday = monday + timedelta(days=4)
    assert long_date(friday) in page[page.index('<h2 class="cal-heading">') :]


def test_week_view_of_one_room_links_free_stretches(login_as, rooms, book, next_week):
    book(rooms["kecil"], next_week, time(9), time(10), title="Rapat kecil")
    url = f"{CALENDAR}?date={next_week.isoformat()}&view=week&room={rooms['aula'].id}"
    page = body(login_as("staff").get(url))
    assert "Rapat kecil" not in page
    links = [h for h in hrefs(page) if h.startswith("/bookings/new?")]
    assert links and all(f"room_id={rooms['aula'].id}&" in h for h in links)
    assert "cal-rooms-week" not in page and "--cols:5;" in page


def test_weekend_column_appears_when_booked(login_as, rooms, book, today):
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    book(rooms["kecil"], saturday, time(9), time(10), title="Kerja bakti")
    url = f"{CALENDAR}?date={saturday.isoformat()}&view=week&room={rooms['kecil'].id}"
    page = body(login_as("staff").get(url))
    assert "--cols:6;" in page and "Kerja bakti" in page


# --- month view ------------------------------------------------------------------------


def test_month_view_lists_the_first_bookings_and_counts(login_as, rooms, book, next_week):
    for hour in (8, 9, 10, 11):
        book(rooms["kecil"], next_week, time(hour), time(hour, 45), title=f"Rapat {hour}")
    book(rooms["aula"], next_week, time(13), time(14), title="Menunggu")  # pending
    book(rooms["kecil"], next_week, time(15), time(16), status="cancelled", title="Batal")
    page = body(login_as("staff").get(f"{CALENDAR}?date={next_week.isoformat()}&view=month"))
    day_link = f"{CALENDAR}?view=day&date={next_week.isoformat()}"
    cell = re.search(
        rf'<a href="{re.escape(day_link.replace("&", "&amp;"))}"[^>]*>(.*?)</a>',
        page[page.index('<table class="cal-month">') :],
        re.S,
    )
    assert cell, page
    text = cell.group(1)
    # the first three, by time, with their room; then how many more; the count; waiting
    assert '08.00</span> Rapat 8<span class="visually-hidden">, Ruang Kecil</span>' in text
    assert 'title="08.00–08.45 · Ruang Kecil · Rapat 8"' in text
    assert "Rapat 10" in text and "Rapat 11" not in text and "Batal" not in text
    assert "+2 lainnya" in text and '<span class="cal-count" aria-hidden="true">5</span>' in text
    assert "1 menunggu" in text
    assert page.count("<tr>") >= 5  # header + at least four weeks
    assert "<caption" in page and '<th scope="col">' in page


# --- efficiency --------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "reads"), [("day", 1), ("week", 1), ("month", 2)])
def test_bookings_read_in_one_or_two_queries_per_view(
    login_as, rooms, book, next_week, view, reads
):
    for start in (time(8), time(10), time(13)):
        book(rooms["aula"], next_week, start, time(start.hour + 1), status="approved")
        book(rooms["kecil"], next_week, start, time(start.hour + 1))
    staff = login_as("staff")
    statements: list[str] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = staff.get(f"{CALENDAR}?date={next_week.isoformat()}&view={view}")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    from_booking = [s for s in statements if re.search(r"\bFROM booking\b", s)]
    assert len(from_booking) == reads, from_booking
    from_room = [s for s in statements if re.search(r"\bFROM room\b", s)]
    assert len(from_room) == 1, from_room


# --- front desk ---------------------------------------------------------------------------


def test_front_desk_sheet_today_and_tomorrow(login_as, rooms, users, book, today):
    tomorrow, later = today + timedelta(days=1), today + timedelta(days=2)
    secretary = users["secretary"]
    first = book(
        rooms["aula"],
        tomorrow,
        time(9),
        time(10),
        user=secretary,
        pillar_id=secretary.pillar_id,
        phone="0812-3456-7890",
        attendees=25,
        title="Rapat besok",
    )
    book(rooms["kecil"], tomorrow, time(8), time(9), title="Briefing pagi", status="approved")
    book(rooms["kecil"], tomorrow, time(11), time(12), title="Dibatalkan", status="cancelled")
    book(rooms["kecil"], later, time(9), time(10), title="Lusa")
    response = login_as("staff").get("/bookings/frontdesk")
    page = body(response)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "Rapat besok" in page and "Briefing pagi" in page
    assert "Dibatalkan" not in page and "Lusa" not in page
    assert "0812-3456-7890" in page and ">25<" in page and ">SEC<" in page
    assert secretary.full_name in page
    assert str(services.STATUS_LABELS[first.status]) in page
    # grouped by day, then room (by name): Aula before Ruang Kecil on tomorrow's sheet
    assert page.index("desk-day-1") < page.index("desk-day-2") < page.index("Aula</h3>")
    assert page.index("Aula</h3>") < page.index("Ruang Kecil</h3>")
    # printable: a print stylesheet and a script-driven button, no inline script
    assert "css/calendar.css" in page and "js/print.js" in page and "data-print" in page
    assert "<script>" not in page and "onclick" not in page


def test_static_files_exist(client):
    for url in ("/static/css/calendar.css", "/static/js/print.js"):
        response = client.get(url)
        assert response.status_code == 200
        response.close()


def test_room_week_renders_alone_for_a_room_page(app, rooms, book, next_week):
    """The contract of ``bookings/_week.html`` outside the calendar (e.g. ``/rooms/<id>``)."""
    from flask import render_template

    from intranet.bookings.calendar_views import room_week

    booking = book(rooms["aula"], next_week, time(9), time(10), title="Rapat aula")
    book(rooms["kecil"], next_week, time(9), time(10), title="Rapat lain")
    with app.test_request_context("/rooms/1"):
        context = room_week(rooms["aula"], next_week)
        html = render_template("bookings/_week.html", **context)
    assert context["grid"].room.id == rooms["aula"].id
    assert "Rapat aula" in html and "Rapat lain" not in html
    assert f'href="/bookings/{booking.id}"' in html
    # no #calendar or #booking-panel on a room page: plain links there
    assert "hx-target" not in html
    assert f"/bookings/new?room_id={rooms['aula'].id}" in html


def test_frontdesk_for_a_chosen_day_and_the_next_working_day(login_as, rooms, book):
    friday = local_today() + timedelta(days=(4 - local_today().weekday()) % 7 + 7)
    monday = friday + timedelta(days=3)
    book(rooms["kecil"], monday, time(9), time(10), title="Senin pagi")
    desk = login_as("receptionist")
    html = desk.get(f"/bookings/frontdesk?date={friday.isoformat()}").get_data(as_text=True)
    assert format_date_long(friday) in html and format_date_long(monday) in html
    assert "Senin pagi" in html
    assert desk.get("/bookings/frontdesk?date=nope").status_code == 400
