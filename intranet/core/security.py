"""Security headers on every response."""

from __future__ import annotations

from flask import Response, request
from flask.sessions import SecureCookieSessionInterface

# No inline script anywhere; styles may use inline attributes (pillar colours).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Pages hold personal data: never store them in shared caches.
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response


def init_app(app) -> None:
    app.after_request(add_security_headers)
    app.session_interface = SessionInterface()


class SessionInterface(SecureCookieSessionInterface):
    """Background htmx requests (live checks, badge polling) never rewrite the session
    cookie unless they changed the session. Otherwise one answering just after a form's
    POST puts back the cookie from before it, and the POST's message is lost."""

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if request.method == "GET" and request.headers.get("HX-Request") == "true":
            return False
        return super().should_set_cookie(app, session)
