"""Login, logout, profile, own password and language."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from intranet.auth import services
from intranet.auth.forms import (
    ChangePasswordForm,
    ContactForm,
    LanguageForm,
    LoginForm,
)
from intranet.auth.login import safe_next
from intranet.core.db import write_transaction
from intranet.core.forms import EmptyForm, apply_service_error
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("dashboard.today"))
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.username.data, form.password.data, request.remote_addr or ""
            )
        except services.LoginThrottled as error:
            form.form_errors.append(error.message)
            status = 429
        except services.LoginRefused as error:
            form.form_errors.append(error.message)
            status = 422
        else:
            if user.locale is None and session.get("locale"):
                with write_transaction():
                    services.set_locale(user, session["locale"])
            login_user(user, remember=form.remember.data)
            session.permanent = True
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data) or url_for("dashboard.today"), 303)
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render("auth/login.html", status=status, form=form)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "success")
        return redirect(url_for("auth.login"), 303)
    return render("auth/logout.html", form=form)


def _profile_page(fragment: str | None = None, status: int = 200, **forms):
    forms.setdefault("password_form", ChangePasswordForm())
    forms.setdefault("contact_form", ContactForm(obj=current_user))
    forms.setdefault("language_form", LanguageForm(locale=current_user.locale or "id"))
    return render("auth/profile.html", fragment, status=status, **forms)


@bp.route("/profile")
@login_required
def profile():
    return _profile_page()


@bp.route("/profile/contact", methods=["POST"])
@login_required
def update_contact():
    form = ContactForm()
    if form.validate_on_submit():
        with write_transaction():
            services.update_own_contact(current_user, form.email.data or "", form.phone.data or "")
        flash(_("Your contact details are saved."), "success")
        return redirect_after_post(url_for("auth.profile"))
    return _profile_page("auth/_contact_form.html", status=422, contact_form=form)


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                services.change_own_password(
                    current_user,
                    form.current_password.data,
                    form.new_password.data,
                    form.confirm_password.data,
                )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            # The password change renewed the session token: sign in again with it.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect_after_post(url_for("auth.profile"))
    for field in (form.current_password, form.new_password, form.confirm_password):
        field.data = ""
    return _profile_page("auth/_password_form.html", status=422, password_form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        with write_transaction():
            services.set_locale(current_user, form.locale.data)
    target = safe_next(form.next.data) or url_for("dashboard.today")
    return redirect(target, 303)
