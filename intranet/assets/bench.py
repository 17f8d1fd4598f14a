"""The large office's register (20,000 items, 30,000 loans at scale 1.0) and its pages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from intranet.assets.models import (
    Asset,
    AssetWord,
    Loan,
    LoanItem,
    search_text,
    word_rows,
    words_text,
)
from intranet.core.features import BenchContext, BenchOffice, BenchPage, bench_pages, bench_seeder
from intranet.extensions import db

ITEMS = 20_000
LOANS = 30_000
KINDS = [
    ("1.3.2.05.01.04.001", "Lemari arsip besi", "Brother B-204", 3_500_000),
    ("1.3.2.05.02.01.001", "Meja kerja", "Chitose", 1_200_000),
    ("1.3.2.05.02.01.002", "Kursi kerja", "Futura", 650_000),
    ("1.3.2.05.02.06.002", "Proyektor", "Epson EB-X500", 7_800_000),
    ("1.3.2.05.02.04.001", "AC split", "Daikin FTV", 5_900_000),
    ("1.3.2.10.01.02.001", "Personal computer", "Lenovo ThinkCentre M70", 11_000_000),
    ("1.3.2.10.02.03.003", "Laptop", "Lenovo ThinkPad E14", 13_500_000),
    ("1.3.2.10.02.03.006", "Printer", "Epson L3210", 3_100_000),
]


@bench_seeder("assets", order=30)
def seed(office: BenchOffice) -> None:
    rooms: list[int] = office.extra.get("rooms", [])
    pillar_ids = list(office.pillars.values())
    count = max(50, round(ITEMS * office.scale))
    registers: dict[str, int] = {}
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        kode, name, brand, value = KINDS[n % len(KINDS)]
        registers[kode] = registers.get(kode, 0) + 1
        # kode barang sub-groups keep register numbers within 4 digits
        sub = registers[kode] // 9000
        rows.append(
            {
                "id": n,
                "kode_barang": kode[:-3] + f"{int(kode[-3:]) + sub:03d}",
                "register_no": f"{registers[kode] % 9000 + 1:04d}",
                "name": name,
                "brand_type": brand,
                "year": 2010 + n % 16,
                "serial_no": f"SN{n:08d}",
                "origin": "apbd",
                "value": value + (n % 7) * 10_000,
                "condition": "B" if n % 13 else ("RR" if n % 2 else "RB"),
                "room_id": rooms[n % len(rooms)] if rooms and n % 17 else None,
                "location_note": "" if rooms and n % 17 else "Gudang",
                "custodian_pillar_id": pillar_ids[n % len(pillar_ids)] if n % 3 == 0 else None,
                "status": "available",
                "created_at": now,
                "updated_at": now,
            }
        )
    words: list[dict[str, Any]] = []
    for row in rows:
        row["search_text"] = search_text(row)
        words += word_rows(row["id"], row["kode_barang"], row["register_no"], words_text(row))
    for chunk in range(0, len(rows), 5_000):
        db.session.execute(insert(Asset), rows[chunk : chunk + 5_000])
    for chunk in range(0, len(words), 20_000):
        db.session.execute(insert(AssetWord), words[chunk : chunk + 20_000])
    _loans(office, count)


def _loans(office: BenchOffice, items: int) -> None:
    """Loans of one week each, back to back per item, over the past years; a few out now."""
    target = max(30, round(LOANS * office.scale))
    users = [u[0] for u in office.users]
    today = datetime.combine(office.today, time(1, 0), tzinfo=UTC)
    lent = min(items, 300)  # the items that get lent (projectors, laptops…)
    loans: list[dict[str, Any]] = []
    loan_items: list[dict[str, Any]] = []
    for n in range(1, target + 1):
        asset_id = 1 + (n % lent)
        weeks_back = n // lent
        start = today - timedelta(days=7 * weeks_back + 6)
        end = start + timedelta(days=5)
        out_now = weeks_back == 0 and n % 5 == 0
        status = "handed_out" if out_now else ("returned" if n % 11 else "cancelled")
        user = users[n % len(users)]
        loans.append(
            {
                "id": n,
                "borrower_id": user,
                "purpose": "Kegiatan lapangan",
                "start_at": start,
                "end_at": end,
                "status": status,
                "approved_by_id": user,
                "handed_out_by_id": user if status != "cancelled" else None,
                "handed_out_at": start if status != "cancelled" else None,
                "received_by_id": user if status == "returned" else None,
                "returned_at": end if status == "returned" else None,
                "created_at": start,
            }
        )
        loan_items.append(
            {
                "loan_id": n,
                "asset_id": asset_id,
                "start_at": start,
                "end_at": end,
                "holds": out_now,
                "condition_out": "B",
                "condition_in": "B" if status == "returned" else None,
            }
        )
    for chunk in range(0, len(loans), 5_000):
        db.session.execute(insert(Loan), loans[chunk : chunk + 5_000])
        db.session.execute(insert(LoanItem), loan_items[chunk : chunk + 5_000])
    out = [row["asset_id"] for row in loan_items if row["holds"]]
    if out:
        db.session.execute(
            Asset.__table__.update().where(Asset.id.in_(out)).values(status="on_loan")
        )


@bench_pages("assets", order=30)
def pages(context: BenchContext) -> list[BenchPage]:
    asset_id = db.session.scalar(select(Asset.id).order_by(Asset.id).limit(1)) or 1
    loan_id = db.session.scalar(select(Loan.id).order_by(Loan.id.desc()).limit(1)) or 1
    return [
        BenchPage("assets: register", "/assets/", max_bytes=60_000),
        BenchPage("assets: search", "/assets/?q=laptop"),
        BenchPage(
            "assets: search (fragment)",
            "/assets/?q=proyektor&room=&condition=B",
            kind="fragment",
            htmx=True,
            target="asset-list",
        ),
        BenchPage("assets: item", f"/assets/{asset_id}"),
        BenchPage("assets: loans", "/assets/loans/?view=all"),
        BenchPage("assets: loan", f"/assets/loans/{loan_id}"),
    ]
