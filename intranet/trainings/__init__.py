"""Joint training agenda: trainings whose sessions book rooms, registration with a
waitlist, check-in, daftar hadir and certificates.

Blueprints live here; the view modules add their routes to them.
"""

from __future__ import annotations

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

bp = Blueprint("trainings", __name__, url_prefix="/trainings")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")


def register(app) -> None:
    from intranet.core import attachments
    from intranet.core.formatting import format_date_pattern
    from intranet.core.layout import MAIN_NAV, NavItem
    from intranet.trainings import (  # noqa: F401  (routes, predicates, demo and bench data)
        attendance_views,
        bench,
        demo,
        permissions,
        registration_views,
        services,
        views,
    )

    app.register_blueprint(bp)
    app.register_blueprint(verify_bp)
    app.jinja_env.globals.update(
        training_status_label=lambda s: services.STATUS_LABELS.get(s, s),
        registration_status_label=lambda s: services.REGISTRATION_LABELS.get(s, s),
        # Paper forms (daftar hadir, sertifikat) are Indonesian documents whatever the
        # reader's language: their dates too.
        date_id=lambda value, pattern="EEEE, d MMMM y": format_date_pattern(value, pattern, "id"),
    )
    attachments.register_owner("training", _can_see_materials)
    if not any(item.endpoint == "trainings.index" for item in MAIN_NAV):
        # Among the pages everyone uses, before the front desk's menu.
        at = next((n for n, item in enumerate(MAIN_NAV) if item.menu), len(MAIN_NAV))
        MAIN_NAV.insert(at, NavItem("trainings.index", _l("Trainings"), ("trainings",)))
    app.before_request(_tell_promotions)
    _add_today_panel()


def _can_see_materials(user, training_id: int) -> bool:
    from intranet.trainings import permissions, services

    training = services.get_training(training_id)
    return training is not None and permissions.can_see_training(user, training)


def _tell_promotions() -> None:
    """A person moved up from the waitlist reads it on their next page, once."""
    if request.method != "GET" or request.headers.get("HX-Request") == "true":
        return
    if request.endpoint == "static" or request.blueprint == "verify":
        return
    if not current_user.is_authenticated or not current_user.has_notices:
        return  # the usual case: no query at all
    from intranet.trainings import services

    promoted = services.unseen_promotions(current_user.id)
    if not promoted:
        services.mark_promotions_seen(current_user.id, [])
        return
    for registration in promoted:
        flash(
            _(
                "Good news: a seat became free and you are now registered for “%(title)s”.",
                title=registration.training.title,
            ),
            "success",
        )
    services.mark_promotions_seen(current_user.id, [r.id for r in promoted])


def _add_today_panel() -> None:
    from intranet.core.features import TodayPanel, add_today_panel
    from intranet.trainings import services

    add_today_panel(
        TodayPanel(
            "trainings.upcoming",
            "trainings/today/_upcoming.html",
            lambda user, today: {"trainings": services.upcoming_for_today(user, limit=5)},
            order=30,
        )
    )
