"""Room bookings in a real browser: the live check, approval, the calendar, no JavaScript.

Every page the tests open is checked with axe-core (serious and critical violations fail).
The demo office is seeded relative to today, so dates and slots are looked up in the
database (from the test thread, rolled back at once so the server's writes never wait).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import force_locale
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from intranet.bookings import services
from intranet.bookings.models import HOLDING_STATUSES, Booking, Room
from intranet.core.db import utcnow
from intranet.core.formatting import format_date_long, local_today, office_zone
from intranet.extensions import db
from tests.e2e.conftest import axe_check
from tests.e2e.test_foundation import log_in

FREE_START, FREE_END = time(16, 0), time(16, 45)  # after the demo's last slot (15.30)
BOOKING_URL = re.compile(r"/bookings/(\d+)$")


@dataclass(frozen=True)
class TakenSlot:
    """An existing booking in a room that needs approval, 8–20 days ahead on a weekday."""

    room_id: int
    room_name: str
    day: date
    start: time
    end: time
    title: str


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def taken_slot() -> TakenSlot:
    """A demo booking whose room needs approval, on a day when FREE_START–FREE_END is free."""
    now = utcnow()
    candidates = db.session.execute(
        select(Booking, Room)
        .join(Room, Booking.room_id == Room.id)
        .where(
            Room.needs_approval.is_(True),
            Booking.status.in_(HOLDING_STATUSES),
            Booking.start_at > now + timedelta(days=8),
            Booking.start_at < now + timedelta(days=20),
        )
        .order_by(Booking.start_at)
    ).all()
    try:
        for booking, room in candidates:
            start = booking.start_at.astimezone(office_zone())
            end = booking.end_at.astimezone(office_zone())
            if start.weekday() >= 5 or start.date() != end.date():
                continue
            free = services.overlapping(
                room.id,
                services.to_utc(start.date(), FREE_START),
                services.to_utc(start.date(), FREE_END),
            )
            if db.session.scalars(*free).first() is not None:
                continue
            return TakenSlot(
                room.id, room.name, start.date(), start.time(), end.time(), booking.title
            )
    finally:
        db.session.rollback()
    raise AssertionError("the demo office has no booking 8–20 days ahead in Aula/Pelatihan")


def booking_status(booking_id: int) -> str:
    status = db.session.scalar(select(Booking.status).where(Booking.id == booking_id))
    db.session.rollback()
    return status


def long_date(day: date) -> str:
    """The calendar heading of a day, as the page shows it (Indonesian, from id-ID)."""
    with force_locale("id"):
        return format_date_long(day)


def next_weekday(days_ahead: int) -> date:
    day = local_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def axe_check_without_js(axe_page: Page, page: Page) -> None:
    """axe-core needs JavaScript: check the DOM of ``page`` (JavaScript off) in ``axe_page``.

    The copy is served at the same URL (same styles), without its scripts and with the
    ``<noscript>`` content unwrapped, as a browser without JavaScript renders it.
    """
    url = page.url
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.DOTALL)
    html = re.sub(r"</?noscript>", "", html)

    def same_url(candidate: str) -> bool:
        return candidate == url

    def serve_copy(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    axe_page.route(same_url, serve_copy)
    try:
        axe_page.goto(url)
        axe_check(axe_page)
    finally:
        axe_page.unroute(same_url, serve_copy)


def fill_booking(page: Page, slot: TakenSlot, start: time, end: time) -> None:
    page.locator("#room_id").select_option(str(slot.room_id))
    page.locator("#date").fill(slot.day.isoformat())
    page.locator("#start").select_option(hhmm(start))
    page.locator("#end").select_option(hhmm(end))


def test_request_live_conflict_approval_and_day_view(live_server: str, page: Page) -> None:
    slot = taken_slot()
    title = "Pelatihan relawan PSM (e2e)"

    # 1. Staff fills the form; the live check reports the conflict before any submit.
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/bookings/new")
    form = page.locator("#booking-form")
    expect(form).to_be_visible()
    axe_check(page)
    page.evaluate("window.__e2eMarker = 'same page'")

    fill_booking(page, slot, slot.start, slot.end)
    live_start = page.locator("#live-start")
    expect(live_start.locator(".field-error")).to_contain_text(slot.title)
    expect(page.locator("#slot-note .ok-note")).to_have_count(0)
    availability = page.locator("#availability")
    expect(availability.locator(".strip-caption")).to_contain_text(slot.room_name)
    expect(availability.locator(".busy-list")).to_contain_text(slot.title)
    expect(page).to_have_url(f"{live_server}/bookings/new")  # nothing was submitted
    assert page.evaluate("window.__e2eMarker") == "same page"
    axe_check(page)

    # The rest of the form (the "room is free" note waits for a title: every problem counts).
    page.locator("#attendees").fill("12")
    page.locator("#title").fill(title)
    expect(live_start.locator(".field-error")).to_contain_text(slot.title)

    # A free slot: the conflict disappears and the check says the room is free.
    page.locator("#start").select_option(hhmm(FREE_START))
    page.locator("#end").select_option(hhmm(FREE_END))
    expect(page.locator("#slot-note .ok-note")).to_be_visible()
    expect(live_start.locator(".field-error")).to_have_count(0)
    expect(page.locator("#live-end .field-error")).to_have_count(0)
    expect(availability.locator(".strip-caption")).to_contain_text(slot.room_name)
    assert page.evaluate("window.__e2eMarker") == "same page"
    axe_check(page)

    form.locator("> button[type=submit]").click()
    expect(page).to_have_url(BOOKING_URL)
    match = BOOKING_URL.search(page.url)
    assert match
    booking_id = int(match.group(1))
    panel = page.locator(f"article#booking-{booking_id}")
    expect(panel.locator("h1")).to_have_text(title)
    expect(panel.locator(".status.status-pending")).to_be_visible()
    # (The page around the panel is missing: see test_htmx_booking_submit_lands_on_a_full_page.)
    axe_check(page)
    assert booking_status(booking_id) == "pending"

    # 2. The receptionist approves it in the queue; only its row is swapped.
    page.context.clear_cookies()
    log_in(page, live_server, "resepsionis")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/bookings/approvals")
    pending = services.pending_count()
    db.session.rollback()
    # the count shows on the front desk's menu in the header
    badge = page.locator("header .main-nav details.nav-group summary .badge")
    expect(badge).to_have_text(str(pending))
    table = page.locator("#approvals table")
    row = table.locator(f"tbody tr#approval-{booking_id}")
    expect(row).to_contain_text(title)
    expect(row).to_contain_text(slot.room_name)
    other = table.locator(f"tbody tr:not(#approval-{booking_id})").first
    expect(other.locator("form[action$='/approve']")).to_have_count(1)
    axe_check(page)
    page.evaluate("window.__e2eMarker = 'same page'")
    other.evaluate("el => { el.dataset.e2eUntouched = 'yes' }")
    table.evaluate("el => { el.dataset.e2eUntouched = 'yes' }")

    row.locator("form[action$='/approve'] button[type=submit]").click()
    expect(row.locator(".status.status-approved")).to_be_visible()
    expect(row.locator("form")).to_have_count(0)
    expect(row).to_contain_text(title)
    expect(other).to_have_attribute("data-e2e-untouched", "yes")
    expect(other.locator("form[action$='/approve']")).to_have_count(1)
    expect(table).to_have_attribute("data-e2e-untouched", "yes")
    expect(badge).to_have_text(str(pending - 1))  # the nav count follows the decision
    expect(page.locator("header.site-header")).to_have_count(1)
    assert page.evaluate("window.__e2eMarker") == "same page"
    expect(page).to_have_url(f"{live_server}/bookings/approvals")
    axe_check(page)
    assert booking_status(booking_id) == "approved"

    # 3. The day view of that date shows the booking, no longer pending.
    page.goto(f"{live_server}/bookings/calendar?date={slot.day.isoformat()}&view=day")
    expect(page.locator("#calendar h2.cal-heading")).to_have_text(long_date(slot.day))
    block = page.locator(f"#calendar a.cal-block[href$='booking={booking_id}']")
    expect(block.locator(".cal-block-title")).to_have_text(title)
    expect(block.locator(".cal-block-time")).to_contain_text("16")
    expect(block).not_to_have_class(re.compile(r"\bis-pending\b"))
    other_block = page.locator("#calendar a.cal-block", has_text=slot.title)
    expect(other_block.first).to_be_visible()
    axe_check(page)

    page.evaluate("window.__e2eMarker = 'same page'")
    block.click()  # the details open beside the calendar, and the URL names them
    expect(page.locator(f"#booking-panel article#booking-{booking_id} h1")).to_have_text(title)
    expect(page).to_have_url(re.compile(rf"/bookings/calendar\?.*booking={booking_id}"))
    assert page.evaluate("window.__e2eMarker") == "same page"  # swapped, not reloaded
    expect(page).to_have_title(re.compile(long_date(slot.day)))
    axe_check(page)
    page.go_back()  # Back closes the booking again
    expect(page.locator(f"#booking-panel article#booking-{booking_id}")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/bookings/calendar\?date=[0-9-]+&view=day$"))


def test_htmx_booking_submit_lands_on_a_full_page(live_server: str, page: Page) -> None:
    slot = taken_slot()
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    query = f"room_id={slot.room_id}&date={slot.day.isoformat()}&start={hhmm(FREE_START)}"
    page.goto(f"{live_server}/bookings/new?{query}")
    expect(page.locator("#start")).to_have_value(hhmm(FREE_START))  # prefilled from the query
    page.locator("#end").select_option(hhmm(FREE_END))
    page.locator("#title").fill("Rapat singkat (e2e)")
    axe_check(page)
    page.locator("#booking-form > button[type=submit]").click()
    expect(page).to_have_url(BOOKING_URL)
    expect(page.locator("article.booking-panel h1")).to_have_text("Rapat singkat (e2e)")
    axe_check(page)
    expect(page.locator("header.site-header nav")).to_have_count(1, timeout=1000)
    expect(page.locator("#messages .flash")).to_be_visible(timeout=1000)


def test_calendar_navigation_history_and_date_picker(live_server: str, page: Page) -> None:
    day = next_weekday(8)
    following = day + timedelta(days=1)
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    day_url = f"{live_server}/bookings/calendar?date={day.isoformat()}&view=day"
    page.goto(day_url)
    calendar = page.locator("#calendar")
    heading = calendar.locator("h2.cal-heading")
    expect(heading).to_have_text(long_date(day))
    expect(calendar.locator(".cal-views a[aria-current=page]")).to_have_attribute(
        "href", re.compile(r"view=day")
    )
    axe_check(page)
    page.evaluate("window.__e2eMarker = 'same page'")

    # Next: an htmx swap of #calendar, the URL pushed.
    calendar.locator(".cal-step a[rel=next]").click()
    next_url = re.compile(rf"/bookings/calendar\?date={following.isoformat()}&view=day$")
    expect(page).to_have_url(next_url)
    expect(heading).to_have_text(long_date(following))
    expect(page.locator("#cal-date")).to_have_value(following.isoformat())
    assert page.evaluate("window.__e2eMarker") == "same page"
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("#calendar #calendar")).to_have_count(0)
    axe_check(page)

    # The week view of that day, through the toolbar.
    calendar.locator(".cal-views a[href*='view=week']").click()
    week_url = re.compile(rf"/bookings/calendar\?date={following.isoformat()}&view=week$")
    expect(page).to_have_url(week_url)
    monday = following - timedelta(days=following.weekday())
    # the heading names the days shown: Monday to Friday (the demo has no weekend bookings)
    friday = long_date(monday + timedelta(days=4))
    starts = (
        long_date(monday).rsplit(" ", 1)[0]
        if monday.year == (monday + timedelta(days=4)).year
        else long_date(monday)
    )
    expect(heading).to_have_text(f"{starts} – {friday}")
    expect(calendar.locator("table.cal-rooms-week")).to_be_visible()
    expect(calendar.locator(".cal-views a[aria-current=page]")).to_have_attribute(
        "href", re.compile(r"view=week")
    )
    assert page.evaluate("window.__e2eMarker") == "same page"
    axe_check(page)

    # Back: the previous URL, and the calendar shows that URL's day view again.
    page.go_back()
    expect(page).to_have_url(next_url)
    expect(heading).to_have_text(long_date(following))
    expect(calendar.locator(".cal-grid.cal-day")).to_be_visible()
    expect(page.locator("#cal-date")).to_have_value(following.isoformat())
    expect(page.locator("header.site-header")).to_have_count(1)
    axe_check(page)

    # Reloading a pushed URL gives the whole page, not the bare fragment.
    page.reload()
    expect(page).to_have_url(next_url)
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^(id|en)$"))
    expect(page.locator("header.site-header nav")).to_have_count(1)
    expect(page.locator("main h1")).to_be_visible()
    expect(heading).to_have_text(long_date(following))
    expect(calendar.locator(".cal-grid.cal-day")).to_be_visible()
    axe_check(page)

    # The date picker: choosing a date swaps the calendar to that date (same view).
    page.evaluate("window.__e2eMarker = 'same page'")
    picked = day + timedelta(days=7)
    page.locator("#cal-date").fill(picked.isoformat())  # its change submits the form
    picked_url = re.compile(rf"/bookings/calendar\?(?=.*date={picked.isoformat()})(?=.*view=day)")
    expect(page).to_have_url(picked_url)
    expect(heading).to_have_text(long_date(picked))
    expect(page.locator("#cal-date")).to_have_value(picked.isoformat())
    assert page.evaluate("window.__e2eMarker") == "same page"
    expect(page.locator("header.site-header")).to_have_count(1)
    axe_check(page)


def test_booking_form_works_without_javascript(
    live_server: str, page: Page, browser: Browser, browser_context_args: dict
) -> None:
    """``page`` (JavaScript on) only runs axe on copies of the pages seen without it."""
    axe_page = page
    slot = taken_slot()
    title = "Rapat tanpa JavaScript (e2e)"
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server, "staf")
        expect(page).to_have_url(f"{live_server}/")
        axe_check_without_js(axe_page, page)
        page.goto(f"{live_server}/bookings/new")
        form = page.locator("#booking-form")
        check_button = form.locator("button[formaction='/bookings/check'][formmethod=get]")
        expect(check_button).to_be_visible()
        axe_check_without_js(axe_page, page)

        # Check availability (a plain GET) shows the conflict and the room's day.
        fill_booking(page, slot, slot.start, slot.end)
        page.locator("#title").fill(title)
        check_button.click()
        expect(page).to_have_url(re.compile(r"/bookings/check\?"))
        expect(page.locator("#live-start .field-error")).to_contain_text(slot.title)
        availability = page.locator("#availability")
        expect(availability.locator(".strip-caption")).to_contain_text(slot.room_name)
        expect(availability.locator(".busy-list")).to_contain_text(slot.title)
        expect(page.locator("#room_id")).to_have_value(str(slot.room_id))
        expect(page.locator("#date")).to_have_value(slot.day.isoformat())
        expect(page.locator("#title")).to_have_value(title)
        axe_check_without_js(axe_page, page)

        # A free slot: checked again, no error; then booked (post, redirect, get).
        page.locator("#start").select_option(hhmm(FREE_START))
        page.locator("#end").select_option(hhmm(FREE_END))
        page.locator("#booking-form button[formaction='/bookings/check']").click()
        expect(page).to_have_url(re.compile(r"/bookings/check\?.*&start=16%3A00&end=16%3A45&"))
        expect(page.locator("#start")).to_have_value(hhmm(FREE_START))
        expect(availability.locator(".busy-list")).to_contain_text(slot.title)
        expect(page.locator("#live-start .field-error")).to_have_count(0)
        expect(page.locator("#live-end .field-error")).to_have_count(0)
        axe_check_without_js(axe_page, page)

        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/bookings/new")
        ) as posted:
            page.locator("#booking-form > button[type=submit]").click()
        assert posted.value.status == 303
        expect(page).to_have_url(BOOKING_URL)
        match = BOOKING_URL.search(page.url)
        assert match
        booking_id = int(match.group(1))
        panel = page.locator(f"article#booking-{booking_id}")
        expect(panel.locator("h1")).to_have_text(title)
        expect(panel.locator(".status.status-pending")).to_be_visible()
        expect(page.locator("#messages .flash")).to_be_visible()
        expect(page.locator("header.site-header nav")).to_have_count(1)
        axe_check_without_js(axe_page, page)
        assert booking_status(booking_id) == "pending"
    finally:
        context.close()
