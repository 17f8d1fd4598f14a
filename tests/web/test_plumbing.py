"""Fragment vs full page, security headers, error pages, health check."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from intranet.core.security import CONTENT_SECURITY_POLICY


def test_full_page_and_fragment_from_same_view(login_as):
    admin = login_as("admin")
    full = admin.get("/admin/users/")
    fragment = admin.htmx_get("/admin/users/")
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<table" in body
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_boosted_and_history_restore_requests_get_full_page(login_as):
    admin = login_as("admin")
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        response = admin.htmx_get("/admin/users/", **extra)
        assert "<html" in response.get_data(as_text=True)
        assert "HX-Request" in response.headers["Vary"]


def test_flash_messages_travel_out_of_band_in_fragments(login_as, users):
    admin = login_as("admin")
    body = admin.post_form(f"/admin/users/{users['staff'].id}/active", htmx=True).get_data(
        as_text=True
    )
    assert 'hx-swap-oob="true"' in body and "flash-success" in body


def test_get_fragments_leave_flash_messages_for_the_next_page(login_as, users):
    """A live check racing a redirect must not eat the message the next page shows."""
    admin = login_as("admin")
    admin.post_form(f"/admin/users/{users['staff'].id}/active")  # flashes, redirects
    fragment = admin.htmx_get("/admin/users/").get_data(as_text=True)
    assert "flash-success" not in fragment
    assert "flash-success" in admin.get("/admin/users/").get_data(as_text=True)


def test_security_headers_on_every_response(client):
    for url in ("/login", "/healthz", "/nope", "/static/css/app.css"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        csp = headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "frame-ancestors 'none'" in csp


def test_pages_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_no_inline_scripts_and_no_internet_urls(login_as):
    admin = login_as("admin")
    for url in ("/", "/admin/users/", "/admin/pillars/", "/admin/audit/", "/profile"):
        html = admin.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<script " not in html.replace("<script src=", "")
        assert "http://" not in html and "https://" not in html, url


def test_404_inside_layout_and_as_fragment(login_as):
    staff = login_as("staff")
    full = staff.get("/does-not-exist")
    assert full.status_code == 404
    assert "<html" in full.get_data(as_text=True) and "404" in full.get_data(as_text=True)
    fragment = staff.htmx_get("/does-not-exist")
    assert fragment.status_code == 404
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Retarget"] == "#messages"


def test_403_inside_layout_in_both_languages(login_as, client):
    staff = login_as("staff")
    response = staff.get("/admin/users/")
    assert response.status_code == 403
    assert "<main" in response.get_data(as_text=True)
    staff.post_form("/language", {"locale": "en"})
    english = staff.get("/admin/users/").get_data(as_text=True)
    staff.post_form("/language", {"locale": "id"})
    indonesian = staff.get("/admin/users/").get_data(as_text=True)
    assert "Access denied" in english
    assert "Access denied" not in indonesian and "Akses ditolak" in indonesian


def test_500_inside_layout(app, login_as):
    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    staff = login_as("staff")
    response = staff.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<main" in html and "RuntimeError" not in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["database"] == "ok" and data["version"]


def test_healthz_reports_database_failure(client, monkeypatch):
    from intranet.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_demo_marker_only_with_demo_data(app, client):
    from intranet import demo

    assert "DEMO" not in client.get("/login").get_data(as_text=True)
    demo.seed_demo_office()
    assert "demo-badge" in client.get("/login").get_data(as_text=True)


def test_static_assets_are_local(client):
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/pico.min.css", "/static/js/app.js"):
        assert client.get(path).status_code == 200, path


def test_background_htmx_requests_leave_the_session_cookie_alone(login_as):
    # A live check answering just after a POST must not put back the older cookie.
    client = login_as("staff")
    page = client.get("/")
    assert "kb_session=" in page.headers.get("Set-Cookie", "")  # pages refresh it
    background = client.htmx_get("/bookings/check")
    assert "Set-Cookie" not in background.headers
