"""iCalendar feeds of bookings, for calendar apps that subscribe without a session.

A feed URL carries the user's calendar token (``?token=``): it names an active user,
whose language the feed speaks. Feeds list single occurrences (no RRULE), in UTC,
from 30 days back to a year ahead; cancelled bookings stay in the feed (STATUS
CANCELLED) so subscribed calendars remove them, rejected ones are left out.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import Response, abort, current_app, flash, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from sqlalchemy import func, select

from intranet.auth.models import User
from intranet.bookings import bookings_bp, rooms_bp, services
from intranet.bookings.models import Booking, BookingStatus, Room
from intranet.core import audit
from intranet.core.db import utcnow, write_transaction
from intranet.core.formatting import local_today, to_local
from intranet.core.rendering import redirect_after_post
from intranet.extensions import db

PRODID = "-//Kantor Bersama//Intranet//ID"
UID_DOMAIN = "kantor-bersama"
PAST = timedelta(days=30)
AHEAD = timedelta(days=365)
REFRESH = timedelta(hours=1)
FEED_CACHE_SIZE = 64  # feeds kept per worker (a room's feed is about 200 KB)

ICAL_STATUS = {
    BookingStatus.APPROVED.value: "CONFIRMED",
    BookingStatus.PENDING.value: "TENTATIVE",
    BookingStatus.CANCELLED.value: "CANCELLED",
}

audit.ACTION_LABELS["user.calendar_token"] = _l("Calendar feed address renewed")


# --- tokens ------------------------------------------------------------------------


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


def ensure_calendar_token(user: User) -> str:
    """The user's token, made now if missing (call inside ``write_transaction``)."""
    if not user.calendar_token:
        user.calendar_token = new_calendar_token()
        audit.record("user.calendar_token", "user", user.id, summary=user.username, user=user)
    return user.calendar_token


def regenerate_calendar_token(user: User, *, actor: Any = None) -> str:
    """A new token: every feed URL with the old one stops working (inside a transaction)."""
    user.calendar_token = new_calendar_token()
    audit.record("user.calendar_token", "user", user.id, summary=user.username, user=actor or user)
    return user.calendar_token


def user_for_token(token: str | None) -> User | None:
    """The active user a feed token belongs to, if any."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.active:
        return None
    return user


# --- what a feed holds -------------------------------------------------------------


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    return now - PAST, now + AHEAD


def _shown(bookings: Iterable[Booking]) -> list[Booking]:
    return [b for b in bookings if b.status in ICAL_STATUS]


def room_feed_bookings(room_id: int, now: datetime) -> list[Booking]:
    start, end = feed_window(now)
    return _shown(services.bookings_between(start, end, room_id=room_id, holding_only=False))


def user_feed_bookings(user_id: int, now: datetime) -> list[Booking]:
    start, end = feed_window(now)
    search = services.search_bookings(
        user_id=user_id, date_from=to_local(start).date(), date_to=to_local(end).date()
    )
    return _shown(db.session.scalars(*search))


def location_of(room: Room) -> str:
    return f"{room.name}, {room.location}" if room.location else room.name


def description_of(booking: Booking) -> str:
    lines = []
    if booking.purpose:
        lines += [booking.purpose, ""]
    if booking.pillar is not None:
        lines.append(
            _("Pillar: %(pillar)s", pillar=f"{booking.pillar.code} – {booking.pillar.name}")
        )
    lines.append(_("Booked by: %(name)s", name=booking.booked_by.full_name))
    lines.append(
        _("Status: %(status)s", status=services.STATUS_LABELS.get(booking.status, booking.status))
    )
    if booking.status_reason:
        lines.append(_("Reason: %(reason)s", reason=booking.status_reason))
    return "\n".join(lines)


def booking_event(booking: Booking, url: str | None = None) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.id}@{UID_DOMAIN}")
    # No METHOD: DTSTAMP is when the booking was last revised (stable between fetches).
    event.add("dtstamp", booking.updated_at or booking.created_at)
    event.add("created", booking.created_at)
    event.add("last-modified", booking.updated_at or booking.created_at)
    event.add("dtstart", booking.start_at)
    event.add("dtend", booking.end_at)
    event.add("summary", booking.title)
    event.add("location", location_of(booking.room))
    event.add("description", description_of(booking))
    event.add("status", ICAL_STATUS[booking.status])
    event.add("transp", "TRANSPARENT" if booking.status == "cancelled" else "OPAQUE")
    if booking.pillar is not None:
        event.add("categories", [booking.pillar.code])
    if url:
        event.add("url", url)
    return event


def build_calendar(
    name: str,
    bookings: Iterable[Booking],
    *,
    url_for_booking: Callable[[Booking], str] | None = None,
) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for booking in bookings:
        url = url_for_booking(booking) if url_for_booking else None
        cal.add_component(booking_event(booking, url))
    return cal


# --- routes --------------------------------------------------------------------------


def _feed_user_or_404() -> User:
    user = user_for_token(request.args.get("token"))
    if user is None:
        abort(404)
    return user


def _detail_url(booking: Booking) -> str:
    return url_for("bookings.detail", booking_id=booking.id, _external=True)


def _ics_response(key: tuple, build: Callable[[], Calendar], filename: str) -> Response:
    """The feed for ``key``, built by ``build`` once per change of any booking.

    Calendar programs poll feeds all day and the iCalendar text of hundreds of events is
    slow to make, so each worker keeps the last feeds it made (plain and gzipped), valid
    until a booking changes (the newest ``updated_at``) or the day turns (the window
    moves). Polls that send the ETag back get 304 Not Modified.
    """
    version = db.session.scalar(select(func.max(Booking.updated_at)))
    key = (*key, version.isoformat() if version else "", local_today().isoformat(), request.host)
    cache: OrderedDict = current_app.extensions.setdefault("feed_cache", OrderedDict())
    found = cache.get(key)
    if found is None:
        body = build().to_ical()
        found = (body, gzip.compress(body, 6), hashlib.sha256(body).hexdigest()[:32])
        cache[key] = found
        while len(cache) > FEED_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    body, zipped, etag = found
    response = Response(body, mimetype="text/calendar")  # charset=utf-8 added
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.vary.add("Accept-Encoding")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(zipped)
        response.headers["Content-Encoding"] = "gzip"
        etag += "-gz"
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.no_cache = True  # may keep, but ask again (with the ETag)
    return response.make_conditional(request)


def _site() -> str:
    return current_app.config["SITE_NAME"]


@rooms_bp.route("/<int:room_id>/calendar.ics")
def calendar_feed(room_id: int):
    user = _feed_user_or_404()
    room = db.session.get(Room, room_id)
    if room is None:
        abort(404)
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]

    def build() -> Calendar:
        with force_locale(locale):
            return build_calendar(
                f"{room.name} · {_site()}",
                room_feed_bookings(room.id, utcnow()),
                url_for_booking=_detail_url,
            )

    key = ("room", room.id, room.name, room.location, locale)
    return _ics_response(key, build, f"room-{room.id}.ics")


@bookings_bp.route("/feed.ics")
def my_feed():
    user = _feed_user_or_404()
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]

    def build() -> Calendar:
        with force_locale(locale):
            return build_calendar(
                _("My bookings · %(site)s", site=_site()),
                user_feed_bookings(user.id, utcnow()),
                url_for_booking=_detail_url,
            )

    return _ics_response(("user", user.id, locale), build, "my-bookings.ics")


@bookings_bp.route("/feed-token", methods=["POST"])
@login_required
def regenerate_feed_token():
    user = current_user._get_current_object()
    had_token = bool(user.calendar_token)
    if had_token and request.form.get("confirm") != "1":
        # Renewing breaks every subscription: only when the user has said so.
        flash(_("Tick the box to confirm that the old addresses may stop working."), "error")
        return redirect_after_post(url_for("auth.profile") + "#calendar-feeds")
    with write_transaction():
        regenerate_calendar_token(user)
    if had_token:
        flash(
            _("Your calendar feed addresses are renewed; the old ones no longer work."), "success"
        )
    else:
        flash(_("Your calendar feed addresses are ready."), "success")
    return redirect_after_post(url_for("auth.profile"))


# --- for templates (profile, room page) ----------------------------------------------


@bookings_bp.app_template_global()
def my_feed_url() -> str | None:
    """The signed-in user's own feed, or None without a token. Reads only."""
    token = getattr(current_user, "calendar_token", None)
    return url_for("bookings.my_feed", token=token, _external=True) if token else None


@bookings_bp.app_template_global()
def room_feed_url(room: Room) -> str | None:
    """A room's feed for the signed-in user, or None without a token. Reads only."""
    token = getattr(current_user, "calendar_token", None)
    if not token:
        return None
    return url_for("rooms.calendar_feed", room_id=room.id, token=token, _external=True)


@bookings_bp.app_template_global()
def feed_rooms() -> list[Room]:
    """Rooms offered as feeds on the profile page (queried only when asked)."""
    return services.active_rooms()
