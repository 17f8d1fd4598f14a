"""Logs on stderr: one line per request, a warning for slow ones, errors with a traceback.

Every line carries the request id (``X-Request-ID``: taken from the reverse proxy when it
sends a sane one, else made here, and sent back in the response). Nothing secret is
written: no form data, no headers or cookies, query parameters that look like
credentials (``?token=``) are redacted, and SQL parameters are hidden from database
errors (``hide_parameters`` in ``create_app``).

    2025-11-24T14:03:05.123+07:00 INFO [5c1f0e9a2b7d4e61] POST /bookings/new 303 12.4 ms user=5
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time
from datetime import datetime

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler

LOGGER_NAME = "intranet"
request_log = logging.getLogger(f"{LOGGER_NAME}.request")

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DATABASE_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
# Query parameters whose values are credentials: ?token=, ?password=, ?api_key=, …
_SECRET_PARAM = re.compile(
    r"(^|[?&;])([^=&;]*(?:token|passw|secret|key|session|auth)[^=&;]*)=[^&;\s\"]*",
    re.IGNORECASE,
)


def redact(target: str) -> str:
    """The path or request line with credential-like query values replaced."""
    if "=" in target:
        target = _SECRET_PARAM.sub(r"\1\2=[redacted]", target)
    if not target.isprintable():  # e.g. %0A in a path: keep one request on one line
        target = target.encode("unicode_escape").decode("ascii")
    return target


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (gunicorn, systemd, pytest)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class _Formatter(logging.Formatter):
    """ISO 8601 time with the machine's offset: unambiguous across servers. PostgreSQL's
    ``DETAIL:`` lines in database errors quote row values ("Failing row contains (…)",
    "Key (calendar_token)=(…)"): hidden like the SQL parameters."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created).astimezone()
        return moment.isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if "DETAIL:" in text:
            text = _DATABASE_DETAIL.sub(r"\1 [hidden: may quote row values]", text)
        return text


class _RedactWerkzeug(logging.Filter):
    """The development server's own request lines (``flask run``) carry the raw query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (redact(record.args[0]), *record.args[1:])
        return True


def _configure_logging() -> None:
    """Once per process: one handler for the app's loggers, on stderr."""
    logger = logging.getLogger(LOGGER_NAME)
    if any(isinstance(h, _StderrHandler) for h in logger.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(_Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(message)s"))
    handler.addFilter(_RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("werkzeug").addFilter(_RedactWerkzeug())


def init_app(app: Flask) -> None:
    _configure_logging()
    # Flask's own stderr handler would print errors a second time, without the id.
    app.logger.removeHandler(default_handler)

    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # failed before our first hook: nothing to time
            return response
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.headers["X-Request-ID"] = g.request_id
        # The user only if this request loaded one already: logging must not cost a query.
        user_id = getattr(g.get("_login_user"), "id", None) or "-"
        target = request.full_path if request.query_string else request.path
        slow_ms = current_app.config["SLOW_REQUEST_MS"]
        slow = elapsed_ms >= slow_ms
        request_log.log(
            logging.WARNING if slow else logging.INFO,
            "%s %s %s %.1f ms user=%s%s",
            request.method,
            redact(target),
            response.status_code,
            elapsed_ms,
            user_id,
            f" SLOW (over {slow_ms} ms)" if slow else "",
        )
        return response
