"""The demo office's rooms and six weeks of bookings around today."""

from __future__ import annotations

import random
from datetime import time, timedelta

from intranet.bookings import services as booking_services
from intranet.bookings.recurrence import Recurrence
from intranet.core.features import DemoOffice, demo_seeder
from intranet.extensions import db

ROOMS = [
    # name, location, capacity, facilities, colour, needs approval
    ("Aula", "Lantai 1", 150, "Panggung, pengeras suara, proyektor, 150 kursi", "#6d4c41", True),
    ("Ruang Rapat 1", "Lantai 2", 20, "Meja rapat, TV 55 inci, papan tulis", "#00897b", False),
    ("Ruang Rapat 2", "Lantai 2", 12, "Meja rapat, proyektor", "#3949ab", False),
    ("Ruang Pelatihan", "Lantai 3", 40, "Meja kelas, proyektor, 20 laptop", "#8e24aa", True),
]

EVENTS = [
    ("Rapat koordinasi PKH kecamatan", "PKH"),
    ("Validasi data PPKS", "PSM"),
    ("Pembinaan Karang Taruna", "KT"),
    ("Simulasi dapur umum", "TAGANA"),
    ("Konseling keluarga: pertemuan kasus", "LK3"),
    ("Rapat pengurus LKKS", "LKS"),
    ("Evaluasi layanan rujukan Puskesos", "SLRT"),
    ("Case conference perlindungan anak", "SAKTI"),
    ("Audiensi Forum CSR", "CSR"),
    ("Bimbingan teknis TKSK", "TKSK"),
]


@demo_seeder("bookings", order=10)
def seed_rooms_and_bookings(office: DemoOffice) -> None:
    """Four rooms and a realistic month of bookings: weekly series, some pending."""
    pillars, users, today = office.pillars, office.users, office.today
    rooms = {}
    for name, location, capacity, facilities, colour, approval in ROOMS:
        rooms[name] = booking_services.create_room(
            booking_services.RoomData(
                name=name,
                location=location,
                capacity=capacity,
                facilities=facilities,
                colour=colour,
                needs_approval=approval,
            ),
            actor=None,
        )
    db.session.flush()
    office.extra["rooms"] = rooms
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(days=14)

    def when(day):
        return booking_services.to_utc(day, time(6, 0)) - timedelta(days=3)

    def book(user, room, day, begin, end, title, pillar=None, attendees=8, **extra):
        request = booking_services.BookingRequest(
            room_id=rooms[room].id,
            day=day,
            start=begin,
            end=end,
            title=title,
            pillar_id=pillars[pillar].id if pillar else None,
            attendees=attendees,
            phone=user.phone or "0812-6000-1234",
            purpose=extra.get("purpose", ""),
        )
        return _book_quietly(user, request, when(day))

    # Weekly coordination meetings: the office's bread and butter.
    series_rules = [
        (
            "sekretaris.tksk",
            "Ruang Rapat 1",
            0,
            time(9, 0),
            time(11, 0),
            "Rapat koordinasi mingguan TKSK",
            "TKSK",
            15,
        ),
        (
            "sekretaris.tagana",
            "Ruang Rapat 2",
            3,
            time(13, 30),
            time(15, 0),
            "Apel dan briefing Tagana",
            "TAGANA",
            10,
        ),
    ]
    for username, room, weekday, begin, end, title, pillar, people in series_rules:
        first = start + timedelta(days=weekday)
        request = booking_services.BookingRequest(
            room_id=rooms[room].id,
            day=first,
            start=begin,
            end=end,
            title=title,
            pillar_id=pillars[pillar].id,
            attendees=people,
            phone="0812-6000-1234",
        )
        # Tagana's fifth briefing falls on a holiday: skipped when the series was booked.
        skip = {first + timedelta(weeks=4)} if pillar == "TAGANA" else set()
        _series, dates = booking_services.create_series(
            users[username],
            request,
            Recurrence("weekly", weekdays=(weekday,), count=8),
            skip=skip,
            now=when(first),
        )
        if pillar == "TKSK":  # one meeting gave way to the Dinas's own
            booking_services.cancel(
                users["resepsionis"], dates[5].id, "Ruang dipakai rapat dinas provinsi."
            )
    # One-off bookings on working days, some waiting for approval.
    rng = random.Random(2025)  # noqa: S311 (demo data, not security)
    bookers = [u for u in users.values() if u.role == "staff"] + [users["sekretaris.tksk"]]
    slots = [(time(8, 0), time(10, 0)), (time(10, 0), time(12, 0)), (time(13, 0), time(15, 30))]
    for offset in range(42):
        day = start + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for room in rng.sample(list(rooms), k=2):
            begin, end = rng.choice(slots)
            user = rng.choice(bookers)
            code = user.pillar.code if user.pillar else None
            own = [title for title, event_code in EVENTS if event_code == code]
            title = own[0] if own else rng.choice(EVENTS)[0]
            # Secretaries book for their pillar; staff ask in person (no pillar) or the
            # front desk writes a pillar's paper request into the book.
            pillar = code if user.role != "staff" else None
            if user.role == "staff" and rng.random() < 0.4:
                user, pillar = users["resepsionis"], code
            people = rng.randint(4, min(rooms[room].capacity, 60))
            booking = book(user, room, day, begin, end, title, pillar, people)
            if booking is None or booking.status != "pending" or day >= today:
                continue
            # Past requests were decided long ago.
            booking.status = "approved"
            booking.decided_by_id = users["resepsionis"].id
    # A cancelled and a rejected one, so every state shows.
    later = today + timedelta(days=(7 - today.weekday()) % 7 + 2)
    cancelled = book(
        users["staf"], "Ruang Rapat 2", later, time(15, 30), time(16, 30), "Rapat kecil PSM"
    )
    if cancelled:
        cancelled.status, cancelled.status_reason = "cancelled", "Acara diundur ke minggu depan."
    rejected = book(users["cut.nyak"], "Aula", later, time(8, 0), time(9, 0), "Sosialisasi PKH")
    if rejected:
        rejected.status, rejected.status_reason = "rejected", "Aula dipakai untuk acara Dinas."


def _book_quietly(user, request, now):
    """Book inside the running transaction, skipping slots already taken."""
    try:
        return booking_services.create_booking(user, request, now=now)
    except booking_services.BookingRejected:
        return None
