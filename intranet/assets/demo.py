"""The demo office's register: a few hundred items across the rooms, some lent, some damaged."""

from __future__ import annotations

import random
from datetime import time, timedelta

from intranet.assets import services
from intranet.assets.models import Asset, AssetStatus, Loan, LoanItem
from intranet.bookings import services as booking_services
from intranet.core.features import DemoOffice, demo_seeder
from intranet.extensions import db

# kode barang, name, brands, size, material, value range (Rupiah), rooms it stands in, count
CATALOG = [
    (
        "1.3.2.05.01.04.001",
        "Lemari arsip besi",
        ["Brother B-204", "Lion 44"],
        "4 laci",
        "Besi",
        (2_800_000, 4_500_000),
        "any",
        18,
    ),
    (
        "1.3.2.05.01.04.002",
        "Filing cabinet",
        ["Elite EL-4"],
        "4 laci",
        "Besi",
        (2_100_000, 3_200_000),
        "any",
        10,
    ),
    (
        "1.3.2.05.02.01.001",
        "Meja kerja",
        ["Chitose", "Expo"],
        "120 x 60 cm",
        "Kayu",
        (900_000, 1_800_000),
        "any",
        40,
    ),
    (
        "1.3.2.05.02.01.002",
        "Kursi kerja",
        ["Chitose Yamato", "Futura"],
        "",
        "Besi/busa",
        (450_000, 900_000),
        "any",
        70,
    ),
    ("1.3.2.05.02.01.005", "Kursi lipat", ["Chitose"], "", "Besi", (250_000, 350_000), "Aula", 60),
    (
        "1.3.2.05.02.01.007",
        "Meja rapat",
        ["Expo MR-240"],
        "240 x 120 cm",
        "Kayu",
        (3_500_000, 5_500_000),
        "rapat",
        4,
    ),
    (
        "1.3.2.05.02.06.002",
        "Proyektor",
        ["Epson EB-X500", "BenQ MX560"],
        "3.600 lumen",
        "Plastik",
        (6_500_000, 8_900_000),
        "rapat",
        5,
    ),
    (
        "1.3.2.05.02.06.004",
        "Layar proyektor",
        ['Brite 70"'],
        "70 inci",
        "Kain/besi",
        (900_000, 1_400_000),
        "rapat",
        4,
    ),
    (
        "1.3.2.05.02.06.010",
        "Sound system portabel",
        ["Huper PA-15", "Baretone"],
        "15 inci",
        "Plastik",
        (4_500_000, 7_000_000),
        "Aula",
        3,
    ),
    (
        "1.3.2.05.02.06.011",
        "Mikrofon nirkabel",
        ["Shure BLX288", "Sennheiser XSW"],
        "",
        "Logam",
        (3_000_000, 5_500_000),
        "Aula",
        6,
    ),
    (
        "1.3.2.05.02.06.020",
        "Televisi LED",
        ['Samsung 55"', 'LG 50"'],
        "55 inci",
        "Plastik",
        (6_000_000, 9_000_000),
        "rapat",
        3,
    ),
    (
        "1.3.2.05.02.04.001",
        "AC split",
        ["Daikin FTV", "Panasonic CS-PN"],
        "1,5 PK",
        "Logam",
        (4_800_000, 7_500_000),
        "any",
        10,
    ),
    (
        "1.3.2.10.01.02.001",
        "Personal computer",
        ["Lenovo ThinkCentre M70", "HP ProDesk 400"],
        "i5/8 GB",
        "Plastik",
        (9_000_000, 13_000_000),
        "office",
        16,
    ),
    (
        "1.3.2.10.02.03.003",
        "Laptop",
        ["Lenovo ThinkPad E14", "Asus ExpertBook"],
        "14 inci",
        "Plastik",
        (11_000_000, 16_000_000),
        "Ruang Pelatihan",
        20,
    ),
    (
        "1.3.2.10.02.03.006",
        "Printer",
        ["Epson L3210", "HP LaserJet M211"],
        "A4",
        "Plastik",
        (2_400_000, 4_200_000),
        "office",
        8,
    ),
    (
        "1.3.2.05.01.05.005",
        "Dispenser air",
        ["Miyako WD-190"],
        "",
        "Plastik",
        (600_000, 900_000),
        "any",
        5,
    ),
    (
        "1.3.2.06.01.02.001",
        "Kamera digital",
        ["Canon EOS M50", "Sony A6400"],
        "24 MP",
        "Logam",
        (8_000_000, 12_000_000),
        None,
        3,
    ),
    (
        "1.3.2.06.02.01.013",
        "Tenda lapangan",
        ["Tenda Pleton"],
        "6 x 10 m",
        "Terpal",
        (9_000_000, 14_000_000),
        None,
        4,
    ),
    (
        "1.3.2.06.02.01.020",
        "Genset",
        ["Honda EP2500"],
        "2.200 W",
        "Logam",
        (7_500_000, 10_000_000),
        None,
        2,
    ),
]
VEHICLES = [
    (
        "1.3.2.02.01.01.004",
        "Mobil operasional",
        "Toyota Kijang Innova",
        "2.400 CC",
        2021,
        385_000_000,
        "BL 1234 AB",
    ),
    (
        "1.3.2.02.01.01.004",
        "Mobil dapur umum",
        "Mitsubishi L300",
        "2.268 CC",
        2019,
        310_000_000,
        "BL 8021 AC",
    ),
    (
        "1.3.2.02.01.04.001",
        "Sepeda motor",
        "Honda Vario 125",
        "125 CC",
        2022,
        24_500_000,
        "BL 3311 AD",
    ),
    ("1.3.2.02.01.04.001", "Sepeda motor", "Yamaha NMAX", "155 CC", 2020, 31_000_000, "BL 4562 AE"),
]
OUTSIDE = ["Gudang belakang", "Garasi", "Gudang logistik Tagana"]
ORIGINS = ["apbd"] * 7 + ["apbn", "hibah", "csr"]


@demo_seeder("assets", order=30)
def seed_register(office: DemoOffice) -> None:
    rng = random.Random(8)  # noqa: S311 (demo data, not security)
    rooms = office.extra.get("rooms", {})
    keeper = office.users.get("pengurus.barang")
    pillars = list(office.pillars.values())
    room_list = list(rooms.values())
    meeting = [r for name, r in rooms.items() if "Rapat" in name] or room_list
    made: list[Asset] = []
    this_year = office.today.year
    for kode, name, brands, size, material, (low, high), where, count in CATALOG:
        for _n in range(count):
            if where == "any":
                room = rng.choice(room_list) if room_list else None
            elif where == "rapat":
                room = rng.choice(meeting) if meeting else None
            elif where == "office":
                room = rng.choice(room_list[1:3] or room_list) if room_list else None
            elif where is None:
                room = None
            else:
                room = rooms.get(where)
            condition = rng.choices(["B", "RR", "RB"], weights=[85, 11, 4])[0]
            custodian = rng.choice(pillars) if pillars and rng.random() < 0.3 else None
            made.append(
                services.create_asset(
                    services.AssetData(
                        kode_barang=kode,
                        name=name,
                        brand_type=rng.choice(brands),
                        size=size,
                        material=material,
                        year=rng.randint(this_year - 9, this_year),
                        serial_no=f"SN{rng.randint(10_000_000, 99_999_999)}"
                        if low > 2_000_000
                        else "",
                        origin=rng.choice(ORIGINS),
                        value=rng.randint(low // 10_000, high // 10_000) * 10_000,
                        condition=condition,
                        room_id=room.id if room else None,
                        location_note="" if room else rng.choice(OUTSIDE),
                        custodian_pillar_id=custodian.id if custodian else None,
                    ),
                    actor=keeper,
                )
            )
    tagana = office.pillars.get("TAGANA")
    for n, (kode, name, brand, cc, year, value, plate) in enumerate(VEHICLES):
        made.append(
            services.create_asset(
                services.AssetData(
                    kode_barang=kode,
                    name=name,
                    brand_type=brand,
                    size=cc,
                    material="Logam",
                    year=year,
                    chassis_no=f"MHF{rng.randint(10**10, 10**11 - 1)}",
                    engine_no=f"1TR{rng.randint(10**6, 10**7 - 1)}",
                    plate_no=plate,
                    bpkb_no=f"P-{rng.randint(10**7, 10**8 - 1)}",
                    origin="apbd",
                    value=value,
                    condition="B" if n != 1 else "RR",
                    location_note="Garasi",
                    custodian_pillar_id=tagana.id if tagana and n == 1 else None,
                ),
                actor=keeper,
            )
        )
    db.session.flush()
    _seed_states(office, rng, made)
    _seed_equipment(office, made)
    _seed_maintenance(office, made)


def _seed_states(office: DemoOffice, rng: random.Random, made: list[Asset]) -> None:
    keeper = office.users.get("pengurus.barang")
    desk = office.users.get("resepsionis")
    staff = [u for u in office.users.values() if u.role in ("staff", "secretary")]
    today = office.today

    def at(day, hour):
        return booking_services.to_utc(day, time(hour, 0))

    lendable = [
        a
        for a in made
        if a.name
        in (
            "Proyektor",
            "Laptop",
            "Kamera digital",
            "Sound system portabel",
            "Mikrofon nirkabel",
            "Tenda lapangan",
            "Genset",
        )
        and a.condition == "B"
    ]
    rng.shuffle(lendable)
    # Out now, two of them overdue; some waiting; some back already.
    plans = [
        (-3, 1, "handed_out", "Sosialisasi PKH di Kecamatan Baiturrahman"),
        (-6, -1, "handed_out", "Pendataan PPKS di Kecamatan Kuta Alam"),
        (-9, -2, "handed_out", "Simulasi tanggap bencana Tagana"),
        (-1, 3, "handed_out", "Bimtek TKSK"),
        (1, 2, "requested", "Pelatihan kader Karang Taruna"),
        (2, 4, "approved", "Rapat koordinasi LKS di kabupaten"),
        (3, 3, "requested", "Dokumentasi kegiatan Forum CSR"),
        (-20, -18, "returned", "Penyuluhan sosial di desa"),
        (-14, -13, "returned", "Kunjungan rumah Sakti Peksos"),
    ]
    for n, (first, last, state, purpose) in enumerate(plans):
        items = lendable[n * 2 : n * 2 + 2]
        if not items:
            break
        borrower = staff[n % len(staff)]
        start = at(today + timedelta(days=first), 8)
        end = at(today + timedelta(days=last), 16)
        loan = Loan(
            borrower_id=borrower.id,
            pillar_id=borrower.pillar_id,
            purpose=purpose,
            start_at=start,
            end_at=end,
            status="requested",
        )
        for asset in items:
            loan.items.append(LoanItem(asset_id=asset.id, start_at=start, end_at=end))
        db.session.add(loan)
        db.session.flush()
        if state in ("approved", "handed_out", "returned"):
            loan.status = "approved"
            loan.approved_by_id = desk.id
        if state in ("handed_out", "returned"):
            loan.status = "handed_out"
            loan.handed_out_by_id = desk.id
            loan.handed_out_at = start
            for item in loan.items:
                item.condition_out = item.asset.condition
                item.asset.status = AssetStatus.ON_LOAN.value
        if state == "returned":
            loan.status = "returned"
            loan.received_by_id = keeper.id
            loan.returned_at = end
            for item in loan.items:
                item.holds = False
                item.condition_in = "RR" if n == 7 and item is loan.items[0] else "B"
                if item.condition_in == "RR":
                    item.asset.condition = "RR"
                item.asset.status = AssetStatus.AVAILABLE.value
    db.session.flush()
    # One in repair, one lost, one written off.
    broken = [a for a in made if a.condition == "RB" and a.status == "available"]
    if broken:
        broken[0].status = AssetStatus.IN_REPAIR.value
    if len(broken) > 2:
        broken[1].status = AssetStatus.WRITTEN_OFF.value
        broken[1].status_on = today - timedelta(days=40)
        broken[1].status_reason = "SK Kepala Dinas No. 032/2025 tentang penghapusan BMD"
        broken[2].status = AssetStatus.LOST.value
        broken[2].status_on = today - timedelta(days=75)
        broken[2].status_reason = "Hilang saat banjir; berita acara kepolisian terlampir"
    db.session.flush()


def _seed_equipment(office: DemoOffice, made: list[Asset]) -> None:
    """The next few bookings of the hall and the meeting rooms get their projector or sound."""
    from sqlalchemy import select

    from intranet.assets import equipment
    from intranet.bookings.models import Booking
    from intranet.core.db import utcnow

    upcoming = db.session.scalars(
        select(Booking)
        .where(Booking.status == "approved", Booking.start_at > utcnow())
        .order_by(Booking.start_at)
        .limit(4)
    ).all()
    kinds = ["Proyektor", "Sound system portabel", "Mikrofon nirkabel", "Layar proyektor"]
    for booking, kind in zip(upcoming, kinds, strict=False):
        item = next(
            (
                a
                for a in made
                if a.name == kind
                and a.status == AssetStatus.AVAILABLE.value
                and not loans_for(a.id, booking)
            ),
            None,
        )
        if item is not None:
            equipment.reserve(booking.booked_by, booking, [item.id])


def loans_for(asset_id: int, booking) -> bool:
    from intranet.assets import loans

    return bool(loans.holding_clash([asset_id], booking.start_at, booking.end_at))


def _seed_maintenance(office: DemoOffice, made: list[Asset]) -> None:
    from intranet.assets import maintenance

    keeper = office.users.get("pengurus.barang")
    today = office.today
    air = [a for a in made if a.name == "AC split" and a.status == "available"]
    for n, asset in enumerate(air[:6]):
        maintenance.record(
            keeper,
            asset.id,
            maintenance.MaintenanceData(
                done_on=today - timedelta(days=150 - n * 12),
                work_done="Cuci AC, cek freon dan kapasitor",
                vendor="CV Sejuk Abadi",
                cost=250_000,
                result="Dingin normal",
                next_service_on=today + timedelta(days=-10 + n * 9),
            ),
        )
    repair = next((a for a in made if a.status == "in_repair"), None)
    if repair is not None:
        maintenance.record(
            keeper,
            repair.id,
            maintenance.MaintenanceData(
                done_on=today - timedelta(days=4),
                work_done="Dibawa ke bengkel servis resmi; menunggu suku cadang",
                vendor="Servis Elektronik Jaya",
                cost=0,
                result="Belum selesai",
            ),
        )
