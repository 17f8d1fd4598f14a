"""Flask-Login wiring: loading users, and what an anonymous request gets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from intranet.auth.models import User
from intranet.extensions import db, login_manager


def load_user(user_id: str) -> User | None:
    ident, _sep, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def referrer_path() -> str | None:
    """The local page the request came from (same-origin Referer), if any."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def unauthorized() -> Response:
    """Anonymous: plain requests go to the login page; htmx ones redirect the whole page."""
    if request.htmx:
        current = request.headers.get("HX-Current-URL", "")
        parts = urlsplit(current)
        back = safe_next(parts.path + (f"?{parts.query}" if parts.query else "")) or "/"
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=back)
        response.vary.add("HX-Request")
        return response
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.session_protection = "basic"
