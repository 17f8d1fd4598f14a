"""Training pages over HTTP: agenda, forms with their errors, sessions that book rooms,
registration, guests, check-in (page and row swaps), print views, certificates, feed,
exports, materials, and the object rules (another pillar's secretary gets 403)."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from intranet.bookings.models import Booking
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today, office_zone
from intranet.extensions import db
from intranet.trainings import services
from intranet.trainings.models import Attendance, Registration, Training


@pytest.fixture
def training(app, make_training, next_week):
    with app.test_request_context():
        return make_training(
            title="Pelatihan Pendataan DTKS",
            capacity=2,
            sessions=[(next_week, time(9), time(12), None)],
            description="Bawa **laptop**.",
        )


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_agenda_lists_and_filters(login_as, training, users):
    client = login_as("staff")
    page = _html(client.get("/trainings/"))
    assert "Pelatihan Pendataan DTKS" in page and "sisa 2 kursi" in page
    assert "<html" not in _html(client.htmx_get("/trainings/?q=dtks"))
    assert "Pelatihan Pendataan DTKS" not in _html(client.get("/trainings/?q=tagana"))
    assert "Pelatihan Pendataan DTKS" in _html(client.get("/trainings/?open=1"))
    assert "Pelatihan Pendataan DTKS" not in _html(client.get("/trainings/?view=archive"))
    assert client.get("/trainings/?view=mine&month=bad").status_code == 200


def test_create_training_errors_at_once_and_values_kept(login_as, users):
    client = login_as("secretary")
    response = client.post_form(
        "/trainings/new",
        {
            "title": "Bimtek",
            "organiser_pillar_id": str(users["secretary"].pillar_id),
            "capacity": "0",
            "certificate_threshold": "1",
            "registration_opens_at": "2030-01-10T08:00",
            "registration_closes_at": "2030-01-09T08:00",
        },
        htmx=True,
    )
    assert response.status_code == 422
    page = _html(response)
    assert "<html" not in page and 'value="Bimtek"' in page
    assert 'id="capacity-error"' in page
    # The services' own checks come back on the next try, every one at its field.
    response = client.post_form(
        "/trainings/new",
        {
            "title": "Bimtek",
            "organiser_pillar_id": str(users["secretary"].pillar_id),
            "capacity": "20",
            "certificate_threshold": "1",
            "registration_opens_at": "2030-01-10T08:00",
            "registration_closes_at": "2030-01-09T08:00",
        },
    )
    assert response.status_code == 422
    page = _html(response)
    # Every rule at once: the window's order and the missing target pillars.
    assert 'id="registration_closes_at-error"' in page
    assert "Pilih pilar sasarannya" in page
    response = client.post_form(
        "/trainings/new",
        {
            "title": "Bimtek",
            "organiser_pillar_id": str(users["secretary"].pillar_id),
            "capacity": "20",
            "certificate_threshold": "1",
            "for_all_pillars": "y",
        },
    )
    assert response.status_code == 303
    created = db.session.scalar(select(Training).where(Training.title == "Bimtek"))
    assert created.status == "draft"


def test_session_in_a_room_books_it_and_conflict_shows_at_the_room(
    login_as, training, make_room, book, users, next_week
):
    aula = make_room("Aula", capacity=150, needs_approval=True)
    other = book(aula, next_week, time(13), time(15), title="Rapat Dinas")
    client = login_as("secretary")
    url = f"/trainings/{training.id}/sessions/new"
    form = {
        "day": next_week.isoformat(),
        "start": "14:00",
        "end": "16:00",
        "topic": "Praktik",
        "room_id": str(aula.id),
    }
    response = client.post_form(url, form, htmx=True)
    assert response.status_code == 422
    page = _html(response)
    error = page.split('id="room_id-error"')[1].split("</small>")[0]
    assert "Rapat Dinas" in error and 'value="Praktik"' in page
    response = client.post_form(url, {**form, "start": "08:00", "end": "11:00"})
    assert response.status_code == 303
    booking = db.session.scalar(select(Booking).where(Booking.id != other.id))
    assert booking.room_id == aula.id and booking.pillar_id == users["secretary"].pillar_id
    assert training.title in booking.title
    # The room calendar shows it.
    calendar = _html(login_as("staff").get(f"/bookings/calendar?date={next_week}&view=day"))
    assert training.title in calendar


def test_other_pillars_secretary_gets_403(app, login_as, make_user, make_pillar, training):
    tksk = make_pillar("TKSK")
    make_user("sek.tksk", role="secretary", pillar=tksk)
    client = app.test_client()
    client.login("sek.tksk")
    session_id = training.sessions[0].id
    base = f"/trainings/{training.id}"
    for url in (
        f"{base}/edit",
        f"{base}/participants",
        f"{base}/participants.csv",
        f"{base}/sessions/new",
        f"{base}/sessions/{session_id}/edit",
        f"{base}/sessions/{session_id}/checkin",
        f"{base}/sessions/{session_id}/sheet",
        f"{base}/minutes",
    ):
        assert client.get(url).status_code == 403, url
    for url in (f"{base}/publish", f"{base}/cancel", f"{base}/edit"):
        assert client.post_form(url, {"reason": "x"}).status_code == 403, url
    assert client.get(base).status_code == 200  # published: everyone sees it


def test_drafts_only_for_organisers(app, login_as, make_training, users):
    with app.test_request_context():
        draft = make_training(status="draft", title="Draf rahasia")
    assert login_as("staff").get(f"/trainings/{draft.id}").status_code == 404
    assert "Draf rahasia" not in _html(login_as("staff").get("/trainings/"))
    assert login_as("secretary").get(f"/trainings/{draft.id}").status_code == 200
    assert login_as("admin").get(f"/trainings/{draft.id}").status_code == 200


def test_register_waitlist_cancel_promotes_and_tells(app, make_user, training):
    people = [make_user(f"orang.{n}") for n in range(3)]
    clients = []
    for person in people:
        client = app.test_client()
        client.login(person.username)
        clients.append(client)
    for client in clients:
        assert client.post_form(f"/trainings/{training.id}/register").status_code == 303
    page = _html(clients[2].get(f"/trainings/{training.id}"))
    assert "nomor 1 di daftar tunggu" in page
    assert clients[0].post_form(f"/trainings/{training.id}/unregister").status_code == 303
    page = _html(clients[2].get("/trainings/"))
    assert "Kabar baik" in page  # told once, on the next page
    assert "Kabar baik" not in _html(clients[2].get("/trainings/"))
    assert "Anda terdaftar." in _html(clients[2].get(f"/trainings/{training.id}"))


def test_guest_with_duplicate_flag(login_as, training):
    client = login_as("secretary")
    url = f"/trainings/{training.id}/participants"
    guest = {"name": "Abdul Wahab", "organisation": "Kantor Camat", "phone": "0812-1111-2222"}
    assert client.post_form(url, guest).status_code == 303
    response = client.post_form(url, {**guest, "phone": "0813-9999-0000"}, htmx=True)
    assert response.status_code == 422
    page = _html(response)
    assert (
        "Mungkin sudah terdaftar" in page
        and 'name="confirm_duplicate" type="hidden" value="1"' in page
    )
    confirmed = client.post_form(
        url, {**guest, "phone": "0813-9999-0000", "confirm_duplicate": "1"}
    )
    assert confirmed.status_code == 303
    response = client.post_form(url, {"name": "", "organisation": ""})
    assert response.status_code == 422
    page = _html(response)
    assert 'id="name-error"' in page
    people = _html(client.get(url))
    assert people.count("Abdul Wahab") >= 2


def test_check_in_row_swaps_and_works_without_js(login_as, training, users):
    staff = users["staff"]
    registration = services.register_self(staff, training.id)
    session = training.sessions[0]
    client = login_as("receptionist")
    base = f"/trainings/{training.id}/sessions/{session.id}/checkin"
    page = _html(client.get(base))
    assert staff.full_name in page and "Hadir" in page
    rows = client.htmx_get(f"{base}?q={staff.full_name[:3]}", **{"HX-Target": "checkin-rows"})
    assert "<html" not in _html(rows) and staff.full_name in _html(rows)
    assert "HX-Target" in rows.headers["Vary"] and "HX-Request" in rows.headers["Vary"]
    nobody = _html(client.htmx_get(f"{base}?q=zzz", **{"HX-Target": "checkin-rows"}))
    assert staff.full_name not in nobody
    swapped = client.post_form(f"{base}/{registration.id}", htmx=True)
    assert swapped.status_code == 200
    row = _html(swapped)
    assert row.lstrip().startswith('<li id="person-') and "Batalkan" in row
    assert db.session.scalar(select(Attendance.registration_id)) == registration.id
    undone = client.post_form(f"{base}/{registration.id}/undo")
    assert undone.status_code == 303 and f"#person-{registration.id}" in undone.headers["Location"]
    assert db.session.scalar(select(Attendance.id)) is None


def test_walk_in_is_registered_and_checked_in(login_as, training):
    client = login_as("receptionist")
    session = training.sessions[0]
    url = f"/trainings/{training.id}/sessions/{session.id}/walkin"
    response = client.post_form(url, {"name": "Teuku Ridwan", "organisation": "Desa Lamteumen"})
    assert response.status_code == 303
    walk_in = db.session.scalar(select(Registration).where(Registration.name == "Teuku Ridwan"))
    assert walk_in.walk_in and walk_in.status == "registered"
    assert db.session.scalar(select(Attendance.registration_id)) == walk_in.id
    assert client.post_form(url, {"name": ""}).status_code == 422


def test_sheet_blank_and_with_check_ins(login_as, training, users):
    registration = services.register_self(users["staff"], training.id)
    session = training.sessions[0]
    services.check_in(users["secretary"], session.id, registration.id)
    client = login_as("secretary")
    sheet = _html(client.get(f"/trainings/{training.id}/sessions/{session.id}/sheet"))
    for column in ("No.", "Nama", "Pilar/Lembaga", "Asal", "No. HP", "Tanda Tangan"):
        assert column in sheet
    assert users["staff"].full_name in sheet and "DAFTAR HADIR" in sheet
    blank = _html(client.get(f"/trainings/{training.id}/sessions/{session.id}/sheet?blank=1"))
    assert users["staff"].full_name not in blank and '<td class="c-no">20</td>' in blank


def test_self_checkin_page(login_as, training, users):
    services.register_self(users["staff"], training.id)
    code = training.sessions[0].checkin_code
    client = login_as("staff")
    page = _html(client.get(f"/trainings/checkin/{code}"))
    assert "Presensi dibuka 30 menit" in page
    response = client.post_form(f"/trainings/checkin/{code}")
    assert response.status_code == 422
    assert login_as("staff").get("/trainings/checkin/nope").status_code == 404
    qr = _html(
        login_as("secretary").get(f"/trainings/{training.id}/sessions/{training.sessions[0].id}/qr")
    )
    assert "<svg" in qr and code in qr


def test_certificate_and_public_verification(app, client, login_as, make_training, users):
    day = (datetime.now(office_zone()) - timedelta(days=2)).date()
    with app.test_request_context():
        past = make_training(sessions=[(day, time(9), time(12), None)], title="Bimtek Lampau")
        mine = services.register_guest(
            users["secretary"],
            past.id,
            services.GuestData(name="Cut Rahmah", organisation="Desa", phone="0811-6801-5523"),
            override_window=True,
        )
        services.check_in(users["secretary"], past.sessions[0].id, mine.id)
        services.finish(users["secretary"], past.id, "Notulen")
    code = db.session.get(Registration, mine.id).certificate_code
    page = _html(login_as("secretary").get(f"/trainings/{past.id}/certificates/{mine.id}"))
    assert "SERTIFIKAT" in page and "Cut Rahmah" in page and code in page and "<svg" in page
    assert login_as("staff").get(f"/trainings/{past.id}/certificates/{mine.id}").status_code == 403
    public = client.get(f"/verify/{code}")
    assert public.status_code == 200
    text = _html(public)
    assert "Cut Rahmah" in text and "Bimtek Lampau" in text and "0811" not in text
    assert client.get("/verify/XXXX-XXXX-XXXX").status_code == 404


def test_feed_with_token(app, client, training, users):
    from intranet.bookings import feeds

    with write_transaction():
        user = db.session.get(type(users["staff"]), users["staff"].id)
        token = feeds.regenerate_calendar_token(user)
    assert client.get("/trainings/calendar.ics").status_code == 404
    response = client.get(f"/trainings/calendar.ics?token={token}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = _html(response)
    assert (
        "Pelatihan Pendataan DTKS" in body and f"training-session-{training.sessions[0].id}" in body
    )


def test_exports(login_as, training, users):
    services.register_self(users["staff"], training.id)
    services.register_guest(
        users["secretary"],
        training.id,
        services.GuestData(name="=HYPERLINK(1)", organisation="Desa", phone="0812-3333-4444"),
    )
    client = login_as("secretary")
    csv_text = _html(client.get(f"/trainings/{training.id}/participants.csv"))
    assert users["staff"].full_name in csv_text and "'=HYPERLINK" in csv_text
    xlsx = client.get(f"/trainings/{training.id}/participants.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert users["staff"].full_name in values and "Terdaftar" in values


def test_materials_upload_and_visibility(app, login_as, make_training, users):
    with app.test_request_context():
        draft = make_training(status="draft")
    client = login_as("secretary")
    response = client.post(
        f"/trainings/{draft.id}/materials",
        data={
            "csrf_token": client.csrf_token(),
            "files": (io.BytesIO(b"%PDF-1.4 materi"), "modul.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    from intranet.core.attachments import Attachment

    attachment = db.session.scalar(select(Attachment))
    assert client.get(f"/attachments/{attachment.id}").status_code == 200
    assert login_as("staff").get(f"/attachments/{attachment.id}").status_code == 404
    bad = client.post(
        f"/trainings/{draft.id}/materials",
        data={"csrf_token": client.csrf_token(), "files": (io.BytesIO(b"MZ..."), "x.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "bukan PDF" in _html(bad)


def test_share_text_whatsapp(login_as, training):
    page = _html(login_as("staff").get(f"/trainings/{training.id}"))
    text = page.split('id="share-text"')[1].split("</textarea>")[0]
    assert "*Pelatihan Pendataan DTKS*" in text and "_" in text
    assert "09.00" in text and "Sisa kursi: 2 dari 2" in text
    day = local_today() + timedelta(days=7)
    assert str(day.year) in text
    assert "<script>" not in page  # no inline scripts (CSP)


def test_cancel_training_over_http_releases_rooms(
    login_as, make_training, make_room, app, next_week
):
    room = make_room("Ruang Pelatihan", capacity=40)
    with app.test_request_context():
        roomy = make_training(sessions=[(next_week, time(9), time(12), room)])
    client = login_as("secretary")
    response = client.post_form(f"/trainings/{roomy.id}/cancel", {"reason": "Banjir"})
    assert response.status_code == 303
    booking = db.session.get(Booking, roomy.sessions[0].booking_id)
    assert booking.status == "cancelled"
    detail = _html(client.get(f"/trainings/{roomy.id}"))
    assert "Banjir" in detail and "Pelatihan dibatalkan" in detail


def test_month_calendar(login_as, training, next_week):
    client = login_as("staff")
    month = next_week.strftime("%Y-%m")
    page = _html(client.get(f"/trainings/?view=calendar&month={month}"))
    assert "Pelatihan Pendataan DTKS" in page and "09.00" in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    empty = _html(client.get("/trainings/?view=calendar&month=2001-01"))
    assert "Pelatihan Pendataan DTKS" not in empty
    assert client.get("/trainings/?view=calendar&month=bad").status_code == 200


def test_register_button_only_for_the_target_pillars(
    app, make_training, make_user, make_pillar, users, next_week
):
    other = make_pillar("PKH")
    make_user("orang.pkh", pillar=other)
    with app.test_request_context():
        limited = make_training(
            sessions=[(next_week, time(9), time(12), None)],
            for_all_pillars=False,
            target_ids=[users["secretary"].pillar_id],
        )
    client = app.test_client()
    client.login("orang.pkh")
    page = _html(client.get(f"/trainings/{limited.id}"))
    assert "Pelatihan ini untuk SEC." in page and f"/trainings/{limited.id}/register" not in page


def test_edit_and_remove_sessions_over_http(login_as, make_training, make_room, app, next_week):
    room = make_room("Ruang Rapat", capacity=30)
    with app.test_request_context():
        draft = make_training(
            status="draft",
            sessions=[(next_week, time(9), time(12), room), (next_week, time(13), time(15), None)],
        )
    client = login_as("secretary")
    first, second = draft.sessions
    url = f"/trainings/{draft.id}/sessions/{first.id}/edit"
    assert 'value="09:00"' in _html(client.get(url))
    moved = client.post_form(
        url,
        {"day": next_week.isoformat(), "start": "10:00", "end": "12:00", "room_id": str(room.id)},
    )
    assert moved.status_code == 303
    booking = db.session.get(Booking, first.booking_id)
    assert booking.start_at.astimezone(office_zone()).hour == 10
    bad = client.post_form(url, {"day": "", "start": "12:00", "end": "11:00"}, htmx=True)
    assert bad.status_code == 422 and 'id="day-error"' in _html(bad)
    removed = client.post_form(f"/trainings/{draft.id}/sessions/{first.id}/delete")
    assert removed.status_code == 303
    assert db.session.get(Booking, booking.id).status == "cancelled"
    assert [s.id for s in db.session.get(Training, draft.id).sessions] == [second.id]


def test_minutes_and_finish_over_http(app, login_as, make_training, users):
    day = (datetime.now(office_zone()) - timedelta(days=1)).date()
    with app.test_request_context():
        past = make_training(sessions=[(day, time(9), time(12), None)])
        person = services.register_guest(
            users["secretary"],
            past.id,
            services.GuestData(name="Dahlia", organisation="LK3"),
            override_window=True,
        )
        services.check_in(users["secretary"], past.sessions[0].id, person.id)
    client = login_as("secretary")
    url = f"/trainings/{past.id}/minutes"
    assert client.get(url).status_code == 200
    saved = client.post_form(url, {"minutes": "## Hasil\n\n- Sepakat", "finish": "0"})
    assert saved.status_code == 303
    assert db.session.get(Training, past.id).status == "published"
    finished = client.post_form(url, {"minutes": "## Hasil\n\n- Sepakat", "finish": "1"})
    assert finished.status_code == 303
    assert db.session.get(Training, past.id).status == "finished"
    assert db.session.get(Registration, person.id).certificate_code
    page = _html(client.get(f"/trainings/{past.id}"))
    assert "<h3>Hasil</h3>" in page and "Selesai" in page


def test_cancel_participant_promotes_and_says_so(login_as, training, users, make_user):
    waiting_user = make_user("menunggu", full_name="Syahrul Ramadhan")
    services.register_self(users["staff"], training.id)
    services.register_self(users["receptionist"], training.id)
    waiting = services.register_self(waiting_user, training.id)
    assert waiting.status == "waitlisted"
    seated = services.own_registration(users["staff"], training.id)
    client = login_as("secretary")
    response = client.post_form(
        f"/trainings/{training.id}/participants/{seated.id}/cancel", follow_redirects=True
    )
    page = _html(response)
    assert "Syahrul Ramadhan naik dari daftar tunggu" in page
    assert db.session.get(Registration, waiting.id).status == "registered"


def test_self_check_in_within_the_window(app, make_training, users):
    """A session that began a few minutes ago and lasts until the end of the day."""
    now = datetime.now(office_zone())
    begin = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0))
    with app.test_request_context():
        running = make_training(
            sessions=[
                (now.date(), begin.time().replace(second=0, microsecond=0), time(23, 59), None)
            ]
        )
        services.register_self(users["staff"], running.id)
    session = running.sessions[0]
    client = app.test_client()
    client.login(users["staff"].username)
    url = f"/trainings/checkin/{session.checkin_code}"
    assert "Saya hadir" in _html(client.get(url))
    done = client.post_form(url)
    assert done.status_code == 200 and "kehadiran Anda tercatat" in _html(done)
    assert db.session.scalar(select(Attendance.method)) == "self"
