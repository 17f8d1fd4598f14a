"""The Atom feed of a user's board, for feed readers that subscribe without a session.

The URL carries the user's feed token (the same secret as their calendar feeds,
``?token=``, renewed on the profile page); the feed lists the newest posts that user may
see, in their language.
"""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request, url_for
from flask_babel import force_locale
from sqlalchemy import select

from intranet.announcements import announcements_bp as bp
from intranet.announcements import services
from intranet.auth.models import User
from intranet.core.db import utcnow
from intranet.extensions import db

FEED_SIZE = 30


def user_for_token(token: str | None) -> User | None:
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.active else None


@bp.app_template_global()
def announcements_feed_url() -> str | None:
    """The signed-in user's feed address, or None without a token. Reads only."""
    from flask_login import current_user

    token = getattr(current_user, "calendar_token", None)
    return url_for("announcements.feed", token=token, _external=True) if token else None


@bp.route("/feed.atom")
def feed():
    user = user_for_token(request.args.get("token"))
    if user is None:
        abort(404)
    now = utcnow()
    posts = services.feed_posts(user, now, FEED_SIZE)
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = render_template(
            "announcements/feed.atom.xml",
            posts=posts,
            updated=max((p.updated_at or p.publish_at for p in posts), default=now),
            feed_url=request.url,
            post_url=url_for("announcements.detail", post_id=0, _external=True).removesuffix("0"),
            site_name=current_app.config["SITE_NAME"],
        )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response
