"""The asset inventory in a real browser (axe on every page): the keeper registers an item
and prints its label; a staff member reserves equipment for a booking and the front desk
hands it out and takes it back damaged; a stock-take on a 360 px phone."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from intranet.assets.models import Asset
from intranet.auth.models import User
from intranet.bookings.models import HOLDING_STATUSES, Booking
from intranet.core.db import utcnow
from intranet.extensions import db
from tests.e2e.conftest import axe_check
from tests.e2e.test_foundation import log_in

ITEM_URL = re.compile(r"/assets/(\d+)$")


def test_keeper_registers_an_item_and_prints_its_label(live_server: str, page: Page) -> None:
    log_in(page, live_server, "pengurus.barang")
    page.goto(f"{live_server}/assets/")
    axe_check(page)
    page.get_by_role("button", name="Catat barang").click()
    form = page.locator("#asset-form")
    # Typed key by key, as a keeper does: the hint asks once the typing pauses (a fill()
    # landing before htmx has wired the boosted form would send no request at all).
    form.locator("#kode_barang").press_sequentially("1.3.2.05.02.06.002", delay=20)
    expect(page.locator("#register-hint")).to_contain_text("Nomor register bebas berikutnya")
    form.locator("#name").fill("Proyektor")
    form.locator("#brand_type").fill("Epson EB-FH52")
    form.locator("#year").fill("1850")  # wrong on purpose: the error shows next to the field
    form.locator("#value").fill("9.250.000")
    form.locator("#room_id").select_option(label="Aula")
    form.get_by_role("button", name="Simpan").click()
    expect(page.locator("#year-error")).to_be_visible()
    expect(page.locator("#brand_type")).to_have_value("Epson EB-FH52")  # values kept
    axe_check(page)
    page.locator("#year").fill("2025")
    page.locator("#asset-form").get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(ITEM_URL)
    expect(page.locator("h1")).to_contain_text("Proyektor")
    expect(page.locator("main")).to_contain_text("Rp9.250.000")
    expect(page.locator(".history-list")).to_contain_text("Barang dicatat")
    axe_check(page)
    page.get_by_role("link", name="Cetak label").click()
    expect(page.locator(".label")).to_have_count(1)
    expect(page.locator(".label svg[role=img]")).to_have_count(1)
    expect(page.locator(".label")).to_contain_text("Aula")
    axe_check(page)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def _staff_booking() -> tuple[int, int]:
    """A booking of the demo staff member still ahead (held), and that user's id."""
    staff = db.session.scalars(select(User).where(User.username == "staf")).one()
    booking = db.session.scalars(
        select(Booking)
        .where(
            Booking.booked_by_id == staff.id,
            Booking.status.in_(HOLDING_STATUSES),
            Booking.start_at > utcnow() + timedelta(days=1),
        )
        .order_by(Booking.start_at)
    ).first()
    result = (booking.id if booking else 0), staff.id
    db.session.rollback()
    return result


def test_equipment_for_a_booking_handed_out_and_back_damaged(
    live_server: str, page: Page, browser: Browser, browser_context_args: dict
) -> None:
    booking_id, _staff_id = _staff_booking()
    assert booking_id, "the demo office has a booking of 'staf' ahead"
    log_in(page, live_server, "staf")
    page.goto(f"{live_server}/bookings/{booking_id}")
    page.get_by_role("link", name="Peralatan untuk peminjaman ruang ini").click()
    page.locator("#equipment-q").fill("layar proyektor")
    page.locator("#equipment").get_by_role("button", name="Cari").click()
    free = page.locator("#equipment .pick-list input[type=checkbox]:not([disabled])").first
    free.check()
    name = free.locator("xpath=..").inner_text().split("\n")[0].strip()
    axe_check(page)
    page.get_by_role("button", name="Pesan untuk waktu peminjaman ruang").click()
    expect(page.locator("#equipment")).to_contain_text("Diajukan")
    loan_link = page.locator("#equipment a", has_text="Peminjaman no.").first
    loan_url = loan_link.get_attribute("href")

    desk_context = browser.new_context(**browser_context_args)
    try:
        desk = desk_context.new_page()
        log_in(desk, live_server, "resepsionis")
        desk.goto(f"{live_server}{loan_url}")
        desk.get_by_role("button", name="Serahkan").click()
        expect(desk.locator("h1")).to_contain_text("Diserahkan")
        axe_check(desk)
        desk.locator("select[name^=condition-]").first.select_option("RR")
        desk.get_by_role("button", name="Terima kembali").click()
        expect(desk.locator("h1")).to_contain_text("Dikembalikan")
        axe_check(desk)
        desk.get_by_role("button", name="Berita acara (cetak)").click()
        expect(desk.locator(".signatures")).to_contain_text("Peminjam")
        assert desk.pdf(format="A4").startswith(b"%PDF")
    finally:
        desk_context.close()
    loan_id = int(loan_url.rsplit("/", 1)[1])
    from intranet.assets.models import LoanItem

    item = db.session.scalars(select(LoanItem).where(LoanItem.loan_id == loan_id)).one()
    asset = db.session.get(Asset, item.asset_id)
    assert (asset.condition, asset.status, item.condition_in) == ("RR", "available", "RR")
    assert name.startswith(asset.name)
    db.session.rollback()


def test_stocktake_on_a_phone(
    live_server: str, browser: Browser, browser_context_args: dict
) -> None:
    context = browser.new_context(**browser_context_args, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        log_in(page, live_server, "pengurus.barang")
        page.goto(f"{live_server}/assets/stocktakes/")
        page.locator("details.start-stocktake summary").click()
        page.locator("#st-title").fill("Inventarisasi uji")
        page.locator("details.start-stocktake").get_by_role(
            "button", name="Mulai", exact=True
        ).click()
        expect(page.locator("h1")).to_contain_text("Inventarisasi uji")
        axe_check(page)
        page.locator(".room-progress a", has_text="Ruang Rapat 2").click()
        walk = page.locator("#walk")
        expect(walk).to_contain_text("0 dari")
        first = walk.locator(".walk-list li").first
        first.locator("select").select_option("RB")
        first.get_by_role("button", name=re.compile("ditemukan di sini")).click()
        expect(walk).to_contain_text("1 dari")
        axe_check(page)
        # An item registered in the hall turns up here: search, mark it found here.
        page.locator("#walk-q").fill("sound system")
        walk.get_by_role("button", name="Cari").click()
        moved = walk.locator(".walk-list").first.locator("li").first
        moved_name = moved.locator(".walk-name").inner_text().split("\n")[0]
        moved.get_by_role("button", name=re.compile("ditemukan di sini")).click()
        expect(walk).to_contain_text("Ditemukan di sini, tercatat di tempat lain")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 360, f"the walk page is wider than the phone: {scroll}px"
        page.goto(page.url.rsplit("/rooms/", 1)[0])
        page.get_by_role("button", name="Selesai mencacah").click()
        expect(page.locator("h1")).to_contain_text("Berita acara hasil inventarisasi")
        expect(page.locator("main")).to_contain_text("Ditemukan di ruangan lain")
        axe_check(page)
        page.get_by_role("button", name="Terapkan ke buku inventaris").click()
        expect(page.locator("main")).to_contain_text("Sudah diterapkan")
        assert moved_name
    finally:
        context.close()


def test_the_other_asset_pages_pass_axe(live_server: str, page: Page) -> None:
    log_in(page, live_server, "pengurus.barang")
    first = db.session.scalars(select(Asset).where(Asset.room_id.is_not(None))).first()
    room_id, asset_id = first.room_id, first.id
    db.session.rollback()
    for path in (
        f"/assets/{asset_id}",
        f"/assets/{asset_id}/edit",
        f"/assets/{asset_id}/maintenance",
        f"/assets/kir/{room_id}",
        "/assets/maintenance/",
        "/assets/import",
        "/assets/loans/?view=all",
        "/assets/loans/?view=overdue",
        "/assets/loans/new?q=laptop",
        "/assets/stocktakes/",
        "/assets/?q=proyektor&condition=B",
        "/bookings/frontdesk",
    ):
        page.goto(f"{live_server}{path}")
        expect(page.locator("main")).to_be_visible()
        axe_check(page)
