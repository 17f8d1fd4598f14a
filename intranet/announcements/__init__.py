"""Announcement board: pillar posts for chosen audiences, pinning, scheduling, expiry,
attachments, read receipts, acknowledgements, an Atom feed and WhatsApp sharing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l

announcements_bp = Blueprint("announcements", __name__, url_prefix="/announcements")
categories_admin_bp = Blueprint(
    "announcement_categories", __name__, url_prefix="/admin/announcement-categories"
)


def register(app) -> None:
    from intranet.announcements import (  # noqa: F401  (routes, predicates, demo and bench data)
        admin_views,
        bench,
        demo,
        feeds,
        permissions,
        services,
        views,
    )
    from intranet.auth import permissions as roles
    from intranet.core import attachments
    from intranet.core.layout import ADMIN_NAV, MAIN_NAV, NavItem

    app.config.setdefault("ANNOUNCEMENT_UNREAD_DAYS", 30)
    app.register_blueprint(announcements_bp)
    app.register_blueprint(categories_admin_bp)
    attachments.register_owner(services.OWNER, services.can_see_id)
    if not any(item.endpoint == "announcements.index" for item in MAIN_NAV):
        MAIN_NAV.insert(
            1,
            NavItem(
                "announcements.index",
                _l("Announcements"),
                ("announcements",),
                badge=_unread_badge,
                badge_endpoint="announcements.badge",
            ),
        )
        ADMIN_NAV.append(
            NavItem(
                "announcement_categories.index",
                _l("Announcement categories"),
                (),
                roles.is_admin,
            )
        )


def _unread_badge() -> Any:
    from flask_login import current_user

    from intranet.announcements import services

    return services.unread_badge(current_user)
