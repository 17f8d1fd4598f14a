"""The room calendar (day, week, month) and the front desk's daily sheet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import login_required

from intranet.bookings import bookings_bp as bp
from intranet.bookings import calendar, services
from intranet.bookings.models import Room
from intranet.core.db import utcnow
from intranet.core.errors import error_response
from intranet.core.formatting import local_today, office_zone
from intranet.core.rendering import render

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


def week_context(day: date, rooms: list[Room], room: Room | None = None) -> dict[str, Any]:
    """What ``bookings/_week.html`` needs: one query for the week's bookings.

    ``room`` = None shows every room of ``rooms`` (blocks name their room); a room shows
    that room alone, with its free slots linking to the booking form.
    """
    first, end = calendar.visible_range("week", day)
    bookings = services.bookings_between(
        services.local_day_bounds(first)[0],
        services.local_day_bounds(end - timedelta(days=1))[1],
        room_id=room.id if room else None,
    )
    grid = calendar.week_grid(
        day,
        rooms,
        bookings,
        zone=office_zone(),
        now=utcnow(),
        hours=services.bookable_hours,
        room=room,
    )
    return {"grid": grid, "status_labels": services.STATUS_LABELS}


def room_week(room: Room, day: date | None = None) -> dict[str, Any]:
    """The week of ``day`` (default today) for one room, e.g. on the room's page."""
    return week_context(day or local_today(), [room], room)


@bp.route("/calendar", endpoint="calendar")
@login_required
def calendar_view():
    rooms = services.active_rooms()
    try:
        day = parse_day(request.args.get("date"))
        view = parse_view(request.args.get("view"))
        room = parse_room(request.args.get("room"), rooms)
    except BadParameter as error:
        return _bad_request(error)
    context: dict[str, Any] = {
        "view": view,
        "day": day,
        "today": local_today(),
        "room": room,
        "rooms": rooms,
        "previous_day": calendar.shift(view, day, -1),
        "next_day": calendar.shift(view, day, 1),
        "status_labels": services.STATUS_LABELS,
        "calendar_page": True,  # links swap #calendar and #booking-panel
    }
    first, end = calendar.visible_range(view, day)
    context["first"], context["last"] = first, end - timedelta(days=1)
    if view == "week":
        context.update(week_context(day, rooms, room))
    else:
        bookings = services.bookings_between(
            services.local_day_bounds(first)[0],
            services.local_day_bounds(end - timedelta(days=1))[1],
            room_id=room.id if room else None,
        )
        if view == "day":
            context["grid"] = calendar.day_grid(
                day,
                [room] if room else rooms,
                bookings,
                zone=office_zone(),
                now=utcnow(),
                hours=services.bookable_hours,
            )
        else:
            context["month"] = calendar.month_grid(
                day, bookings, zone=office_zone(), today=context["today"]
            )
    return render("bookings/calendar.html", "bookings/_calendar.html", **context)


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
    )
