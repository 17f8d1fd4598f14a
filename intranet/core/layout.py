"""What every page's layout needs: navigation, permissions, demo marker, languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from intranet import __version__
from intranet.auth import permissions
from intranet.auth.services import ROLE_LABELS
from intranet.core import meta
from intranet.core.i18n import LANGUAGE_NAMES
from intranet.extensions import db


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    # Blueprint names that mark this entry as the current section.
    section: tuple[str, ...]
    allowed: Any = None  # predicate(user) -> bool; None = every signed-in user
    # () -> BadgeCount or int: a count shown next to the label (e.g. pending approvals).
    # The layout runs every entry's statement in one query.
    badge: Any = None
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


class BadgeCount(NamedTuple):
    """A navigation count: a statement of one scalar column, built once (SQLAlchemy
    spends more building a statement than SQLite running a count), with bind parameters
    named after their feature, and this request's values for them."""

    statement: Any
    params: dict[str, Any]


def badge_count(value: BadgeCount | int) -> int:
    if isinstance(value, int):
        return value
    return db.session.execute(value.statement, value.params).scalar() or 0


# The statements of the visible entries, as one statement: one per combination of roles.
_COMBINED: dict[tuple[Any, ...], Any] = {}


def nav_badges(items: list[NavItem]) -> dict[str, int]:
    """The counts of these entries, in one query."""
    counts: dict[str, int] = {}
    asked: dict[str, BadgeCount] = {}
    for item in items:
        if item.badge is not None:
            value = item.badge()
            if isinstance(value, int):
                counts[item.endpoint] = value
            else:
                asked[item.endpoint] = value
    if asked:
        key = tuple(value.statement for value in asked.values())
        if key not in _COMBINED:
            _COMBINED[key] = select(*(stmt.scalar_subquery() for stmt in key))
        params = {name: v for value in asked.values() for name, v in value.params.items()}
        row = db.session.execute(_COMBINED[key], params).one()
        counts.update(zip(asked, (int(v or 0) for v in row), strict=True))
    return counts


def current_item(items: list[NavItem]) -> NavItem | None:
    """The entry for this page: its own endpoint first, else its section."""
    exact = next((i for i in items if i.endpoint == request.endpoint), None)
    return exact or next((i for i in items if request.blueprint in i.section), None)


# The header is the same for everyone who sees the same entries, counts, name and
# language on the same section: rendered once per worker and kept (it is a fifth of a
# small page's time). The request's own values are put into the kept copy's slots.
HEADERS_KEPT = 500
_CSRF_SLOT = "__csrf_token_slot__"
_NEXT_SLOT = "__next_path_slot__"


def site_header() -> Markup:
    """The page header: brand, navigation with counts, user and language menus."""
    signed_in = current_user.is_authenticated
    main_nav = visible(MAIN_NAV) if signed_in else []
    admin_nav = visible(ADMIN_NAV) if signed_in else []
    current_nav = current_item(main_nav)
    counts = nav_badges(main_nav)
    language = current_language()
    demo = meta.demo_data_present()
    key = (
        language,
        request.script_root,
        signed_in and current_user.full_name,
        tuple(item.endpoint for item in main_nav),
        current_nav.endpoint if current_nav else None,
        tuple(item.endpoint for item in admin_nav),
        request.endpoint if any(i.endpoint == request.endpoint for i in admin_nav) else None,
        tuple(counts.items()),
        demo,
    )
    kept: dict[tuple[Any, ...], Markup] = current_app.extensions.setdefault("site_headers", {})
    html = kept.get(key)
    if html is None:
        template = current_app.jinja_env.get_template("_site_header.html")
        html = Markup(  # noqa: S704 (an autoescaping template's output)
            template.render(
                current_user=current_user,
                main_nav=main_nav,
                nav_groups=grouped(main_nav),
                counts=counts,
                current_nav=current_nav,
                admin_nav=admin_nav,
                current_endpoint=request.endpoint,
                demo_active=demo,
                language_names=LANGUAGE_NAMES,
                current_language=language,
                site_name=current_app.config["SITE_NAME"],
                csrf_token_value=lambda: _CSRF_SLOT,
                next_path=_NEXT_SLOT,
            )
        )
        if not current_app.jinja_env.auto_reload:  # templates edited while serving
            if len(kept) >= HEADERS_KEPT:
                kept.clear()
            kept[key] = html
    next_path = request.full_path if request.query_string else request.path
    # Markup.replace escapes what it puts in.
    return html.replace(_CSRF_SLOT, generate_csrf()).replace(_NEXT_SLOT, next_path)


def layout_context() -> dict[str, Any]:
    return {
        "perm": permissions.TEMPLATE_PREDICATES,
        "site_header": site_header,
        "current_blueprint": request.blueprint,
        "current_endpoint": request.endpoint,
        "current_language": current_language(),
        "app_version": __version__,
        "site_name": current_app.config["SITE_NAME"],
        "csrf_token_value": generate_csrf,
        "role_label": lambda role: ROLE_LABELS.get(role, role),
    }


def init_app(app) -> None:
    app.context_processor(layout_context)
