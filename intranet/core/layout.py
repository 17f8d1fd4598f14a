"""What every page's layout needs: navigation, permissions, demo marker, languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from intranet import __version__
from intranet.auth import permissions
from intranet.auth.services import ROLE_LABELS
from intranet.core import meta
from intranet.core.i18n import LANGUAGE_NAMES


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    # Blueprint names that mark this entry as the current section.
    section: tuple[str, ...]
    allowed: Any = None  # predicate(user) -> bool; None = every signed-in user
    badge: Any = None  # () -> int: a count shown next to the label (e.g. pending approvals)
    badge_endpoint: str = ""  # answers the count's fragment, refreshed on "badgeChanged"
    # Entries with the same menu label share one dropdown (e.g. the front desk's pages).
    menu: Any = None


# Each module adds its entry when it exists: no dead links.
MAIN_NAV: list[NavItem] = [
    NavItem("dashboard.today", _l("Today"), ("dashboard",)),
]

ADMIN_NAV: list[NavItem] = [
    NavItem("admin.users", _l("Users"), (), permissions.can_manage_users),
    NavItem("admin.pillars", _l("Pillars"), (), permissions.can_manage_pillars),
    NavItem("core.audit_log", _l("Audit log"), (), permissions.can_view_audit),
]


def visible(items: list[NavItem]) -> list[NavItem]:
    return [i for i in items if i.allowed is None or i.allowed(current_user)]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "id"


@dataclass(frozen=True)
class NavMenu:
    label: Any
    items: list[NavItem]


def grouped(items: list[NavItem]) -> list[NavItem | NavMenu]:
    """Entries in order, those with a ``menu`` gathered where the first of them stands."""
    result: list[NavItem | NavMenu] = []
    menus: dict[str, NavMenu] = {}
    for item in items:
        if item.menu is None:
            result.append(item)
            continue
        key = str(item.menu)
        if key not in menus:
            menus[key] = NavMenu(item.menu, [])
            result.append(menus[key])
        menus[key].items.append(item)
    return result


def nav_badge(item: NavItem) -> int:
    """The entry's count, asked once per request however often the layout shows it."""
    counts = g.setdefault("nav_badges", {})
    if item.endpoint not in counts:
        counts[item.endpoint] = item.badge() if item.badge else 0
    return counts[item.endpoint]


def current_item(items: list[NavItem]) -> NavItem | None:
    """The entry for this page: its own endpoint first, else its section."""
    exact = next((i for i in items if i.endpoint == request.endpoint), None)
    return exact or next((i for i in items if request.blueprint in i.section), None)


def layout_context() -> dict[str, Any]:
    main_nav = visible(MAIN_NAV) if current_user.is_authenticated else []
    return {
        "perm": permissions.TEMPLATE_PREDICATES,
        "main_nav": main_nav,
        "nav_groups": grouped(main_nav),
        "nav_badge": nav_badge,
        "current_nav": current_item(main_nav),
        "admin_nav": visible(ADMIN_NAV) if current_user.is_authenticated else [],
        "current_blueprint": request.blueprint,
        "current_endpoint": request.endpoint,
        # Called by the layout only: fragments and e-mails skip the query.
        "demo_active": meta.demo_data_present,
        "language_names": LANGUAGE_NAMES,
        "current_language": current_language(),
        "app_version": __version__,
        "site_name": current_app.config["SITE_NAME"],
        "csrf_token_value": generate_csrf,
        "role_label": lambda role: ROLE_LABELS.get(role, role),
    }


def init_app(app) -> None:
    app.context_processor(layout_context)
