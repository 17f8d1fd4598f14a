"""What the booking calendar shows: pure functions from bookings to grid positions.

Nothing here touches the database, the request or the clock: callers pass the rooms,
the bookings (already loaded with one query over :func:`visible_range`), the office
time zone and "now". Times inside a day are minutes after local midnight, so a day
ends at 1440 (24.00), which :class:`datetime.time` cannot express.

The day view and a room's week are one CSS grid: grid line 1 is the header row, line 2
is the top of the first time row; column 1 holds the time labels, columns 2.. the rooms
(day view) or the days (a room's week). Each row is ``step`` minutes tall. Each column
lists its bookings and free stretches in time order, so the same markup reads as an
agenda (room by room) where the screen is too narrow for a grid. The week of every room
is a table, rooms by days; the month lists each day's first bookings and a count.

Calendars read :class:`Entry` rows (what a block shows), not whole booking objects.
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
LABEL_MINUTES = 30  # a time label every half hour
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

    def labels(self, every: int = LABEL_MINUTES) -> list[Label]:
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
        return f"grid-row:{self.row}/{self.row_end}"


def build_axis(
    hours: Iterable[tuple[time, time]],
    busy: Iterable[tuple[int, int]] = (),
    *,
    step: int = STEP_MINUTES,
    cell: int = LABEL_MINUTES,
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


# --- what the calendars show of a booking ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A booking holding its slot, as the calendars show it: its local day and minutes,
    its title and pillar (one light row per booking, no booking object)."""

    id: int
    room_id: int
    day: date
    start: int  # minutes after local midnight
    end: int  # minutes after local midnight; 1440 (24.00) at most: clipped to its day
    status: str
    title: str
    pillar_code: str | None = None
    pillar_colour: str | None = None  # None: a personal booking, shown neutral
    time_text: str = ""  # "09.00–10.30", in the reader's language

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    @property
    def start_text(self) -> str:
        return self.time_text.partition("–")[0]

    @property
    def ends_after(self) -> bool:
        """Runs past midnight (shown clipped to its day)."""
        return self.end == DAY_MINUTES


def make_entry(row: Any, zone: ZoneInfo, separator: str = ".") -> Entry:
    """An Entry from a row of (id, room_id, start_at, end_at, status, title, pillar code,
    pillar colour), in the office zone; times written with ``separator`` (``.`` or ``:``)."""
    booking_id, room_id, start_at, end_at, status, title, code, colour = row
    start = start_at.astimezone(zone)
    end = end_at.astimezone(zone)
    day = start.date()
    last = DAY_MINUTES if end.date() > day else end.hour * 60 + end.minute
    return Entry(
        booking_id,
        room_id,
        day,
        start.hour * 60 + start.minute,
        last,
        status,
        title,
        code,
        colour,
        f"{start.hour:02d}{separator}{start.minute:02d}–{end.hour:02d}{separator}{end.minute:02d}",
    )


# --- the time grid (day view, a room's week) -------------------------------------------


@dataclass(slots=True)
class Block:
    """A booking (or the part of it on this day) placed in a column."""

    entry: Entry
    column: int
    row_start: int
    row_end: int
    start: int  # minutes after local midnight
    end: int

    is_slot = False

    @property
    def style(self) -> str:
        style = f"grid-area:{self.row_start}/{self.column}/{self.row_end}"
        if self.entry.pillar_colour:
            style += f";--pillar:{self.entry.pillar_colour}"
        return style


@dataclass(frozen=True, slots=True)
class Slot:
    """A free, bookable stretch of a room's day: a link to the booking form."""

    room_id: int
    day: date
    start: int
    end: int
    column: int
    row_start: int
    row_end: int

    is_slot = True

    @property
    def start_time(self) -> time:
        return clock(self.start)

    @property
    def end_time(self) -> time:
        return clock(self.end)

    @property
    def query(self) -> str:
        """The booking form's query string (``room_id=…&date=…&start=…&end=…``)."""
        start, end = self.start_time, self.end_time
        return (
            f"room_id={self.room_id}&date={self.day.isoformat()}"
            f"&start={start.hour:02d}:{start.minute:02d}&end={end.hour:02d}:{end.minute:02d}"
        )

    @property
    def style(self) -> str:
        return f"grid-area:{self.row_start}/{self.column}/{self.row_end}"


@dataclass
class Column:
    """A room (day view) or a day (a room's week): its blocks and free stretches in time
    order."""

    line: int
    day: date
    room: Any = None
    is_today: bool = False
    items: list[Block | Slot] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [item for item in self.items if not item.is_slot]

    @property
    def style(self) -> str:
        return f"grid-column:{self.line}"


@dataclass(frozen=True)
class NowLine:
    row: int
    offset: float  # fraction of a row below the row's top
    column: str  # "2/-1" across every column, or one column

    @property
    def style(self) -> str:
        return f"grid-row:{self.row};grid-column:{self.column};--offset:{self.offset:.3f}"


@dataclass
class TimeGrid:
    kind: str  # "day": columns are rooms; "week": columns are the days of one room
    axis: Axis
    columns: list[Column]
    labels: list[Label]
    now_line: NowLine | None = None
    room: Any = None  # the room of a week

    @property
    def style(self) -> str:
        return f"--cols:{len(self.columns)};--rows:{self.axis.rows}"

    @property
    def blocks(self) -> list[Block]:
        return [b for c in self.columns for b in c.blocks]


def _blocks(column: Column, entries: Iterable[Entry], axis: Axis) -> list[Block]:
    blocks = []
    for entry in entries:
        if entry.day != column.day:
            continue
        row_start = axis.line(entry.start)
        blocks.append(
            Block(
                entry=entry,
                column=column.line,
                row_start=row_start,
                row_end=max(axis.line_after(entry.end), row_start + 1),
                start=entry.start,
                end=entry.end,
            )
        )
    return blocks


def free_stretches(
    hours: tuple[time, time],
    busy: Iterable[tuple[int, int]],
    axis: Axis,
    *,
    not_before: int = 0,
) -> list[tuple[int, int]]:
    """The free stretches of a room's bookable hours, none in the past, each at least a
    row long. ``not_before`` (minutes) hides the past on today; ``DAY_MINUTES`` for a
    day that is over."""
    opens, closes = max(minutes(hours[0]), axis.start), min(minutes(hours[1]), axis.end)
    cursor = max(opens, _ceil(not_before, axis.step))
    stretches = []
    for first, last in sorted(busy):
        if first > cursor:
            stretches.append((cursor, min(first, closes)))
        cursor = max(cursor, last)
        if cursor >= closes:
            break
    if cursor < closes:
        stretches.append((cursor, closes))
    return [(a, b) for a, b in stretches if b - a >= axis.step]


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


def _busy_spans(entries: Iterable[Entry], days: Iterable[date]):
    days = set(days)
    return [(e.start, e.end) for e in entries if e.day in days]


def _column(
    index: int,
    day: date,
    room: Any,
    entries: list[Entry],
    axis: Axis,
    now_local: datetime,
    hours: HoursFn,
) -> Column:
    """One grid column: its blocks and free stretches, in time order."""
    column = Column(line=index + 2, day=day, room=room, is_today=day == now_local.date())
    blocks = _blocks(column, entries, axis)
    stretches = free_stretches(
        hours(room),
        [(b.start, b.end) for b in blocks],
        axis,
        not_before=_not_before(day, now_local),
    )
    items: list[Block | Slot] = [
        *blocks,
        *(_slot(column, room.id, a, b, axis) for a, b in stretches),
    ]
    items.sort(key=lambda item: item.start)
    column.items = items
    return column


def day_grid(
    day: date,
    rooms: Sequence[Any],
    entries: Iterable[Entry],
    *,
    zone: ZoneInfo,
    now: datetime,
    hours: HoursFn,
    step: int = STEP_MINUTES,
) -> TimeGrid:
    """Rooms as columns, time as rows; entries of other rooms are left out."""
    entries = list(entries)
    axis = build_axis([hours(room) for room in rooms], _busy_spans(entries, [day]), step=step)
    now_local = now.astimezone(zone)
    by_room: dict[int, list[Entry]] = {}
    for entry in entries:
        by_room.setdefault(entry.room_id, []).append(entry)
    columns = [
        _column(index, day, room, by_room.get(room.id, []), axis, now_local, hours)
        for index, room in enumerate(rooms)
    ]
    now_line = None
    if day == now_local.date() and columns:
        now_line = _now_line(axis, now_local, "2/-1")
    return TimeGrid("day", axis, columns, axis.labels(), now_line)


def week_days(day: date, entries: Iterable[Entry]) -> list[date]:
    """Monday to Friday, plus Saturday and Sunday when they hold a booking or are ``day``."""
    monday = week_start(day)
    days = [monday + timedelta(days=n) for n in range(7)]
    weekend = set(days[5:])
    used = {e.day for e in entries} | {day}
    return [d for d in days if d not in weekend or d in used]


def week_grid(
    day: date,
    room: Any,
    entries: Iterable[Entry],
    *,
    zone: ZoneInfo,
    now: datetime,
    hours: HoursFn,
    step: int = STEP_MINUTES,
) -> TimeGrid:
    """The days of the week of ``day`` as columns, for one room, with its free stretches."""
    entries = [e for e in entries if e.room_id == room.id]
    days = week_days(day, entries)
    axis = build_axis([hours(room)], _busy_spans(entries, days), step=step)
    now_local = now.astimezone(zone)
    columns = [
        _column(index, column_day, room, entries, axis, now_local, hours)
        for index, column_day in enumerate(days)
    ]
    now_line = None
    today = next((c for c in columns if c.is_today), None)
    if today is not None:
        now_line = _now_line(axis, now_local, str(today.line))
    return TimeGrid("week", axis, columns, axis.labels(), now_line, room=room)


# --- the week of every room: a table of rooms by days ----------------------------------


@dataclass
class RoomWeek:
    room: Any
    cells: list[list[Entry]]  # one list per shown day, by start


@dataclass
class WeekMatrix:
    days: list[date]
    rows: list[RoomWeek]
    today: date

    @property
    def count(self) -> int:
        return sum(len(cell) for row in self.rows for cell in row.cells)


def week_matrix(
    day: date, rooms: Sequence[Any], entries: Iterable[Entry], *, today: date
) -> WeekMatrix:
    """Every room's bookings of the week of ``day``, a cell per room and day."""
    entries = list(entries)
    days = week_days(day, entries)
    index = {d: n for n, d in enumerate(days)}
    rows = {room.id: RoomWeek(room, [[] for _ in days]) for room in rooms}
    for entry in sorted(entries, key=lambda e: (e.day, e.start)):
        row = rows.get(entry.room_id)
        if row is not None and entry.day in index:
            row.cells[index[entry.day]].append(entry)
    return WeekMatrix(days, list(rows.values()), today)


# --- the month -------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    """A day of the month: how many bookings, how many waiting, and the first few."""

    count: int
    pending: int
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class MonthDay:
    day: date
    in_month: bool
    is_today: bool
    count: int = 0
    pending: int = 0
    entries: tuple[Entry, ...] = ()

    @property
    def more(self) -> int:
        return self.count - len(self.entries)


@dataclass
class MonthGrid:
    month: date  # the first of the month
    weeks: list[list[MonthDay]]
    weekdays: list[date]  # the first week's days, for column headings

    @property
    def total(self) -> int:
        return sum(d.count for week in self.weeks for d in week if d.in_month)


def month_grid(day: date, summary: dict[date, DaySummary], *, today: date) -> MonthGrid:
    """Whole weeks around the month of ``day``, each day with its summary."""
    first, end = visible_range("month", day)
    weeks: list[list[MonthDay]] = []
    current = first
    empty = DaySummary(0, 0)
    while current < end:
        week = []
        for _ in range(7):
            found = summary.get(current, empty)
            week.append(
                MonthDay(
                    day=current,
                    in_month=current.month == day.month,
                    is_today=current == today,
                    count=found.count,
                    pending=found.pending,
                    entries=found.entries,
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
