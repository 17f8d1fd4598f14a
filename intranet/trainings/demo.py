"""The demo office's trainings: finished ones with attendance and certificates, and
upcoming ones of several pillars (one full, with a waitlist; one still a draft)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from intranet.bookings import services as booking_services
from intranet.core.features import DemoOffice, demo_seeder
from intranet.extensions import db
from intranet.trainings import services
from intranet.trainings.models import Attendance, Registration

GUESTS = [
    ("Abdul Wahab", "TKSK", "Kec. Kuta Alam", "0812-6911-2301"),
    ("Nurhayati", "PSM", "Kec. Baiturrahman", "0813-6020-4412"),
    ("Teuku Ridwan", "TAGANA", "Kab. Aceh Besar", "0852-7734-1190"),
    ("Cut Rahmah", "PKH", "Kec. Syiah Kuala", "0811-6801-5523"),
    ("Muhammad Iqbal", "KT", "Desa Lamteumen", "0822-6655-7001"),
    ("Rosmawati", "LKS", "LKS Bina Insani", "0813-7702-3390"),
    ("Zainal Abidin", "TKSK", "Kec. Ulee Kareng", "0812-6123-8804"),
    ("Fitriani", "SLRT", "Puskesos Banda Raya", "0852-6090-1212"),
    ("Safrizal", "TAGANA", "Kab. Pidie", "0821-6612-4477"),
    ("Mariani", "PSM", "Kec. Meuraxa", "0813-6033-9081"),
    ("Husaini", "KT", "Desa Lambaro Skep", "0812-6900-3345"),
    ("Dahlia", "LK3", "Kec. Lueng Bata", "0811-6892-0066"),
    ("Ikhsan Maulana", "PKH", "Kec. Jaya Baru", "0853-6120-7781"),
    ("Yuliana", "SAKTI", "Kab. Aceh Jaya", "0812-6677-0129"),
]

TRAININGS = [
    # (organiser's secretary or admin, pillar, title, days from today, sessions, room or
    #  place, capacity, status, for all, targets, description)
    (
        "sekretaris.tagana",
        "TAGANA",
        "Pelatihan Dapur Umum Lapangan",
        -40,
        [
            (time(8, 30), time(12, 0), "Manajemen logistik dapur umum"),
            (time(13, 0), time(15, 30), "Praktik memasak massal"),
        ],
        "Aula",
        40,
        "finished",
        False,
        ["TAGANA", "KT", "PSM"],
        "Pelatihan untuk relawan yang bertugas di **dapur umum** saat bencana:\n\n"
        "- perencanaan menu dan logistik untuk 500 porsi\n- kebersihan dan keamanan pangan\n"
        "- praktik langsung dengan peralatan Tagana",
    ),
    (
        "sekretaris.tksk",
        "TKSK",
        "Bimbingan Teknis Penyaluran Bansos Non-Tunai",
        -18,
        [(time(9, 0), time(12, 0), "Regulasi dan alur penyaluran")],
        "Ruang Pelatihan",
        30,
        "finished",
        True,
        [],
        "Bimtek bagi TKSK dan pendamping tentang **penyaluran bansos non-tunai**, "
        "verifikasi KPM dan penanganan pengaduan.",
    ),
    (
        "sekretaris.tksk",
        "TKSK",
        "Pelatihan Pendataan DTKS untuk TKSK dan PSM",
        9,
        [
            (time(9, 0), time(12, 0), "Konsep DTKS dan instrumen"),
            (time(13, 0), time(15, 0), "Praktik aplikasi SIKS-NG"),
        ],
        "Ruang Pelatihan",
        25,
        "published",
        False,
        ["TKSK", "PSM"],
        "Pelatihan dua sesi tentang pemutakhiran **Data Terpadu Kesejahteraan Sosial**.\n\n"
        "Bawa laptop dan akun SIKS-NG masing-masing.",
    ),
    (
        "sekretaris.tagana",
        "TAGANA",
        "Simulasi Tanggap Darurat Gempa dan Tsunami",
        16,
        [(time(8, 0), time(11, 30), "Evakuasi dan shelter sementara")],
        "Lapangan Blang Padang, Banda Aceh",
        12,
        "published",
        True,
        [],
        "Simulasi lapangan bersama BPBD. Peserta memakai **seragam lapangan** dan sepatu.",
    ),
    (
        "admin",
        "LK3",
        "Konseling Keluarga: Teknik Wawancara Motivasional",
        23,
        [(time(9, 0), time(12, 0), "Dasar wawancara motivasional")],
        "Ruang Rapat 1",
        20,
        "published",
        True,
        [],
        "Untuk konselor LK3, pendamping PKH dan Sakti Peksos.",
    ),
    (
        "sekretaris.tksk",
        "TKSK",
        "Penguatan Kapasitas TKSK Semester II",
        45,
        [(time(9, 0), time(15, 0), "Evaluasi dan rencana kerja")],
        "Aula",
        60,
        "draft",
        False,
        ["TKSK"],
        "Draf: materi masih disusun.",
    ),
]


def _working_day(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@demo_seeder("trainings", order=30)
def seed_trainings(office: DemoOffice) -> None:
    rooms = office.extra.get("rooms", {})
    users, pillars, today = office.users, office.pillars, office.today
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    staff = [u for u in users.values() if u.role == "staff"]
    for (
        organiser,
        code,
        title,
        offset,
        sessions,
        place,
        capacity,
        status,
        for_all,
        targets,
        description,
    ) in TRAININGS:
        actor = users[organiser]
        first = _working_day(today + timedelta(days=offset))
        created_at = datetime.combine(first, time(6), tzinfo=UTC) - timedelta(days=21)
        training = services.create_training(
            actor,
            services.TrainingData(
                title=title,
                organiser_pillar_id=pillars[code].id,
                capacity=capacity,
                description=description,
                for_all_pillars=for_all,
                target_ids=[pillars[t].id for t in targets],
                facilitators="Drs. Hasanuddin, M.Si — Dinas Sosial Aceh\n"
                "Rina Safitri, S.Sos — " + pillars[code].name,
                contact_name=actor.full_name,
                contact_phone="0812-6000-" + str(4000 + offset % 1000),
                certificate_threshold=len(sessions),
            ),
        )
        for begin, end, topic in sessions:
            _add_session(actor, training, rooms, place, first, begin, end, topic, created_at)
            if len(sessions) > 1 and status != "finished":
                first = _working_day(first + timedelta(days=1))
        if status == "draft":
            continue
        _approve_bookings(training, users["resepsionis"], today)
        services.publish(actor, training.id)
        # Registration: colleagues and guests, some early; the Tagana field exercise fills
        # up and has a waitlist.
        people = rng.sample(staff, k=min(len(staff), capacity // 2 + 2))
        when = created_at + timedelta(days=1)
        for person in people:
            if not training.for_all_pillars and person.pillar_id not in {
                p.id for p in training.targets
            }:
                continue
            when += timedelta(hours=3)
            services.register_self(person, training.id, now=when)
        guests = GUESTS if capacity <= 12 else rng.sample(GUESTS, k=min(len(GUESTS), capacity // 3))
        for name, pillar_code, origin, phone in guests:
            when += timedelta(hours=2)
            services.register_guest(
                actor,
                training.id,
                services.GuestData(
                    name=name, pillar_id=pillars[pillar_code].id, origin=origin, phone=phone
                ),
                confirm_duplicate=True,
                now=when,
            )
        if status == "finished":
            _attend(training, actor, rng)
            _finish_in_past(actor, training)


def _approve_bookings(training, desk, today) -> None:
    """The front desk approved the rooms of published trainings (past ones long ago)."""
    for session in training.sessions:
        booking = session.booking
        if booking is None or booking.status != "pending":
            continue
        if session.day < today:
            booking.status, booking.decided_by_id = "approved", desk.id
        else:
            booking_services.approve(desk, booking.id)


def _add_session(actor, training, rooms, place, day, begin, end, topic, now) -> None:
    """In the wanted room, else the first free one (the demo's bookings came first)."""
    wanted = rooms.get(place)
    candidates = [wanted, *[r for r in rooms.values() if r is not wanted]] if wanted else [None]
    for room in candidates:
        data = services.SessionData(
            day=day,
            start=begin,
            end=end,
            topic=topic,
            room_id=room.id if room else None,
            place="" if room else place,
        )
        try:
            services.add_session(actor, training.id, data, now=now)
            return
        except services.FormInvalid:
            continue
    services.add_session(
        actor, training.id, services.SessionData(day, begin, end, topic, None, "Aula Dinas Sosial")
    )


def _attend(training, actor, rng) -> None:
    """Past sessions: most registered people came (checked in at the desk or by QR)."""
    registered = db.session.scalars(
        db.select(Registration).where(
            Registration.training_id == training.id, Registration.status == "registered"
        )
    ).all()
    for session in training.sessions:
        for person in registered:
            if rng.random() < 0.85:
                db.session.add(
                    Attendance(
                        session_id=session.id,
                        registration_id=person.id,
                        checked_in_at=session.start_at + timedelta(minutes=rng.randint(-20, 25)),
                        checked_in_by_id=actor.id,
                        method="self" if person.user_id and rng.random() < 0.5 else "desk",
                    )
                )
    db.session.flush()


def _finish_in_past(actor, training) -> None:
    services.finish(
        actor,
        training.id,
        "## Ringkasan\n\n- Materi disampaikan sesuai jadwal.\n- Peserta aktif berdiskusi.\n\n"
        "## Tindak lanjut\n\n1. Materi dibagikan ke grup WhatsApp peserta.\n"
        "2. Evaluasi pelaksanaan pada rapat koordinasi berikutnya.",
    )
