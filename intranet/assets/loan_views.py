"""Loan pages: request items, the front desk's lists, hand out, take back, the slip."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from intranet.assets import assets_bp as bp
from intranet.assets import loans
from intranet.assets.forms import LoanForm
from intranet.assets.models import Asset, Loan
from intranet.assets.services import CONDITION_LABELS
from intranet.auth import permissions
from intranet.auth.services import pillar_choices
from intranet.core.formatting import local_now, office_zone
from intranet.core.layout import badge_count
from intranet.core.pagination import paginate
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db

VIEWS = ("waiting", "out", "overdue", "all", "mine")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=office_zone()) if value is not None else None


@bp.route("/loans/", endpoint="loans")
@login_required
def loans_index():
    handler = loans.can_handle_loans(current_user)
    view = request.args.get("view", "waiting" if handler else "mine")
    if view not in VIEWS or (not handler and view != "mine"):
        view = "mine"
    page = paginate(*loans.loans_select(user=current_user, view=view))
    page = replace(page, items=loans.loan_rows(page.items))
    return render(
        "assets/loans/index.html",
        "assets/loans/_list.html",
        target="loan-list",
        page=page,
        view=view,
        handler=handler,
        now=local_now(),
    )


@bp.route("/loans/badge")
@login_required
def loans_badge():
    return render(
        "_badge.html",
        count=badge_count(loans.overdue_badge()),
        badge_url=url_for("assets.loans_badge"),
    )


def _items_for(form: LoanForm) -> list[Asset]:
    chosen = [int(i) for i in form.asset_ids.data or []]
    query = request.values.get("q", "").strip()
    found = loans.lendable_assets(query) if query else []
    picked = (
        list(db.session.scalars(db.select(Asset).where(Asset.id.in_(chosen)))) if chosen else []
    )
    seen = {a.id for a in picked}
    return picked + [a for a in found if a.id not in seen]


def _form_page(form: LoanForm, status: int = 200):
    form.pillar_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.id, f"{p.code} · {p.name}") for p in pillar_choices()
    ]
    return render(
        "assets/loans/form.html",
        "assets/loans/_form.html",
        status=status,
        form=form,
        candidates=_items_for(form),
        q=request.values.get("q", ""),
    )


@bp.route("/loans/new", methods=["GET", "POST"])
@login_required
def loan_new():
    form = LoanForm()
    if request.method == "GET":
        asset_id = request.args.get("asset", type=int)
        form.asset_ids.data = [asset_id] if asset_id else []
        form.pillar_id.data = current_user.pillar_id
        return _form_page(form)
    if request.form.get("search"):  # "find items" (without JavaScript): same form again
        return _form_page(form)
    form.validate()
    req = loans.LoanRequest(
        asset_ids=[int(i) for i in form.asset_ids.data or []],
        start_at=_aware(form.start_at.data),
        end_at=_aware(form.end_at.data),
        purpose=form.purpose.data or "",
        pillar_id=form.pillar_id.data,
    )
    try:
        if form.errors:
            raise loans.LoanInvalid({k: list(v) for k, v in form.errors.items()})
        loan = loans.request_loan(current_user, req)
    except loans.LoanInvalid as error:
        for name, messages in error.errors.items():
            field = getattr(form, name, None)
            if field is not None and not field.errors:
                field.errors = list(messages)
        return _form_page(form, status=422)
    except ServiceError as error:
        field = getattr(form, error.field or "", None)
        problems = getattr(error, "problems", [error.message])
        if field is not None:
            field.errors = list(problems)
        else:
            form.form_errors.extend(problems)
        return _form_page(form, status=422)
    flash(_("Loan requested.") if loan.status == "requested" else _("Loan recorded."), "success")
    return redirect_after_post(url_for("assets.loan_detail", loan_id=loan.id))


def _loan_or_404(loan_id: int) -> Loan:
    loan = loans.loan_or_none(loan_id)
    if loan is None:
        abort(404)
    if not loans.can_see_loan(current_user, loan):
        abort(403)
    return loan


@bp.route("/loans/<int:loan_id>")
@login_required
def loan_detail(loan_id: int):
    loan = _loan_or_404(loan_id)
    return render(
        "assets/loans/detail.html",
        loan=loan,
        condition_labels=CONDITION_LABELS,
        now=local_now(),
    )


@bp.route("/loans/<int:loan_id>/slip")
@login_required
def loan_slip(loan_id: int):
    loan = _loan_or_404(loan_id)
    return render("assets/loans/slip.html", loan=loan, printed_at=local_now())


def _act(loan_id: int, action, success: str):
    loan = _loan_or_404(loan_id)
    if not loans.can_handle_loans(current_user) and action not in (loans.cancel,):
        abort(403)
    try:
        if action in (loans.reject, loans.cancel):
            action(current_user, loan.id, request.form.get("reason", ""))
        elif action is loans.receive:
            conditions = {
                item.id: request.form.get(f"condition-{item.id}", "") for item in loan.items
            }
            action(current_user, loan.id, conditions)
        else:
            action(current_user, loan.id)
    except ServiceError as error:
        db.session.rollback()
        loan = _loan_or_404(loan_id)
        for problem in getattr(error, "problems", [error.message]):
            flash(problem, "error")
        return render(
            "assets/loans/detail.html",
            status=422,
            loan=loan,
            condition_labels=CONDITION_LABELS,
            now=local_now(),
        )
    flash(success, "success")
    return redirect_after_post(url_for("assets.loan_detail", loan_id=loan.id))


@bp.route("/loans/<int:loan_id>/approve", methods=["POST"])
@permissions.require(loans.can_handle_loans)
def loan_approve(loan_id: int):
    return _act(loan_id, loans.approve, _("Loan approved."))


@bp.route("/loans/<int:loan_id>/reject", methods=["POST"])
@permissions.require(loans.can_handle_loans)
def loan_reject(loan_id: int):
    return _act(loan_id, loans.reject, _("Loan rejected."))


@bp.route("/loans/<int:loan_id>/hand-out", methods=["POST"])
@permissions.require(loans.can_handle_loans)
def loan_hand_out(loan_id: int):
    return _act(loan_id, loans.hand_out, _("Items handed out."))


@bp.route("/loans/<int:loan_id>/return", methods=["POST"])
@permissions.require(loans.can_handle_loans)
def loan_return(loan_id: int):
    return _act(loan_id, loans.receive, _("Items taken back."))


@bp.route("/loans/<int:loan_id>/cancel", methods=["POST"])
@login_required
def loan_cancel(loan_id: int):
    loan = _loan_or_404(loan_id)
    if not loans.can_cancel_loan(current_user, loan):
        abort(403)
    return _act(loan_id, loans.cancel, _("Loan cancelled."))
