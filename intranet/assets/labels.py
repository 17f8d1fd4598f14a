"""QR labels of items and the room inventory card (KIR)."""

from __future__ import annotations

from functools import lru_cache

import segno
from flask import abort, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from intranet.assets import assets_bp as bp
from intranet.assets import services
from intranet.assets.models import Asset, AssetStatus
from intranet.auth import permissions
from intranet.bookings.models import Room
from intranet.core.formatting import local_now
from intranet.core.rendering import render
from intranet.extensions import db

# One sheet prints at most this many labels (ten A4 pages of 24).
MAX_LABELS = 240


@lru_cache(maxsize=4096)
def _qr(address: str, title: str) -> str:
    svg = segno.make(address, error="m").svg_inline(scale=1, border=0, omitsize=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def qr_svg(asset: Asset) -> Markup:
    """The item's QR code (its short address on this server) as inline SVG."""
    address = url_for("asset_short.short", asset_id=asset.id, _external=True)
    return Markup(_qr(address, f"QR {asset.code}"))  # noqa: S704 (segno SVG; digits only)


def _chosen() -> tuple[list[Asset], bool]:
    """The ticked items (``ids``), else those the register's filters show; capped."""
    ids = [int(v) for v in request.args.getlist("ids") if v.isdigit()][:MAX_LABELS]
    if ids:
        stmt = select(Asset).where(Asset.id.in_(ids)).order_by(Asset.kode_barang, Asset.register_no)
    else:
        from intranet.assets.views import _filters

        stmt = services.register_select(_filters())
    rows = list(db.session.scalars(stmt.limit(MAX_LABELS + 1)))
    return rows[:MAX_LABELS], len(rows) > MAX_LABELS


@bp.route("/labels")
@permissions.require(permissions.can_manage_assets)
def labels():
    assets, cut = _chosen()
    return render(
        "assets/labels.html",
        assets=assets,
        cut=cut,
        max_labels=MAX_LABELS,
        qr_svg=qr_svg,
    )


@bp.route("/kir/<int:room_id>")
@login_required
def kir(room_id: int):
    """Kartu Inventaris Ruangan: what the books say is in the room, to post on its wall."""
    room = db.get_or_404(Room, room_id)
    if not room.active and not permissions.can_manage_assets(current_user):
        abort(404)
    stmt = (
        select(Asset)
        .where(
            Asset.room_id == room.id,
            Asset.status.notin_((AssetStatus.WRITTEN_OFF.value, AssetStatus.LOST.value)),
        )
        .order_by(Asset.kode_barang, Asset.register_no)
    )
    assets = list(db.session.scalars(stmt))
    return render(
        "assets/kir.html",
        room=room,
        assets=assets,
        total=sum(a.value for a in assets),
        printed_at=local_now(),
    )
