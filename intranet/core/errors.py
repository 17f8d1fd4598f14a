"""Error pages inside the layout; htmx requests get a fragment shown as a message."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from intranet.auth.login import safe_next
from intranet.core.rendering import render, wants_fragment
from intranet.extensions import db


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Access denied"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or was moved.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        413: (_("File too large"), _("The file you sent is larger than allowed.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (
            _("Something went wrong"),
            _("The server could not finish your request. Nothing was saved. Please try again."),
        ),
        503: (_("Service unavailable"), _("The server is busy or being maintained.")),
    }


def error_response(code: int, title: str, message: str) -> Response:
    headers = {}
    if wants_fragment():
        # Shown in the message area whatever element asked (see htmx-config in base.html).
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render(
        "errors/error.html",
        "errors/_error.html",
        status=code,
        headers=headers,
        code=code,
        title=title,
        message=message,
        reload_url=_current_page(),
    )


def _current_page() -> str:
    """The page to reload after a stale form: the browser's page for htmx, else this one."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        if parts.netloc and parts.netloc != request.host:
            return "/"
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else "")) or "/"
    return request.path


def handle_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    title, message = _titles().get(code, (error.name, error.description or ""))
    return error_response(code, title, message)


def handle_csrf_error(error: CSRFError) -> Response:
    return error_response(
        400,
        _("Form expired"),
        _(
            "This page was open too long or your session changed, so the form could not be "
            "sent safely. Reload the page and try again; nothing was saved."
        ),
    )


def handle_internal_error(error: Exception) -> Response:
    db.session.rollback()
    title, message = _titles()[500]
    try:
        return error_response(500, title, message)
    except Exception:  # the layout itself failed: answer plainly
        return Response(f"500 {title}\n{message}\n", 500, mimetype="text/plain")


def init_app(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
