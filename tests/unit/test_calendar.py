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


def test_a_booking_ending_at_midnight_does_not_touch_the_next_day():
    room = make_room()
    booking = make_booking(room, local(MONDAY, 20), local(MONDAY + timedelta(days=1), 0))
    assert calendar.local_span(booking, MONDAY, ZONE) == (20 * 60, 1440)
    assert calendar.local_span(booking, MONDAY + timedelta(days=1), ZONE) is None


def test_an_entry_is_a_booking_in_office_time():
    row = (7, 1, local(MONDAY, 9), local(MONDAY, 10, 30), "pending", "Rapat", "PKH", "#2e7d32")
    entry = calendar.make_entry(row, ZONE)
    assert (entry.id, entry.room_id, entry.day) == (7, 1, MONDAY)
    assert (entry.start, entry.end) == (540, 630)
    assert entry.time_text == "09.00–10.30" and entry.start_text == "09.00"
    assert entry.pending and not entry.ends_after
    assert (entry.pillar_code, entry.pillar_colour) == ("PKH", "#2e7d32")
    english = calendar.make_entry(row, ZONE, ":")
    assert english.time_text == "09:00–10:30"


def test_an_entry_past_midnight_is_clipped_to_its_day():
    row = (
        1,
        1,
        local(MONDAY, 22),
        local(MONDAY + timedelta(days=1), 2),
        "approved",
        "X",
        None,
        None,
    )
    entry = calendar.make_entry(row, ZONE)
    assert entry.day == MONDAY and (entry.start, entry.end) == (1320, 1440)
    assert entry.ends_after and entry.pillar_colour is None


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


def entry(room, start: datetime, end: datetime, *, status="approved", pillar=None, title="Rapat"):
    code, colour = (pillar.code, pillar.colour) if pillar else (None, None)
    row = (next(_ids), room.id, start, end, status, title, code, colour)
    return calendar.make_entry(row, ZONE)


def day_grid(day, rooms, entries, now):
    return calendar.day_grid(day, rooms, entries, zone=ZONE, now=now, hours=hours_of)


def slots_of(column):
    return [(s.start_time, s.end_time) for s in column.items if s.is_slot]


def test_day_grid_places_blocks_by_room_and_time():
    aula, kecil = make_room(1, "Aula"), make_room(2, "Ruang Kecil")
    pillar = SimpleNamespace(code="PKH", colour="#2e7d32")
    meeting = entry(aula, local(MONDAY, 9), local(MONDAY, 10, 30), pillar=pillar)
    short = entry(kecil, local(MONDAY, 13, 15), local(MONDAY, 13, 30), status="pending")
    grid = day_grid(MONDAY, [aula, kecil], [meeting, short], now=noon(MONDAY - timedelta(days=3)))

    assert grid.kind == "day"
    assert [c.room for c in grid.columns] == [aula, kecil]
    assert [c.line for c in grid.columns] == [2, 3]
    (block,) = grid.columns[0].blocks
    assert block.entry is meeting
    # 09.00 is 6 rows of 15 minutes after 07.30; the first row starts at grid line 2
    assert (block.row_start, block.row_end) == (8, 14)
    assert block.style == "grid-area:8/2/14;--pillar:#2e7d32"
    (other,) = grid.columns[1].blocks
    assert other.entry.pending
    assert other.style == f"grid-area:{2 + 23}/3/{2 + 24}"  # no pillar: neutral
    assert grid.style == "--cols:2;--rows:38"
    assert grid.now_line is None


def test_day_grid_lists_blocks_and_free_stretches_in_time_order():
    aula = make_room()
    entries = [
        entry(aula, local(MONDAY, 9), local(MONDAY, 10, 30)),
        entry(aula, local(MONDAY, 11), local(MONDAY, 11, 15)),
    ]
    grid = day_grid(MONDAY, [aula], entries, now=noon(MONDAY - timedelta(days=1)))
    column = grid.columns[0]
    assert [item.is_slot for item in column.items] == [True, False, True, False, True]
    assert slots_of(column) == [
        (time(7, 30), time(9)),
        (time(10, 30), time(11)),
        (time(11, 15), time(16, 45)),  # up to closing time, not the axis end
    ]
    slot = column.items[0]
    assert slot.query == "room_id=1&date=2025-11-24&start=07:30&end=09:00"
    assert slot.style == "grid-area:2/2/8"
    assert (slot.start, slot.end) == (450, 540)


def test_free_stretches_skip_the_past_and_slivers():
    axis = calendar.build_axis([HOURS])
    busy = [(540, 600), (600, 610), (1000, 1005)]
    assert calendar.free_stretches(HOURS, busy, axis, not_before=500) == [(510, 540), (610, 1000)]
    assert calendar.free_stretches(HOURS, [], axis, not_before=calendar.DAY_MINUTES) == []


def test_day_grid_rooms_keep_their_own_hours():
    aula, pagi = make_room(1), make_room(2, "Pagi", hours=(time(8), time(12)))
    grid = day_grid(MONDAY, [aula, pagi], [], now=noon(MONDAY - timedelta(days=1)))
    assert slots_of(grid.columns[1]) == [(time(8), time(12))]


def test_day_grid_now_line_and_no_free_time_in_the_past():
    aula = make_room()
    now = local(MONDAY, 10, 20)
    grid = day_grid(MONDAY, [aula], [], now=now)
    line = grid.now_line
    assert line is not None
    # 10.20 is in the row 10.15–10.30 (line 2 + 11), a third of the way down
    assert line.row == 13 and line.offset == pytest.approx(1 / 3)
    assert line.column == "2/-1"
    assert line.style == "grid-row:13;grid-column:2/-1;--offset:0.333"
    assert grid.columns[0].is_today
    assert slots_of(grid.columns[0]) == [(time(10, 30), time(16, 45))]


def test_day_grid_no_now_line_on_other_days_or_outside_the_hours():
    aula = make_room()
    assert day_grid(MONDAY, [aula], [], now=local(MONDAY - timedelta(days=1), 10)).now_line is None
    assert day_grid(MONDAY, [aula], [], now=local(MONDAY, 20)).now_line is None


def test_day_grid_past_days_have_no_free_time():
    aula = make_room()
    grid = day_grid(MONDAY, [aula], [], now=local(MONDAY + timedelta(days=1), 8))
    assert slots_of(grid.columns[0]) == []


def test_day_grid_widens_for_a_booking_past_midnight():
    aula = make_room()
    late = entry(aula, local(MONDAY, 22), local(MONDAY + timedelta(days=1), 2))
    grid = day_grid(MONDAY, [aula], [late], now=noon(MONDAY - timedelta(days=1)))
    assert (grid.axis.start, grid.axis.end) == (450, 1440)
    (block,) = grid.blocks
    assert block.entry.ends_after
    assert block.row_end == grid.axis.line(1440) == 2 + grid.axis.rows


def test_day_grid_leaves_out_rooms_not_shown():
    aula, other = make_room(1), make_room(2, "Lain")
    booking = entry(other, local(MONDAY, 9), local(MONDAY, 10))
    grid = day_grid(MONDAY, [aula], [booking], now=noon(MONDAY))
    assert grid.blocks == []


# --- week views -------------------------------------------------------------------------


def test_week_days_are_monday_to_friday_plus_used_weekend_days():
    room = make_room()
    assert calendar.week_days(MONDAY, []) == [MONDAY + timedelta(days=n) for n in range(5)]
    saturday = MONDAY + timedelta(days=5)
    booking = entry(room, local(saturday, 9), local(saturday, 10))
    assert calendar.week_days(MONDAY, [booking])[-1] == saturday
    sunday = MONDAY + timedelta(days=6)
    assert calendar.week_days(sunday, [])[-1] == sunday  # the day asked for


def test_week_matrix_of_all_rooms_is_rooms_by_days():
    aula, kecil = make_room(1), make_room(2, "Kecil")
    wednesday = MONDAY + timedelta(days=2)
    late = entry(aula, local(wednesday, 13), local(wednesday, 14))
    early = entry(aula, local(wednesday, 9), local(wednesday, 11))
    small = entry(kecil, local(wednesday, 10), local(wednesday, 12))
    other_room = entry(make_room(3, "Tidak aktif"), local(MONDAY, 9), local(MONDAY, 10))
    week = calendar.week_matrix(
        wednesday, [aula, kecil], [late, early, small, other_room], today=wednesday
    )
    assert week.days == [MONDAY + timedelta(days=n) for n in range(5)]
    assert [row.room for row in week.rows] == [aula, kecil]
    assert week.rows[0].cells[2] == [early, late]  # by time
    assert week.rows[1].cells[2] == [small]
    assert all(cell == [] for n, cell in enumerate(week.rows[0].cells) if n != 2)
    assert week.count == 3 and week.today == wednesday


def test_week_grid_of_one_room_lists_free_stretches():
    aula, kecil = make_room(1), make_room(2, "Kecil")
    entries = [
        entry(aula, local(MONDAY, 9), local(MONDAY, 10)),
        entry(kecil, local(MONDAY, 9), local(MONDAY, 10)),
    ]
    grid = calendar.week_grid(
        MONDAY, aula, entries, zone=ZONE, now=local(MONDAY - timedelta(days=7), 9), hours=hours_of
    )
    assert grid.kind == "week" and grid.room is aula
    assert [b.entry.room_id for b in grid.blocks] == [aula.id]
    assert slots_of(grid.columns[0]) == [(time(7, 30), time(9)), (time(10), time(16, 45))]
    assert slots_of(grid.columns[4]) == [(time(7, 30), time(16, 45))]
    assert all(s.room_id == aula.id for c in grid.columns for s in c.items if s.is_slot)
    assert grid.now_line is None


def test_week_grid_now_line_in_todays_column():
    aula = make_room()
    wednesday = MONDAY + timedelta(days=2)
    grid = calendar.week_grid(
        wednesday, aula, [], zone=ZONE, now=local(wednesday, 9, 5), hours=hours_of
    )
    assert grid.columns[2].is_today
    assert grid.now_line is not None and grid.now_line.column == "4"


# --- month view -------------------------------------------------------------------------


def test_month_grid_shows_each_days_summary():
    room = make_room()
    day = date(2025, 11, 12)
    first = entry(room, local(day, 9), local(day, 10))
    summary = {
        day: calendar.DaySummary(count=5, pending=1, entries=(first,)),
        date(2025, 11, 20): calendar.DaySummary(count=1, pending=0),
    }
    grid = calendar.month_grid(day, summary, today=date(2025, 11, 20))
    assert grid.month == date(2025, 11, 1)
    assert len(grid.weeks) == 5 and all(len(w) == 7 for w in grid.weeks)
    assert grid.weeks[0][0].day == date(2025, 10, 27) and not grid.weeks[0][0].in_month
    assert grid.weekdays[0].weekday() == 0
    cells = {c.day: c for week in grid.weeks for c in week}
    assert (cells[day].count, cells[day].pending, cells[day].entries) == (5, 1, (first,))
    assert cells[day].more == 4
    assert cells[date(2025, 11, 20)].is_today and cells[date(2025, 11, 20)].count == 1
    assert cells[date(2025, 11, 13)].count == 0
    assert grid.total == 6


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
