"""What the booking calendar shows: pure functions from bookings to grid positions.

Nothing here touches the database, the request or the clock: callers pass the rooms,
the bookings (already loaded with one query over :func:`visible_range`), the office
time zone and "now". Times inside a day are minutes after local midnight, so a day
ends at 1440 (24.00), which :class:`datetime.time` cannot express.

The day and week views are one CSS grid: grid line 1 is the header row, line 2 is the
top of the first time row; column 1 holds the time labels, columns 2.. the rooms (day
view) or the days (week view). Each row is ``step`` minutes tall.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

VIEWS = ("day", "week", "month")
DAY_MINUTES = 24 * 60
STEP_MINUTES = 15  # one grid row
CELL_MINUTES = 30  # one "book this slot" link (at most)
DEFAULT_HOURS = (time(7, 0), time(17, 0))  # when there is no room at all

HoursFn = Callable[[Any], tuple[time, time]]


# --- small helpers ---------------------------------------------------------------------


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def clock(minute: int) -> time:
    """Minutes after midnight as a time; 24.00 becomes 23.59 (forms take no 24.00)."""
    minute = max(0, min(minute, DAY_MINUTES - 1))
    return time(minute // 60, minute % 60)


def _floor(value: int, step: int) -> int:
    return value - value % step


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


def local_span(booking: Any, day: date, zone: ZoneInfo) -> tuple[int, int] | None:
    """The part of ``booking`` on local ``day`` as minutes ``[start, end)``, or None.

    A booking that began the day before starts at 0; one that runs past midnight ends
    at 1440.
    """
    start = booking.start_at.astimezone(zone)
    end = booking.end_at.astimezone(zone)
    day_start = datetime.combine(day, time.min, tzinfo=zone)
    day_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    if end <= day_start or start >= day_end:
        return None
    first = 0 if start < day_start else start.hour * 60 + start.minute
    last = DAY_MINUTES if end >= day_end else end.hour * 60 + end.minute
    if last <= first:  # a sub-minute sliver
        return None
    return first, last


def local_days(booking: Any, zone: ZoneInfo) -> list[date]:
    """Every local day a booking touches (an end at midnight does not touch the next)."""
    start = booking.start_at.astimezone(zone)
    end = booking.end_at.astimezone(zone)
    last = (end - timedelta(microseconds=1)).date() if end > start else start.date()
    days, day = [], start.date()
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


def colour_of(booking: Any) -> str:
    """Blocks take the pillar's colour, else the room's."""
    pillar = getattr(booking, "pillar", None)
    if pillar is not None and getattr(pillar, "colour", None):
        return pillar.colour
    return booking.room.colour


# --- ranges and navigation -------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def visible_range(view: str, day: date) -> tuple[date, date]:
    """The local days a view shows: ``[first, end)``; month views show whole weeks."""
    if view == "day":
        return day, day + timedelta(days=1)
    if view == "week":
        first = week_start(day)
        return first, first + timedelta(days=7)
    if view == "month":
        first_of_month = month_start(day)
        length = stdlib_calendar.monthrange(day.year, day.month)[1]
        last_of_month = first_of_month + timedelta(days=length - 1)
        return week_start(first_of_month), week_start(last_of_month) + timedelta(days=7)
    raise ValueError(f"unknown view {view!r}")


def shift(view: str, day: date, steps: int) -> date:
    """The date ``steps`` days, weeks or months away (month ends clamp: 31 Jan + 1 → 28 Feb)."""
    if view == "day":
        return day + timedelta(days=steps)
    if view == "week":
        return day + timedelta(weeks=steps)
    if view == "month":
        index = day.year * 12 + day.month - 1 + steps
        year, month = divmod(index, 12)
        length = stdlib_calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(day.day, length))
    raise ValueError(f"unknown view {view!r}")


# --- the time grid (day and week views) ------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """Rows of ``step`` minutes from ``start`` to ``end`` (minutes after midnight)."""

    start: int
    end: int
    step: int = STEP_MINUTES

    @property
    def rows(self) -> int:
        return (self.end - self.start) // self.step

    def line(self, minute: int) -> int:
        """The grid line at ``minute`` (rounded down to a row), clamped to the axis."""
        minute = max(self.start, min(minute, self.end))
        return 2 + (minute - self.start) // self.step

    def line_after(self, minute: int) -> int:
        """The grid line at ``minute`` rounded up to a row, clamped to the axis."""
        minute = max(self.start, min(minute, self.end))
        return 2 + _ceil(minute - self.start, self.step) // self.step

    def labels(self, every: int = CELL_MINUTES) -> list[Label]:
        first = _ceil(self.start, every)
        return [
            Label(clock(m), self.line(m), min(self.line(m + every), self.line(self.end)))
            for m in range(first, self.end, every)
        ]


@dataclass(frozen=True)
class Label:
    at: time
    row: int
    row_end: int

    @property
    def style(self) -> str:
        return f"grid-row: {self.row} / {self.row_end}"


def build_axis(
    hours: Iterable[tuple[time, time]],
    busy: Iterable[tuple[int, int]] = (),
    *,
    step: int = STEP_MINUTES,
    cell: int = CELL_MINUTES,
) -> Axis:
    """From the earliest opening to the latest closing, widened to show every booking."""
    hours = list(hours) or [DEFAULT_HOURS]
    start = min(minutes(opens) for opens, _ in hours)
    end = max(minutes(closes) for _, closes in hours)
    for first, last in busy:
        start, end = min(start, first), max(end, last)
    start = _floor(start, cell)
    end = min(_ceil(end, cell), DAY_MINUTES)
    if end <= start:
        end = min(start + cell, DAY_MINUTES)
    return Axis(start, end, step)


@dataclass
class Block:
    """One booking (or the part of it on this day) placed in a column."""

    booking: Any
    column: int
    row_start: int
    row_end: int
    colour: str
    starts_before: bool = False  # began on an earlier day
    ends_after: bool = False  # goes on past midnight
    lane: int = 0
    lanes: int = 1
    span: tuple[int, int] = (0, 0)

    @property
    def pending(self) -> bool:
        return self.booking.status == "pending"

    @property
    def style(self) -> str:
        style = (
            f"grid-row: {self.row_start} / {self.row_end}; grid-column: {self.column}; "
            f"--pillar: {self.colour}"
        )
        if self.lanes > 1:
            style += f"; --lane: {self.lane}; --lanes: {self.lanes}"
        return style


@dataclass(frozen=True)
class Slot:
    """A free, bookable stretch of one cell: a link to the booking form."""

    room_id: int
    day: date
    start: int
    end: int
    column: int
    row_start: int
    row_end: int

    @property
    def start_time(self) -> time:
        return clock(self.start)

    @property
    def end_time(self) -> time:
        return clock(self.end)

    @property
    def query(self) -> dict[str, str]:
        """The booking form's query parameters (``/bookings/new?...``)."""
        return {
            "room_id": str(self.room_id),
            "date": self.day.isoformat(),
            "start": self.start_time.strftime("%H:%M"),
            "end": self.end_time.strftime("%H:%M"),
        }

    @property
    def style(self) -> str:
        return f"grid-row: {self.row_start} / {self.row_end}; grid-column: {self.column}"


@dataclass
class Column:
    """A room (day view) or a day (week view)."""

    line: int
    day: date
    room: Any = None  # the room of the column, or of every cell when the week has one room
    is_today: bool = False
    blocks: list[Block] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)

    @property
    def style(self) -> str:
        return f"grid-column: {self.line}"


@dataclass(frozen=True)
class NowLine:
    row: int
    offset: float  # fraction of a row below the row's top
    column: str  # "2 / -1" across every column, or one column

    @property
    def style(self) -> str:
        return f"grid-row: {self.row}; grid-column: {self.column}; --offset: {self.offset:.3f}"


@dataclass
class TimeGrid:
    kind: str  # "day": columns are rooms; "week": columns are days
    axis: Axis
    columns: list[Column]
    labels: list[Label]
    now_line: NowLine | None = None
    room: Any = None  # week view of one room
    show_room: bool = False  # blocks name their room (week of every room)

    @property
    def style(self) -> str:
        return f"--cols: {len(self.columns)}; --rows: {self.axis.rows}"

    @property
    def blocks(self) -> list[Block]:
        return [b for c in self.columns for b in c.blocks]


def assign_lanes(blocks: list[Block]) -> None:
    """Side by side where blocks of one column overlap (several rooms in one week column)."""
    blocks.sort(key=lambda b: (b.span[0], -b.span[1], getattr(b.booking, "id", 0) or 0))
    cluster: list[Block] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        for block in cluster:
            block.lanes = len(lane_ends)

    for block in blocks:
        first, last = block.span
        if cluster and first >= cluster_end:
            close()
            cluster, lane_ends = [], []
        for index, lane_end in enumerate(lane_ends):
            if lane_end <= first:
                block.lane, lane_ends[index] = index, last
                break
        else:
            block.lane = len(lane_ends)
            lane_ends.append(last)
        cluster.append(block)
        cluster_end = max(cluster_end, last)
    if cluster:
        close()


def _place(
    column: Column, bookings: Iterable[Any], axis: Axis, zone: ZoneInfo
) -> list[tuple[int, int]]:
    """Add the blocks of ``bookings`` on the column's day; return their minute spans."""
    spans = []
    for booking in bookings:
        span = local_span(booking, column.day, zone)
        if span is None:
            continue
        first, last = span
        row_start = axis.line(first)
        row_end = max(axis.line_after(last), row_start + 1)
        column.blocks.append(
            Block(
                booking=booking,
                column=column.line,
                row_start=row_start,
                row_end=row_end,
                colour=colour_of(booking),
                starts_before=first == 0 and booking.start_at.astimezone(zone).date() < column.day,
                ends_after=last == DAY_MINUTES,
                span=span,
            )
        )
        spans.append(span)
    assign_lanes(column.blocks)
    return spans


def free_slots(
    column: Column,
    room_id: int,
    hours: tuple[time, time],
    busy: Sequence[tuple[int, int]],
    axis: Axis,
    *,
    not_before: int = 0,
    cell: int = CELL_MINUTES,
) -> list[Slot]:
    """Free stretches within the room's hours, at most one cell long, none in the past.

    Each cell (``cell`` minutes, aligned to midnight) is cut into rows; the free rows of
    a cell that follow each other make one slot. ``not_before`` (minutes) hides the
    past on today; pass ``DAY_MINUTES`` for a day that is over.
    """
    opens, closes = max(minutes(hours[0]), axis.start), min(minutes(hours[1]), axis.end)
    slots: list[Slot] = []
    cell_start = _floor(opens, cell)
    while cell_start < closes:
        first = max(cell_start, opens)
        last = min(cell_start + cell, closes)
        run_start: int | None = None
        moment = first
        while moment < last:
            piece_end = min(_floor(moment, axis.step) + axis.step, last)
            free = moment >= not_before and not any(
                b0 < piece_end and moment < b1 for b0, b1 in busy
            )
            if free and run_start is None:
                run_start = moment
            if not free and run_start is not None:
                slots.append(_slot(column, room_id, run_start, moment, axis))
                run_start = None
            moment = piece_end
        if run_start is not None:
            slots.append(_slot(column, room_id, run_start, last, axis))
        cell_start += cell
    return slots


def _slot(column: Column, room_id: int, first: int, last: int, axis: Axis) -> Slot:
    row_start = axis.line(first)
    return Slot(
        room_id=room_id,
        day=column.day,
        start=first,
        end=last,
        column=column.line,
        row_start=row_start,
        row_end=max(axis.line_after(last), row_start + 1),
    )


def _not_before(day: date, now_local: datetime) -> int:
    today = now_local.date()
    if day < today:
        return DAY_MINUTES
    if day > today:
        return 0
    return now_local.hour * 60 + now_local.minute


def _now_line(axis: Axis, now_local: datetime, column: str) -> NowLine | None:
    minute = now_local.hour * 60 + now_local.minute
    if not axis.start <= minute < axis.end:
        return None
    row_top = _floor(minute - axis.start, axis.step) + axis.start
    return NowLine(axis.line(minute), (minute - row_top) / axis.step, column)


def _busy_spans(bookings: Iterable[Any], days: Iterable[date], zone: ZoneInfo):
    for booking in bookings:
        for day in days:
            span = local_span(booking, day, zone)
            if span is not None:
                yield span


def _column(
    index: int,
    day: date,
    room: Any,
    bookings: list[Any],
    axis: Axis,
    zone: ZoneInfo,
    now_local: datetime,
    hours: HoursFn,
    cell: int,
) -> Column:
    """One grid column: its blocks, and for a single room the free slots to book."""
    column = Column(line=index + 2, day=day, room=room, is_today=day == now_local.date())
    busy = _place(column, bookings, axis, zone)
    if room is not None:
        column.slots = free_slots(
            column,
            room.id,
            hours(room),
            busy,
            axis,
            not_before=_not_before(day, now_local),
            cell=cell,
        )
    return column


def day_grid(
    day: date,
    rooms: Sequence[Any],
    bookings: Iterable[Any],
    *,
    zone: ZoneInfo,
    now: datetime,
    hours: HoursFn,
    step: int = STEP_MINUTES,
    cell: int = CELL_MINUTES,
) -> TimeGrid:
    """Rooms as columns, time as rows; bookings of other rooms are left out."""
    bookings = list(bookings)
    axis = build_axis(
        [hours(room) for room in rooms], _busy_spans(bookings, [day], zone), step=step, cell=cell
    )
    now_local = now.astimezone(zone)
    by_room: dict[int, list[Any]] = {}
    for booking in bookings:
        by_room.setdefault(booking.room_id, []).append(booking)
    columns = [
        _column(index, day, room, by_room.get(room.id, []), axis, zone, now_local, hours, cell)
        for index, room in enumerate(rooms)
    ]
    now_line = None
    if day == now_local.date() and columns:
        now_line = _now_line(axis, now_local, "2 / -1")
    return TimeGrid("day", axis, columns, axis.labels(cell), now_line)


def week_days(day: date, bookings: Iterable[Any], zone: ZoneInfo) -> list[date]:
    """Monday to Friday, plus Saturday and Sunday when they hold a booking or are ``day``."""
    monday = week_start(day)
    days = [monday + timedelta(days=n) for n in range(7)]
    weekend = set(days[5:])
    used = {d for b in bookings for d in local_days(b, zone)} | {day}
    return [d for d in days if d not in weekend or d in used]


def week_grid(
    day: date,
    rooms: Sequence[Any],
    bookings: Iterable[Any],
    *,
    zone: ZoneInfo,
    now: datetime,
    hours: HoursFn,
    room: Any = None,
    step: int = STEP_MINUTES,
    cell: int = CELL_MINUTES,
) -> TimeGrid:
    """Days of the week of ``day`` as columns, for one ``room`` or for all ``rooms``.

    With one room, free slots link to the booking form; with all rooms, blocks name
    their room and overlapping blocks sit side by side.
    """
    bookings = list(bookings)
    if room is not None:
        bookings = [b for b in bookings if b.room_id == room.id]
        shown_rooms: Sequence[Any] = [room]
    else:
        shown_rooms = rooms
    days = week_days(day, bookings, zone)
    axis = build_axis(
        [hours(r) for r in shown_rooms],
        _busy_spans(bookings, days, zone),
        step=step,
        cell=cell,
    )
    now_local = now.astimezone(zone)
    columns = [
        _column(index, column_day, room, bookings, axis, zone, now_local, hours, cell)
        for index, column_day in enumerate(days)
    ]
    now_line = None
    today = next((c for c in columns if c.is_today), None)
    if today is not None:
        now_line = _now_line(axis, now_local, str(today.line))
    return TimeGrid(
        "week",
        axis,
        columns,
        axis.labels(cell),
        now_line,
        room=room,
        show_room=room is None,
    )


# --- the month grid --------------------------------------------------------------------


@dataclass(frozen=True)
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    count: int = 0
    pending: int = 0


@dataclass
class MonthGrid:
    month: date  # the first of the month
    weeks: list[list[MonthDay]]
    weekdays: list[date]  # the first week's days, for column headings

    @property
    def total(self) -> int:
        return sum(d.count for week in self.weeks for d in week if d.in_month)


def month_grid(day: date, bookings: Iterable[Any], *, zone: ZoneInfo, today: date) -> MonthGrid:
    """Whole weeks around the month of ``day``; each day counts the bookings touching it."""
    first, end = visible_range("month", day)
    counts: dict[date, int] = {}
    pending: dict[date, int] = {}
    for booking in bookings:
        for touched in local_days(booking, zone):
            counts[touched] = counts.get(touched, 0) + 1
            if booking.status == "pending":
                pending[touched] = pending.get(touched, 0) + 1
    weeks: list[list[MonthDay]] = []
    current = first
    while current < end:
        week = []
        for _ in range(7):
            week.append(
                MonthDay(
                    day=current,
                    in_month=current.month == day.month,
                    is_today=current == today,
                    count=counts.get(current, 0),
                    pending=pending.get(current, 0),
                )
            )
            current += timedelta(days=1)
        weeks.append(week)
    return MonthGrid(month_start(day), weeks, [d.day for d in weeks[0]])


# --- the front desk sheet --------------------------------------------------------------


@dataclass
class DeskDay:
    day: date
    rooms: list[tuple[Any, list[Any]]]  # (room, its bookings by start), rooms by name

    @property
    def count(self) -> int:
        return sum(len(b) for _, b in self.rooms)


def desk_days(days: Sequence[date], bookings: Iterable[Any], zone: ZoneInfo) -> list[DeskDay]:
    """Bookings grouped by local day, then room (a booking past midnight shows on both)."""
    bookings = sorted(bookings, key=lambda b: (b.start_at, b.room.name, b.id or 0))
    result = []
    for day in days:
        rooms: dict[int, tuple[Any, list[Any]]] = {}
        for booking in bookings:
            if local_span(booking, day, zone) is not None:
                rooms.setdefault(booking.room_id, (booking.room, []))[1].append(booking)
        ordered = sorted(rooms.values(), key=lambda pair: pair[0].name.lower())
        result.append(DeskDay(day, ordered))
    return result
