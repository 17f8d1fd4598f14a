"""Administration of users and pillars (admin only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from intranet.auth import colours, permissions, services
from intranet.auth.forms import PasswordResetForm, PillarForm, UserForm
from intranet.auth.login import referrer_path
from intranet.auth.models import Pillar, User
from intranet.core.db import write_transaction
from intranet.core.forms import EmptyForm, apply_service_error
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render, wants_fragment
from intranet.core.services import ServiceError
from intranet.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _pillar_or_404(pillar_id: int) -> Pillar:
    return db.get_or_404(Pillar, pillar_id)


def _user_values(form: UserForm) -> dict:
    """What the user form says, as the account services take it."""
    return {
        "full_name": form.full_name.data,
        "role": form.role.data,
        "pillar_id": form.pillar_id.data,
        "active": form.active.data,
        "email": form.email.data or "",
        "phone": form.phone.data or "",
    }


def _pillar_values(form: PillarForm) -> dict:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "colour": form.colour.data,
        "description": form.description.data or "",
        "active": form.active.data,
        "keep_colour": form.keep_colour.data,
    }


# --- users -----------------------------------------------------------------------


@bp.route("/users/")
@permissions.require(permissions.can_manage_users)
def users():
    filters = {
        "q": request.args.get("q", "").strip(),
        "role": request.args.get("role", ""),
        "pillar_id": request.args.get("pillar_id", type=int),
        "active": request.args.get("active", ""),
    }
    page = paginate(services.search_users(**filters))
    return render(
        "admin/users.html",
        "admin/_users_table.html",
        page=page,
        filters=filters,
        pillars=services.pillar_choices(include_inactive=True),
        role_labels=services.ROLE_LABELS,
    )


def _user_form_page(form: UserForm, user: User | None, status: int = 200):
    return render(
        "admin/user_form.html",
        "admin/_user_form.html",
        status=status,
        form=form,
        user=user,
        reset_form=PasswordResetForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_users)
def user_new():
    form = UserForm()
    form.set_pillar_choices(services.pillar_choices())
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = services.create_user(
                    username=form.username.data,
                    password=form.password.data or "",
                    actor=current_user,
                    **_user_values(form),
                )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect_after_post(url_for("admin.users"))
    elif request.method == "POST":
        # The form's own checks failed: add the account rules' too, so one submit
        # shows every problem.
        for field_name, message in services.new_user_problems(
            username=form.username.data or "",
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            role=form.role.data or "",
            pillar_id=form.pillar_id.data,
        ):
            if not getattr(form, field_name).errors:  # one message per field is enough
                apply_service_error(form, ServiceError(message, field=field_name))
    status = 422 if request.method == "POST" else 200
    form.password.data = ""  # never sent back
    return _user_form_page(form, None, status)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_users)
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    form.set_pillar_choices(services.pillar_choices(include_inactive=True))
    del form.password
    if request.method == "POST":
        form.username.data = user.username  # the username does not change
    if form.validate_on_submit():
        try:
            with write_transaction():
                services.update_user(user, actor=current_user, **_user_values(form))
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("Changes to %(username)s saved.", username=user.username), "success")
            return redirect_after_post(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return _user_form_page(form, user, status)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def user_toggle_active(user_id: int):
    """Activate or deactivate from the list; htmx swaps the row."""
    user = _user_or_404(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    error = None
    try:
        with write_transaction():
            services.set_user_active(user, not user.active, actor=current_user)
    except ServiceError as exc:
        error = exc.message
    if not error:
        if user.active:
            flash(_("%(username)s can log in again.", username=user.username), "success")
        else:
            flash(_("%(username)s is deactivated.", username=user.username), "success")
    if wants_fragment():
        return render(
            "admin/users.html",
            "admin/_user_row.html",
            status=422 if error else 200,
            user=user,
            row_error=error,
            role_labels=services.ROLE_LABELS,
        )
    if error:
        flash(error, "error")
    return redirect_after_post(referrer_path() or url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permissions.require(permissions.can_manage_users)
def user_reset_password(user_id: int):
    user = _user_or_404(user_id)
    reset_form = PasswordResetForm()
    if reset_form.validate_on_submit():
        try:
            with write_transaction():
                services.reset_password(user, reset_form.password.data, actor=current_user)
        except ServiceError as error:
            apply_service_error(reset_form, error)
        else:
            flash(
                _("New password for %(username)s saved. Give it to them.", username=user.username),
                "success",
            )
            return redirect_after_post(url_for("admin.user_edit", user_id=user.id))
    reset_form.password.data = ""
    form = UserForm(obj=user)
    form.set_pillar_choices(services.pillar_choices(include_inactive=True))
    del form.password
    return render(
        "admin/user_form.html",
        "admin/_password_reset_form.html",
        status=422,
        form=form,
        user=user,
        reset_form=reset_form,
    )


# --- pillars ---------------------------------------------------------------------


@bp.route("/pillars/")
@permissions.require(permissions.can_manage_pillars)
def pillars():
    return render(
        "admin/pillars.html",
        pillars=services.pillar_choices(include_inactive=True),
        member_counts=services.pillar_member_counts(),
    )


def _pillar_form_page(form: PillarForm, pillar: Pillar | None, status: int = 200):
    return render(
        "admin/pillar_form.html",
        "admin/_pillar_form.html",
        status=status,
        form=form,
        pillar=pillar,
        palette=colours.PALETTE,
    )


@bp.route("/pillars/new", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_pillars)
def pillar_new():
    form = PillarForm()
    if request.method == "GET":
        form.colour.data = services.next_pillar_colour()
    if form.validate_on_submit():
        try:
            with write_transaction():
                pillar = services.create_pillar(actor=current_user, **_pillar_values(form))
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("Pillar %(code)s created.", code=pillar.code), "success")
            return redirect_after_post(url_for("admin.pillars"))
    return _pillar_form_page(form, None, 422 if request.method == "POST" else 200)


@bp.route("/pillars/<int:pillar_id>", methods=["GET", "POST"])
@permissions.require(permissions.can_manage_pillars)
def pillar_edit(pillar_id: int):
    pillar = _pillar_or_404(pillar_id)
    form = PillarForm(obj=pillar)
    if form.validate_on_submit():
        try:
            with write_transaction():
                services.update_pillar(pillar, actor=current_user, **_pillar_values(form))
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            flash(_("Changes to %(code)s saved.", code=pillar.code), "success")
            return redirect_after_post(url_for("admin.pillars"))
    return _pillar_form_page(form, pillar, 422 if request.method == "POST" else 200)
