"""A crash during a burst of bookings loses nothing that was confirmed.

gunicorn (master and workers) is killed with SIGKILL while several clients keep booking
over HTTP; after a restart every booking whose request was answered with success is
there, with its audit entry, and the database is intact.
"""

from __future__ import annotations

import http.client
import threading
import time
from datetime import time as clock
from datetime import timedelta

from sqlalchemy import func, select, text

from intranet.bookings.models import Booking
from intranet.core.audit import AuditEntry
from intranet.extensions import db
from tests.servers import Browser, Gunicorn

CLIENTS = 6
BURST_SECONDS = 1.5


def _slots(room_ids, first_day):
    """Free half-hour slots, one booking each: no request should meet a conflict."""
    for offset in range(0, 120):
        day = first_day + timedelta(days=offset)
        for hour in range(8, 16):
            for minute in (0, 30):
                for room_id in room_ids:
                    start = clock(hour, minute)
                    end = clock(hour + (minute == 30), (minute + 30) % 60)
                    yield room_id, day, start, end


def test_confirmed_bookings_survive_sigkill_of_every_server_process(
    app, make_user, make_room, next_week
):
    room_ids = [make_room(f"Ruang kilat {n}", capacity=30).id for n in range(3)]
    usernames = [make_user(f"kilat.{n}").username for n in range(CLIENTS)]
    slots = _slots(room_ids, next_week)
    lock = threading.Lock()
    confirmed: dict[str, str] = {}  # title -> the booking's address
    unexpected: list[tuple[int, str]] = []
    cut_off: list[str] = []  # requests the crash interrupted
    stop = threading.Event()

    server = Gunicorn(app, workers=3).start()
    try:
        clients = []
        for username in usernames:
            browser = Browser(server.base)
            assert browser.login(username) == 303
            clients.append((browser, browser.token("/bookings/new")))

        def book(client) -> None:
            browser, token = client
            while not stop.is_set():
                with lock:
                    room_id, day, start, end = next(slots)
                title = f"Rapat kilat {room_id} {day} {start:%H.%M}"
                form = {
                    "csrf_token": token,
                    "room_id": str(room_id),
                    "date": day.isoformat(),
                    "start": f"{start:%H:%M}",
                    "end": f"{end:%H:%M}",
                    "title": title,
                    "attendees": "5",
                    "pillar_id": "",
                }
                try:
                    status, body = browser.request("/bookings/new", form, timeout=10)
                except (OSError, http.client.HTTPException):
                    cut_off.append(title)  # the server died under it: never confirmed
                    return
                if status == 303:
                    confirmed[title] = browser.headers["Location"]
                else:
                    unexpected.append((status, body[:300]))

        threads = [threading.Thread(target=book, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        time.sleep(BURST_SECONDS)
        server.kill()  # mid-burst: requests are in flight
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        stop.set()
        server.stop()
    assert not unexpected, unexpected
    assert len(confirmed) >= 10, "too few bookings before the crash to prove anything"
    assert cut_off, "the crash came between requests, not during the burst"

    with Gunicorn(app, workers=2) as restarted:
        browser = Browser(restarted.base)
        assert browser.login(usernames[0]) == 303
        for title, location in list(confirmed.items())[-5:]:  # the last ones confirmed
            status, html = browser.request(location)
            assert status == 200 and title in html

    db.session.rollback()
    titles = set(db.session.scalars(select(Booking.title)))
    assert set(confirmed) <= titles
    bookings = db.session.scalar(select(func.count()).select_from(Booking))
    created = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "booking.create")
    )
    assert bookings == created  # no booking without its audit entry, and no orphan entry
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
