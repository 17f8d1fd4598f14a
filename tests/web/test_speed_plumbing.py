"""What keeps pages light: fingerprinted static files cached for a year, compressed
responses, and lists that count only so far."""

from __future__ import annotations

import gzip
import re

import pytest

from intranet.core import pagination


def test_static_files_are_fingerprinted_and_kept_for_a_year(login_as):
    client = login_as("staff")
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{12})"', page)
    assert any("pico.min.css" in u for u in urls) and any("htmx.min.js" in u for u in urls)
    assert any("css/app.css" in u for u in urls) and any("js/app.js" in u for u in urls)
    response = client.get(urls[0].replace("&amp;", "&"))
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    # a wrong or missing fingerprint is not kept for a year (it may be an old page)
    stale = client.get(urls[0].split("?")[0] + "?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    plain = client.get(urls[0].split("?")[0])
    assert "immutable" not in plain.headers.get("Cache-Control", "")


def test_pages_are_compressed_when_the_browser_accepts_it(login_as, make_room):
    make_room("Aula")
    client = login_as("staff")
    client.get("/")  # the welcome message is shown (once)
    plain = client.get("/bookings/calendar")
    zipped = client.get("/bookings/calendar", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    # The CSRF token carries a timestamp: compare the pages without it.
    token = re.compile(rb'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"')
    assert token.sub(b"", gzip.decompress(zipped.get_data())) == token.sub(b"", plain.get_data())
    assert len(zipped.get_data()) < len(plain.get_data()) / 3
    vary = {v.strip() for v in zipped.headers["Vary"].split(",")}
    assert {"Accept-Encoding", "HX-Request"} <= vary


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)


def test_lists_count_up_to_a_cap(app, login_as, make_room, book, next_week, small_cap):
    from datetime import time, timedelta

    room = make_room("Aula")
    for n in range(6):
        book(room, next_week + timedelta(days=n // 3), time(8 + n % 3), time(8 + n % 3, 30))
    client = login_as("staff")
    app.config["PAGE_SIZE"] = 2
    first = client.get("/bookings/").get_data(as_text=True)
    assert "Lebih dari 3 hasil" in first and "Halaman 1</span>" in first and 'rel="next"' in first
    last = client.get("/bookings/?page=3").get_data(as_text=True)
    assert "6 hasil" in last and 'rel="next"' not in last and 'rel="prev"' in last
    assert client.get("/bookings/?page=4").status_code == 404
    assert client.get("/bookings/?page=0").status_code == 404
    app.config["PAGE_SIZE"] = 10
    whole = client.get("/bookings/").get_data(as_text=True)
    assert "6 hasil" in whole and 'class="pagination"' not in whole


def _header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_the_kept_header_carries_each_requests_own_values(
    app, users, login_as, make_room, book, next_week
):
    """The header is rendered once per worker for everyone seeing the same entries; what
    belongs to the request (CSRF token, the page to come back to, counts, the current
    section, the reader's name) still comes out right."""
    from datetime import time

    room = make_room("Aula", needs_approval=True)
    desk = login_as("receptionist")
    first = desk.get("/bookings/calendar").get_data(as_text=True)
    second = desk.get("/rooms/?x=1").get_data(as_text=True)
    assert 'name="next" value="/bookings/calendar"' in _header(first)
    assert 'name="next" value="/rooms/?x=1"' in _header(second)
    with desk.session_transaction() as session:
        raw = session["csrf_token"]
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', _header(second))
    assert tokens and all(t.split(".")[0] for t in tokens)
    from itsdangerous import URLSafeTimedSerializer

    signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    assert {signer.loads(t) for t in tokens} == {raw}
    # the current section moves with the page
    assert re.search(r'href="/bookings/calendar" aria-current="page"', _header(first))
    assert 'href="/bookings/calendar" aria-current' not in _header(second)
    assert 'href="/rooms/" aria-current="page"' in _header(second)
    # a new pending booking shows in the count at once
    assert 'class="badge"' not in _header(desk.get("/rooms/").get_data(as_text=True))
    book(room, next_week, time(9), time(10))
    header = _header(desk.get("/rooms/").get_data(as_text=True))
    assert re.search(r'class="badge"[^>]*>1<', header)
    # another reader gets their own name and entries
    staff = _header(login_as("staff").get("/rooms/").get_data(as_text=True))
    assert "Approvals" not in staff and "Persetujuan" not in staff
    assert users["staff"].full_name in staff and users["receptionist"].full_name in header
    assert users["receptionist"].full_name not in staff
    assert app.extensions["site_headers"]  # kept
