"""Maintenance records: work done on an item, its cost, and when it is due again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from intranet.assets import assets_bp as bp
from intranet.assets.forms import RupiahField
from intranet.assets.models import Asset, AssetStatus, Maintenance
from intranet.assets.services import date_values, rupiah_values, status_label
from intranet.auth import permissions
from intranet.core import audit
from intranet.core.db import lock_for_update, write_transaction
from intranet.core.formatting import local_today
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db

DUE_SOON_DAYS = 30
AFTER_LABELS = {
    "": _l("Leave the status as it is"),
    AssetStatus.IN_REPAIR.value: _l("In repair now (cannot be lent)"),
    AssetStatus.AVAILABLE.value: _l("Back in service (available)"),
}

audit.ACTION_LABELS.update({"asset.maintenance": _l("Maintenance recorded")})
audit.FIELD_LABELS.update(
    {
        "work_done": _l("Work done"),
        "vendor": _l("Vendor"),
        "cost": _l("Cost"),
        "result": _l("Result"),
        "next_service_on": _l("Next service"),
    }
)


class MaintenanceForm(FlaskForm):
    done_on = DateField(
        _l("Date"), format="%Y-%m-%d", validators=[InputRequired(_l("Give the date."))]
    )
    work_done = TextAreaField(
        _l("Work done"),
        validators=[InputRequired(_l("Say what was done.")), Length(max=2000)],
    )
    vendor = StringField(_l("Vendor"), validators=[Length(max=200)])
    cost = RupiahField(_l("Cost (Rupiah)"), validators=[Optional()])
    result = StringField(_l("Result"), validators=[Length(max=1000)])
    next_service_on = DateField(
        _l("Next service"),
        format="%Y-%m-%d",
        validators=[Optional()],
        description=_l("Optional: the item shows in the due-soon list before this date."),
    )
    after = SelectField(
        _l("Item status"),
        choices=[SelectChoice(k, v) for k, v in AFTER_LABELS.items()],
        validate_choice=False,
    )


@dataclass
class MaintenanceData:
    done_on: date | None
    work_done: str
    vendor: str = ""
    cost: int | None = 0
    result: str = ""
    next_service_on: date | None = None
    after: str = ""


def record(user: Any, asset_id: int, data: MaintenanceData) -> Maintenance:
    """Add a record; optionally put the item in repair or back in service (audited)."""
    with write_transaction():
        asset = lock_for_update(Asset, asset_id)
        if asset is None:
            raise ServiceError(_("This item no longer exists."))
        if data.done_on is None:
            raise ServiceError(_("Give the date."), field="done_on")
        if data.done_on > local_today():
            raise ServiceError(_("Record work that was done (today or earlier)."), field="done_on")
        if data.next_service_on and data.next_service_on <= data.done_on:
            raise ServiceError(_("The next service comes after this one."), field="next_service_on")
        if data.cost is None or data.cost < 0:
            raise ServiceError(_("Give the value in whole Rupiah, 0 or more."), field="cost")
        if data.after and asset.status == AssetStatus.ON_LOAN.value:
            raise ServiceError(
                _("The item is on loan: take it back through its loan first."), field="after"
            )
        if data.after and asset.status in (AssetStatus.LOST.value, AssetStatus.WRITTEN_OFF.value):
            raise ServiceError(_("This item is no longer in use."), field="after")
        entry = Maintenance(
            asset_id=asset.id,
            done_on=data.done_on,
            work_done=data.work_done.strip(),
            vendor=data.vendor.strip(),
            cost=data.cost,
            result=data.result.strip(),
            next_service_on=data.next_service_on,
            created_by_id=getattr(user, "id", None),
        )
        db.session.add(entry)
        changes: dict[str, Any] = {"work_done": [None, entry.work_done]}
        if entry.vendor:
            changes["vendor"] = [None, entry.vendor]
        if entry.cost:
            changes["cost"] = [None, entry.cost]
        if entry.result:
            changes["result"] = [None, entry.result]
        if entry.next_service_on:
            changes["next_service_on"] = [None, entry.next_service_on.isoformat()]
        if data.after and data.after != asset.status:
            changes["status"] = [asset.status, data.after]
            asset.status = data.after
        db.session.flush()
        audit.record(
            "asset.maintenance",
            "asset",
            asset.id,
            summary=f"{asset.code} {asset.name}",
            changes=changes,
            user=user,
        )
    return entry


audit.register_values("cost", rupiah_values, "asset")
audit.register_values("next_service_on", date_values, "asset")


def records_for(asset_id: int, limit: int = 20) -> list[Maintenance]:
    stmt = (
        select(Maintenance)
        .where(Maintenance.asset_id == asset_id)
        .order_by(Maintenance.done_on.desc(), Maintenance.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def due_select(until: date) -> Any:
    """Each item's latest record whose next service is due by ``until`` (or overdue)."""
    latest = select(func.max(Maintenance.id)).group_by(Maintenance.asset_id).scalar_subquery()
    return (
        select(Maintenance)
        .join(Asset, Asset.id == Maintenance.asset_id)
        .where(
            Maintenance.id.in_(latest),
            Maintenance.next_service_on.is_not(None),
            Maintenance.next_service_on <= until,
            Asset.status.notin_((AssetStatus.LOST.value, AssetStatus.WRITTEN_OFF.value)),
        )
        .order_by(Maintenance.next_service_on, Maintenance.id)
    )


def _data(form: MaintenanceForm) -> MaintenanceData:
    return MaintenanceData(
        done_on=form.done_on.data,
        work_done=form.work_done.data or "",
        vendor=form.vendor.data or "",
        cost=form.cost.data if form.cost.data is not None else 0,
        result=form.result.data or "",
        next_service_on=form.next_service_on.data,
        after=form.after.data or "",
    )


@bp.route("/<int:asset_id>/maintenance", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_assets)
def maintenance_new(asset_id: int):
    asset = db.get_or_404(Asset, asset_id)
    form = MaintenanceForm()
    status = 200
    if request.method == "GET":
        form.done_on.data = local_today()
    elif form.validate():
        try:
            record(current_user, asset.id, _data(form))
        except ServiceError as error:
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*list(field.errors), error.message]
            else:
                form.form_errors.append(error.message)
            status = 422
        else:
            flash(_("Maintenance recorded."), "success")
            return redirect_after_post(url_for("assets.detail", asset_id=asset.id))
    else:
        status = 422
    return render(
        "assets/maintenance_form.html",
        "assets/_maintenance_form.html",
        status=status,
        form=form,
        asset=asset,
        asset_status=status_label(asset.status),
    )


@bp.route("/maintenance/")
@permissions.require(permissions.can_manage_assets)
def maintenance_due():
    today = local_today()
    page = paginate(due_select(today + timedelta(days=DUE_SOON_DAYS)))
    in_repair = db.session.scalars(
        select(Asset)
        .where(Asset.status == AssetStatus.IN_REPAIR.value)
        .order_by(Asset.kode_barang, Asset.register_no)
        .limit(100)
    ).all()
    return render(
        "assets/maintenance.html",
        page=page,
        in_repair=in_repair,
        today=today,
        days=DUE_SOON_DAYS,
    )
