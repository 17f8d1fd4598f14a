"""Rooms: the list, a room's page, and their administration."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intranet.auth import permissions
from intranet.bookings import rooms_admin_bp, rooms_bp, services
from intranet.bookings.calendar_views import room_week
from intranet.bookings.forms import RoomForm
from intranet.bookings.models import Room
from intranet.core import uploads
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today
from intranet.core.forms import apply_service_error
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db


@rooms_bp.route("/")
@login_required
def index():
    rooms = db.session.scalars(select(Room).where(Room.active.is_(True)).order_by(Room.name))
    return render("rooms/index.html", rooms=list(rooms))


@rooms_bp.route("/<int:room_id>")
@login_required
def detail(room_id: int):

    room = db.get_or_404(Room, room_id)
    return render(
        "rooms/detail.html",
        room=room,
        upcoming=services.upcoming(room_id=room.id),
        opens_closes=services.bookable_hours(room),
        **room_week(room, _this_or_next_working_week()),
    )


def _this_or_next_working_week():
    """Today, or on a weekend the coming Monday: the week people plan for."""

    today = local_today()
    return today if today.weekday() < 5 else today + timedelta(days=7 - today.weekday())


# --- administration ------------------------------------------------------------------


def _room_data(form: RoomForm) -> services.RoomData:
    return services.RoomData(
        name=form.name.data or "",
        capacity=form.capacity.data,
        location=form.location.data or "",
        facilities=form.facilities.data or "",
        colour=form.colour.data or "",
        needs_approval=form.needs_approval.data,
        active=form.active.data,
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
    )


@rooms_admin_bp.route("/")
@permissions.require(permissions.is_admin)
def rooms():
    all_rooms = db.session.scalars(select(Room).order_by(Room.active.desc(), Room.name))
    return render("rooms/admin_list.html", rooms=list(all_rooms))


def _room_form_page(form: RoomForm, room: Room | None, status: int = 200):
    if request.method == "POST" and status == 422:
        # Add the room rules' problems to the form's own: every problem in one answer.
        data = _room_data(form)
        for field_name, message in services.room_problems(data, room.id if room else None):
            if not getattr(form, field_name).errors:
                apply_service_error(form, ServiceError(message, field=field_name))
    form.set_time_grid(current_app.config["BOOKING_SLOT_MINUTES"])
    return render(
        "rooms/admin_form.html", "rooms/_admin_form.html", status=status, form=form, room=room
    )


def _store_photo(form: RoomForm, room: Room, files: dict) -> None:
    """Save a new photo (or drop the old one) as part of the room's change.

    ``files`` collects what to delete: "old" once the change is committed, "new" if
    the change fails, so the database and the folder never disagree.
    """
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        files["old"] = room.photo
        room.photo = files["new"] = uploads.save_image(upload, "rooms")
    elif form.remove_photo.data and room.photo:
        files["old"], room.photo = room.photo, None


def _save_room(form: RoomForm, room: Room | None) -> Room:
    files: dict = {}
    try:
        with write_transaction():
            if room is None:
                room = services.create_room(_room_data(form), actor=current_user)
            else:
                services.update_room(room, _room_data(form), actor=current_user)
            _store_photo(form, room, files)
    except Exception:
        uploads.remove_image(files.get("new"), "rooms")
        raise
    uploads.remove_image(files.get("old"), "rooms")
    return room


@rooms_bp.route("/<int:room_id>/photo")
@login_required
def photo(room_id: int):
    room = db.get_or_404(Room, room_id)
    if not room.photo:
        abort(404)
    response = send_from_directory(uploads.upload_dir("rooms"), room.photo, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    return response


@rooms_admin_bp.route("/new", methods=["GET", "POST"])
@permissions.require(permissions.is_admin)
def room_new():
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = _save_room(form, None)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("Room %(name)s created.", name=room.name), "success")
            return redirect_after_post(url_for("rooms_admin.rooms"))
    return _room_form_page(form, None, 422 if request.method == "POST" else 200)


@rooms_admin_bp.route("/<int:room_id>", methods=["GET", "POST"])
@permissions.require(permissions.is_admin)
def room_edit(room_id: int):
    room = db.get_or_404(Room, room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            _save_room(form, room)
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("Changes to %(name)s saved.", name=room.name), "success")
            return redirect_after_post(url_for("rooms_admin.rooms"))
    return _room_form_page(form, room, 422 if request.method == "POST" else 200)
