"""The board in a real browser: a secretary posts an urgent notice with an attachment for
two pillars; a member of one sees the unread badge, opens it and acknowledges; a member of
another pillar does not see it at all; the author sees the count. Every page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import axe_check
from tests.e2e.test_foundation import log_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TITLE = "Penting: rapat darurat penanganan banjir"
POST_URL = re.compile(r"/announcements/(\d+)$")


def badge_count(page: Page) -> int:
    badge = page.locator("ul.main-nav a[href$='/announcements/'] .badge")
    return int(badge.inner_text()) if badge.count() else 0


def log_out(page: Page) -> None:
    """Leave the page first (no response in flight can set the session again), then forget
    the session."""
    page.goto("about:blank")
    page.context.clear_cookies()


def test_post_read_acknowledge_and_count(live_server: str, page: Page) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "sekretaris.tksk")
    page.goto(f"{live_server}/announcements/new")
    axe_check(page)
    page.get_by_label("Judul").fill(TITLE)
    page.get_by_label("Isi").fill(
        "Seluruh TKSK dan PSM diminta hadir.\n\n- Tempat: **Aula**\n- Bawa data korban"
    )
    page.get_by_label("Kategori").select_option(label="Penting")
    page.locator("input[name=audience][value=all]").uncheck()
    page.get_by_label("TKSK – Tenaga Kesejahteraan Sosial Kecamatan").check()
    page.get_by_label("PSM – Pekerja Sosial Masyarakat").check()
    page.get_by_label('Minta pembaca mengonfirmasi ("Saya sudah membaca")').check()
    page.locator("input[name=attachments]").set_input_files(
        [{"name": "Surat tugas.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # The htmx preview renders the Markdown without leaving the form (files stay chosen).
    page.get_by_role("button", name="Pratinjau").click()
    expect(page.locator("#announcement-preview strong")).to_have_text("Aula")
    expect(page.locator("input[name=attachments]")).to_have_value(re.compile("Surat tugas"))
    page.get_by_role("button", name="Umumkan").click()
    expect(page).to_have_url(POST_URL)
    post_id = POST_URL.search(page.url).group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("link", name="Surat tugas.pdf")).to_be_visible()
    expect(page.locator(".ack-summary h2")).to_contain_text("0 / ")
    axe_check(page)

    # A PSM member: the badge counts it, the board marks it, opening it reads it.
    log_out(page)
    log_in(page, live_server, "staf")
    page.goto(f"{live_server}/announcements/")
    before = badge_count(page)
    assert before >= 1
    card = page.locator("li.post-card", has_text=TITLE)
    expect(card.locator(".unread-mark")).to_be_visible()
    expect(card.locator(".category")).to_have_text("Penting")
    axe_check(page)
    card.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(f"{live_server}/announcements/{post_id}")
    assert badge_count(page) == before - 1
    page.get_by_role("button", name="Saya sudah membaca").click()
    expect(page.locator("#ack .ok-note")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server}/announcements/")
    axe_check(page)

    # A TAGANA member sees neither the post nor its file.
    log_out(page)
    log_in(page, live_server, "syahrul")
    page.goto(f"{live_server}/announcements/")
    expect(page.locator("li.post-card", has_text=TITLE)).to_have_count(0)
    response = page.goto(f"{live_server}/announcements/{post_id}")
    assert response is not None and response.status == 404

    # The author sees one acknowledgement, and who has not, by pillar.
    log_out(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server, "sekretaris.tksk")
    page.goto(f"{live_server}/announcements/{post_id}")
    expect(page.locator(".ack-summary h2")).to_contain_text("1 / ")
    expect(page.locator(".ack-groups")).to_contain_text("PSM: 1 /")
    page.get_by_role(
        "link", name="Siapa yang sudah dan belum mengonfirmasi (dapat dicetak)"
    ).click()
    expect(page.locator("table.ack-table")).to_contain_text("Dewi Lestari")
    expect(page.locator("table.ack-table")).to_contain_text("Belum")
    axe_check(page)


def test_acknowledge_and_filter_without_javascript(
    live_server: str, browser: Browser, browser_context_args: dict
) -> None:
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "staf")
        page.goto(f"{live_server}/announcements/")
        page.get_by_label("Kategori").select_option(label="Penting")
        page.get_by_role("button", name="Saring").click()
        expect(page).to_have_url(re.compile(r"category=\d+"))
        card = page.locator("li.post-card", has_text="Wajib: pembaruan data anggota pilar")
        card.get_by_role("link").first.click()
        page.get_by_role("button", name="Saya sudah membaca").click()
        expect(page.locator(".ok-note")).to_be_visible()
        expect(page.locator("#messages")).to_contain_text("Terima kasih")
    finally:
        context.close()


def test_unread_badge_polls_every_minute_but_not_while_hidden(
    live_server: str, browser: Browser, browser_context_args: dict
) -> None:
    for hidden in (False, True):
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        if hidden:
            page.add_init_script(
                "Object.defineProperty(document, 'hidden', {get: () => window.__hidden})"
            )
        page.clock.install()
        requests: list[str] = []
        page.on("request", lambda r, seen=requests: seen.append(r.url))
        try:
            log_in(page, live_server, "staf")
            page.goto(f"{live_server}/announcements/")
            expect(page.locator("ul.main-nav .badge-slot").first).to_be_attached()
            page.evaluate(f"window.__hidden = {'true' if hidden else 'false'}")
            page.clock.fast_forward(61_000)
            page.wait_for_timeout(500)
            polled = [u for u in requests if u.endswith("/announcements/badge")]
            if hidden:
                assert polled == []
            else:
                # Once, though the count shows in the nav and in the phone menu.
                assert len(polled) == 1, requests
                expect(
                    page.locator("ul.main-nav a[href$='/announcements/'] .badge")
                ).to_be_visible()
        finally:
            context.close()
