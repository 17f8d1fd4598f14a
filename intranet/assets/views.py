"""Register pages: the list with its search and filters, an item, the item form."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from intranet.assets import assets_bp as bp
from intranet.assets import loans, maintenance, services, short_bp
from intranet.assets.forms import AssetForm
from intranet.assets.models import Asset
from intranet.auth import permissions
from intranet.core import uploads
from intranet.core.rendering import redirect_after_post, render, wants_fragment
from intranet.core.services import ServiceError
from intranet.extensions import db


def _filters() -> services.Filters:
    args = request.args
    room = args.get("room", "")
    return services.Filters(
        q=args.get("q", "").strip()[:100],
        room_id=int(room) if room.isdigit() else None,
        custodian=args.get("custodian", "")[:10],
        condition=args.get("condition", ""),
        status=args.get("status", ""),
        kode=args.get("kode", "").strip()[:20],
        year=args.get("year", type=int),
        sort=args.get("sort", "code") if args.get("sort") in services.SORTS else "code",
    )


@bp.route("/")
@login_required
def index():
    filters = _filters()
    if filters.q:
        # A scanned label (its code or its short address) opens the item.
        found = services.scanned_asset_id(filters.q)
        if found:
            location = url_for("assets.detail", asset_id=found)
            if wants_fragment():
                response = redirect_after_post(location)
                return response
            return redirect(location, 303)
    version = services.register_version()
    count, total = services.register_totals(filters, version)
    page = services.register_page(filters, count, current_app.config["PAGE_SIZE"])
    return render(
        "assets/index.html",
        "assets/_list.html",
        target="asset-list",
        page=page,
        count=count,
        total=total,
        filters=filters,
        rooms=services.rooms(),
        pillars=services.pillars(),
        years=services.year_choices(version),
        condition_labels=services.CONDITION_LABELS,
        status_labels=services.STATUS_LABELS,
        sort_labels=services.SORT_LABELS,
        rupiah=services.rupiah_formatter(),
        status_names={k: str(v) for k, v in services.STATUS_LABELS.items()},
    )


def _asset_or_404(asset_id: int) -> Asset:
    return db.get_or_404(Asset, asset_id)


@bp.route("/<int:asset_id>")
@login_required
def detail(asset_id: int):
    asset = _asset_or_404(asset_id)
    history = services.history(asset.id)
    return render(
        "assets/detail.html",
        asset=asset,
        history=history,
        holds=loans.upcoming_for_asset(asset.id),
        maintenance=maintenance.records_for(asset.id),
        all_rooms=services.rooms(),
        condition_labels=services.CONDITION_LABELS,
    )


@short_bp.route("/a/<int:asset_id>")
@login_required
def short(asset_id: int):
    """The address in an item's QR code (short, so the code stays small)."""
    return redirect(url_for("assets.detail", asset_id=_asset_or_404(asset_id).id), 303)


@bp.route("/<int:asset_id>/photo")
@login_required
def photo(asset_id: int):
    asset = _asset_or_404(asset_id)
    if not asset.photo:
        abort(404)
    response = send_from_directory(uploads.upload_dir("assets"), asset.photo, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    return response


# --- create and edit -------------------------------------------------------------------


def _data_from_form(form: AssetForm) -> services.AssetData:
    return services.AssetData(
        kode_barang=form.kode_barang.data or "",
        register_no=form.register_no.data or "",
        name=form.name.data or "",
        brand_type=form.brand_type.data or "",
        size=form.size.data or "",
        material=form.material.data or "",
        year=form.year.data if not form.year.errors else None,
        serial_no=form.serial_no.data or "",
        chassis_no=form.chassis_no.data or "",
        engine_no=form.engine_no.data or "",
        plate_no=form.plate_no.data or "",
        bpkb_no=form.bpkb_no.data or "",
        origin=form.origin.data or "",
        value=form.value.data if not form.value.errors else 0,
        condition=form.condition.data or "",
        room_id=form.room_id.data,
        location_note=form.location_note.data or "",
        custodian_pillar_id=form.custodian_pillar_id.data,
        status=form.status.data or "",
        status_on=form.status_on.data,
        status_reason=form.status_reason.data or "",
        notes=form.notes.data or "",
    )


def _show_errors(form: AssetForm, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.extend(messages)
        elif not field.errors:  # a type error already says what is wrong
            field.errors = [*list(field.errors), *messages]


def _photo_upload() -> FileStorage | None:
    upload = request.files.get("photo")
    return upload if upload and upload.filename else None


def _form_page(form: AssetForm, asset: Asset | None, status: int = 200):
    return render(
        "assets/form.html",
        "assets/_form.html",
        status=status,
        form=form,
        asset=asset,
        suggestion=services.next_register_no(form.kode_barang.data or ""),
    )


def _save(form: AssetForm, asset: Asset | None):
    form.validate()
    data = _data_from_form(form)
    errors = services.validate(data.cleaned(), asset.id if asset else None)
    if form.errors or errors:
        _show_errors(form, errors)
        return None
    try:
        if asset is None:
            return services.create_asset(data, actor=current_user, photo=_photo_upload())
        return services.update_asset(
            asset.id,
            data,
            actor=current_user,
            photo=_photo_upload(),
            remove_photo=form.remove_photo.data,
        )
    except services.AssetInvalid as error:
        _show_errors(form, error.errors)
    except ServiceError as error:
        _show_errors(form, {error.field or "": [error.message]})
    return None


@bp.route("/new", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_assets)
def new():
    form = AssetForm()
    form.set_choices(services.rooms(), services.pillars())
    if request.method == "GET":
        form.kode_barang.data = request.args.get("kode_barang", "")
        form.room_id.data = request.args.get("room", type=int)
        form.year.data = request.args.get("year", type=int)
        return _form_page(form, None)
    asset = _save(form, None)
    if asset is None:
        return _form_page(form, None, status=422)
    flash(_("%(name)s registered as %(code)s.", name=asset.name, code=asset.code), "success")
    return redirect_after_post(url_for("assets.detail", asset_id=asset.id))


@bp.route("/<int:asset_id>/edit", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_assets)
def edit(asset_id: int):
    asset = _asset_or_404(asset_id)
    form = AssetForm(obj=asset if request.method == "GET" else None)
    form.set_choices(services.rooms(), services.pillars())
    if request.method == "GET":
        return _form_page(form, asset)
    saved = _save(form, asset)
    if saved is None:
        return _form_page(form, asset, status=422)
    flash(_("Changes saved."), "success")
    return redirect_after_post(url_for("assets.detail", asset_id=saved.id))


@bp.route("/register-number")
@permissions.require(permissions.can_manage_assets)
def register_number():
    """The next free register number of the kode barang being typed (form hint)."""
    kode = request.args.get("kode_barang", "").strip()
    return render(
        "assets/_register_hint.html",
        "assets/_register_hint.html",
        suggestion=services.next_register_no(kode),
        kode_ok=bool(services.KODE_RE.match(kode)),
    )
