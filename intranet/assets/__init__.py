"""Asset inventory (Barang Milik Daerah): the KIB B register, loans, labels, room cards.

Blueprints live here; the view modules add their routes to them.
"""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

assets_bp = Blueprint("assets", __name__, url_prefix="/assets")
# The labels' QR codes hold this short address of an item: ``/a/<id>``.
short_bp = Blueprint("asset_short", __name__)
KIR_LABEL = _l("Room inventory card (KIR)")


def register(app) -> None:
    from intranet.assets import (  # noqa: F401  (routes, predicates, demo and bench data)
        bench,
        demo,
        equipment,
        kib_views,
        labels,
        loan_views,
        loans,
        maintenance,
        services,
        stocktake_views,
        views,
    )
    from intranet.core.layout import MAIN_NAV, NavItem

    app.register_blueprint(assets_bp)
    app.register_blueprint(short_bp)
    app.jinja_env.globals.update(
        asset_condition_label=services.condition_label,
        asset_status_label=services.status_label,
        asset_origin_label=services.origin_label,
        loan_status_label=loans.status_label,
        stocktake_for_item=stocktake_views.running_for_item,
    )
    from intranet.bookings import (
        BOOKING_PAGE_LINKS,
        FRONT_DESK_SECTIONS,
        ROOM_PAGE_LINKS,
    )

    equipment.install()
    if ("assets.kir", KIR_LABEL) not in ROOM_PAGE_LINKS:
        ROOM_PAGE_LINKS.append(("assets.kir", KIR_LABEL))
        BOOKING_PAGE_LINKS.append(("assets.booking_equipment", equipment.EQUIPMENT_LINK))
        FRONT_DESK_SECTIONS.append(("assets/_desk.html", equipment.desk_lists))
    if not any(item.endpoint == "assets.index" for item in MAIN_NAV):
        # The overdue loans' count shows on the entry for those who take loans back.
        MAIN_NAV.append(
            NavItem(
                "assets.index",
                _l("Assets"),
                ("assets", "asset_short"),
                badge=loans.overdue_badge,
                badge_endpoint="assets.loans_badge",
            )
        )
