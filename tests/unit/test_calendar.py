"""The calendar's pure grid building: ranges, positions, free slots, now-line, months."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from intranet.bookings import calendar

ZONE = ZoneInfo("Asia/Jakarta")
MONDAY = date(2025, 11, 24)  # a Monday
HOURS = (time(7, 30), time(16, 45))  # the office-hours default


def make_room(room_id: int = 1, name: str = "Aula", colour: str = "#1565c0", hours=HOURS):
    return SimpleNamespace(id=room_id, name=name, colour=colour, capacity=40, hours=hours)


def hours_of(room) -> tuple[time, time]:
    return room.hours


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


_ids = iter(range(1, 100_000))


def make_booking(room, start: datetime, end: datetime, *, status="approved", pillar=None, **kw):
    return SimpleNamespace(
        id=kw.pop("id", next(_ids)),
        room_id=room.id,
        room=room,
        pillar=pillar,
        start_at=start,
        end_at=end,
        status=status,
        title=kw.pop("title", "Rapat"),
        **kw,
    )


def noon(day: date) -> datetime:
    return local(day, 12, 0)


# --- helpers and ranges --------------------------------------------------------------


def test_minutes_and_clock():
    assert calendar.minutes(time(7, 30)) == 450
    assert calendar.clock(450) == time(7, 30)
    assert calendar.clock(calendar.DAY_MINUTES) == time(23, 59)  # forms take no 24.00


@pytest.mark.parametrize(
    ("view", "day", "expected"),
    [
        ("day", date(2025, 11, 26), (date(2025, 11, 26), date(2025, 11, 27))),
        ("week", date(2025, 11, 26), (date(2025, 11, 24), date(2025, 12, 1))),
        ("week", date(2025, 11, 30), (date(2025, 11, 24), date(2025, 12, 1))),  # Sunday
        # November 2025 starts on a Saturday and ends on a Sunday: whole weeks around it
        ("month", date(2025, 11, 15), (date(2025, 10, 27), date(2025, 12, 1))),
        ("month", date(2026, 2, 10), (date(2026, 1, 26), date(2026, 3, 2))),
    ],
)
def test_visible_range(view, day, expected):
    assert calendar.visible_range(view, day) == expected


def test_visible_range_rejects_unknown_view():
    with pytest.raises(ValueError):
        calendar.visible_range("year", MONDAY)


@pytest.mark.parametrize(
    ("view", "day", "steps", "expected"),
    [
        ("day", date(2025, 12, 31), 1, date(2026, 1, 1)),
        ("week", MONDAY, -1, date(2025, 11, 17)),
        ("month", date(2025, 1, 31), 1, date(2025, 2, 28)),  # clamps to the month's end
        ("month", date(2024, 1, 31), 1, date(2024, 2, 29)),
        ("month", date(2025, 1, 15), -1, date(2024, 12, 15)),
        ("month", date(2025, 12, 15), 1, date(2026, 1, 15)),
    ],
)
def test_shift(view, day, steps, expected):
    assert calendar.shift(view, day, steps) == expected


def test_local_span_clips_bookings_across_midnight():
    room = make_room()
    late = make_booking(room, local(MONDAY, 22), local(MONDAY + timedelta(days=1), 2))
    assert calendar.local_span(late, MONDAY, ZONE) == (22 * 60, 1440)
    assert calendar.local_span(late, MONDAY + timedelta(days=1), ZONE) == (0, 120)
    assert calendar.local_span(late, MONDAY + timedelta(days=2), ZONE) is None
    assert calendar.local_days(late, ZONE) == [MONDAY, MONDAY + timedelta(days=1)]


def test_a_booking_ending_at_midnight_does_not_touch_the_next_day():
    room = make_room()
    booking = make_booking(room, local(MONDAY, 20), local(MONDAY + timedelta(days=1), 0))
    assert calendar.local_days(booking, ZONE) == [MONDAY]
    assert calendar.local_span(booking, MONDAY + timedelta(days=1), ZONE) is None


def test_colour_is_the_pillars_else_the_rooms():
    room = make_room(colour="#aa0000")
    pillar = SimpleNamespace(code="PKH", colour="#00aa00")
    assert calendar.colour_of(make_booking(room, noon(MONDAY), noon(MONDAY), pillar=pillar)) == (
        "#00aa00"
    )
    assert calendar.colour_of(make_booking(room, noon(MONDAY), noon(MONDAY))) == "#aa0000"


# --- axis -------------------------------------------------------------------------------


def test_axis_spans_earliest_opening_to_latest_closing_in_half_hours():
    axis = calendar.build_axis([HOURS, (time(8, 0), time(12, 0))])
    assert (axis.start, axis.end, axis.step) == (450, 1020, 15)  # 07.30 to 17.00
    assert axis.rows == 38
    assert axis.line(450) == 2 and axis.line(1020) == 40
    assert axis.line(0) == 2 and axis.line(1440) == 40  # clamped
    labels = axis.labels()
    assert labels[0].at == time(7, 30) and labels[0].row == 2 and labels[0].row_end == 4
    assert labels[-1].at == time(16, 30)


def test_axis_widens_to_show_bookings_outside_opening_hours():
    axis = calendar.build_axis([HOURS], [(6 * 60 + 10, 7 * 60), (20 * 60, 21 * 60 + 5)])
    assert (axis.start, axis.end) == (360, 1290)  # 06.00 to 21.30


def test_axis_without_rooms_uses_a_default_day():
    axis = calendar.build_axis([])
    assert (axis.start, axis.end) == (420, 1020)


# --- day view ---------------------------------------------------------------------------


def day_grid(day, rooms, bookings, now):
    return calendar.day_grid(day, rooms, bookings, zone=ZONE, now=now, hours=hours_of)


def test_day_grid_places_blocks_by_room_and_time():
    aula, kecil = make_room(1, "Aula"), make_room(2, "Ruang Kecil", colour="#ff0000")
    pillar = SimpleNamespace(code="PKH", colour="#2e7d32")
    meeting = make_booking(aula, local(MONDAY, 9), local(MONDAY, 10, 30), pillar=pillar)
    short = make_booking(kecil, local(MONDAY, 13, 15), local(MONDAY, 13, 30), status="pending")
    grid = day_grid(MONDAY, [aula, kecil], [meeting, short], now=noon(MONDAY - timedelta(days=3)))

    assert grid.kind == "day"
    assert [c.room for c in grid.columns] == [aula, kecil]
    assert [c.line for c in grid.columns] == [2, 3]
    (block,) = grid.columns[0].blocks
    assert block.booking is meeting
    # 09.00 is 6 rows of 15 minutes after 07.30; the first row starts at grid line 2
    assert (block.row_start, block.row_end) == (8, 14)
    assert block.style == "grid-row: 8 / 14; grid-column: 2; --pillar: #2e7d32"
    (other,) = grid.columns[1].blocks
    assert other.pending and other.colour == "#ff0000"
    assert (other.row_start, other.row_end) == (2 + 23, 2 + 24)
    assert grid.style == "--cols: 2; --rows: 38"
    assert grid.now_line is None


def test_day_grid_free_slots_link_the_gaps_in_half_hours():
    aula = make_room()
    bookings = [
        make_booking(aula, local(MONDAY, 9), local(MONDAY, 10, 30)),
        make_booking(aula, local(MONDAY, 11), local(MONDAY, 11, 15)),
    ]
    grid = day_grid(MONDAY, [aula], bookings, now=noon(MONDAY - timedelta(days=1)))
    slots = {(s.start_time, s.end_time) for s in grid.columns[0].slots}
    assert (time(7, 30), time(8, 0)) in slots
    assert (time(8, 30), time(9, 0)) in slots
    assert not any(time(9) <= start < time(10, 30) for start, _ in slots)
    assert (time(10, 30), time(11, 0)) in slots
    assert (time(11, 15), time(11, 30)) in slots  # the free part of a half-busy cell
    assert (time(16, 30), time(16, 45)) in slots  # up to closing time, not the axis end
    assert all(end <= time(16, 45) for _, end in slots)
    slot = next(s for s in grid.columns[0].slots if s.start_time == time(8, 30))
    assert slot.query == {"room_id": "1", "date": "2025-11-24", "start": "08:30", "end": "09:00"}
    assert slot.style == "grid-row: 6 / 8; grid-column: 2"


def test_day_grid_rooms_keep_their_own_hours():
    aula, pagi = make_room(1), make_room(2, "Pagi", hours=(time(8), time(12)))
    grid = day_grid(MONDAY, [aula, pagi], [], now=noon(MONDAY - timedelta(days=1)))
    starts = [s.start_time for s in grid.columns[1].slots]
    assert starts[0] == time(8) and grid.columns[1].slots[-1].end_time == time(12)


def test_day_grid_now_line_and_no_slots_in_the_past():
    aula = make_room()
    now = local(MONDAY, 10, 20)
    grid = day_grid(MONDAY, [aula], [], now=now)
    line = grid.now_line
    assert line is not None
    # 10.20 is in the row 10.15–10.30 (line 2 + 11), a third of the way down
    assert line.row == 13 and line.offset == pytest.approx(1 / 3)
    assert line.column == "2 / -1"
    assert line.style == "grid-row: 13; grid-column: 2 / -1; --offset: 0.333"
    assert grid.columns[0].is_today
    assert min(s.start_time for s in grid.columns[0].slots) == time(10, 30)


def test_day_grid_no_now_line_on_other_days_or_outside_the_hours():
    aula = make_room()
    assert day_grid(MONDAY, [aula], [], now=local(MONDAY - timedelta(days=1), 10)).now_line is None
    assert day_grid(MONDAY, [aula], [], now=local(MONDAY, 20)).now_line is None


def test_day_grid_past_days_have_no_free_slots():
    aula = make_room()
    grid = day_grid(MONDAY, [aula], [], now=local(MONDAY + timedelta(days=1), 8))
    assert grid.columns[0].slots == []


def test_day_grid_clips_bookings_across_midnight():
    aula = make_room()
    tuesday = MONDAY + timedelta(days=1)
    late = make_booking(aula, local(MONDAY, 22), local(tuesday, 2))
    now = noon(MONDAY - timedelta(days=1))

    monday = day_grid(MONDAY, [aula], [late], now=now)
    assert (monday.axis.start, monday.axis.end) == (450, 1440)
    (block,) = monday.blocks
    assert block.ends_after and not block.starts_before
    assert block.row_end == monday.axis.line(1440) == 2 + monday.axis.rows

    next_day = day_grid(tuesday, [aula], [late], now=now)
    assert next_day.axis.start == 0
    (block,) = next_day.blocks
    assert block.starts_before and not block.ends_after
    assert (block.row_start, block.row_end) == (2, 2 + 8)


def test_day_grid_leaves_out_rooms_not_shown():
    aula, other = make_room(1), make_room(2, "Lain")
    booking = make_booking(other, local(MONDAY, 9), local(MONDAY, 10))
    grid = day_grid(MONDAY, [aula], [booking], now=noon(MONDAY))
    assert grid.blocks == []


# --- lanes ------------------------------------------------------------------------------


def test_overlapping_blocks_sit_side_by_side():
    room = make_room()
    blocks = [
        calendar.Block(make_booking(room, noon(MONDAY), noon(MONDAY)), 2, 0, 1, "#000", span=s)
        for s in [(0, 60), (30, 90), (60, 120), (200, 210)]
    ]
    calendar.assign_lanes(blocks)
    assert [(b.lane, b.lanes) for b in blocks] == [(0, 2), (1, 2), (0, 2), (0, 1)]
    assert "--lane: 1; --lanes: 2" in blocks[1].style
    assert "--lane" not in blocks[3].style


# --- week view --------------------------------------------------------------------------


def test_week_days_are_monday_to_friday_plus_used_weekend_days():
    room = make_room()
    assert calendar.week_days(MONDAY, [], ZONE) == [MONDAY + timedelta(days=n) for n in range(5)]
    saturday = MONDAY + timedelta(days=5)
    booking = make_booking(room, local(saturday, 9), local(saturday, 10))
    assert calendar.week_days(MONDAY, [booking], ZONE)[-1] == saturday
    sunday = MONDAY + timedelta(days=6)
    assert calendar.week_days(sunday, [], ZONE)[-1] == sunday  # the day asked for


def test_week_grid_of_all_rooms_labels_rooms_and_has_no_slots():
    aula, kecil = make_room(1), make_room(2, "Kecil")
    wednesday = MONDAY + timedelta(days=2)
    bookings = [
        make_booking(aula, local(wednesday, 9), local(wednesday, 11)),
        make_booking(kecil, local(wednesday, 10), local(wednesday, 12)),
    ]
    grid = calendar.week_grid(
        wednesday, [aula, kecil], bookings, zone=ZONE, now=local(wednesday, 9, 5), hours=hours_of
    )
    assert grid.kind == "week" and grid.show_room and grid.room is None
    assert [c.day for c in grid.columns] == [MONDAY + timedelta(days=n) for n in range(5)]
    column = grid.columns[2]
    assert column.is_today
    assert [(b.lane, b.lanes) for b in column.blocks] == [(0, 2), (1, 2)]
    assert all(b.column == 4 for b in column.blocks)
    assert all(not c.slots for c in grid.columns)
    assert grid.now_line is not None and grid.now_line.column == "4"


def test_week_grid_of_one_room_links_free_slots():
    aula, kecil = make_room(1), make_room(2, "Kecil")
    bookings = [
        make_booking(aula, local(MONDAY, 9), local(MONDAY, 10)),
        make_booking(kecil, local(MONDAY, 9), local(MONDAY, 10)),
    ]
    grid = calendar.week_grid(
        MONDAY,
        [aula, kecil],
        bookings,
        zone=ZONE,
        now=local(MONDAY - timedelta(days=7), 9),
        hours=hours_of,
        room=aula,
    )
    assert grid.room is aula and not grid.show_room
    assert [b.booking.room for b in grid.blocks] == [aula]
    monday = grid.columns[0]
    assert monday.slots and all(s.room_id == aula.id for s in monday.slots)
    assert not any(time(9) <= s.start_time < time(10) for s in monday.slots)
    friday = grid.columns[4]
    assert len(friday.slots) == 19  # 07.30–16.45: 18 half hours and a quarter
    assert grid.now_line is None


# --- month view -------------------------------------------------------------------------


def test_month_grid_counts_bookings_per_day():
    room = make_room()
    day = date(2025, 11, 12)
    bookings = [
        make_booking(room, local(day, 9), local(day, 10)),
        make_booking(room, local(day, 13), local(day, 14), status="pending"),
        # across midnight: counted on both days
        make_booking(room, local(date(2025, 11, 20), 22), local(date(2025, 11, 21), 1)),
    ]
    grid = calendar.month_grid(day, bookings, zone=ZONE, today=date(2025, 11, 20))
    assert grid.month == date(2025, 11, 1)
    assert len(grid.weeks) == 5 and all(len(w) == 7 for w in grid.weeks)
    assert grid.weeks[0][0].day == date(2025, 10, 27) and not grid.weeks[0][0].in_month
    assert grid.weekdays[0].weekday() == 0
    cells = {c.day: c for week in grid.weeks for c in week}
    assert (cells[day].count, cells[day].pending) == (2, 1)
    assert cells[date(2025, 11, 20)].count == 1 and cells[date(2025, 11, 20)].is_today
    assert cells[date(2025, 11, 21)].count == 1
    assert cells[date(2025, 11, 13)].count == 0
    assert grid.total == 4


# --- front desk -------------------------------------------------------------------------


def test_desk_days_group_by_day_then_room():
    aula, kecil = make_room(1, "Aula"), make_room(2, "Kecil")
    tuesday = MONDAY + timedelta(days=1)
    late = make_booking(kecil, local(MONDAY, 22), local(tuesday, 1))
    early = make_booking(kecil, local(MONDAY, 8), local(MONDAY, 9))
    hall = make_booking(aula, local(MONDAY, 10), local(MONDAY, 11))
    days = calendar.desk_days([MONDAY, tuesday], [late, hall, early], ZONE)
    assert [d.day for d in days] == [MONDAY, tuesday]
    assert [(room.name, [b.id for b in items]) for room, items in days[0].rooms] == [
        ("Aula", [hall.id]),
        ("Kecil", [early.id, late.id]),
    ]
    assert days[0].count == 3
    assert [(room.name, [b.id for b in items]) for room, items in days[1].rooms] == [
        ("Kecil", [late.id])
    ]
