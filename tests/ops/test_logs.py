"""Request logs on stderr: one line per request, slow ones and errors flagged, no secrets."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text

from intranet.core.logs import redact
from intranet.extensions import db
from tests.conftest import PASSWORD

LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (?P<level>[A-Z]+) "
    r"\[(?P<rid>[^\]]+)\] (?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}) "
    r"(?P<ms>\d+\.\d) ms user=(?P<user>\S+)(?P<slow> SLOW \(over \d+ ms\))?$"
)


def _lines(capsys) -> list[re.Match]:
    err = capsys.readouterr().err
    return [m for m in map(LINE.match, err.splitlines()) if m]


def test_one_line_per_request_with_time_method_path_status_duration_user_and_id(
    app, login_as, users, capsys
):
    client = login_as("staff")
    capsys.readouterr()
    response = client.get("/bookings/calendar?view=week")
    [line] = _lines(capsys)
    assert line["level"] == "INFO"
    assert (line["method"], line["target"], line["status"]) == (
        "GET",
        "/bookings/calendar?view=week",
        "200",
    )
    assert float(line["ms"]) > 0
    assert line["user"] == str(users["staff"].id)
    assert line["rid"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", line["rid"])

    anonymous = app.test_client()
    anonymous.get("/healthz")
    [line] = _lines(capsys)
    assert (line["target"], line["user"]) == ("/healthz", "-")


def test_request_id_from_the_proxy_is_kept_when_sane(app, client, capsys):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a9c"})
    assert response.headers["X-Request-ID"] == "nginx-7f3a9c"
    assert _lines(capsys)[0]["rid"] == "nginx-7f3a9c"
    response = client.get("/healthz", headers={"X-Request-ID": "x] GET /forged 200"})
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])
    assert "forged" not in capsys.readouterr().err


def test_slow_requests_are_logged_as_warnings(app, client, capsys):
    app.config["SLOW_REQUEST_MS"] = 0
    client.get("/healthz")
    [line] = _lines(capsys)
    assert line["level"] == "WARNING" and line["slow"] == " SLOW (over 0 ms)"
    app.config["SLOW_REQUEST_MS"] = 60_000
    client.get("/healthz")
    [line] = _lines(capsys)
    assert line["level"] == "INFO" and not line["slow"]


def test_errors_carry_a_traceback_and_the_request_id_but_no_sql_parameters(app, capsys):
    def broken():
        # A failing statement whose parameters hold a secret: it must not be logged.
        db.session.execute(
            text("INSERT INTO site_meta (key, value) VALUES (:key, :value)"),
            {"key": None, "value": "rahasia-parameter"},
        )

    app.add_url_rule("/_broken", "broken", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production
    client = app.test_client()
    response = client.get("/_broken")
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    assert rid in response.get_data(as_text=True)  # the page gives the code to quote
    err = capsys.readouterr().err
    assert f"ERROR [{rid}] Exception on /_broken [GET]" in err
    assert "Traceback (most recent call last)" in err and "IntegrityError" in err
    assert re.search(rf"\[{rid}\] GET /_broken 500 ", err)
    assert "rahasia-parameter" not in err  # neither as parameter nor in PostgreSQL's DETAIL
    assert "SQL parameters hidden" in err


def test_no_passwords_tokens_or_session_cookies_in_the_logs(app, client, users, make_room, capsys):
    from intranet.bookings import feeds
    from intranet.core.db import write_transaction

    client.login(users["staff"].username, "Salah-Sandi-42")
    client.login(users["staff"].username, PASSWORD)
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    with write_transaction():
        token = feeds.ensure_calendar_token(users["staff"])
    room = make_room()
    client.get(f"/bookings/feed.ics?token={token}")
    client.get(f"/rooms/{room.id}/calendar.ics?token={token}&x=1")
    err = capsys.readouterr().err
    assert "POST /login 422" in err and "POST /login 303" in err
    assert "GET /bookings/feed.ics?token=[redacted] 200" in err
    assert f"/rooms/{room.id}/calendar.ics?token=[redacted]&x=1 200" in err
    for secret in ("Salah-Sandi-42", PASSWORD, token, session_cookie):
        assert secret not in err


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/bookings/feed.ics?token=abc123", "/bookings/feed.ics?token=[redacted]"),
        (
            "/x?date=2025-11-24&csrf_token=zz&page=2",
            "/x?date=2025-11-24&csrf_token=[redacted]&page=2",
        ),
        ("/x?PASSWORD=a&api_key=b&q=token", "/x?PASSWORD=[redacted]&api_key=[redacted]&q=token"),
        ("/bookings/?q=rapat", "/bookings/?q=rapat"),
        ("/a\nINFO forged", "/a\\nINFO forged"),
    ],
)
def test_redaction(target, logged):
    assert redact(target) == logged


def test_development_server_lines_are_redacted_too():
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '"%s" %s %s', ("GET /x?token=abc HTTP/1.1", 200, 5), None
    )
    for log_filter in logging.getLogger("werkzeug").filters:
        log_filter.filter(record)
    assert "abc" not in record.getMessage() and "token=[redacted]" in record.getMessage()
