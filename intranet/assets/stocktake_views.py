"""Stock-take pages, made for a phone: the rooms, a room's expected list, the result."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from intranet.assets import assets_bp as bp
from intranet.assets import loans, stocktake
from intranet.assets.models import Asset, StockTake
from intranet.assets.services import CONDITION_LABELS, rooms
from intranet.auth import permissions
from intranet.bookings.models import Room
from intranet.core.formatting import local_now
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db

keeper = permissions.require(permissions.can_manage_assets)


def _stocktake_or_404(stocktake_id: int) -> StockTake:
    return db.get_or_404(StockTake, stocktake_id)


@bp.route("/stocktakes/", methods=["GET", "POST"])
@keeper
def stocktakes():
    errors: dict[str, str] = {}
    title = request.form.get("title", "")
    chosen = [int(v) for v in request.form.getlist("room_ids") if v.isdigit()]
    status = 200
    if request.method == "POST":
        try:
            started = stocktake.start(current_user, title, chosen)
        except ServiceError as error:
            errors[error.field or ""] = error.message
            status = 422
        else:
            flash(_("Stock-take started."), "success")
            return redirect_after_post(url_for("assets.stocktake_detail", stocktake_id=started.id))
    page = paginate(select(StockTake).order_by(StockTake.started_at.desc(), StockTake.id.desc()))
    return render(
        "assets/stocktakes/index.html",
        status=status,
        page=page,
        rooms=rooms(),
        errors=errors,
        title=title,
        chosen=chosen,
        running=stocktake.running(),
        status_label=stocktake.status_label,
    )


@bp.route("/stocktakes/<int:stocktake_id>")
@keeper
def stocktake_detail(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    return render(
        "assets/stocktakes/detail.html",
        st=st,
        progress=stocktake.progress(st),
        status_label=stocktake.status_label,
    )


def _room_context(st: StockTake, room: Room) -> dict:
    expected = stocktake.expected(room.id)
    found = {f.asset_id: f for f in stocktake.findings(st.id)}
    here_ids = {a.id for a in expected}
    elsewhere = [f for f in found.values() if f.room_id == room.id and f.asset_id not in here_ids]
    query = request.values.get("q", "").strip()[:100]
    candidates = loans.lendable_assets(query, limit=10) if query else []
    return {
        "st": st,
        "room": room,
        "expected": expected,
        "found": found,
        "moved_here": [f for f in elsewhere if f.asset_id],
        "unexpected": stocktake.findings(st.id, room_id=room.id, asset_id=None),
        "q": query,
        "candidates": candidates,
        "condition_labels": CONDITION_LABELS,
        "done": sum(1 for a in expected if a.id in found),
    }


@bp.route("/stocktakes/<int:stocktake_id>/rooms/<int:room_id>")
@keeper
def stocktake_room(stocktake_id: int, room_id: int):
    st = _stocktake_or_404(stocktake_id)
    room = db.get_or_404(Room, room_id)
    return render(
        "assets/stocktakes/room.html",
        "assets/stocktakes/_room.html",
        target="walk",
        **_room_context(st, room),
    )


def _back(st: StockTake):
    """Where a marking came from: the room walk (fragment) or the item page."""
    asset_id = request.form.get("asset_id", type=int)
    if request.form.get("from") == "item" and asset_id:
        return redirect_after_post(url_for("assets.detail", asset_id=asset_id))
    room = db.session.get(Room, request.form.get("room_id", type=int) or 0)
    if room is None:
        return redirect_after_post(url_for("assets.stocktake_detail", stocktake_id=st.id))
    if request.headers.get("HX-Target") == "walk":
        return render(
            "assets/stocktakes/room.html",
            "assets/stocktakes/_room.html",
            target="walk",
            **_room_context(st, room),
        )
    return redirect_after_post(
        url_for("assets.stocktake_room", stocktake_id=st.id, room_id=room.id)
    )


@bp.route("/stocktakes/<int:stocktake_id>/found", methods=["POST"])
@keeper
def stocktake_found(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    asset_id = request.form.get("asset_id", type=int) or 0
    try:
        if request.form.get("undo"):
            stocktake.unmark(current_user, st.id, asset_id)
        else:
            stocktake.mark_found(
                current_user,
                st.id,
                asset_id,
                request.form.get("room_id", type=int) or 0,
                request.form.get("condition", ""),
                request.form.get("note", ""),
            )
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    return _back(st)


@bp.route("/stocktakes/<int:stocktake_id>/unexpected", methods=["POST"])
@keeper
def stocktake_unexpected(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    try:
        stocktake.add_unexpected(
            current_user,
            st.id,
            request.form.get("room_id", type=int) or 0,
            request.form.get("description", ""),
            request.form.get("condition", ""),
            request.form.get("note", ""),
        )
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("Added to the findings."), "success")
    return _back(st)


@bp.route("/stocktakes/<int:stocktake_id>/finish", methods=["POST"])
@keeper
def stocktake_finish(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    try:
        stocktake.finish(current_user, st.id)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("assets.stocktake_detail", stocktake_id=st.id))
    flash(_("Stock-take finished: review the result, then apply it."), "success")
    return redirect_after_post(url_for("assets.stocktake_result", stocktake_id=st.id))


@bp.route("/stocktakes/<int:stocktake_id>/apply", methods=["POST"])
@keeper
def stocktake_apply(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    try:
        stocktake.apply(current_user, st.id)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(_("The register now follows the stock-take."), "success")
    return redirect_after_post(url_for("assets.stocktake_result", stocktake_id=st.id))


@bp.route("/stocktakes/<int:stocktake_id>/result")
@keeper
def stocktake_result(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    room_names = {r.id: r.name for r in rooms()}
    return render(
        "assets/stocktakes/result.html",
        st=st,
        result=stocktake.result(st),
        room_names=room_names,
        printed_at=local_now(),
        status_label=stocktake.status_label,
    )


@bp.route("/stocktakes/<int:stocktake_id>/result.csv")
@keeper
def stocktake_csv(stocktake_id: int):
    st = _stocktake_or_404(stocktake_id)
    outcome = stocktake.result(st)
    room_names = {r.id: r.name for r in rooms()}
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(
        [
            _("Result"),
            _("Kode barang"),
            _("Register number"),
            _("Name / kind"),
            _("Room in the register"),
            _("Room found"),
            _("Condition in the register"),
            _("Condition found"),
            _("Notes"),
        ]
    )

    def row(label, asset: Asset | None, finding=None, description=""):
        out.writerow(
            [
                label,
                asset.kode_barang if asset else "",
                asset.register_no if asset else "",
                asset.name if asset else description,
                room_names.get(asset.room_id, asset.location_note) if asset else "",
                room_names.get(finding.room_id, "") if finding else "",
                asset.condition if asset else "",
                finding.condition if finding else "",
                finding.note if finding else "",
            ]
        )

    for f in outcome.found:
        row(_("Found"), f.asset, f)
    for f in outcome.moved:
        row(_("Found in another room"), f.asset, f)
    for f in outcome.condition_changed:
        if f not in outcome.moved:
            row(_("Condition changed"), f.asset, f)
    for a in outcome.missing:
        row(_("Missing"), a)
    for f in outcome.unexpected:
        row(_("Not in the register"), None, f, f.description)
    name = f"inventarisasi-{st.id}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def running_for_item(asset: Asset) -> dict:
    """For the item page: the running stock-take and this item's finding in it."""
    st = stocktake.running()
    if st is None or not permissions.can_manage_assets(current_user):
        return {}
    return {"st": st, "finding": stocktake.finding_for(st.id, asset.id)}
