"""The foundation in a real browser: login per role, language, htmx swaps, small screens.

Every page the tests open is checked with axe-core (serious and critical violations fail).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from intranet.auth.models import Role, User
from intranet.demo import ACCOUNTS, COLLEAGUES, DEMO_PASSWORD
from intranet.extensions import db
from tests.e2e.conftest import axe_check

ADMIN_LINKS = ["/admin/users/", "/admin/pillars/", "/admin/audit/"]
# The dashboard shows today's date, formatted in the page's language (catalogs or not).
ENGLISH_WEEKDAY = re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
INDONESIAN_WEEKDAY = re.compile(r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu)\b")


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
    admin_menu = nav.locator("details.dropdown.admin-menu")
    if role == Role.ADMIN:
        expect(admin_menu.locator("summary")).to_have_text(re.compile(r"^(Admin|Administrasi)$"))
        for href in ADMIN_LINKS:
            expect(admin_menu.locator(f"a[href='{href}']")).to_have_count(1)
        admin_menu.locator("summary").click()
        expect(admin_menu.locator(f"a[href='{ADMIN_LINKS[0]}']")).to_be_visible()
        admin_menu.locator("summary").click()  # an open Pico dropdown covers the page
        expect(admin_menu.locator(f"a[href='{ADMIN_LINKS[0]}']")).to_be_hidden()
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
    # the wide screen's switch (the same form is also in the narrow screen's menu)
    switch = page.locator("form.language-form:not(.site-menu *) button[name=locale]")
    today_date = page.locator("main hgroup p")

    def choose(language_name: str) -> None:
        if page.locator("details.user-menu").count():
            user_menu(page)
        expect(switch).to_have_text(language_name)
        switch.click()

    def expect_language(lang: str) -> None:
        other = "Bahasa Indonesia" if lang == "en" else "English"
        expect(html).to_have_attribute("lang", lang)
        expect(switch).to_have_text(other)
        expect(switch).to_have_attribute("lang", "id" if lang == "en" else "en")

    page.goto(f"{live_server}/login")
    expect_language("id")  # from the browser's Accept-Language (id-ID)
    axe_check(page)

    choose("English")
    expect_language("en")
    expect(page).to_have_url(f"{live_server}/login")
    axe_check(page)

    # The choice made before login becomes the user's language.
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    expect_language("en")
    expect(today_date).to_have_text(ENGLISH_WEEKDAY)

    choose("Bahasa Indonesia")
    expect(page).to_have_url(f"{live_server}/")
    expect_language("id")
    expect(today_date).to_have_text(INDONESIAN_WEEKDAY)
    axe_check(page)

    choose("English")
    expect_language("en")
    expect(today_date).to_have_text(ENGLISH_WEEKDAY)

    # Logging out keeps the browser's choice (English); then a colleague picks Indonesian
    # on the login page, and staf logs in again: staf's own language (English) wins.
    user_menu(page).get_by_role("button", name=re.compile(r"^(Log out|Keluar)$")).click()
    expect(page).to_have_url(f"{live_server}/login")
    expect_language("en")
    choose("Bahasa Indonesia")
    expect_language("id")
    log_in(page, live_server, "staf")
    expect(page).to_have_url(f"{live_server}/")
    expect_language("en")
    expect(today_date).to_have_text(ENGLISH_WEEKDAY)

    # Logging out returns to the browser's choice.
    user_menu(page).get_by_role("button", name=re.compile(r"^(Log out|Keluar)$")).click()
    expect(page).to_have_url(f"{live_server}/login")
    expect_language("id")


def test_user_search_and_deactivate_swap_fragments(live_server: str, page: Page) -> None:
    log_in(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/")
    table = page.locator("#users-table")
    expect(table.locator("tbody tr")).to_have_count(len(ACCOUNTS) + len(COLLEAGUES))
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

    row.get_by_role("button", name=re.compile(r"^(Deactivate|Nonaktifkan)\b")).click()
    expect(row).to_contain_text(re.compile(r"\b(Inactive|Nonaktif)\b"))
    expect(row.get_by_role("button", name=re.compile(r"^(Activate|Aktifkan)\b"))).to_be_visible()
    expect(other).to_have_attribute("data-e2e-untouched", "yes")
    expect(table).to_have_attribute("data-e2e-untouched", "yes")
    expect(table.locator("tbody tr")).to_have_count(2)
    assert page.evaluate("window.__e2eMarker") == "same page"
    axe_check(page)

    # A select filter swaps the table too (the search box's blur above must not).
    page.locator("#active").select_option("0")
    expect(page).to_have_url(re.compile(r"[?&]active=0(&|$)"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("sekretaris.tagana")
    assert page.evaluate("window.__e2eMarker") == "same page"

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
