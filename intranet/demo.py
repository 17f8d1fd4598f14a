"""The demo office: pillars and one account per role, seeded into an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from intranet.auth import services
from intranet.auth.models import Pillar, Role, User
from intranet.core import meta
from intranet.core.db import write_transaction
from intranet.extensions import db

DEMO_PASSWORD = "demo12345"  # noqa: S105 (documented demo password, demo mode only)

PILLARS = [
    (
        "TKSK",
        "Tenaga Kesejahteraan Sosial Kecamatan",
        "#1565c0",
        "Satu per kecamatan, membantu penyelenggaraan program kesejahteraan sosial.",
    ),
    (
        "PKH",
        "Pendamping Program Keluarga Harapan",
        "#2e7d32",
        "Pendamping program bantuan tunai bersyarat.",
    ),
    (
        "PSM",
        "Pekerja Sosial Masyarakat",
        "#6a1b9a",
        "Relawan pekerja sosial masyarakat; memvalidasi data PPKS (asosiasi: IPSM).",
    ),
    ("KT", "Karang Taruna", "#ef6c00", "Organisasi sosial pemuda desa/kelurahan."),
    (
        "TAGANA",
        "Taruna Siaga Bencana",
        "#c62828",
        "Relawan sosial penanggulangan bencana: dapur umum, tempat pengungsian.",
    ),
    (
        "LK3",
        "Lembaga Konsultasi Kesejahteraan Keluarga",
        "#00838f",
        "Konseling dan rujukan keluarga.",
    ),
    (
        "LKS",
        "Lembaga Kesejahteraan Sosial",
        "#5d4037",
        "Organisasi kesejahteraan sosial masyarakat (payung: LKKS).",
    ),
    (
        "SLRT",
        "Sistem Layanan dan Rujukan Terpadu / Puskesos",
        "#283593",
        "Layanan rujukan dan pengaduan terpadu.",
    ),
    (
        "SAKTI",
        "Satuan Bakti Pekerja Sosial",
        "#ad1457",
        "Pekerja sosial profesional, perlindungan anak.",
    ),
    (
        "CSR",
        "Forum CSR Kesejahteraan Sosial",
        "#455a64",
        "Forum tanggung jawab sosial dunia usaha.",
    ),
]

# username, full name, role, pillar code
ACCOUNTS = [
    ("admin", "Administrator Kantor Bersama", Role.ADMIN, None),
    ("resepsionis", "Siti Rahmawati", Role.RECEPTIONIST, None),
    ("sekretaris.tksk", "Muhammad Rizki", Role.SECRETARY, "TKSK"),
    ("sekretaris.tagana", "Teuku Fadli", Role.SECRETARY, "TAGANA"),
    ("pengurus.barang", "Nurul Hidayah", Role.ASSET_KEEPER, None),
    ("staf", "Dewi Lestari", Role.STAFF, "PSM"),
]

# More colleagues, so lists and counts look like a real office.
COLLEAGUES = [
    ("cut.nyak", "Cut Nyak Meutia", "PKH"),
    ("zulfikar", "Zulfikar Ahmad", "PKH"),
    ("rahmat.hidayat", "Rahmat Hidayat", "TKSK"),
    ("intan.permata", "Intan Permata Sari", "KT"),
    ("fajar.nugraha", "Fajar Nugraha", "KT"),
    ("maulida", "Maulida Husna", "LK3"),
    ("syahrul", "Syahrul Ramadhan", "TAGANA"),
    ("yusnidar", "Yusnidar", "LKS"),
    ("hendra.gunawan", "Hendra Gunawan", "SLRT"),
    ("ayu.wulandari", "Ayu Wulandari", "SAKTI"),
    ("bambang.s", "Bambang Sutrisno", "CSR"),
    ("rini.marlina", "Rini Marlina", "PSM"),
]


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed_demo_office() -> list[tuple[str, str]]:
    """Create the demo office; returns (username, role label) of the demo accounts."""
    with write_transaction():
        return _seed()


def _seed() -> list[tuple[str, str]]:
    pillars: dict[str, Pillar] = {}
    for code, name, colour, description in PILLARS:
        pillars[code] = services.create_pillar(
            code=code, name=name, colour=colour, description=description, actor=None
        )
    for username, full_name, role, pillar_code in ACCOUNTS:
        services.create_user(
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=role.value,
            pillar_id=pillars[pillar_code].id if pillar_code else None,
            email=f"{username}@kantorbersama.example",
            actor=None,
        )

    for username, full_name, pillar_code in COLLEAGUES:
        services.create_user(
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            role=Role.STAFF.value,
            pillar_id=pillars[pillar_code].id,
            actor=None,
        )
    _seed_rooms_and_bookings(pillars)
    meta.put(meta.DEMO_KEY, "1")
    return demo_accounts()


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


def _seed_rooms_and_bookings(pillars: dict[str, Pillar]) -> None:
    """Four rooms and a realistic month of bookings: weekly series, some pending."""
    import random
    from datetime import time, timedelta

    from intranet.bookings import services as booking_services
    from intranet.bookings.recurrence import Recurrence
    from intranet.core.formatting import local_today

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
    users = {u.username: u for u in db.session.scalars(select(User))}
    today = local_today()
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
        booking_services.create_series(
            users[username],
            request,
            Recurrence("weekly", weekdays=(weekday,), count=8),
            now=when(first),
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
    from intranet.bookings import services as booking_services

    try:
        return booking_services.create_booking(user, request, now=now)
    except booking_services.BookingRejected:
        return None


def demo_accounts() -> list[tuple[str, str]]:
    """(username, role label) of the demo accounts, one per role."""
    return [
        (username, str(services.ROLE_LABELS[role.value])) for username, _n, role, _p in ACCOUNTS
    ]
