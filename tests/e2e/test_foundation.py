"""The foundation in a real browser: login per role, language, htmx swaps, small screens.

Every page the tests open is checked with axe-core (serious and critical violations fail).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from intranet.auth.models import Role, User
from intranet.demo import ACCOUNTS, DEMO_PASSWORD
from intranet.extensions import db
from tests.e2e.conftest import axe_check

ADMIN_LINKS = ["/admin/users/", "/admin/pillars/", "/admin/audit/"]


def log_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form[action$='/login'] button[type=submit]").click()


def user_menu(page: Page):
    menu = page.locator("details.dropdown.user-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    return menu


@pytest.mark.parametrize(
    ("username", "full_name", "role"),
    [pytest.param(u, name, role, id=u) for u, name, role, _pillar in ACCOUNTS],
)
def test_demo_user_logs_in_sees_role_navigation_and_logs_out(
    live_server: str, page: Page, username: str, full_name: str, role: Role
) -> None:
    page.goto(f"{live_server}/login")
    expect(page.locator("main h1")).to_be_visible()
    axe_check(page)

    log_in(page, live_server, username)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("main h1")).to_contain_text(full_name)
    expect(page.locator("details.user-menu summary")).to_have_text(full_name)
    nav = page.locator("header nav")
    admin_menu = nav.locator("details.dropdown:not(.user-menu)")
    if role == Role.ADMIN:
        expect(admin_menu.locator("summary")).to_have_text("Admin")
        for href in ADMIN_LINKS:
            expect(admin_menu.locator(f"a[href='{href}']")).to_have_count(1)
        admin_menu.locator("summary").click()
        expect(admin_menu.locator(f"a[href='{ADMIN_LINKS[0]}']")).to_be_visible()
    else:
        expect(admin_menu).to_have_count(0)
        for href in ADMIN_LINKS:
            expect(nav.locator(f"a[href='{href}']")).to_have_count(0)
    axe_check(page)

    menu = user_menu(page)
    logout = menu.get_by_role("button", name=re.compile(r"^(Log out|Keluar)$"))
    expect(logout).to_be_visible()
    logout.click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("details.user-menu")).to_have_count(0)
    axe_check(page)


def test_language_switch_changes_html_lang_and_labels(live_server: str, page: Page) -> None:
    html = page.locator("html")
    switch = page.locator("form.language-form button[name=locale]")

    page.goto(f"{live_server}/login")
    expect(html).to_have_attribute("lang", "id")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("lang", "en")
    axe_check(page)

    switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(switch).to_have_text("Bahasa Indonesia")
    expect(switch).to_have_attribute("lang", "id")
    expect(page).to_have_url(f"{live_server}/login")
    axe_check(page)

    # The choice made before login carries over; switch back from the user menu.
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    expect(html).to_have_attribute("lang", "en")
    menu = user_menu(page)
    back = menu.locator("form.language-form button[name=locale]")
    expect(back).to_have_text("Bahasa Indonesia")
    back.click()
    expect(html).to_have_attribute("lang", "id")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("form.language-form button[name=locale]")).to_have_text("English")
    axe_check(page)


def test_user_search_and_deactivate_swap_fragments(live_server: str, page: Page) -> None:
    log_in(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/")
    table = page.locator("#users-table")
    expect(table.locator("tbody tr")).to_have_count(18)
    axe_check(page)
    page.evaluate("window.__e2eMarker = 'same page'")

    page.locator("#q").fill("sekretaris")
    expect(page).to_have_url(re.compile(r"/admin/users/\?(.*&)?q=sekretaris(&|$)"))
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("sekretaris.tksk")
    expect(table).to_contain_text("sekretaris.tagana")
    assert page.evaluate("window.__e2eMarker") == "same page"
    expect(page.locator("header.site-header")).to_have_count(1)  # a fragment, not a page
    axe_check(page)

    row = table.locator("tbody tr", has=page.get_by_role("cell", name="sekretaris.tagana"))
    other = table.locator("tbody tr", has=page.get_by_role("cell", name="sekretaris.tksk"))
    expect(row).to_contain_text(re.compile(r"\b(Active|Aktif)\b"))
    other.evaluate("el => { el.dataset.e2eUntouched = 'yes' }")
    table.evaluate("el => { el.dataset.e2eUntouched = 'yes' }")

    row.get_by_role("button", name=re.compile(r"(Deactivate|Nonaktifkan)")).click()
    expect(row).to_contain_text(re.compile(r"\b(Inactive|Nonaktif)\b"))
    expect(row.get_by_role("button", name=re.compile(r"(Activate|Aktifkan)"))).to_be_visible()
    expect(other).to_have_attribute("data-e2e-untouched", "yes")
    expect(table).to_have_attribute("data-e2e-untouched", "yes")
    expect(table.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("window.__e2eMarker") == "same page"
    axe_check(page)

    # The server committed it (read from this thread only after the request is done).
    active = db.session.scalar(select(User.active).where(User.username == "sekretaris.tagana"))
    db.session.rollback()
    assert active is False


def test_bad_login_shows_error_next_to_form_and_keeps_username(
    live_server: str, page: Page
) -> None:
    log_in(page, live_server, "staf", "not-the-password")
    form = page.locator("main form[action$='/login']")
    error = form.locator(".form-errors[role=alert]")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page).to_have_url(f"{live_server}/login")
    expect(form.locator("input[name=username]")).to_have_value("staf")
    expect(form.locator("input[name=password]")).to_have_value("")
    expect(page.locator("details.user-menu")).to_have_count(0)
    axe_check(page)


def test_small_screen_has_no_horizontal_overflow(live_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/login")
    expect(page.locator("main h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    log_in(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
