"""Five years of trainings for the large office of ``make bench``.

At scale 1: 2,000 trainings (one or two a working day, from a quarter ahead backwards),
40,000 registrations (colleagues and guests; full trainings have a waitlist) and the
attendance of every past session. Each day's choices are seeded by the date, so scale 0.1
is the same recent months with a tenth of the history behind them. Sessions are outside
the office (a place in text): the booking generator owns the rooms' time.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from intranet.auth.models import User
from intranet.bookings.services import to_utc
from intranet.core.features import BenchContext, BenchOffice, BenchPage, bench_pages, bench_seeder
from intranet.extensions import db
from intranet.trainings.models import (
    Attendance,
    Registration,
    Training,
    TrainingSession,
    training_target,
)

TRAININGS = 2_000
REGISTRATIONS_PER_TRAINING = 20  # on average: 40,000 at scale 1
DAYS_AHEAD = 90
TOPICS = {
    "TKSK": ["Bimtek penyaluran bansos", "Pendataan DTKS", "Penanganan pengaduan"],
    "PKH": ["Pertemuan P2K2", "Verifikasi komitmen KPM", "Graduasi mandiri"],
    "PSM": ["Validasi data PPKS", "Pendampingan lansia", "Penguatan IPSM"],
    "KT": ["Kewirausahaan pemuda", "Manajemen organisasi", "Literasi digital"],
    "TAGANA": ["Dapur umum lapangan", "Shelter pengungsian", "Simulasi gempa"],
    "LK3": ["Konseling keluarga", "Wawancara motivasional", "Rujukan kasus"],
    "LKS": ["Akreditasi LKS", "Tata kelola LKS", "Perizinan LKS"],
    "SLRT": ["Layanan rujukan terpadu", "Aplikasi SIKS-NG", "Penanganan pengaduan"],
    "SAKTI": ["Perlindungan anak", "Asesmen kasus anak", "Manajemen kasus"],
    "CSR": ["Program CSR kesos", "Kemitraan dunia usaha", "Pelaporan CSR"],
}
PLACES = [
    "Aula Kantor Camat Kuta Alam",
    "Aula Dinas Sosial Aceh",
    "Balai Desa Lamteumen",
    "Hotel Hermes Palace, Banda Aceh",
    "Gedung Serbaguna Lampineung",
]
ORIGINS = ["Kec. Kuta Alam", "Kec. Syiah Kuala", "Kab. Aceh Besar", "Kab. Pidie", "Kec. Meuraxa"]
GUEST_NAMES = [
    "Abdul Wahab", "Nurhayati", "Teuku Ridwan", "Cut Rahmah", "Muhammad Iqbal", "Rosmawati",
    "Zainal Abidin", "Fitriani", "Safrizal", "Mariani", "Husaini", "Dahlia", "Yuliana",
]  # fmt: skip


def _day_rng(seed: int, day: date) -> random.Random:
    return random.Random(seed * 7_777_777 + 424_242 + day.toordinal())  # noqa: S311


class _Generator:
    def __init__(self, office: BenchOffice) -> None:
        self.office = office
        self.codes = {pid: code for code, pid in office.pillars.items()}
        self.organisers = [u for u in office.users if u[1] == "secretary"]
        self.people = [u for u in office.users if u[1] in ("staff", "secretary")]

    def day(self, day: date, today: date) -> list[dict[str, Any]]:
        """The trainings starting on a working day (none at weekends)."""
        if day.weekday() >= 5:
            return []
        rng = _day_rng(self.office.seed, day)
        return [self.training(rng, day, today) for _ in range(rng.choice([1, 1, 2, 2, 2]))]

    def training(self, rng: random.Random, day: date, today: date) -> dict[str, Any]:
        organiser = rng.choice(self.organisers)
        code = self.codes.get(organiser[2], "TKSK")
        sessions = rng.choice([1, 1, 2, 2, 3])
        last = day + timedelta(days=sessions - 1)
        capacity = rng.choice([15, 20, 25, 30, 40])
        created = to_utc(day, time(8)) - timedelta(days=rng.randint(14, 40))
        if last < today:
            status = "finished" if rng.random() < 0.93 else "cancelled"
        else:
            status = "published" if rng.random() < 0.85 else "draft"
        wanted = 0 if status == "draft" else rng.randint(8, 2 * REGISTRATIONS_PER_TRAINING - 8)
        targets = [] if rng.random() < 0.6 else rng.sample(list(self.codes), k=rng.randint(1, 3))
        return {
            "row": {
                "title": f"{rng.choice(TOPICS.get(code, TOPICS['TKSK']))} "
                f"angkatan {rng.randint(1, 12)}",
                "description": "Pelatihan bagi pilar-pilar sosial. Peserta membawa alat tulis.",
                "organiser_pillar_id": organiser[2],
                "for_all_pillars": not targets,
                "facilitators": "Drs. Hasanuddin, M.Si — Dinas Sosial Aceh",
                "capacity": capacity,
                "seats_taken": 0,
                "contact_name": "Sekretariat",
                "contact_phone": "0812-6000-1234",
                "status": status,
                "cancel_reason": "Narasumber berhalangan." if status == "cancelled" else "",
                "certificate_threshold": sessions,
                "minutes": "Ringkasan kegiatan." if status == "finished" else "",
                "first_day": day,
                "last_day": last,
                "created_by_id": organiser[0],
                "created_at": created,
                "updated_at": created,
            },
            "targets": targets,
            "sessions": [
                (day + timedelta(days=n), rng.choice([(8, 12), (9, 12), (13, 16)]))
                for n in range(sessions)
            ],
            "place": rng.choice(PLACES),
            "wanted": wanted,
            "seed": rng.randrange(1 << 30),
        }


@bench_seeder("trainings", order=30)
def seed(office: BenchOffice) -> None:
    target = round(TRAININGS * office.scale)
    generator = _Generator(office)
    today = office.today
    day = today + timedelta(days=DAYS_AHEAD)
    plans: list[dict[str, Any]] = []
    while len(plans) < target:
        plans.extend(generator.day(day, today))
        day -= timedelta(days=1)
    plans = plans[:target]
    plans.reverse()  # oldest first: ids grow with time, as in a real office
    ids = list(
        db.session.scalars(
            insert(Training).returning(Training.id, sort_by_parameter_order=True),
            [plan["row"] for plan in plans],
        )
    )
    targets, sessions = [], []
    for training_id, plan in zip(ids, plans, strict=True):
        targets += [
            {"training_id": training_id, "pillar_id": pillar_id} for pillar_id in plan["targets"]
        ]
        for session_day, (start, end) in plan["sessions"]:
            sessions.append(
                {
                    "training_id": training_id,
                    "day": session_day,
                    "start_time": time(start),
                    "end_time": time(end),
                    "start_at": to_utc(session_day, time(start)),
                    "end_at": to_utc(session_day, time(end)),
                    "topic": "Materi dan praktik",
                    "place": plan["place"],
                    "checkin_code": secrets.token_urlsafe(16),
                }
            )
    if targets:
        db.session.execute(insert(training_target), targets)
    session_ids = list(
        db.session.scalars(
            insert(TrainingSession).returning(TrainingSession.id, sort_by_parameter_order=True),
            sessions,
        )
    )
    by_training: dict[int, list[int]] = {}
    for session_id, row in zip(session_ids, sessions, strict=True):
        by_training.setdefault(row["training_id"], []).append(session_id)
    _registrations(generator, ids, plans, by_training, today)


def _registrations(generator, ids, plans, by_training, today) -> None:
    registrations: list[dict[str, Any]] = []
    past: list[tuple[int, bool]] = []  # per registration: its training, whether it ran
    seats: dict[int, int] = {}
    for training_id, plan in zip(ids, plans, strict=True):
        rng = random.Random(plan["seed"])  # noqa: S311
        row = plan["row"]
        colleagues = rng.sample(generator.people, k=min(len(generator.people), plan["wanted"]))
        taken, waiting = 0, 0
        for n in range(plan["wanted"]):
            guest = rng.random() < 0.35
            user = None if guest else colleagues[n]
            at = row["created_at"] + timedelta(hours=2 + 5 * n)
            cancelled = rng.random() < 0.05
            if cancelled:
                status, position = "cancelled", None
            elif taken < row["capacity"]:
                status, position, taken = "registered", None, taken + 1
            else:
                waiting += 1
                status, position = "waitlisted", waiting
            registrations.append(
                {
                    "training_id": training_id,
                    "user_id": user[0] if user else None,
                    "name": "" if user else f"{rng.choice(GUEST_NAMES)} {n + 1}",
                    "pillar_id": None if user else rng.choice(list(generator.codes)),
                    "organisation": "",
                    "phone": "" if user else f"0812{rng.randrange(10**8):08d}",
                    "origin": rng.choice(ORIGINS),
                    "notes": "",
                    "status": status,
                    "waitlist_position": position,
                    "walk_in": False,
                    "registered_at": at,
                    "registered_by_id": user[0] if user else row["created_by_id"],
                    "cancelled_at": at + timedelta(days=1) if cancelled else None,
                    "promotion_seen": True,
                }
            )
            past.append((training_id, row["status"] == "finished"))
        seats[training_id] = taken
    registration_ids = list(
        db.session.scalars(
            insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
            registrations,
        )
    )
    db.session.execute(
        Training.__table__.update()
        .where(Training.id == db.bindparam("tid"))
        .values(seats_taken=db.bindparam("taken")),
        [{"tid": tid, "taken": taken} for tid, taken in seats.items() if taken],
    )
    attendance: list[dict[str, Any]] = []
    rng = random.Random(7)  # noqa: S311
    for registration_id, row, (training_id, ran) in zip(
        registration_ids, registrations, past, strict=True
    ):
        if not ran or row["status"] != "registered":
            continue
        for session_id in by_training[training_id]:
            if rng.random() < 0.82:
                attendance.append(
                    {
                        "session_id": session_id,
                        "registration_id": registration_id,
                        "checked_in_at": row["registered_at"] + timedelta(days=20),
                        "method": "desk" if rng.random() < 0.7 else "self",
                    }
                )
    for chunk in range(0, len(attendance), 5_000):
        db.session.execute(insert(Attendance), attendance[chunk : chunk + 5_000])


@bench_pages("trainings", order=30)
def pages(context: BenchContext) -> list[BenchPage]:
    """The agenda, the fullest upcoming training and its first session's check-in list."""
    busiest = db.session.execute(
        select(Training.id, func.min(TrainingSession.id))
        .join(TrainingSession, TrainingSession.training_id == Training.id)
        .where(Training.status == "published")
        .group_by(Training.id)
        .order_by(Training.seats_taken.desc(), Training.id)
        .limit(1)
    ).first()
    training_id, session_id = busiest
    checkin = f"/trainings/{training_id}/sessions/{session_id}/checkin"
    # What the desk types: the first letters of someone's name.
    someone = db.session.scalar(
        select(func.coalesce(User.full_name, Registration.name))
        .select_from(Registration)
        .outerjoin(User, User.id == Registration.user_id)
        .where(Registration.training_id == training_id, Registration.status == "registered")
        .order_by(Registration.id)
        .limit(1)
    )
    return [
        BenchPage("training agenda", "/trainings/"),
        BenchPage("training agenda, filtered", "/trainings/?open=1&q=bimtek"),
        BenchPage("training archive", "/trainings/?view=archive"),
        BenchPage("training month calendar", "/trainings/?view=calendar", "grid"),
        BenchPage("training page", f"/trainings/{training_id}"),
        BenchPage("check-in list", checkin),
        BenchPage(
            "check-in search (fragment)",
            f"{checkin}?{urlencode({'q': someone[:4]})}",
            "fragment",
            htmx=True,
            target="checkin-rows",
        ),
    ]
