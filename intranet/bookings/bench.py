"""Rooms and five years of bookings for the large office of ``make bench``.

Twelve rooms; on every working day each room gets a few bookings packed between opening
and closing (never overlapping), weekly series that run for a quarter, and one planted
busy day (every room booked five times) a few weeks back. History is generated backwards
from a few months ahead until the scaled target (50,000 at scale 1) is reached, each day's
choices seeded by the date, so scale 0.1 is the same recent half year with less behind it.
Past bookings are mostly approved, some cancelled or rejected; future ones partly pending.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from intranet.bookings.models import Booking, BookingSeries, Room
from intranet.bookings.services import local_day_bounds, to_utc
from intranet.core.audit import AuditEntry
from intranet.core.features import BenchContext, BenchOffice, BenchPage, bench_pages, bench_seeder
from intranet.core.formatting import to_local
from intranet.extensions import db

BOOKINGS = 50_000
DAYS_AHEAD = 120  # the book reaches this far into the future
BUSY_DAY_BACK = 21  # the planted busy day: about three weeks before the data was made
OPENS, CLOSES = 7 * 60 + 30, 16 * 60 + 45  # minutes after midnight
BUSY_SLOTS = [(450, 540), (540, 630), (630, 720), (780, 870), (870, 960)]

ROOMS = [
    # name, location, capacity, colour, needs approval
    ("Aula", "Lantai 1", 150, "#6d4c41", True),
    ("Aula Kecil", "Lantai 1", 60, "#8d6e63", True),
    ("Ruang Rapat 1", "Lantai 2", 20, "#00897b", False),
    ("Ruang Rapat 2", "Lantai 2", 12, "#3949ab", False),
    ("Ruang Rapat 3", "Lantai 2", 12, "#5e35b1", False),
    ("Ruang Rapat 4", "Lantai 3", 16, "#00695c", False),
    ("Ruang Pelatihan 1", "Lantai 3", 40, "#8e24aa", True),
    ("Ruang Pelatihan 2", "Lantai 3", 30, "#6a1b9a", True),
    ("Ruang Konseling", "Lantai 1", 6, "#0277bd", False),
    ("Ruang Posko Tagana", "Lantai 1", 25, "#c62828", False),
    ("Ruang Puskesos", "Lantai 1", 10, "#283593", False),
    ("Ruang Kerja Bersama", "Lantai 2", 30, "#455a64", False),
]

TITLES = {
    "TKSK": ["Rapat koordinasi TKSK", "Bimbingan teknis TKSK", "Evaluasi penyaluran bansos"],
    "PKH": ["Rapat koordinasi PKH", "Pertemuan kelompok P2K2", "Verifikasi komitmen KPM"],
    "PSM": ["Validasi data PPKS", "Rapat pengurus IPSM", "Pendataan lansia terlantar"],
    "KT": ["Pembinaan Karang Taruna", "Rapat kerja Karang Taruna", "Pelatihan kewirausahaan"],
    "TAGANA": ["Apel dan briefing Tagana", "Simulasi dapur umum", "Evaluasi posko bencana"],
    "LK3": ["Konseling keluarga", "Pertemuan kasus LK3", "Supervisi konselor"],
    "LKS": ["Rapat pengurus LKKS", "Akreditasi LKS", "Sosialisasi perizinan LKS"],
    "SLRT": ["Evaluasi layanan Puskesos", "Rapat rujukan terpadu", "Penanganan pengaduan"],
    "SAKTI": ["Case conference perlindungan anak", "Supervisi Peksos", "Asesmen kasus anak"],
    "CSR": ["Audiensi Forum CSR", "Rapat program CSR", "Penandatanganan kerja sama"],
}
OFFICE_TITLES = ["Rapat Dinas Sosial", "Sosialisasi program", "Rapat lintas pilar"]
DURATIONS = [60, 60, 90, 90, 120, 120, 150, 180]
GAPS = [0, 0, 0, 15, 30, 30, 60]


def _day_rng(seed: int, salt: int, day: date) -> random.Random:
    return random.Random(seed * 1_000_003 + salt * 7_919 + day.toordinal())  # noqa: S311


def _quarter(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


@dataclass(frozen=True)
class SeriesRule:
    key: tuple[int, int]  # (quarter, room index)
    weekday: int
    start: int
    end: int
    booker: tuple[int, str, int | None]


class _Generator:
    def __init__(self, office: BenchOffice, room_ids: list[int]) -> None:
        self.office = office
        self.room_ids = room_ids
        self.approval = [approval for *_rest, approval in ROOMS]
        self.front_desk = [u for u in office.users if u[1] in ("receptionist", "admin")]
        self.bookers = [u for u in office.users if u[1] in ("staff", "secretary")]
        self.codes = {pid: code for code, pid in office.pillars.items()}
        self.series: dict[tuple[int, int], SeriesRule | None] = {}
        self.used_series: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def series_rule(self, quarter: int, room: int) -> SeriesRule | None:
        """About a third of the rooms hold a weekly meeting through each quarter."""
        key = (quarter, room)
        if key not in self.series:
            rng = random.Random(self.office.seed * 31 + quarter * 101 + room)  # noqa: S311
            rule = None
            if rng.random() < 0.35:
                start = rng.choice([480, 540, 600, 780, 840])
                secretaries = [u for u in self.bookers if u[1] == "secretary"]
                rule = SeriesRule(
                    key,
                    rng.randrange(5),
                    start,
                    start + rng.choice([90, 120]),
                    rng.choice(secretaries),
                )
            self.series[key] = rule
        return self.series[key]

    def day(self, day: date, today: date) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        if day.weekday() >= 5:
            rng = _day_rng(self.office.seed, 99, day)
            if rng.random() < 0.1:  # a Saturday event in the hall now and then
                rows.append(self.row(rng, day, 0, 480, 720, today, self.pick_booker(rng)))
            return rows
        busy = day == today - timedelta(days=BUSY_DAY_BACK)
        for index in range(len(self.room_ids)):
            rng = _day_rng(self.office.seed, index, day)
            if busy:
                for start, end in BUSY_SLOTS:
                    row = self.row(rng, day, index, start, end, today, self.pick_booker(rng))
                    if row["status"] in ("cancelled", "rejected"):
                        row.update(status="approved", status_reason="")
                    rows.append(row)
                continue
            taken: list[tuple[int, int]] = []
            rule = self.series_rule(_quarter(day), index)
            if rule is not None and rule.weekday == day.weekday():
                row = self.row(rng, day, index, rule.start, rule.end, today, rule.booker)
                row["_series"] = rule.key
                rows.append(row)
                taken.append((rule.start, rule.end))
            wanted = rng.choice([2, 3, 3, 4, 4, 4, 5, 5])
            cursor = OPENS
            while wanted > 0:
                start = cursor + rng.choice(GAPS)
                end = start + rng.choice(DURATIONS)
                if end > CLOSES:
                    break
                clash = next((t for t in taken if t[0] < end and start < t[1]), None)
                if clash is not None:
                    cursor = clash[1]
                    continue
                rows.append(self.row(rng, day, index, start, end, today, self.pick_booker(rng)))
                taken.append((start, end))
                cursor, wanted = end, wanted - 1
        return rows

    def pick_booker(self, rng: random.Random) -> tuple[int, str, int | None]:
        if rng.random() < 0.3:
            return rng.choice(self.front_desk)
        return rng.choice(self.bookers)

    def row(
        self,
        rng: random.Random,
        day: date,
        room: int,
        start: int,
        end: int,
        today: date,
        booker: tuple[int, str, int | None],
    ) -> dict[str, Any]:
        user_id, role, own_pillar = booker
        if role == "secretary" or (role == "staff" and rng.random() < 0.3):
            pillar_id = own_pillar
        elif role in ("receptionist", "admin") and rng.random() < 0.8:
            pillar_id = rng.choice(list(self.codes))
        else:
            pillar_id = None
        code = self.codes.get(pillar_id) if pillar_id else None
        title = rng.choice(TITLES.get(code or "", OFFICE_TITLES))
        start_at = to_utc(day, time(start // 60, start % 60))
        end_at = to_utc(day, time(end // 60, end % 60))
        created_at = start_at - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
        roll = rng.random()
        if day < today:
            status = "approved" if roll < 0.92 else ("cancelled" if roll < 0.97 else "rejected")
        elif self.approval[room] and day <= today + timedelta(days=30) and roll < 0.4:
            status = "pending"  # the front desk decides within days
        else:
            status = "approved" if roll < 0.95 else "cancelled"
        decided = status != "pending"
        reason = {
            "cancelled": "Acara diundur oleh penyelenggara.",
            "rejected": "Ruangan dipakai untuk acara Dinas.",
        }.get(status, "")
        return {
            "room_id": self.room_ids[room],
            "series_id": None,
            "booked_by_id": user_id,
            "pillar_id": pillar_id,
            "title": title,
            "purpose": "",
            "attendees": rng.randint(4, 12 if room in (3, 4, 8, 10) else 40),
            "phone": "0812-6000-1234",
            "start_at": start_at,
            "end_at": end_at,
            "day": day,
            "status": status,
            "status_reason": reason,
            "decided_by_id": self.front_desk[0][0] if decided else None,
            "decided_at": created_at + timedelta(hours=3) if decided else None,
            "override_reason": "",
            "created_at": created_at,
            "updated_at": created_at + timedelta(hours=3) if decided else created_at,
        }


@bench_seeder("bookings", order=10)
def seed(office: BenchOffice) -> None:
    db.session.execute(
        insert(Room),
        [
            {
                "name": name,
                "location": location,
                "capacity": capacity,
                "facilities": "Meja, kursi, proyektor",
                "colour": colour,
                "needs_approval": approval,
                "active": True,
            }
            for name, location, capacity, colour, approval in ROOMS
        ],
    )
    room_ids = list(db.session.scalars(select(Room.id).order_by(Room.id)))
    office.extra["rooms"] = room_ids
    target = round(BOOKINGS * office.scale)
    generator = _Generator(office, room_ids)
    today = office.today
    day = today + timedelta(days=DAYS_AHEAD)
    rows: list[dict[str, Any]] = []
    while len(rows) < target:
        rows.extend(generator.day(day, today))
        day -= timedelta(days=1)
    rows.sort(key=lambda r: (r["start_at"], r["room_id"]))
    rows = rows[len(rows) - target :]  # the oldest day may be cut short

    series_ids: dict[tuple[int, int], int] = {}
    for row in rows:
        key = row.pop("_series", None)
        if key is None:
            continue
        if key not in series_ids:
            rule = generator.series[key]
            assert rule is not None
            first = row["start_at"].astimezone(UTC)
            series = BookingSeries(
                room_id=row["room_id"],
                booked_by_id=rule.booker[0],
                frequency="weekly",
                interval=1,
                weekdays=str(rule.weekday),
                first_date=first.date(),
                count=13,
                start_time=time(rule.start // 60, rule.start % 60),
                end_time=time(rule.end // 60, rule.end % 60),
                created_at=row["created_at"],
            )
            db.session.add(series)
            db.session.flush()
            series_ids[key] = series.id
        row["series_id"] = series_ids[key]
    for number, row in enumerate(rows, start=1):
        row["id"] = number
    for chunk in range(0, len(rows), 5_000):
        db.session.execute(insert(Booking), rows[chunk : chunk + 5_000])
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "at": row["created_at"],
                "user_id": row["booked_by_id"],
                "username": "",
                "address": "127.0.0.1",
                "action": "booking.create",
                "object_type": "booking",
                "object_id": str(row["id"]),
                "summary": row["title"],
                "changes": None,
            }
            for row in rows
        ],
    )


# --- the pages -----------------------------------------------------------------------------


@bench_pages("bookings", order=10)
def pages(context: BenchContext) -> list[BenchPage]:
    today = context.today
    start = local_day_bounds(today - timedelta(days=365))[0]
    counts: dict[date, int] = {}
    for (start_at,) in db.session.execute(
        select(Booking.start_at).where(
            Booking.start_at >= start, Booking.status.in_(("pending", "approved"))
        )
    ):
        day = to_local(start_at).date()
        counts[day] = counts.get(day, 0) + 1
    busy = max(counts, key=lambda d: (counts[d], d))
    room_id = db.session.scalar(select(Room.id).order_by(Room.id))
    day_start, day_end = local_day_bounds(busy)
    booking_id = db.session.scalar(
        select(Booking.id)
        .where(Booking.start_at >= day_start, Booking.start_at < day_end)
        .order_by(Booking.start_at, Booking.id)
    )
    pillar_id = db.session.scalar(select(func.min(Booking.pillar_id)))
    series_id = db.session.scalar(
        select(Booking.series_id).where(Booking.series_id.is_not(None)).order_by(Booking.id.desc())
    )
    token = context.user.calendar_token
    iso = busy.isoformat()

    def url(path: str, **query: Any) -> str:
        return f"{path}?{urlencode(query)}" if query else path

    check = {
        "room_id": room_id,
        "date": iso,
        "start": "10:00",
        "end": "11:00",
        "title": "Rapat",
        "hours_shown": "00:00-23:45",  # the front desk's time selects, already on the page
    }
    return [
        BenchPage("today", "/"),
        BenchPage(
            "calendar day (all rooms)",
            url("/bookings/calendar", date=iso),
            "grid",
            max_bytes=35_000,
        ),
        BenchPage(
            "calendar week (one room)",
            url("/bookings/calendar", date=iso, view="week", room=room_id),
            "grid",
        ),
        BenchPage(
            "calendar week (all rooms)", url("/bookings/calendar", date=iso, view="week"), "grid"
        ),
        BenchPage("calendar month", url("/bookings/calendar", date=iso, view="month"), "grid"),
        BenchPage(
            "calendar day (fragment)",
            url("/bookings/calendar", date=iso),
            "grid",
            htmx=True,
            max_bytes=35_000,
            target="calendar",
        ),
        BenchPage("my bookings", "/bookings/"),
        BenchPage(
            "all bookings, filtered",
            url("/bookings/", who="all", pillar=pillar_id, status="approved", **{"from": ""}),
        ),
        BenchPage("approval queue", "/bookings/approvals"),
        BenchPage("room page", f"/rooms/{room_id}"),
        BenchPage("booking page", f"/bookings/{booking_id}"),
        BenchPage("series page", f"/bookings/series/{series_id}"),
        BenchPage("live check (fragment)", url("/bookings/check", **check), "fragment", htmx=True),
        BenchPage("approvals badge (fragment)", "/bookings/approvals/badge", "fragment", htmx=True),
        BenchPage("my iCal feed", url("/bookings/feed.ics", token=token), "feed"),
        BenchPage("room iCal feed", url(f"/rooms/{room_id}/calendar.ics", token=token), "feed"),
    ]
