"""The training agenda in a real browser: a secretary creates a training with a session
in the Aula (the booking shows in the room calendar), staff register, the last seat goes,
the next one waits, a cancellation promotes them, check-in on a 360 px phone, and the
daftar hadir and a certificate in print media. axe-core checks every page it opens.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from intranet.bookings import services as booking_services
from intranet.bookings.models import Room
from intranet.core.formatting import local_today
from intranet.extensions import db
from intranet.trainings.models import Registration, TrainingSession
from tests.e2e.conftest import axe_check
from tests.e2e.test_bookings import FREE_END, FREE_START, hhmm
from tests.e2e.test_foundation import log_in

TITLE = "Pelatihan Pendampingan Lansia"
TRAINING_URL = re.compile(r"/trainings/(\d+)$")


def free_aula_day() -> tuple[date, int]:
    """A weekday 9–20 days ahead when the Aula is free FREE_START–FREE_END."""
    try:
        aula = db.session.scalar(select(Room).where(Room.name == "Aula"))
        day = local_today() + timedelta(days=9)
        while True:
            if day.weekday() < 5:
                clash = booking_services.overlapping(
                    aula.id,
                    booking_services.to_utc(day, FREE_START),
                    booking_services.to_utc(day, FREE_END),
                )
                if db.session.scalars(*clash).first() is None:
                    return day, aula.id
            day += timedelta(days=1)
    finally:
        db.session.rollback()


def new_page(browser: Browser, live_server: str, username: str, **context) -> Page:
    page = browser.new_context(locale="id-ID", bypass_csp=True, **context).new_page()
    log_in(page, live_server, username)
    expect(page).to_have_url(f"{live_server}/")
    return page


def test_training_from_creation_to_check_in(live_server: str, page: Page, browser: Browser):
    day, aula_id = free_aula_day()
    # A secretary creates the training: one seat, so the second person waits.
    log_in(page, live_server, "sekretaris.tksk")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/trainings/")
    axe_check(page)
    page.get_by_role("button", name="Pelatihan baru").click()
    page.get_by_label("Judul").fill(TITLE)
    page.get_by_label("Kursi").fill("1")
    page.get_by_label("Keterangan").fill("Untuk pendamping **lansia** terlantar.")
    axe_check(page)
    page.get_by_role("button", name="Simpan sebagai draf").click()
    expect(page).to_have_url(TRAINING_URL)
    training_id = int(TRAINING_URL.search(page.url).group(1))
    page.get_by_role("button", name="Tambah sesi").click()
    page.get_by_label("Tanggal").fill(day.isoformat())
    page.get_by_label("Mulai").fill(hhmm(FREE_START))
    page.get_by_label("Selesai").fill(hhmm(FREE_END))
    page.get_by_label("Topik").fill("Pengantar")
    page.get_by_label("Ruang kantor").select_option(str(aula_id))
    axe_check(page)
    page.get_by_role("button", name="Tambahkan sesi").click()
    expect(page.locator(".session-list")).to_contain_text("Aula")
    expect(page.locator(".session-list .status")).to_have_text("Menunggu persetujuan")
    page.get_by_role("button", name="Umumkan").click()
    expect(page.locator(".training-head")).to_contain_text("Diumumkan")
    axe_check(page)
    page.get_by_role("button", name="Peserta").click()
    expect(page.locator("h1")).to_have_text("Peserta")
    axe_check(page)
    # The booking is in the room calendar, as this training of the pillar.
    page.goto(f"{live_server}/bookings/calendar?date={day.isoformat()}")
    expect(page.locator("main")).to_contain_text(f"Pelatihan: {TITLE}")

    # A staff member takes the only seat; the next one waits.
    first = new_page(browser, live_server, "staf")
    first.goto(f"{live_server}/trainings/{training_id}")
    first.get_by_role("button", name="Daftar", exact=True).click()
    expect(first.locator(".register-box")).to_contain_text("Anda terdaftar.")
    second = new_page(browser, live_server, "cut.nyak")
    second.goto(f"{live_server}/trainings/{training_id}")
    second.get_by_role("button", name="Masuk daftar tunggu").click()
    expect(second.locator(".register-box")).to_contain_text("nomor 1 di daftar tunggu")
    axe_check(second)
    # The first cancels: the one waiting moves up and reads it on the next page.
    first.get_by_role("button", name="Batalkan pendaftaran saya").click()
    expect(first.locator("#messages")).to_contain_text("Pendaftaran Anda dibatalkan")
    second.goto(f"{live_server}/trainings/")
    expect(second.locator("#messages")).to_contain_text("Kabar baik")
    second.goto(f"{live_server}/trainings/{training_id}")
    expect(second.locator(".register-box")).to_contain_text("Anda terdaftar.")
    try:
        promoted = db.session.scalar(
            select(Registration).where(
                Registration.training_id == training_id, Registration.status == "registered"
            )
        )
        registration_id = promoted.id
        session_id = db.session.scalar(
            select(TrainingSession.id).where(TrainingSession.training_id == training_id)
        )
    finally:
        db.session.rollback()

    # Check-in on a phone: find by name, one tap, the row turns present.
    phone = new_page(
        browser, live_server, "sekretaris.tksk", viewport={"width": 360, "height": 740}
    )
    phone.goto(f"{live_server}/trainings/{training_id}/sessions/{session_id}/checkin")
    phone.get_by_label("Cari nama atau nomor HP").fill("Cut")
    row = phone.locator(f"#person-{registration_id}")
    expect(row).to_contain_text("Cut Nyak Meutia")
    row.get_by_role("button", name="Hadir").click()
    expect(phone.locator(f"#person-{registration_id}.present")).to_contain_text("✓")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing sticks out sideways
    axe_check(phone)
    phone.goto(f"{live_server}/trainings/{training_id}/participants")
    axe_check(phone)
    # The daftar hadir in print media: the check-in is on it, the header is not.
    phone.goto(f"{live_server}/trainings/{training_id}/sessions/{session_id}/sheet")
    axe_check(phone)
    phone.emulate_media(media="print")
    expect(phone.locator(".sheet-table")).to_contain_text("Cut Nyak Meutia")
    expect(phone.locator(".site-header")).to_be_hidden()


def test_share_text_and_certificate_print(live_server: str, page: Page, browser: Browser):
    # Share to WhatsApp: the button copies the invitation (script only).
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/trainings/?view=calendar")
    expect(page.locator(".tcal")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server}/trainings/")
    page.locator(".training-card a").first.click()
    share = page.get_by_role("button", name="Salin undangan")
    expect(share).to_be_visible()
    share.click()
    expect(page.locator(".share-status")).to_contain_text("Tersalin")
    text = page.locator("#share-text").input_value()
    assert text.startswith("*") and "Sisa kursi" in text
    # A certificate of the finished demo training, printed landscape.
    try:
        registration = db.session.scalar(
            select(Registration).where(Registration.certificate_code.is_not(None))
        )
        training_id, registration_id = registration.training_id, registration.id
        code = registration.certificate_code
    finally:
        db.session.rollback()
    tagana = new_page(browser, live_server, "sekretaris.tagana")
    tagana.goto(f"{live_server}/trainings/{training_id}/certificates/{registration_id}")
    axe_check(tagana)
    tagana.emulate_media(media="print")
    certificate = tagana.locator(".certificate")
    expect(certificate).to_contain_text("SERTIFIKAT")
    expect(certificate).to_contain_text(code)
    expect(tagana.locator(".site-header")).to_be_hidden()
    box = certificate.bounding_box()
    assert box["width"] > box["height"]  # landscape
    # Anyone can verify it, without logging in.
    visitor = browser.new_context(locale="id-ID", bypass_csp=True).new_page()
    visitor.goto(f"{live_server}/verify/{code}")
    expect(visitor.locator("main")).to_contain_text("Sertifikat ini asli")
    axe_check(visitor)
