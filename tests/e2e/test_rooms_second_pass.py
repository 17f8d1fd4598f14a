"""What the front desk, a secretary on a phone and an auditor see: the calendar at 360 px,
the header at 1024 px, a readable week, the room finder, the printed desk sheet and an
audit log in names. Every page opened is checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from intranet.bookings.models import Booking, Room
from intranet.core.formatting import local_today
from intranet.extensions import db
from tests.e2e.conftest import axe_check
from tests.e2e.test_foundation import log_in


def _busiest_weekday_ahead() -> tuple[str, list[str]]:
    """The demo office's busiest day in the next two weeks, and every active room's name."""
    today = local_today()
    day = db.session.execute(
        select(Booking.day, func.count())
        .where(Booking.day >= today, Booking.day < today + timedelta(days=14))
        .group_by(Booking.day)
        .order_by(func.count().desc(), Booking.day)
    ).first()[0]
    rooms = list(db.session.scalars(select(Room.name).where(Room.active.is_(True))))
    db.session.rollback()
    return day.isoformat(), rooms


def test_a_phone_shows_every_room_of_the_day_without_sideways_scrolling(
    live_server: str, page: Page
) -> None:
    day, rooms = _busiest_weekday_ahead()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "staf")
    page.goto(f"{live_server}/bookings/calendar?view=day&date={day}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The first screen already shows calendar content, not only header and controls.
    first = page.locator(".cal-grid .cal-head").first.bounding_box()
    assert first is not None and first["y"] < 740
    for name in rooms:
        heading = page.locator(".cal-grid .cal-head", has_text=name)
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_visible()
        box = heading.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 361, name  # not off to the side
    axe_check(page)


def test_the_header_fits_one_row_at_1024_px(live_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    for user in ("resepsionis", "admin"):
        log_in(page, live_server, user)
        expect(page).to_have_url(f"{live_server}/")  # the login's redirect has landed
        tops = page.evaluate(
            """[...document.querySelectorAll('.site-header nav > ul > li')]
               .filter(li => li.offsetParent !== null)
               .map(li => Math.round(li.getBoundingClientRect().top))"""
        )
        assert tops and max(tops) - min(tops) <= 8, (user, tops)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        page.context.clear_cookies()


def test_week_entries_stay_readable(live_server: str, page: Page) -> None:
    day, _rooms = _busiest_weekday_ahead()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "resepsionis")
    page.goto(f"{live_server}/bookings/calendar?view=week&date={day}")
    widths = page.evaluate(
        "[...document.querySelectorAll('.cal-entry')].map(e => e.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 80, widths
    badge = page.locator(".cal-legend .cal-pending")
    box = badge.bounding_box()
    assert box and page.evaluate(
        "el => el.scrollWidth <= el.clientWidth + 1", badge.element_handle()
    )
    axe_check(page)


def test_the_room_finder_books_a_free_room_in_two_taps(live_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "staf")
    page.goto(f"{live_server}/rooms/find")
    axe_check(page)
    page.locator("#people").fill("10")
    page.get_by_role("button", name="Cari ruang").click()  # tap 1
    expect(page.locator("#finder-found")).to_contain_text("ruang kosong")
    axe_check(page)
    card = page.locator(".room-card").first
    room_name = card.locator("h3").inner_text()
    card.get_by_role("button").click()  # tap 2: the form, filled in
    expect(page).to_have_url(re.compile(r"/bookings/new\?room_id=\d+"))
    assert room_name in page.locator("#room_id option:checked").inner_text()
    assert page.locator("#attendees").input_value() == "10"
    page.locator("#title").fill("Rapat kecil dari pencari ruang")
    page.locator("#booking-form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("Rapat kecil dari pencari ruang")


def test_the_printed_desk_sheet_has_no_form_controls_and_says_when_it_was_printed(
    live_server: str, page: Page
) -> None:
    log_in(page, live_server, "resepsionis")
    page.goto(f"{live_server}/bookings/frontdesk")
    axe_check(page)
    page.emulate_media(media="print")
    visible_controls = page.evaluate(
        """[...document.querySelectorAll('input, select, textarea, button')]
           .filter(el => el.offsetParent !== null).length"""
    )
    assert visible_controls == 0
    printed = page.locator(".desk-print-head")
    expect(printed).to_be_visible()
    expect(printed).to_contain_text(re.compile(r"Dicetak: .*\d{2}\.\d{2}"))
    page.pdf(format="A4")  # renders in print media without error


def test_the_audit_log_names_rooms_and_pillars(live_server: str, page: Page) -> None:
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/audit/?object_type=booking")
    rooms = page.locator("ul.changes li", has_text="Ruang:")
    expect(rooms.first).to_be_visible()
    for text in rooms.all_inner_texts()[:20]:
        value = text.split(":", 1)[1].strip()
        assert value and not value.isdigit(), text
    axe_check(page)
