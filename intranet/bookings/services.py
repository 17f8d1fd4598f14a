"""Booking rules: the single door to a room's time.

Every write locks the room (row lock on PostgreSQL; SQLite's write lock via
write_transaction) before it checks for overlaps, so concurrent requests cannot
double-book. Intervals are half-open: [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Date, Integer, Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from intranet.auth import permissions
from intranet.auth.models import Pillar, User
from intranet.auth.services import COLOUR_RE, names_by_id, pillar_choices
from intranet.bookings import permissions as booking_permissions
from intranet.bookings.calendar import DaySummary, Entry, make_entry
from intranet.bookings.models import (
    HOLDING_STATUSES,
    LONGEST_BOOKING,
    Booking,
    BookingSeries,
    BookingStatus,
    Room,
)
from intranet.bookings.recurrence import Recurrence, RecurrenceError, expand
from intranet.core import audit
from intranet.core.db import (
    Bound,
    UTCDateTime,
    built_once,
    lock_for_update,
    utcnow,
    write_transaction,
)
from intranet.core.formatting import (
    format_date_long,
    format_time,
    local_today,
    office_zone,
    time_separator,
)
from intranet.core.layout import BadgeCount, badge_count
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db

# Other features react to a booking's changes inside its write transaction (e.g. the
# equipment reserved for it): ``fn(user, booking)`` after a booking moved (new room or
# time), and after it was cancelled or rejected. A listener may refuse the change by
# raising ServiceError (field "start" for a move): the whole change rolls back.
MOVE_LISTENERS: list[Any] = []
RELEASE_LISTENERS: list[Any] = []

STATUS_LABELS = {
    BookingStatus.PENDING.value: _l("Waiting for approval"),
    BookingStatus.APPROVED.value: _l("Approved"),
    BookingStatus.REJECTED.value: _l("Rejected"),
    BookingStatus.CANCELLED.value: _l("Cancelled"),
}

BOOKING_AUDIT_FIELDS = (
    "room_id",
    "start_at",
    "end_at",
    "title",
    "purpose",
    "pillar_id",
    "attendees",
    "phone",
    "status",
)
ROOM_AUDIT_FIELDS = (
    "name",
    "location",
    "capacity",
    "facilities",
    "colour",
    "needs_approval",
    "active",
    "opens_at",
    "closes_at",
)

audit.ACTION_LABELS.update(
    {
        "booking.create": _l("Booking requested"),
        "booking.update": _l("Booking changed"),
        "booking.approve": _l("Booking approved"),
        "booking.reject": _l("Booking rejected"),
        "booking.cancel": _l("Booking cancelled"),
        "booking.override": _l("Booking rule overridden"),
        "room.create": _l("Room created"),
        "room.update": _l("Room changed"),
    }
)
audit.OBJECT_TYPE_LABELS.update({"booking": _l("Booking"), "room": _l("Room")})
audit.register_values("room_id", names_by_id(Room, Room.name))
audit.register_values("status", STATUS_LABELS, "booking")
audit.FIELD_LABELS.update(
    {
        "room_id": _l("Room"),
        "start_at": _l("Start"),
        "end_at": _l("End"),
        "title": _l("Meeting or event"),
        "purpose": _l("Purpose"),
        "attendees": _l("People"),
        "status": _l("Status"),
        "series": _l("Series"),
        "rules": _l("Rules overridden"),
        "location": _l("Location / floor"),
        "capacity": _l("Capacity"),
        "facilities": _l("Facilities"),
        "needs_approval": _l("Approval"),
        "opens_at": _l("Bookable from"),
        "closes_at": _l("Bookable until"),
    }
)


# --- what a request is, and what can be wrong with it ------------------------------------


@dataclass
class BookingRequest:
    room_id: int | None
    day: date | None
    start: time | None
    end: time | None
    title: str = ""
    purpose: str = ""
    pillar_id: int | None = None
    attendees: int = 1
    phone: str = ""
    override_reason: str = ""


@dataclass
class Problem:
    field: str
    message: str
    # Rule breaches the front desk may override with a reason; overlaps never.
    overridable: bool = False


@dataclass
class Check:
    problems: list[Problem] = field(default_factory=list)
    conflicts: list[Booking] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if not p.overridable]

    @property
    def overridable(self) -> list[Problem]:
        return [p for p in self.problems if p.overridable]

    def by_field(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for problem in self.problems:
            result.setdefault(problem.field, []).append(problem.message)
        return result


class BookingRejected(ServiceError):
    """The request breaks rules; ``check`` says which, per field."""

    def __init__(self, check: Check) -> None:
        first = check.problems[0]
        super().__init__(first.message, field=first.field)
        self.check = check


# --- settings ----------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parse_hhmm(value: str) -> time:
    return datetime.strptime(value, "%H:%M").time()


def _config_time(name: str) -> time:
    return _parse_hhmm(current_app.config[name])


def office_hours() -> tuple[time, time]:
    return _config_time("OFFICE_HOURS_START"), _config_time("OFFICE_HOURS_END")


def bookable_hours(room: Room) -> tuple[time, time]:
    opens, closes = office_hours()
    return room.opens_at or opens, room.closes_at or closes


def to_utc(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=office_zone()).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = office_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


# --- queries -----------------------------------------------------------------------


def ending_after(key: str) -> list[Any]:
    """The conditions of "a booking ends after the instant ``key``", with the lower bound
    on ``start_at`` (no booking is longer than LONGEST_BOOKING) that keeps the index scan
    near it; the values come from :func:`ending_after_params`."""
    return [
        Booking.end_at > bindparam(key, type_=UTCDateTime()),
        Booking.start_at > bindparam(f"{key}_lower", type_=UTCDateTime()),
    ]


def ending_after_params(key: str, moment: datetime) -> dict[str, Any]:
    return {key: moment, f"{key}_lower": moment - LONGEST_BOOKING}


def touching() -> list[Any]:
    """The conditions of "a booking overlaps [touch_start, touch_end)" (half-open); the
    values come from :func:`touching_params`."""
    return [
        Booking.start_at < bindparam("touch_end", type_=UTCDateTime()),
        *ending_after("touch_start"),
    ]


def touching_params(start: datetime, end: datetime) -> dict[str, Any]:
    return ending_after_params("touch_start", start) | {"touch_end": end}


@built_once
def _overlapping_statement(excluding: bool) -> Select:
    stmt = select(Booking).where(
        Booking.room_id == bindparam("room_id"),
        Booking.status.in_(HOLDING_STATUSES),
        *touching(),
    )
    if excluding:
        stmt = stmt.where(Booking.id.not_in(bindparam("exclude_ids", expanding=True)))
    return stmt.order_by(Booking.start_at)


def overlapping(
    room_id: int, start: datetime, end: datetime, exclude_ids: tuple[int, ...] = ()
) -> Bound:
    """Bookings holding any part of [start, end) in the room (half-open overlap)."""
    params = touching_params(start, end) | {"room_id": room_id, "exclude_ids": list(exclude_ids)}
    return Bound(_overlapping_statement(bool(exclude_ids)), params)


@built_once
def _between_statement(bare: bool, holding_only: bool, one_room: bool) -> Select:
    stmt = select(Booking).where(*touching())
    if bare:
        stmt = stmt.options(lazyload("*"))
    if holding_only:
        stmt = stmt.where(Booking.status.in_(HOLDING_STATUSES))
    if one_room:
        stmt = stmt.where(Booking.room_id == bindparam("room_id"))
    return stmt.order_by(Booking.start_at, Booking.room_id)


def bookings_between(
    start: datetime,
    end: datetime,
    room_id: int | None = None,
    holding_only: bool = True,
    *,
    bare: bool = False,
) -> list[Booking]:
    """``bare``: the bookings without their room, pillar and booker (for a caller that
    reads only their own columns)."""
    stmt = _between_statement(bare, holding_only, room_id is not None)
    params = touching_params(start, end) | {"room_id": room_id}
    return list(db.session.scalars(stmt, params))


_ENTRY_COLUMNS = (
    Booking.id,
    Booking.room_id,
    Booking.start_at,
    Booking.end_at,
    Booking.status,
    Booking.title,
    Pillar.code,
    Pillar.colour,
)


def on_days(one_room: bool = False) -> list[Any]:
    """Bookings on the local days [first_day, end_day) (of room_id): by their day, and
    by the same range of start instants, so an index on the room and start serves it
    too. The values come from :func:`days_params`."""
    conditions = [
        Booking.day >= bindparam("first_day", type_=Date()),
        Booking.day < bindparam("end_day", type_=Date()),
        Booking.start_at >= bindparam("first_start", type_=UTCDateTime()),
        Booking.start_at < bindparam("end_start", type_=UTCDateTime()),
    ]
    if one_room:
        conditions.append(Booking.room_id == bindparam("room_id"))
    return conditions


def days_params(first: date, end: date, room_id: int | None = None) -> dict[str, Any]:
    return {
        "first_day": first,
        "end_day": end,
        "first_start": local_day_bounds(first)[0],
        "end_start": local_day_bounds(end)[0],
        "room_id": room_id,
    }


@built_once
def _entries_statement(one_room: bool) -> Select:
    return (
        select(*_ENTRY_COLUMNS)
        .outerjoin(Pillar, Pillar.id == Booking.pillar_id)
        .where(Booking.status.in_(HOLDING_STATUSES), *on_days(one_room))
        .order_by(Booking.start_at, Booking.room_id)
    )


def calendar_entries(first: date, end: date, room_id: int | None = None) -> list[Entry]:
    """What the calendar shows of the bookings holding a slot on the local days
    [first, end): light rows, not booking objects."""
    rows = db.session.execute(
        _entries_statement(room_id is not None), days_params(first, end, room_id)
    )
    zone, separator = office_zone(), time_separator()
    return [make_entry(row, zone, separator) for row in rows]


@built_once
def _month_statements(one_room: bool) -> tuple[Select, Select]:
    shown = [Booking.status.in_(HOLDING_STATUSES), *on_days(one_room)]
    counts = (
        select(
            Booking.day,
            func.count(),
            func.count().filter(Booking.status == BookingStatus.PENDING.value),
        )
        .where(*shown)
        .group_by(Booking.day)
    )
    ranked = (
        select(
            Booking.id,
            func.row_number()
            .over(partition_by=Booking.day, order_by=(Booking.start_at, Booking.id))
            .label("rank"),
        )
        .where(*shown)
        .subquery()
    )
    first_ones = (
        select(*_ENTRY_COLUMNS)
        .outerjoin(Pillar, Pillar.id == Booking.pillar_id)
        .where(Booking.id.in_(select(ranked.c.id).where(ranked.c.rank <= bindparam("per_day"))))
        .order_by(Booking.start_at, Booking.id)
    )
    return counts, first_ones


def month_summary(
    first: date, end: date, room_id: int | None = None, per_day: int = 3
) -> dict[date, DaySummary]:
    """Per local day in [first, end): how many bookings hold a slot, how many wait for
    approval, and the first ``per_day`` of them. The database counts and ranks on the
    (status, day, start) index; only the few bookings shown are read whole."""
    counts_stmt, first_ones = _month_statements(room_id is not None)
    params = days_params(first, end, room_id) | {"per_day": per_day}
    counts = db.session.execute(counts_stmt, params).all()
    zone, separator = office_zone(), time_separator()
    entries: dict[date, list[Entry]] = {}
    for row in db.session.execute(first_ones, params):
        entry = make_entry(row, zone, separator)
        entries.setdefault(entry.day, []).append(entry)
    return {
        day: DaySummary(count, pending, tuple(entries.get(day, ())))
        for day, count, pending in counts
    }


@built_once
def _active_rooms_statement() -> Select:
    return select(Room).where(Room.active.is_(True)).order_by(Room.name)


def active_rooms() -> list[Room]:
    return list(db.session.scalars(_active_rooms_statement()))


@built_once
def _room_names_statement() -> Select:
    return select(Room.id, Room.name).where(Room.active.is_(True))


def active_room_names() -> dict[int, str]:
    return dict(db.session.execute(_room_names_statement()).tuples().all())


def waiting() -> list[Any]:
    """Bookings waiting for a decision: pending, from ``pending_from`` (today) on; the
    approval queue and its badge."""
    return [
        Booking.status == BookingStatus.PENDING.value,
        Booking.day >= bindparam("pending_from", type_=Date()),
    ]


@built_once
def _pending_statement() -> Any:
    return select(func.count()).select_from(Booking).where(*waiting())


def pending_badge() -> BadgeCount:
    """How many wait for a decision (see :func:`waiting`): counted on the (status, day)
    index alone, by a statement built once."""
    return BadgeCount(_pending_statement(), {"pending_from": local_today()})


def pending_count() -> int:
    return badge_count(pending_badge())


# Lists show the booker's name, not the booker's pillar.
LIST_LOAD = (joinedload(Booking.booked_by).lazyload(User.pillar),)


@dataclass
class BookingRow:
    """A booking as the lists show it: plain values in one light query for a page (not
    bookings with their rooms, pillars and bookers as objects)."""

    id: int
    start_at: datetime
    end_at: datetime
    title: str
    status: str
    room_name: str
    pillar_code: str | None
    pillar_colour: str | None
    booked_by_name: str
    status_reason: str | None
    series_id: int | None
    attendees: int | None


def _row_select() -> Select:
    return (
        select(
            Booking.id,
            Booking.start_at,
            Booking.end_at,
            Booking.title,
            Booking.status,
            Room.name,
            Pillar.code,
            Pillar.colour,
            User.full_name,
            Booking.status_reason,
            Booking.series_id,
            Booking.attendees,
        )
        .join(Room, Room.id == Booking.room_id)
        .join(User, User.id == Booking.booked_by_id)
        .outerjoin(Pillar, Pillar.id == Booking.pillar_id)
    )


@built_once
def _rows_by_id_statement() -> Select:
    return _row_select().where(Booking.id.in_(bindparam("ids", expanding=True)))


def booking_rows(ids: list[int]) -> list[BookingRow]:
    """The list's rows for these booking ids, in their order."""
    if not ids:
        return []
    rows = db.session.execute(_rows_by_id_statement(), {"ids": list(ids)})
    found = {row.id: BookingRow(*row) for row in rows}
    return [found[i] for i in ids if i in found]


@built_once
def _search_statement(shape: frozenset[str], ids: bool) -> Select:
    stmt = select(Booking.id) if ids else select(Booking).options(*LIST_LOAD)
    if "user_id" in shape:
        stmt = stmt.where(Booking.booked_by_id == bindparam("user_id"))
    if "room_id" in shape:
        stmt = stmt.where(Booking.room_id == bindparam("room_id"))
    if "pillar_id" in shape:
        stmt = stmt.where(Booking.pillar_id == bindparam("pillar_id"))
    if "status" in shape:
        stmt = stmt.where(Booking.status == bindparam("status"))
    if "from" in shape:
        stmt = stmt.where(*ending_after("from"))
    if "to" in shape:
        stmt = stmt.where(Booking.start_at < bindparam("to", type_=UTCDateTime()))
    if "waiting" in shape:
        stmt = stmt.where(*waiting())
    if shape & {"from", "to", "waiting"}:
        return stmt.order_by(Booking.start_at, Booking.id)
    return stmt.order_by(Booking.start_at.desc(), Booking.id.desc())


def search_bookings(
    *,
    user_id: int | None = None,
    room_id: int | None = None,
    pillar_id: int | None = None,
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    ids: bool = False,
) -> Bound:
    """Bookings (or their ids) matching the filters: by start when a date bounds them,
    else newest first."""
    params: dict[str, Any] = {"user_id": user_id, "room_id": room_id, "pillar_id": pillar_id}
    shape = {name for name, value in params.items() if value}
    if status in STATUS_LABELS:
        shape.add("status")
        params["status"] = status
    if date_from:
        shape.add("from")
        params |= ending_after_params("from", local_day_bounds(date_from)[0])
    if date_to:
        shape.add("to")
        params["to"] = local_day_bounds(date_to)[1]
    return Bound(_search_statement(frozenset(shape), ids), params)


def approval_queue(ids: bool = False) -> Bound:
    """Bookings waiting for a decision, from today on, soonest first."""
    return Bound(_search_statement(frozenset({"waiting"}), ids), {"pending_from": local_today()})


# --- permissions on bookings ---------------------------------------------------------


can_edit = booking_permissions.can_edit_booking
can_cancel = booking_permissions.can_cancel_booking
can_decide = booking_permissions.can_decide_booking


def allowed_pillars(user: Any) -> list[Pillar]:
    """Pillars the user may mark a booking with: their own; the front desk any."""
    if permissions.can_manage_front_desk(user):
        return pillar_choices()
    if not user.pillar_id:
        return []
    return [p for p in pillar_choices() if p.id == user.pillar_id]


# --- checking ------------------------------------------------------------------------


def check_request(
    user: Any,
    request: BookingRequest,
    *,
    exclude_ids: tuple[int, ...] = (),
    now: datetime | None = None,
    time_rules: bool = True,
) -> Check:
    """Every rule breach and conflict of a request, per field. Reads only.

    ``time_rules=False`` skips notice and how-far-ahead (an edit that keeps its slot).
    """
    check = Check()
    add = check.problems.append
    config = current_app.config
    room = db.session.get(Room, request.room_id) if request.room_id else None
    if room is None or not room.active:
        add(Problem("room_id", _("Choose a room from the list.")))
    if request.day is None:
        add(Problem("date", _("Choose a date.")))
    if request.start is None:
        add(Problem("start", _("Choose a start time.")))
    if request.end is None:
        add(Problem("end", _("Choose an end time.")))
    if not request.title.strip():
        add(Problem("title", _("Give the meeting or event a name.")))
    if request.attendees < 1:
        add(Problem("attendees", _("At least one person attends.")))
    step = config["BOOKING_SLOT_MINUTES"]
    for name, moment in (("start", request.start), ("end", request.end)):
        if moment is not None and (moment.minute % step or moment.second):
            add(Problem(name, _("Use steps of %(n)d minutes.", n=step)))
    if request.pillar_id is not None and not booking_permissions.can_tag_pillar(
        user, request.pillar_id
    ):
        add(Problem("pillar_id", _("You cannot book on behalf of this pillar.")))
    if room is None or request.day is None or request.start is None or request.end is None:
        return check
    if request.end <= request.start:
        add(Problem("end", _("The end must be after the start.")))
        return check
    start, end = to_utc(request.day, request.start), to_utc(request.day, request.end)
    opens, closes = bookable_hours(room)
    if request.start < opens or request.end > closes:
        add(
            Problem(
                "start" if request.start < opens else "end",
                _(
                    "%(room)s can be booked from %(opens)s to %(closes)s.",
                    room=room.name,
                    opens=format_time(opens),
                    closes=format_time(closes),
                ),
                overridable=True,
            )
        )
    hours = config["BOOKING_MAX_HOURS"]
    if end - start > timedelta(hours=hours):
        add(
            Problem(
                "end",
                _("A booking lasts at most %(n)d hours.", n=hours),
                overridable=True,
            )
        )
    now = now or utcnow()
    notice = config["BOOKING_MIN_NOTICE_MINUTES"]
    if time_rules and start < now + timedelta(minutes=notice):
        add(
            Problem(
                "date" if start < now else "start",
                _("Book at least %(n)d minutes ahead.", n=notice)
                if start >= now
                else _("This time has already passed."),
                overridable=start >= now - timedelta(hours=12),
            )
        )
    ahead = config["BOOKING_MAX_DAYS_AHEAD"]
    if time_rules and start > now + timedelta(days=ahead):
        add(Problem("date", _("Book at most %(n)d days ahead.", n=ahead), overridable=True))
    if request.attendees > room.capacity:
        add(
            Problem(
                "attendees",
                ngettext(
                    "%(room)s holds %(num)d person.",
                    "%(room)s holds %(num)d people.",
                    room.capacity,
                    room=room.name,
                ),
                overridable=True,
            )
        )
    check.conflicts = list(db.session.scalars(*overlapping(room.id, start, end, exclude_ids)))
    for other in check.conflicts:
        add(Problem("start", conflict_message(other)))
    return check


def conflict_message(other: Booking) -> str:
    return _(
        "%(room)s is already booked %(start)s–%(end)s for “%(title)s”.",
        room=other.room.name,
        start=format_time(other.start_at),
        end=format_time(other.end_at),
        title=other.title,
    )


def _enforce(user: Any, request: BookingRequest, check: Check) -> bool:
    """Raise unless the request may go ahead; True when rules were overridden."""
    if check.blocking:
        raise BookingRejected(check)
    if not check.overridable:
        return False
    if not permissions.can_manage_front_desk(user):
        raise BookingRejected(check)
    if not request.override_reason.strip():
        check.problems.append(
            Problem("override_reason", _("Give a reason to override these rules."))
        )
        raise BookingRejected(check)
    return True


def _initial_status(user: Any, room: Room) -> str:
    if not room.needs_approval or permissions.can_manage_front_desk(user):
        return BookingStatus.APPROVED.value
    return BookingStatus.PENDING.value


def _audit_booking(action: str, booking: Booking, before: dict | None, actor: Any, **extra):
    after = audit.snapshot(booking, BOOKING_AUDIT_FIELDS)
    changes = audit.changed_fields(before or {}, after)
    changes.update({k: [None, v] for k, v in extra.items() if v})
    audit.record(action, "booking", booking.id, summary=booking.title, changes=changes, user=actor)


def _record_override(booking: Booking, check: Check, reason: str, actor: Any) -> None:
    audit.record(
        "booking.override",
        "booking",
        booking.id,
        summary=booking.title,
        changes={
            "rules": [None, "; ".join(p.message for p in check.overridable)],
            "reason": [None, reason],
        },
        user=actor,
    )


# --- single bookings ---------------------------------------------------------------


def _new_booking(
    user: Any,
    room: Room,
    request: BookingRequest,
    day: date,
    *,
    series_id: int | None = None,
    overridden: bool = False,
) -> Booking:
    """A checked request as a new booking row (added to the session)."""
    booking = Booking(
        room_id=room.id,
        series_id=series_id,
        booked_by_id=user.id,
        pillar_id=request.pillar_id,
        title=request.title.strip(),
        purpose=request.purpose.strip(),
        attendees=request.attendees,
        phone=request.phone.strip(),
        start_at=to_utc(day, request.start),
        end_at=to_utc(day, request.end),
        status=_initial_status(user, room),
        override_reason=request.override_reason.strip() if overridden else "",
    )
    if booking.status == BookingStatus.APPROVED and room.needs_approval:
        booking.decided_by_id, booking.decided_at = user.id, utcnow()
    db.session.add(booking)
    return booking


def create_booking(user: Any, request: BookingRequest, *, now: datetime | None = None) -> Booking:
    """Check and insert one booking in one write transaction."""
    with write_transaction():
        if request.room_id:
            lock_for_update(Room, request.room_id)
        check = check_request(user, request, now=now)
        overridden = _enforce(user, request, check)
        room = db.session.get(Room, request.room_id)
        booking = _new_booking(user, room, request, request.day, overridden=overridden)
        db.session.flush()
        _audit_booking("booking.create", booking, None, user)
        if overridden:
            _record_override(booking, check, request.override_reason.strip(), user)
    return booking


def request_from_booking(booking: Booking, **changes: Any) -> BookingRequest:
    zone = office_zone()
    start, end = booking.start_at.astimezone(zone), booking.end_at.astimezone(zone)
    base = BookingRequest(
        room_id=booking.room_id,
        day=start.date(),
        start=start.time(),
        end=end.time() if end.date() == start.date() else time(23, 59),
        title=booking.title,
        purpose=booking.purpose,
        pillar_id=booking.pillar_id,
        attendees=booking.attendees,
        phone=booking.phone,
    )
    return replace(base, **changes)


def _apply(booking: Booking, request: BookingRequest) -> None:
    booking.room_id = request.room_id
    booking.start_at = to_utc(request.day, request.start)
    booking.end_at = to_utc(request.day, request.end)
    booking.title = request.title.strip()
    booking.purpose = request.purpose.strip()
    booking.pillar_id = request.pillar_id
    booking.attendees = request.attendees
    booking.phone = request.phone.strip()


def _load_for_write(booking_id: int) -> Booking:
    """The booking, row-locked and re-read (always lock the booking, then its room)."""
    booking = lock_for_update(Booking, booking_id)
    if booking is None:
        raise ServiceError(_("This booking no longer exists."))
    return booking


def update_booking(
    user: Any,
    booking_id: int,
    request: BookingRequest,
    *,
    scope: str = "one",
    now: datetime | None = None,
) -> list[Booking]:
    """Edit or move a booking (or this and following / all of its series)."""
    return update_series(user, booking_id, request, scope=scope, now=now)


@dataclass
class _Step:
    """One occurrence of an edit: the booking, what it becomes, whether it moves."""

    target: Booking
    request: BookingRequest
    moved: bool


def _edit_steps(
    booking: Booking, request: BookingRequest, scope: str, *, lock: bool = True
) -> list[_Step]:
    targets = _series_targets(booking, scope, lock=lock)
    day_shift = (request.day - request_from_booking(booking).day) if request.day else None
    steps = []
    for target in targets:
        target_request = request
        if target.id != booking.id:
            own = request_from_booking(target)
            target_request = replace(request, day=own.day + (day_shift or timedelta(0)))
        moved = (
            target.room_id != target_request.room_id
            or target.start_at != to_utc(target_request.day, target_request.start)
            or target.end_at != to_utc(target_request.day, target_request.end)
        )
        steps.append(_Step(target, target_request, moved))
    return steps


def keeping_pillar(check: Check, booking: Booking, request: BookingRequest) -> Check:
    """An edit may keep the pillar the booking already has (the front desk may have set
    one its booker could not): only a change of pillar is checked."""
    if request.pillar_id is not None and request.pillar_id == booking.pillar_id:
        check.problems = [p for p in check.problems if p.field != "pillar_id"]
    return check


def _dated(check: Check, day: date) -> Check:
    """The same problems, each naming its date (edits of several dates)."""
    named = format_date_long(day)
    return Check(
        [
            replace(p, message=_("%(date)s: %(problem)s", date=named, problem=p.message))
            for p in check.problems
        ],
        check.conflicts,
    )


def preview_update(
    user: Any,
    booking_id: int,
    request: BookingRequest,
    *,
    scope: str,
    now: datetime | None = None,
) -> list[Occurrence]:
    """Every date an edit of a series touches, with its own problems (reads only)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise ServiceError(_("This booking no longer exists."))
    steps = _edit_steps(booking, request, scope, lock=False)
    exclude = tuple(step.target.id for step in steps)
    return [
        Occurrence(
            step.request.day,
            keeping_pillar(
                check_request(
                    user, step.request, exclude_ids=exclude, now=now, time_rules=step.moved
                ),
                step.target,
                step.request,
            ),
        )
        for step in steps
    ]


def update_series(
    user: Any,
    booking_id: int,
    request: BookingRequest,
    *,
    scope: str = "one",
    skip: set[date] | frozenset[date] = frozenset(),
    now: datetime | None = None,
) -> list[Booking]:
    """Edit or move a booking or several of its series; the dates in ``skip`` (their new
    dates) stay as they are. All or nothing; problems name their date."""
    with write_transaction():
        rooms = {request.room_id}
        booking = _load_for_write(booking_id)
        rooms.add(booking.room_id)
        for room_id in sorted(r for r in rooms if r):
            lock_for_update(Room, room_id)
        if not can_edit(user, booking):
            raise NotAllowed(_("You cannot change this booking."))
        every = _edit_steps(booking, request, scope)
        steps = [step for step in every if step.request.day not in skip]
        if not steps:
            raise ServiceError(_("No dates left to change."), field="scope")
        changed: list[Booking] = []
        overrides: list[tuple[Booking, Check]] = []
        exclude = tuple(step.target.id for step in steps)
        for step in steps:
            target, target_request = step.target, step.request
            check = keeping_pillar(
                check_request(
                    user, target_request, exclude_ids=exclude, now=now, time_rules=step.moved
                ),
                target,
                target_request,
            )
            if len(every) > 1:
                check = _dated(check, target_request.day)
            if _enforce(user, request, check):
                overrides.append((target, check))
            before = audit.snapshot(target, BOOKING_AUDIT_FIELDS)
            _apply(target, target_request)
            room = db.session.get(Room, target.room_id)
            if step.moved:  # a new slot: back to the queue if the room needs approval
                target.status = _initial_status(user, room)
                approved_now = target.status == BookingStatus.APPROVED and room.needs_approval
                target.decided_by_id = user.id if approved_now else None
                target.decided_at = utcnow() if approved_now else None
            db.session.flush()
            if step.moved:
                for listener in MOVE_LISTENERS:
                    listener(user, target)
            _audit_booking("booking.update", target, before, user)
            changed.append(target)
        for target, check in overrides:
            _record_override(target, check, request.override_reason.strip(), user)
        if scope == "following" and booking.series_id:
            _split_series(booking, [step.target for step in every])
        elif scope == "all" and booking.series_id and len(steps) == len(every):
            series = db.session.get(BookingSeries, booking.series_id)
            if series is not None:  # the rule's sentence tells the new time and room
                series.room_id = request.room_id
                series.start_time, series.end_time = request.start, request.end
    return changed


def _series_targets(booking: Booking, scope: str, *, lock: bool = True) -> list[Booking]:
    if scope not in ("one", "following", "all"):
        raise ServiceError(_("Choose which occurrences to change."), field="scope")
    if scope == "one" or booking.series_id is None:
        return [booking]
    stmt = select(Booking).where(
        Booking.series_id == booking.series_id,
        Booking.status.in_(HOLDING_STATUSES),
    )
    if scope == "following":
        stmt = stmt.where(Booking.start_at >= booking.start_at)
    else:
        stmt = stmt.where(or_(Booking.start_at > utcnow(), Booking.id == booking.id))
    stmt = stmt.order_by(Booking.start_at)
    if lock:
        stmt = stmt.with_for_update(of=Booking)
    targets = list(db.session.scalars(stmt))
    return targets or [booking]


def _split_series(booking: Booking, targets: list[Booking]) -> None:
    """'This and following' starts a new series from this occurrence on."""
    old = db.session.get(BookingSeries, booking.series_id)
    split_day = booking.start_at.astimezone(office_zone()).date()
    if old is None or split_day <= old.first_date:
        return
    new = BookingSeries(
        room_id=booking.room_id,
        booked_by_id=old.booked_by_id,
        frequency=old.frequency,
        interval=old.interval,
        weekdays=old.weekdays,
        first_date=booking.start_at.astimezone(office_zone()).date(),
        until=old.until,
        count=None if old.until else len(targets),
        start_time=booking.start_at.astimezone(office_zone()).time(),
        end_time=booking.end_at.astimezone(office_zone()).time(),
    )
    new.set_skipped(d for d in old.skipped_days if d >= split_day)
    old.set_skipped(d for d in old.skipped_days if d < split_day)
    old.until = split_day - timedelta(days=1)  # the old rule ends where the new one starts
    db.session.add(new)
    db.session.flush()
    for target in targets:
        target.series_id = new.id


def _decide(user: Any, booking_id: int, status: str, reason: str, scope: str) -> list[Booking]:
    with write_transaction():
        booking = _load_for_write(booking_id)
        lock_for_update(Room, booking.room_id)
        if status in (BookingStatus.APPROVED, BookingStatus.REJECTED):
            if not can_decide(user, booking):
                raise NotAllowed(_("Only pending bookings can be approved or rejected."))
        elif not can_cancel(user, booking):
            raise NotAllowed(_("You cannot cancel this booking."))
        if status != BookingStatus.APPROVED and not reason.strip():
            raise ServiceError(_("Give a reason; the booker will see it."), field="reason")
        targets = _series_targets(booking, scope)
        if status in (BookingStatus.APPROVED, BookingStatus.REJECTED):
            targets = [t for t in targets if t.status == BookingStatus.PENDING]
        action = {
            BookingStatus.APPROVED.value: "booking.approve",
            BookingStatus.REJECTED.value: "booking.reject",
            BookingStatus.CANCELLED.value: "booking.cancel",
        }[status]
        for target in targets:
            before = audit.snapshot(target, BOOKING_AUDIT_FIELDS)
            target.status = status
            target.status_reason = reason.strip()
            target.decided_by_id = user.id
            target.decided_at = utcnow()
            _audit_booking(action, target, before, user, reason=reason.strip())
            if status != BookingStatus.APPROVED:
                for listener in RELEASE_LISTENERS:
                    listener(user, target)
    return targets


def approve(user: Any, booking_id: int, *, scope: str = "one") -> list[Booking]:
    """Approve a pending booking; for a series, scope="all" approves every pending one."""
    return _decide(user, booking_id, BookingStatus.APPROVED.value, "", scope)


def reject(user: Any, booking_id: int, reason: str, *, scope: str = "one") -> list[Booking]:
    return _decide(user, booking_id, BookingStatus.REJECTED.value, reason, scope)


def cancel(user: Any, booking_id: int, reason: str, *, scope: str = "one") -> list[Booking]:
    return _decide(user, booking_id, BookingStatus.CANCELLED.value, reason, scope)


# --- recurring series ------------------------------------------------------------------


@dataclass
class Occurrence:
    day: date
    check: Check

    @property
    def ok(self) -> bool:
        return not self.check.problems


def preview_series(
    user: Any, request: BookingRequest, rule: Recurrence, *, now: datetime | None = None
) -> list[Occurrence]:
    """Every occurrence of the series with its own problems and conflicts."""
    if request.day is None:
        raise ServiceError(_("Choose a date."), field="date")
    try:
        days = expand(request.day, rule)
    except RecurrenceError as error:
        raise ServiceError(_("Check the repeat settings."), field=error.field) from error
    return [
        Occurrence(day, check_request(user, replace(request, day=day), now=now)) for day in days
    ]


def create_series(
    user: Any,
    request: BookingRequest,
    rule: Recurrence,
    *,
    skip: set[date] | frozenset[date] = frozenset(),
    now: datetime | None = None,
) -> tuple[BookingSeries, list[Booking]]:
    """Book every occurrence except ``skip``; all or nothing."""
    with write_transaction():
        if request.room_id:
            lock_for_update(Room, request.room_id)
        every = preview_series(user, request, rule, now=now)
        occurrences = [o for o in every if o.day not in skip]
        if not occurrences:
            raise ServiceError(_("No occurrences left to book."), field="until")
        overridden = []
        for occurrence in occurrences:
            if _enforce(user, request, occurrence.check):
                overridden.append(occurrence)
        room = db.session.get(Room, request.room_id)
        series = BookingSeries(
            room_id=room.id,
            booked_by_id=user.id,
            frequency=rule.frequency,
            interval=rule.interval,
            weekdays=rule.weekdays_text(),
            first_date=every[0].day,  # the rule's first real date, not the form's
            until=rule.until,
            count=rule.count,
            start_time=request.start,
            end_time=request.end,
        )
        series.set_skipped(o.day for o in every if o.day in skip)
        db.session.add(series)
        db.session.flush()
        bookings = [
            _new_booking(
                user,
                room,
                request,
                occurrence.day,
                series_id=series.id,
                overridden=occurrence in overridden,
            )
            for occurrence in occurrences
        ]
        db.session.flush()
        for booking in bookings:
            _audit_booking("booking.create", booking, None, user, series=str(series.id))
        for occurrence in overridden:
            booking = next(
                b for b in bookings if to_utc(occurrence.day, request.start) == b.start_at
            )
            _record_override(booking, occurrence.check, request.override_reason.strip(), user)
    return series, bookings


def series_bookings(series_id: int) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking).where(Booking.series_id == series_id).order_by(Booking.start_at)
        )
    )


# --- rooms ---------------------------------------------------------------------------


@dataclass
class RoomData:
    name: str
    capacity: int
    location: str = ""
    facilities: str = ""
    colour: str = "#1565c0"
    needs_approval: bool = True
    active: bool = True
    opens_at: time | None = None
    closes_at: time | None = None


def room_problems(data: RoomData, room_id: int | None = None) -> list[tuple[str | None, str]]:
    """Everything wrong with a room's data, all at once (reads only)."""
    problems: list[tuple[str | None, str]] = []
    if not data.name.strip():
        problems.append(("name", _("Enter the room's name.")))
    if data.capacity is None or data.capacity < 1:
        problems.append(("capacity", _("At least one person must fit.")))
    if not COLOUR_RE.match(data.colour or ""):
        problems.append(("colour", _("Choose a colour such as #1565c0.")))
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        problems.append(("closes_at", _("Closing must be after opening.")))
    clash = select(Room.id).where(func.lower(Room.name) == data.name.strip().lower())
    if room_id:
        clash = clash.where(Room.id != room_id)
    if data.name.strip() and db.session.scalar(clash):
        problems.append(("name", _("Another room already has this name.")))
    return problems


def _validate_room(data: RoomData, room_id: int | None = None) -> None:
    ServiceError.collect(room_problems(data, room_id))


def _apply_room(room: Room, data: RoomData) -> None:
    room.name = data.name.strip()
    room.capacity = data.capacity
    room.location = data.location.strip()
    room.facilities = data.facilities.strip()
    room.colour = data.colour.lower()
    room.needs_approval = data.needs_approval
    room.active = data.active
    room.opens_at = data.opens_at
    room.closes_at = data.closes_at


def create_room(data: RoomData, *, actor: Any) -> Room:
    _validate_room(data)
    room = Room()
    _apply_room(room, data)
    db.session.add(room)
    db.session.flush()
    audit.record(
        "room.create",
        "room",
        room.id,
        summary=room.name,
        changes=audit.changed_fields({}, audit.snapshot(room, ROOM_AUDIT_FIELDS)),
        user=actor,
    )
    return room


def update_room(room: Room, data: RoomData, *, actor: Any) -> Room:
    _validate_room(data, room.id)
    before = audit.snapshot(room, ROOM_AUDIT_FIELDS)
    _apply_room(room, data)
    changes = audit.changed_fields(before, audit.snapshot(room, ROOM_AUDIT_FIELDS))
    if changes:
        audit.record("room.update", "room", room.id, summary=room.name, changes=changes, user=actor)
    return room


def booking_history(booking_id: int) -> list[audit.AuditEntry]:
    return list(
        db.session.scalars(
            select(audit.AuditEntry)
            .where(
                audit.AuditEntry.object_type == "booking",
                audit.AuditEntry.object_id == str(booking_id),
            )
            .order_by(audit.AuditEntry.at, audit.AuditEntry.id)
        )
    )


@built_once
def _upcoming_statement(of_room: bool) -> Select:
    return (
        _row_select()
        .where(
            Booking.status.in_(HOLDING_STATUSES),
            *ending_after("now"),
            (Booking.room_id if of_room else Booking.booked_by_id) == bindparam("of_id"),
        )
        .order_by(Booking.start_at)
        .limit(bindparam("limit", type_=Integer()))
    )


def upcoming(
    *, room_id: int | None = None, user_id: int | None = None, limit: int = 10
) -> list[BookingRow]:
    """The next bookings holding a slot, of a room or of a booker."""
    params = ending_after_params("now", utcnow()) | {
        "of_id": room_id if room_id is not None else user_id,
        "limit": limit,
    }
    rows = db.session.execute(_upcoming_statement(room_id is not None), params)
    return [BookingRow(*row) for row in rows]


@dataclass
class Segment:
    booking: Booking
    left: float  # percent of the bookable day
    width: float


@dataclass
class DaySchedule:
    room: Room
    day: date
    opens: time
    closes: time
    segments: list[Segment]
    hours: list[tuple[str, float]] = field(default_factory=list)  # (label, percent)
    chosen: tuple[float, float] | None = None  # (left, width) of the requested slot


def day_schedule(
    room: Room,
    day: date,
    *,
    exclude_ids: tuple[int, ...] = (),
    chosen: tuple[time, time] | None = None,
) -> DaySchedule:
    """The room's bookings on a day, as segments of its bookable hours (free/busy strip),
    with its full hours marked and the requested slot; ``exclude_ids``: the booking
    being edited, which must not show as busy."""
    opens, closes = bookable_hours(room)
    start, end = to_utc(day, opens), to_utc(day, closes)
    span = (end - start).total_seconds()

    def percent(moment: datetime) -> float:
        return round(100 * min(max((moment - start).total_seconds(), 0), span) / span, 2)

    segments = []
    for booking in bookings_between(start, end, room.id, bare=True):
        if booking.id in exclude_ids:
            continue
        left = percent(booking.start_at)
        segments.append(Segment(booking, left, round(percent(booking.end_at) - left, 2)))
    first_hour = opens.hour + (1 if opens.minute else 0)
    hours = [
        (f"{hour:02d}", percent(to_utc(day, time(hour))))
        for hour in range(first_hour, closes.hour + 1)
    ]
    slot = None
    if chosen and chosen[0] and chosen[1] and chosen[1] > chosen[0]:
        left = percent(to_utc(day, chosen[0]))
        slot = (left, round(percent(to_utc(day, chosen[1])) - left, 2))
    return DaySchedule(room, day, opens, closes, segments, hours, slot)


@built_once
def _decisions_statement() -> Select:
    user_id = bindparam("user_id")
    return (
        _row_select()
        .where(
            Booking.booked_by_id == user_id,
            Booking.decided_by_id != user_id,
            Booking.decided_at >= bindparam("since", type_=UTCDateTime()),
            Booking.status != BookingStatus.PENDING.value,
        )
        .order_by(Booking.decided_at.desc())
        .limit(bindparam("limit", type_=Integer()))
    )


def recent_decisions(user_id: int, days: int = 14, limit: int = 5) -> list[BookingRow]:
    """The user's bookings that someone else approved, rejected or cancelled lately."""
    params = {"user_id": user_id, "since": utcnow() - timedelta(days=days), "limit": limit}
    return [BookingRow(*row) for row in db.session.execute(_decisions_statement(), params)]
