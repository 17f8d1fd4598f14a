"""The admin's list of announcement categories (Info, Undangan, Penting, …)."""

from __future__ import annotations

from flask import flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from intranet.announcements import categories_admin_bp as bp
from intranet.announcements import services
from intranet.announcements.forms import CategoryForm
from intranet.announcements.models import AnnouncementCategory
from intranet.auth import permissions
from intranet.core.db import write_transaction
from intranet.core.forms import apply_service_error
from intranet.core.rendering import redirect_after_post, render
from intranet.extensions import db


def _page(new_form=None, forms=None, status=200):
    rows = services.categories(include_inactive=True)
    forms = forms or {}
    for category in rows:
        if category.id not in forms:
            forms[category.id] = CategoryForm(prefix=f"c{category.id}", obj=category)
    return render(
        "announcements/categories.html",
        status=status,
        rows=rows,
        forms=forms,
        new_form=new_form or CategoryForm(prefix="new", formdata=None),
    )


@bp.route("/")
@permissions.require(permissions.is_admin)
def index():
    return _page()


def _save(form: CategoryForm, category_id: int | None) -> bool:
    try:
        with write_transaction():
            services.save_category(
                form.name.data or "",
                position=form.position.data or 0,
                urgent=bool(form.urgent.data),
                active=bool(form.active.data),
                category_id=category_id,
                actor=current_user,
            )
    except services.ServiceError as error:
        apply_service_error(form, error)
        return False
    return True


@bp.route("/new", methods=["POST"])
@permissions.require(permissions.is_admin)
def create():
    form = CategoryForm(prefix="new")
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            return _page(new_form=form, status=400)
        return _page(new_form=form, status=422)
    if not _save(form, None):
        return _page(new_form=form, status=422)
    flash(_("Category added."), "success")
    return redirect_after_post(url_for("announcement_categories.index"))


@bp.route("/<int:category_id>", methods=["POST"])
@permissions.require(permissions.is_admin)
def update(category_id: int):
    db.get_or_404(AnnouncementCategory, category_id)
    form = CategoryForm(prefix=f"c{category_id}")
    if not form.validate_on_submit() or not _save(form, category_id):
        return _page(forms={category_id: form}, status=422)
    flash(_("Category saved."), "success")
    return redirect_after_post(url_for("announcement_categories.index"))
