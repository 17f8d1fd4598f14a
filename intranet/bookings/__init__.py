"""Room booking: rooms, bookings, recurring series, approvals, calendars, feeds.

Blueprints live here; the view modules add their routes to them.
"""

from datetime import datetime, timedelta

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bookings_bp = Blueprint("bookings", __name__, url_prefix="/bookings")
rooms_bp = Blueprint("rooms", __name__, url_prefix="/rooms")
rooms_admin_bp = Blueprint("rooms_admin", __name__, url_prefix="/admin/rooms")

# The receptionist's pages share one menu (other features add theirs: loans, check-ins).
FRONT_DESK_MENU = _l("Front desk")
# Links other features add to a room's page: (endpoint taking ``room_id``, label).
ROOM_PAGE_LINKS: list[tuple[str, object]] = []
# ... and to a booking's panel: (endpoint taking ``booking_id``, label).
BOOKING_PAGE_LINKS: list[tuple[str, object]] = []
# Sections other features add to the front desk sheet: (template, fn(days) -> context).
FRONT_DESK_SECTIONS: list[tuple[str, object]] = []


def _local_date_iso(value: datetime) -> str:
    from intranet.core.formatting import to_local

    return to_local(value).date().isoformat()


def register(app) -> None:
    from intranet.auth import permissions as roles
    from intranet.bookings import (  # noqa: F401  (routes, predicates, demo and bench data)
        bench,
        calendar_views,
        demo,
        feeds,
        finder_views,
        permissions,
        room_views,
        services,
        views,
    )
    from intranet.bookings.forms import SCOPE_LABELS
    from intranet.core import audit
    from intranet.core.layout import ADMIN_NAV, MAIN_NAV, NavItem

    app.register_blueprint(bookings_bp)
    app.register_blueprint(rooms_bp)
    app.register_blueprint(rooms_admin_bp)
    app.jinja_env.globals.update(
        status_label=lambda status: services.STATUS_LABELS.get(status, status),
        audit_action_label=audit.action_label,
        scope_labels=SCOPE_LABELS,
        room_page_links=ROOM_PAGE_LINKS,
        booking_page_links=BOOKING_PAGE_LINKS,
    )
    app.jinja_env.filters["local_date_iso"] = _local_date_iso
    if not any(item.endpoint == "bookings.calendar" for item in MAIN_NAV):
        MAIN_NAV.extend(
            [
                NavItem("bookings.calendar", _l("Room calendar"), ("bookings",)),
                NavItem("rooms.index", _l("Rooms"), ("rooms",)),
                NavItem(
                    "bookings.approvals",
                    _l("Approvals"),
                    (),
                    roles.can_manage_front_desk,
                    badge=services.pending_badge,
                    badge_endpoint="bookings.approvals_badge",
                    menu=FRONT_DESK_MENU,
                ),
                NavItem(
                    "bookings.frontdesk",
                    _l("Front desk sheet"),
                    (),
                    roles.can_manage_front_desk,
                    menu=FRONT_DESK_MENU,
                ),
            ]
        )
        ADMIN_NAV.insert(2, NavItem("rooms_admin.rooms", _l("Rooms"), (), roles.is_admin))
    _add_today_panels()


def _add_today_panels() -> None:
    from intranet.bookings import services
    from intranet.core.features import TodayPanel, add_today_panel

    add_today_panel(
        TodayPanel(
            "bookings.decisions",
            "bookings/today/_decisions.html",
            lambda user, today: {"decisions": services.recent_decisions(user.id)},
            order=5,
            wide=True,
        )
    )
    add_today_panel(
        TodayPanel(
            "bookings.rooms_today",
            "bookings/today/_rooms.html",
            lambda user, today: {
                "entries": services.calendar_entries(today, today + timedelta(days=1)),
                "room_names": services.active_room_names(),
            },
            order=10,
        )
    )
    add_today_panel(
        TodayPanel(
            "bookings.mine",
            "bookings/today/_mine.html",
            lambda user, today: {"bookings": services.upcoming(user_id=user.id, limit=5)},
            order=20,
        )
    )
