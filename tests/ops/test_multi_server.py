"""Several app servers on one database: two gunicorn instances on two ports.

They share nothing but the database, the upload folder and the secret key (given in
the environment, as on separate machines). Under ``make test-postgres`` this is the
deployment of several machines on one PostgreSQL; on SQLite the two share the file on
one machine, which must hold just as well.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from intranet.bookings.models import Booking, Room
from intranet.extensions import db
from tests.servers import Browser, Gunicorn

REQUESTS = 20


def test_booking_race_across_two_servers_has_one_winner(app, make_user, make_room, next_week):
    room_id = make_room(capacity=30).id
    usernames = [make_user(f"peserta.{n}").username for n in range(4)]
    form = {
        "room_id": str(room_id),
        "date": next_week.isoformat(),
        "start": "09:00",
        "end": "10:00",
        "title": "Rapat rebutan dua server",
        "attendees": "5",
        "pillar_id": "",
    }
    with Gunicorn(app, workers=2) as first, Gunicorn(app, workers=2) as second:
        contenders = []
        for n in range(REQUESTS):
            browser = Browser((first if n % 2 else second).base)
            assert browser.login(usernames[n % len(usernames)]) == 303
            contenders.append((browser, browser.token("/bookings/new")))
        barrier = threading.Barrier(REQUESTS)

        def post(contender):
            browser, token = contender
            barrier.wait(timeout=60)
            return browser.request("/bookings/new", {**form, "csrf_token": token})

        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            results = list(pool.map(post, contenders))
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (REQUESTS - 1), statuses
    for status, html in results:
        if status == 422:
            assert "Rapat rebutan dua server" in html  # names the booking that won
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_sessions_throttling_uploads_and_logs_are_shared(app, users, tmp_path):
    logs = {"first": tmp_path / "first.log", "second": tmp_path / "second.log"}
    with (
        Gunicorn(app, workers=2, log=logs["first"]) as first,
        Gunicorn(app, workers=2, log=logs["second"]) as second,
    ):
        # Logged in on one server, the session is valid on the other.
        admin = Browser(first.base)
        assert admin.login(users["admin"].username) == 303
        token = admin.token("/admin/rooms/new")  # a form from the first server …
        admin.base = second.base
        status, html = admin.request("/admin/users/")
        assert status == 200 and users["staff"].username in html

        # … posted to the second, with a photo into the shared upload folder.
        photo = b"\xff\xd8\xff\xe0" + os.urandom(20_000)
        status, _ = admin.request(
            "/admin/rooms/new",
            {
                "csrf_token": token,
                "name": "Aula Dua Server",
                "location": "Lantai 2",
                "capacity": "80",
                "facilities": "Proyektor",
                "colour": "#1565c0",
                "needs_approval": "y",
                "active": "y",
            },
            files={"photo": ("aula.jpg", photo, "image/jpeg")},
        )
        assert status == 303
        request_id = admin.headers["X-Request-ID"]
        db.session.rollback()
        room_id = db.session.scalar(select(Room.id).where(Room.name == "Aula Dua Server"))
        admin.base = first.base
        status, served, _headers = admin.fetch(f"/rooms/{room_id}/photo")
        assert status == 200 and served == photo

        # Failed logins count across both servers.
        limit = app.config["LOGIN_MAX_FAILURES_PER_USER"]
        for attempt in range(limit):
            browser = Browser((first if attempt % 2 else second).base)
            assert browser.login(users["staff"].username, "salah-sandi") == 422
        for server in (first, second):
            status = Browser(server.base).login(users["staff"].username)  # right password
            assert status == 429

    # Each server logged its own requests, one line each, under the request id.
    second_log = logs["second"].read_text()
    line = next(line for line in second_log.splitlines() if f"[{request_id}]" in line)
    admin_id = users["admin"].id
    assert re.search(rf" POST /admin/rooms/new 303 [\d.]+ ms user={admin_id}$", line), line
    assert request_id not in logs["first"].read_text()
    for log in logs.values():
        text = log.read_text()
        assert 'HTTP/1.1"' not in text  # no second, gunicorn-made access log line
        assert "salah-sandi" not in text and "secret-pass-1" not in text
