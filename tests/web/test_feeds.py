"""iCalendar feeds: token access, contents, and renewing the feed address."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from intranet.auth.models import User
from intranet.bookings import feeds
from intranet.core.audit import AuditEntry
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today
from intranet.extensions import db


@pytest.fixture
def token_of(app):
    def give(user: User) -> str:
        with write_transaction():
            user = db.session.get(User, user.id)
            token = feeds.regenerate_calendar_token(user)
        return token

    return give


@pytest.fixture
def aula(make_room):
    return make_room("Aula", location="Lantai 2", needs_approval=True)


@pytest.fixture
def day(app) -> date:
    return local_today() + timedelta(days=7)


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def uid(booking) -> str:
    return f"booking-{booking.id}@kantor-bersama"


# --- tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?token=", "?token=nope", "?token=" + "x" * 200])
def test_feeds_without_a_valid_token_are_404_not_a_login(client, aula, users, query):
    for url in (f"/bookings/feed.ics{query}", f"/rooms/{aula.id}/calendar.ics{query}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Location" not in response.headers


def test_inactive_users_token_is_refused(client, aula, users, token_of):
    token = token_of(users["staff"])
    assert client.get(f"/bookings/feed.ics?token={token}").status_code == 200
    with write_transaction():
        db.session.get(User, users["staff"].id).active = False
    assert client.get(f"/bookings/feed.ics?token={token}").status_code == 404
    assert client.get(f"/rooms/{aula.id}/calendar.ics?token={token}").status_code == 404


def test_unknown_room_is_404(client, users, token_of):
    token = token_of(users["staff"])
    assert client.get(f"/rooms/9999/calendar.ics?token={token}").status_code == 404


def test_tokens_are_long_random_and_unique(app, users):
    with write_transaction():
        staff = db.session.get(User, users["staff"].id)
        first = feeds.ensure_calendar_token(staff)
        assert feeds.ensure_calendar_token(staff) == first  # kept once made
        second = feeds.regenerate_calendar_token(staff)
    assert first != second and len(second) >= 40


# --- contents -------------------------------------------------------------------------


def test_room_feed(client, aula, make_room, users, book, day, token_of):
    secretary = users["secretary"]
    approved = book(
        aula,
        day,
        user=secretary,
        pillar_id=secretary.pillar_id,
        purpose="Koordinasi bulanan",
        status="approved",
        title="Rapat PKH",
    )
    pending = book(aula, day, time(11), time(12))
    cancelled = book(aula, day, time(13), time(14), status="cancelled")
    rejected = book(aula, day, time(14), time(15), status="rejected")
    elsewhere = book(make_room("Lain"), day)
    token = token_of(users["staff"])

    cal = parse(client.get(f"/rooms/{aula.id}/calendar.ics?token={token}"))

    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == feeds.PRODID
    assert "Aula" in str(cal["X-WR-CALNAME"])
    found = events(cal)
    assert set(found) == {uid(approved), uid(pending), uid(cancelled)}
    assert uid(rejected) not in found and uid(elsewhere) not in found
    assert str(found[uid(approved)]["STATUS"]) == "CONFIRMED"
    assert str(found[uid(pending)]["STATUS"]) == "TENTATIVE"
    assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
    event = found[uid(approved)]
    assert event.decoded("DTSTART") == approved.start_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == approved.end_at
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "Rapat PKH"
    assert str(event["LOCATION"]) == "Aula, Lantai 2"
    description = str(event["DESCRIPTION"])
    assert "Koordinasi bulanan" in description and "SEC" in description
    assert secretary.full_name in description
    assert str(event["URL"]).endswith(f"/bookings/{approved.id}")
    # DTSTART/DTEND are written in UTC ("Z"), not as floating local times
    text = client.get(f"/rooms/{aula.id}/calendar.ics?token={token}").get_data(as_text=True)
    assert f"DTSTART:{approved.start_at:%Y%m%dT%H%M%S}Z" in text
    assert "RRULE" not in text


def test_my_feed_holds_only_my_bookings(client, aula, users, book, day, token_of):
    mine = book(aula, day)
    mine_cancelled = book(aula, day, time(11), time(12), status="cancelled")
    theirs = book(aula, day, time(13), time(14), user=users["receptionist"])
    token = token_of(users["staff"])
    cal = parse(client.get(f"/bookings/feed.ics?token={token}"))
    found = events(cal)
    assert set(found) == {uid(mine), uid(mine_cancelled)}
    assert uid(theirs) not in found
    assert str(found[uid(mine_cancelled)]["STATUS"]) == "CANCELLED"
    assert cal["X-WR-CALNAME"]


def test_feed_window_is_30_days_back_to_a_year_ahead(client, aula, users, book, token_of):
    today = local_today()
    old = book(aula, today - timedelta(days=40))
    recent = book(aula, today - timedelta(days=20), status="cancelled")
    soon = book(aula, today + timedelta(days=30))
    token = token_of(users["staff"])
    for url in (
        f"/bookings/feed.ics?token={token}",
        f"/rooms/{aula.id}/calendar.ics?token={token}",
    ):
        found = events(parse(client.get(url)))
        assert uid(recent) in found and uid(soon) in found
        assert uid(old) not in found


def test_feed_speaks_the_owners_language(client, aula, users, book, day, token_of):
    book(aula, day)
    with write_transaction():
        db.session.get(User, users["staff"].id).locale = "en"
    token = token_of(users["staff"])
    cal = parse(client.get(f"/bookings/feed.ics?token={token}"))
    assert "My bookings" in str(cal["X-WR-CALNAME"])
    (event,) = cal.walk("VEVENT")
    assert "Booked by" in str(event["DESCRIPTION"])


def test_feed_ignores_the_session(login_as, users, aula, token_of):
    """A logged-in user's session neither grants nor changes feed access."""
    staff = login_as("staff")
    assert staff.get("/bookings/feed.ics").status_code == 404
    token = token_of(users["admin"])
    assert staff.get(f"/bookings/feed.ics?token={token}").status_code == 200


# --- renewing the address -----------------------------------------------------------------


def test_profile_offers_to_create_a_feed_address_without_writing(login_as, users):
    staff = login_as("staff")
    page = staff.get("/profile").get_data(as_text=True)
    assert 'action="/bookings/feed-token"' in page
    assert "feed.ics" not in page
    assert db.session.get(User, users["staff"].id).calendar_token is None


def test_regenerate_invalidates_the_old_address(login_as, users, aula, client):
    staff = login_as("staff")
    response = staff.post_form("/bookings/feed-token")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile")
    first = db.session.get(User, users["staff"].id).calendar_token
    assert first

    page = staff.get("/profile").get_data(as_text=True)
    assert f"/bookings/feed.ics?token={first}" in page
    assert f"/rooms/{aula.id}/calendar.ics?token={first}" in page
    assert "http://localhost/bookings/feed.ics" in page  # absolute, for calendar apps
    assert client.get(f"/bookings/feed.ics?token={first}").status_code == 200

    # Renewing breaks every subscription: not without the tick.
    assert 'name="confirm"' in page and 'data-copy="#feed-mine"' in page
    assert "Langganan kalender" in page
    unconfirmed = staff.post_form("/bookings/feed-token")
    assert unconfirmed.headers["Location"].endswith("/profile#calendar-feeds")
    db.session.expire_all()
    assert db.session.get(User, users["staff"].id).calendar_token == first
    assert staff.post_form("/bookings/feed-token", {"confirm": "1"}).status_code == 303
    db.session.expire_all()
    second = db.session.get(User, users["staff"].id).calendar_token
    assert second and second != first
    assert client.get(f"/bookings/feed.ics?token={first}").status_code == 404
    assert client.get(f"/rooms/{aula.id}/calendar.ics?token={first}").status_code == 404
    assert client.get(f"/bookings/feed.ics?token={second}").status_code == 200

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.calendar_token")
    ).all()
    assert len(entries) == 2
    assert (
        entries[0].object_id == str(users["staff"].id) and entries[0].user_id == users["staff"].id
    )
    assert first not in str(entries[0].changes) and second not in str(entries[1].changes)


def test_regenerate_needs_login_and_csrf(client, login_as, users):
    response = client.post_form("/bookings/feed-token")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    staff = login_as("staff")
    assert staff.post("/bookings/feed-token").status_code == 400  # no CSRF token
    assert staff.get("/bookings/feed-token").status_code == 405
    assert db.session.get(User, users["staff"].id).calendar_token is None


def test_audit_label_for_token_changes(app):
    from intranet.core import audit

    assert "user.calendar_token" in audit.ACTION_LABELS


# --- polling -----------------------------------------------------------------------------


def test_polls_get_the_kept_feed_until_a_booking_changes(client, aula, users, book, day, token_of):
    from intranet.bookings import services

    token = token_of(users["staff"])
    url = f"/rooms/{aula.id}/calendar.ics?token={token}"
    first = book(aula, day, time(9), time(10), title="Rapat pertama")
    response = client.get(url)
    assert uid(first) in events(parse(response))
    etag = response.headers["ETag"]
    # the program asks again with the ETag: nothing changed, 304 without a body
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # compressed for programs that accept it, with its own ETag
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag
    assert "Accept-Encoding" in zipped.headers["Vary"]
    # a booking changes (here: a new one): the next poll gets the new feed
    second = book(aula, day, time(11), time(12), title="Rapat kedua")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert {uid(first), uid(second)} <= set(events(parse(changed)))
    # and a cancellation too
    services.cancel(users["admin"], first.id, "Batal")
    cancelled = events(parse(client.get(url)))[uid(first)]
    assert str(cancelled["STATUS"]) == "CANCELLED"
