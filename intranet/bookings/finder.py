"""Finding a room: which rooms are free for a whole time range with enough seats, and,
when a request clashes, the nearest free times in the same room and the other rooms
free at the requested time. Reads only; a booking still goes through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Select, select

from intranet.bookings.models import HOLDING_STATUSES, Booking, Room
from intranet.bookings.services import (
    active_rooms,
    bookable_hours,
    bookings_between,
    local_day_bounds,
    to_utc,
    touching,
    touching_params,
)
from intranet.core.db import built_once
from intranet.extensions import db


@dataclass(frozen=True)
class Slot:
    start: time
    end: time


@built_once
def _busy_statement() -> Select:
    return (
        select(Booking.room_id).where(Booking.status.in_(HOLDING_STATUSES), *touching()).distinct()
    )


def busy_room_ids(start: datetime, end: datetime) -> set[int]:
    """Rooms holding any part of [start, end): one indexed query for every room."""
    return set(db.session.scalars(_busy_statement(), touching_params(start, end)))


def free_rooms(
    day: date, start: time, end: time, people: int = 1, exclude_room: int | None = None
) -> list[Room]:
    """Active rooms free for all of [start, end) on ``day``, open then, with ``people``
    seats: the smallest fitting room first (the hall stays free for the big events)."""
    if end <= start:
        return []
    busy = busy_room_ids(to_utc(day, start), to_utc(day, end))
    found = []
    for room in active_rooms():
        opens, closes = bookable_hours(room)
        if room.id in busy or room.id == exclude_room or room.capacity < people:
            continue
        if start >= opens and end <= closes:
            found.append(room)
    return sorted(found, key=lambda r: (r.capacity, r.name))


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def nearest_free_times(
    room: Room,
    day: date,
    start: time,
    end: time,
    exclude_ids: tuple[int, ...] = (),
    limit: int = 3,
    busy: list[tuple[datetime, datetime]] | None = None,
) -> list[Slot]:
    """Slots of the same length in ``room`` on ``day``, free and within its hours,
    nearest to the requested start first, then shown in time order. ``busy``: the
    room's (start, end) that day within its hours, when the caller has them already."""
    length = _minutes(end) - _minutes(start)
    if length <= 0:
        return []
    opens, closes = bookable_hours(room)
    if busy is None:
        first, last = local_day_bounds(day)
        busy = [
            (b.start_at, b.end_at)
            for b in bookings_between(first, last, room.id, bare=True)
            if b.id not in exclude_ids
        ]
    step = current_app.config["BOOKING_SLOT_MINUTES"]
    wanted = _minutes(start)
    candidates = []
    for begin in range(_minutes(opens), _minutes(closes) - length + 1, step):
        if begin == wanted:
            continue
        slot_start = to_utc(day, _time(begin))
        slot_end = slot_start + timedelta(minutes=length)
        if all(not (b_start < slot_end and b_end > slot_start) for b_start, b_end in busy):
            candidates.append(begin)
    nearest = sorted(candidates, key=lambda m: (abs(m - wanted), m))[:limit]
    return [Slot(_time(m), _time(m + length)) for m in sorted(nearest)]


@dataclass
class Suggestions:
    times: list[Slot]
    rooms: list[Room]

    def __bool__(self) -> bool:
        return bool(self.times or self.rooms)


def suggest(
    room_id: int | None,
    day: date | None,
    start: time | None,
    end: time | None,
    people: int = 1,
    exclude_ids: tuple[int, ...] = (),
    busy: list[tuple[datetime, datetime]] | None = None,
) -> Suggestions:
    """What to offer when a request clashes: other times here, other rooms now."""
    room = db.session.get(Room, room_id) if room_id else None
    if room is None or day is None or start is None or end is None or end <= start:
        return Suggestions([], [])
    return Suggestions(
        nearest_free_times(room, day, start, end, exclude_ids, busy=busy),
        free_rooms(day, start, end, max(people, 1), exclude_room=room.id)[:4],
    )
