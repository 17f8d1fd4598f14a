"""Login, logout, throttling, next redirects, CSRF, language, own password."""

from __future__ import annotations

import pytest

from intranet.auth.models import LoginFailure, User
from intranet.core.audit import AuditEntry
from intranet.core.db import write_transaction
from intranet.extensions import db
from tests.conftest import PASSWORD


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="remember"' in html


def test_login_and_logout(client, make_user):
    user = make_user("budi")
    response = client.login("budi")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert user.full_name in page
    response = client.post_form("/logout")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302


def test_login_is_case_insensitive_on_username(client, make_user):
    make_user("budi")
    assert client.login("  BUDI ").status_code == 303


def test_wrong_password_keeps_username_and_explains(client, make_user):
    make_user("budi")
    response = client.login("budi", "wrong-password")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="budi"' in html
    assert 'role="alert"' in html
    assert "wrong-password" not in html  # the password is never echoed back


def test_empty_form_shows_errors_next_to_fields(client):
    response = client.post_form("/login", {"username": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="username-error"' in html and 'id="password-error"' in html
    assert 'aria-invalid="true"' in html


def test_inactive_user_cannot_log_in(client, make_user):
    make_user("budi", active=False)
    response = client.login("budi")
    assert response.status_code == 422
    assert client.get("/").status_code == 302


def test_deactivated_user_is_logged_out(app, client, make_user):
    user = make_user("budi")
    client.login("budi")
    assert client.get("/").status_code == 200
    with write_transaction():
        db.session.get(User, user.id).active = False
    assert client.get("/").status_code == 302


def test_throttled_per_username(app, client, make_user):
    make_user("budi")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        assert client.login("budi", "nope-nope").status_code == 422
    response = client.login("budi")  # right password, but too late
    assert response.status_code == 429
    assert "15" in response.get_data(as_text=True)
    # another address is throttled too: the limit is per username
    other = app.test_client()
    response = other.post_form(
        "/login",
        {"username": "budi", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 429


def test_throttled_per_address(app, client, make_user):
    make_user("budi")
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for name in ("a.one", "b.two", "c.three"):
        client.login(name, "nope-nope")
    assert client.login("budi").status_code == 429
    other = app.test_client()
    response = other.post_form(
        "/login",
        {"username": "budi", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.status_code == 303


def test_successful_login_clears_failures(client, make_user):
    make_user("budi")
    client.login("budi", "nope-nope")
    assert client.login("budi").status_code == 303
    assert db.session.query(LoginFailure).filter_by(username="budi").count() == 0


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),
        ("/admin/users/?q=a", "/admin/users/?q=a"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_is_local_only(client, make_user, target, expected):
    make_user("budi")
    response = client.post_form(
        "/login", {"username": "budi", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_login_required_redirect_keeps_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile"


def test_expired_session_on_htmx_request_redirects_whole_page(client):
    response = client.get(
        "/admin/users/?q=x",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/users/?q=x"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/admin/users/?q%3Dx"
    assert response.get_data() == b""


def test_remember_me_sets_cookie(client, make_user):
    make_user("budi")
    response = client.post_form(
        "/login", {"username": "budi", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_session_cookie_flags(client, make_user):
    make_user("budi")
    response = client.login("budi")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("kb_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logged_in_user_visiting_login_goes_home(client, make_user):
    make_user("budi")
    client.login("budi")
    assert client.get("/login").status_code == 302


def test_get_logout_asks_for_confirmation(client, make_user):
    make_user("budi")
    client.login("budi")
    response = client.get("/logout")
    assert response.status_code == 200
    assert client.get("/").status_code == 200  # still logged in


# --- CSRF --------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(client, make_user):
    make_user("budi")
    response = client.post("/login", data={"username": "budi", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_htmx_post_without_csrf_token_gets_visible_message(login_as, users):
    admin = login_as("admin")
    user = users["staff"]
    response = admin.post(f"/admin/users/{user.id}/active", headers={"HX-Request": "true"}, data={})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'role="alert"' in html
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).active is True


def test_htmx_post_with_csrf_header_is_accepted(login_as, users):
    admin = login_as("admin")
    user = users["staff"]
    response = admin.post(
        f"/admin/users/{user.id}/active",
        headers={"HX-Request": "true", "X-CSRFToken": admin.csrf_token()},
    )
    assert response.status_code == 200
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).active is False


# --- own password and language ----------------------------------------------------------


def test_change_own_password(client, make_user):
    make_user("budi")
    client.login("budi")
    response = client.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "new-pass-123",
            "confirm_password": "new-pass-123",
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # still signed in on this device
    other = client.application.test_client()
    assert other.login("budi", PASSWORD).status_code == 422
    assert other.login("budi", "new-pass-123").status_code == 303
    assert db.session.query(AuditEntry).filter_by(action="user.password_change").count() == 1


def test_change_password_errors_are_shown_in_fragment(client, make_user):
    make_user("budi")
    client.login("budi")
    response = client.post_form(
        "/profile/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "x"},
        htmx=True,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="current_password-error"' in html
    assert 'value="wrong"' not in html


def test_change_password_logs_out_other_sessions(app, client, make_user):
    make_user("budi")
    client.login("budi")
    other = app.test_client()
    other.login("budi")
    client.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "new-pass-123",
            "confirm_password": "new-pass-123",
        },
    )
    assert other.get("/").status_code == 302


def test_language_switch_is_remembered_per_user(client, make_user):
    user = make_user("budi")
    client.login("budi")
    assert 'lang="id"' in client.get("/").get_data(as_text=True)
    response = client.post_form("/language", {"locale": "en", "next": "/profile"})
    assert response.status_code == 303 and response.headers["Location"] == "/profile"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).locale == "en"
    # a new login elsewhere keeps the choice
    other = client.application.test_client()
    other.login("budi")
    assert 'lang="en"' in other.get("/").get_data(as_text=True)


def test_anonymous_language_follows_accept_language(client):
    html = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(
        as_text=True
    )
    assert 'lang="en"' in html
    html = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="id"' in html


def test_anonymous_language_switch(client):
    client.post_form("/language", {"locale": "en", "next": "/login"})
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post_form("/language", {"locale": "xx"}).status_code == 400


def test_profile_shows_own_details(client, make_user, make_pillar):
    pillar = make_pillar("TKSK", name="Tenaga Kesejahteraan Sosial Kecamatan")
    make_user("budi", role="secretary", pillar=pillar)
    client.login("budi")
    html = client.get("/profile").get_data(as_text=True)
    assert "Tenaga Kesejahteraan Sosial Kecamatan" in html and "budi" in html


def test_everyone_keeps_their_own_contact_details(client, make_user):
    user = make_user("budi")
    client.login("budi")
    bad = client.post_form(
        "/profile/contact", {"email": "not-an-email", "phone": "0812"}, htmx=True
    )
    assert bad.status_code == 422 and 'id="email-error"' in bad.get_data(as_text=True)
    assert 'value="0812"' in bad.get_data(as_text=True)
    ok = client.post_form("/profile/contact", {"email": "budi@example.org", "phone": "0812-1"})
    assert ok.status_code == 303
    saved = db.session.get(User, user.id)
    assert (saved.email, saved.phone) == ("budi@example.org", "0812-1")
    entry = db.session.query(AuditEntry).filter_by(action="user.update").one()
    assert entry.changes["phone"] == ["", "0812-1"]
    assert 'value="0812-1"' in client.get("/bookings/new").get_data(as_text=True)
