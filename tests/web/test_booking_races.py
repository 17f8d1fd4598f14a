"""Concurrent requests for one slot: exactly one wins, the rest get a clear conflict.

Fired over real HTTP at a threaded server (threads) and at gunicorn with several
worker processes (separate processes), on whichever database the suite runs.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from intranet.bookings.models import Booking
from intranet.extensions import db
from tests.conftest import PASSWORD

REQUESTS = 20
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class Browser:
    """A minimal HTTP client with cookies, enough to log in and post a form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        _status, html = self.request(path)
        match = TOKEN_RE.search(html)
        assert match, html[:500]
        return match.group(1) or match.group(2)

    def login(self, username: str) -> None:
        token = self.token("/login")
        status, _ = self.request(
            "/login", {"csrf_token": token, "username": username, "password": PASSWORD}
        )
        assert status == 303


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def contenders(app, make_user, make_room, next_week):
    room = make_room(capacity=30)
    users = [make_user(f"peserta.{n}") for n in range(4)]
    form = {
        "room_id": str(room.id),
        "date": next_week.isoformat(),
        "start": "09:00",
        "end": "10:00",
        "title": "Rapat rebutan",
        "attendees": "5",
        "pillar_id": "",
    }
    return users, form


def _fire(base: str, users, form) -> list[tuple[int, str]]:
    browsers = []
    for n in range(REQUESTS):
        browser = Browser(base)
        browser.login(users[n % len(users)].username)
        browsers.append((browser, browser.token("/bookings/new")))
    barrier = threading.Barrier(REQUESTS)

    def post(pair):
        browser, token = pair
        barrier.wait(timeout=60)
        return browser.request("/bookings/new", {**form, "csrf_token": token})

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        return list(pool.map(post, browsers))


def _assert_one_winner(results) -> None:
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (REQUESTS - 1), statuses
    for status, html in results:
        assert "locked" not in html.lower()
        if status == 422:
            assert "Rapat rebutan" in html  # the conflict names the booking that won
    db.session.rollback()
    assert db.session.query(Booking).count() == 1


def test_concurrent_requests_threads(app, contenders):
    users, form = contenders
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        results = _fire(f"http://127.0.0.1:{server.server_port}", users, form)
    finally:
        server.shutdown()
    _assert_one_winner(results)


def test_concurrent_requests_processes(app, contenders):
    users, form = contenders
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "INTRANET_SECRET_KEY": app.config["SECRET_KEY"],
        "INTRANET_PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        "INTRANET_DEMO": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "wsgi:app",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        results = _fire(base, users, form)
    finally:
        server.terminate()
        server.wait(timeout=30)
    _assert_one_winner(results)


SERIES_EDITS = 8


def test_concurrent_series_moves_into_one_slot(app, make_user, make_room, next_week):
    """Eight weekly series move "all" their dates into the same free hour at once: one
    moves, the others are told which date clashes, and no hour is held twice."""
    from datetime import time as clock

    from intranet.bookings import services
    from intranet.bookings.recurrence import Recurrence
    from intranet.core.formatting import format_date_long

    room = make_room(capacity=30)
    owners, firsts = [], []
    for n in range(SERIES_EDITS):
        owner = make_user(f"pemilik.{n}")
        _series, dates = services.create_series(
            owner,
            services.BookingRequest(
                room_id=room.id,
                day=next_week,
                start=clock(8 + n, 0),
                end=clock(8 + n, 30),
                title=f"Rapat {n}",
            ),
            Recurrence("weekly", count=3),
        )
        owners.append(owner)
        firsts.append(dates[0].id)
    db.session.commit()
    room_id, usernames = str(room.id), [owner.username for owner in owners]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        browsers = []
        for username, booking_id in zip(usernames, firsts, strict=True):
            browser = Browser(base)
            browser.login(username)
            browsers.append((browser, browser.token(f"/bookings/{booking_id}/edit"), booking_id))
        barrier = threading.Barrier(SERIES_EDITS)

        def post(item):
            browser, token, booking_id = item
            barrier.wait(timeout=60)
            return browser.request(
                f"/bookings/{booking_id}/edit",
                {
                    "csrf_token": token,
                    "room_id": room_id,
                    "date": next_week.isoformat(),
                    "start": "16:00",
                    "end": "16:30",
                    "title": "Pindah",
                    "attendees": "5",
                    "pillar_id": "",
                    "scope": "all",
                },
            )

        with ThreadPoolExecutor(max_workers=SERIES_EDITS) as pool:
            results = list(pool.map(post, browsers))
    finally:
        server.shutdown()
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (SERIES_EDITS - 1), statuses
    with app.test_request_context():
        named = format_date_long(next_week)
    for status, html in results:
        assert "locked" not in html.lower()
        if status == 422:
            assert named in html  # the clash names its date
    db.session.rollback()
    at_four = [b for b in db.session.query(Booking).all() if b.start_at.hour == 9]  # 16.00 WIB
    assert len(at_four) == 3  # one series, its three dates
