"""The booking form on a phone and a recurring booking from form to series page."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from intranet.bookings.models import Room
from intranet.extensions import db
from tests.e2e.conftest import axe_check
from tests.e2e.test_bookings import FREE_END, FREE_START, hhmm, long_date, next_weekday
from tests.e2e.test_foundation import log_in

PHONE = {"width": 360, "height": 740}


def _room(name: str) -> int:
    room_id = db.session.scalar(select(Room.id).where(Room.name == name))
    db.session.rollback()
    assert room_id, name
    return room_id


def _fits_the_width(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_booking_form_on_a_phone(live_server: str, page: Page) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/bookings/new")
    form = page.locator("#booking-form")
    expect(form).to_be_visible()
    _fits_the_width(page)
    # 24-hour selects, never the browser's AM/PM time input
    expect(page.locator("select#start")).to_be_visible()
    expect(page.locator("input[type=time]")).to_have_count(0)
    expect(page.locator("select#start option[value='13:00']")).to_have_text("13.00")

    day = next_weekday(9)
    page.locator("#room_id").select_option(str(_room("Ruang Rapat 1")))
    page.locator("#date").fill(day.isoformat())
    page.locator("#date").dispatch_event("change")
    expect(page.locator("#date-words")).to_have_text(long_date(day))

    # The repeat part shows what the frequency needs.
    page.locator("details.repeat > summary").click()
    weekdays = page.locator("fieldset.weekdays")
    expect(weekdays).to_be_hidden()
    page.locator("#frequency").select_option("weekly")
    expect(weekdays).to_be_visible()
    page.locator("#start").select_option(hhmm(FREE_START))
    page.locator("#end").select_option(hhmm(FREE_END))
    page.locator("#count").fill("6")
    page.locator("#count").dispatch_event("change")
    expect(page.locator("#repeat-summary")).to_contain_text("6 kali sampai")
    expect(page.locator("#repeat-summary")).to_contain_text("16.00–16.45")
    page.locator("#frequency").select_option("daily")
    expect(weekdays).to_be_hidden()
    expect(page.locator("#repeat-summary")).to_contain_text("Setiap hari")
    _fits_the_width(page)
    axe_check(page)

    # Every required field at once, in Indonesian, values kept.
    page.locator("#attendees").fill("9999")
    form.locator("> button[type=submit]").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.locator("#live-attendees")).to_contain_text("Angka harus antara 1 dan 5000.")
    expect(page.locator("#date")).to_have_value(day.isoformat())
    _fits_the_width(page)
    axe_check(page)


def test_series_page_lists_every_date(live_server: str, page: Page) -> None:
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/bookings/new")
    first = next_weekday(8)
    monday_before = first - timedelta(days=first.weekday())  # the rule snaps to `first`
    page.locator("#room_id").select_option(str(_room("Ruang Rapat 2")))
    page.locator("#date").fill(monday_before.isoformat())
    page.locator("#start").select_option(hhmm(FREE_START))
    page.locator("#end").select_option(hhmm(FREE_END))
    page.locator("#title").fill("Koordinasi mingguan (e2e)")
    page.locator("details.repeat > summary").click()
    page.locator("#frequency").select_option("weekly")
    page.locator(f"#weekdays-{first.weekday()}").check()
    page.locator("#count").fill("5")
    page.locator("#booking-form > button[type=submit]").click()

    preview = page.locator("section.preview")
    expect(preview).to_be_visible()
    expect(page.locator("#date")).to_have_value(first.isoformat())
    expect(preview.locator(".preview-totals")).to_have_text("5 akan dipinjam, 0 dilewati")
    skipped = first + timedelta(days=14)
    preview.locator(f"#skip-{skipped.isoformat()}").check()
    expect(preview.locator(".preview-totals")).to_have_text("4 akan dipinjam, 1 dilewati")
    axe_check(page)
    page.locator("#booking-form > button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/bookings/series/\d+$"))
    rows = page.locator("ol.series-dates > li")
    expect(rows).to_have_count(5)
    expect(rows.nth(2)).to_contain_text(long_date(skipped))
    expect(rows.nth(2)).to_contain_text("Dilewati")
    expect(rows.nth(0)).to_contain_text(long_date(first))
    expect(page.locator(".series-counts")).to_contain_text("Dilewati 1")
    axe_check(page)
    page.set_viewport_size(PHONE)
    _fits_the_width(page)

    # From an occurrence back to the series.
    rows.nth(0).locator("a").click()
    page.get_by_role("link", name="Semua tanggal dan statusnya").click()
    expect(page).to_have_url(re.compile(r"/bookings/series/\d+$"))
    expect(rows).to_have_count(5)
