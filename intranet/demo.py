"""The demo office: pillars and one account per role, seeded into an empty database.

Each feature adds its part (rooms and bookings, trainings, …) with
:func:`intranet.core.features.demo_seeder`.
"""

from __future__ import annotations

from sqlalchemy import func, select

from intranet.auth import services
from intranet.auth.models import Pillar, Role, User
from intranet.core import features, meta
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today
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
    office = features.DemoOffice(
        pillars=pillars,
        users={u.username: u for u in db.session.scalars(select(User))},
        today=local_today(),
    )
    for seeder in features.ordered(features.DEMO_SEEDERS):
        seeder.run(office)
        db.session.flush()
    meta.put(meta.DEMO_KEY, "1")
    return demo_accounts()


def demo_accounts() -> list[tuple[str, str]]:
    """(username, role label) of the demo accounts, one per role."""
    return [
        (username, str(services.ROLE_LABELS[role.value])) for username, _n, role, _p in ACCOUNTS
    ]
