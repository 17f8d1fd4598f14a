"""The room calendar (day, week, month) and the front desk's daily sheet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import login_required

from intranet.auth.services import pillar_choices
from intranet.bookings import FRONT_DESK_SECTIONS, calendar, services
from intranet.bookings import bookings_bp as bp
from intranet.bookings.models import Booking, Room
from intranet.bookings.views import panel_context
from intranet.core.db import utcnow
from intranet.core.errors import error_response
from intranet.core.formatting import local_today, office_zone
from intranet.core.rendering import render, wants_fragment
from intranet.extensions import db

# Dates outside this range are typos, not plans (and keep date arithmetic safe).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


class BadParameter(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_day(value: str | None) -> date:
    """``YYYY-MM-DD``; empty means today (office zone)."""
    if not value:
        return local_today()
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise BadParameter(
            _("The date “%(value)s” is not a date like 2025-11-24.", value=value[:40])
        ) from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise BadParameter(
            _(
                "Choose a date between %(first)s and %(last)s.",
                first=FIRST_DATE.isoformat(),
                last=LAST_DATE.isoformat(),
            )
        )
    return day


def parse_view(value: str | None) -> str:
    if not value:
        return "day"
    if value not in calendar.VIEWS:
        raise BadParameter(_("Choose the day, week or month view."))
    return value


def parse_room(value: str | None, rooms: list[Room]) -> Room | None:
    """A room id among the active rooms; empty means every room."""
    if not value:
        return None
    room = next((r for r in rooms if value.strip().isdigit() and r.id == int(value)), None)
    if room is None:
        raise BadParameter(_("There is no room with the number “%(value)s”.", value=value[:40]))
    return room


def _bad_request(error: BadParameter):
    return error_response(400, _("Cannot show this calendar"), error.message)


def room_week(room: Room, day: date | None = None) -> dict[str, Any]:
    """A room's week (of ``day``, default today) as a time grid: for the room's page and
    the calendar's week view of one room. One query."""
    day = day or local_today()
    first, end = calendar.visible_range("week", day)
    grid = calendar.week_grid(
        day,
        room,
        services.calendar_entries(first, end, room_id=room.id),
        zone=office_zone(),
        now=utcnow(),
        hours=services.bookable_hours,
    )
    return {"grid": grid, "status_labels": services.STATUS_LABELS}


def view_context(view: str, day: date, rooms: list[Room], room: Room | None) -> dict[str, Any]:
    """What the chosen view shows, from one query (two for the month: it is summarised)."""
    first, end = calendar.visible_range(view, day)
    context: dict[str, Any] = {"first": first, "last": end - timedelta(days=1)}
    if view == "month":
        summary = services.month_summary(first, end, room_id=room.id if room else None)
        context["month"] = calendar.month_grid(day, summary, today=local_today())
        context["room_names"] = {r.id: r.name for r in rooms}
    elif view == "week" and room is not None:
        context.update(room_week(room, day))
    elif view == "week":
        entries = services.calendar_entries(first, end)
        context["week"] = calendar.week_matrix(day, rooms, entries, today=local_today())
    else:
        context["grid"] = calendar.day_grid(
            day,
            [room] if room else rooms,
            services.calendar_entries(first, end, room_id=room.id if room else None),
            zone=office_zone(),
            now=utcnow(),
            hours=services.bookable_hours,
        )
    shown = context.get("grid") or context.get("week")
    if view == "week" and shown is not None:  # the heading names the days shown
        days = [c.day for c in shown.columns] if room is not None else shown.days
        context["first"], context["last"] = days[0], days[-1]
    return context


def parse_booking(value: str | None) -> Booking | None:
    """The booking opened beside the calendar (``?booking=``), or 404."""
    if not value:
        return None
    if not value.strip().isdigit():
        abort(404)
    return db.get_or_404(Booking, int(value))


@bp.route("/calendar", endpoint="calendar")
@login_required
def calendar_view():
    """Day, week or month, for every room or one; ``?booking=`` opens a booking beside it
    (its own URL: bookmarkable, and Back closes it)."""
    rooms = services.active_rooms()
    try:
        day = parse_day(request.args.get("date"))
        view = parse_view(request.args.get("view"))
        room = parse_room(request.args.get("room"), rooms)
    except BadParameter as error:
        return _bad_request(error)
    booking = parse_booking(request.args.get("booking"))
    # calendar_page: a booking opens beside the calendar (see _time_grid.html)
    where = {"view": view, "day": day, "room": room, "calendar_page": True}
    panel = panel_context(booking) if booking else {}
    if booking is not None and wants_fragment(target="booking-panel"):
        return render(
            "bookings/detail.html", "bookings/_panel.html", target="booking-panel", **where, **panel
        )
    context: dict[str, Any] = {
        **where,
        "today": local_today(),
        "rooms": rooms,
        "previous_day": calendar.shift(view, day, -1),
        "next_day": calendar.shift(view, day, 1),
        "status_labels": services.STATUS_LABELS,
        "legend": pillar_choices(),
        **panel,
        **view_context(view, day, rooms, room),
    }
    # Links inside #calendar (boosted) and its toolbar swap the calendar alone.
    return render("bookings/calendar.html", "bookings/_calendar.html", target="calendar", **context)


@bp.route("/frontdesk")
@login_required
def frontdesk():
    """A day (default today) and the next working day, e.g. Friday and Monday."""
    try:
        first = parse_day(request.args.get("date"))
    except BadParameter as error:
        return _bad_request(error)
    following = first + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    days = [first, following]
    bookings = services.bookings_between(
        services.local_day_bounds(days[0])[0], services.local_day_bounds(days[-1])[1]
    )
    return render(
        "bookings/frontdesk.html",
        desk=calendar.desk_days(days, bookings, office_zone()),
        status_labels=services.STATUS_LABELS,
        first=first,
        printed_at=utcnow(),
        sections=[(template, context(days)) for template, context in FRONT_DESK_SECTIONS],
    )
