"""Equipment reserved for a room booking: a loan tied to the booking, moved or released
with it (listeners called by the booking service inside its write transaction)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intranet.assets import assets_bp as bp
from intranet.assets import loans
from intranet.assets.models import Asset, Loan, LoanStatus
from intranet.bookings import services as booking_services
from intranet.bookings.models import Booking
from intranet.bookings.permissions import can_edit_booking
from intranet.core import audit
from intranet.core.db import lock_for_update, write_transaction
from intranet.core.formatting import format_datetime_short, office_zone
from intranet.core.rendering import redirect_after_post, render
from intranet.core.services import ServiceError
from intranet.extensions import db

EQUIPMENT_LINK = _l("Equipment for this booking")


def booking_loans(booking_id: int, holding_only: bool = True) -> list[Loan]:
    stmt = (
        select(Loan)
        .where(Loan.booking_id == booking_id)
        .options(selectinload(Loan.items))
        .order_by(Loan.id)
    )
    if holding_only:
        stmt = stmt.where(Loan.status.in_(loans.HOLDING_LOAN_STATUSES))
    return list(db.session.scalars(stmt))


def reserve(user: Any, booking: Booking, asset_ids: list[int]) -> Loan:
    """Reserve items for the booking's time (a loan for the booking, by its booker)."""
    return loans.request_loan(
        user,
        loans.LoanRequest(
            asset_ids=asset_ids,
            start_at=booking.start_at,
            end_at=booking.end_at,
            purpose=booking.title,
            pillar_id=booking.pillar_id,
            booking_id=booking.id,
        ),
    )


def on_booking_moved(user: Any, booking: Booking) -> None:
    """The booking has new times: its reservations follow, or the move is refused."""
    for loan in booking_loans(booking.id):
        if loan.start_at == booking.start_at and loan.end_at == booking.end_at:
            continue
        ids = sorted(item.asset_id for item in loan.items)
        for asset_id in ids:
            lock_for_update(Asset, asset_id)
        clashes = loans.holding_clash(ids, booking.start_at, booking.end_at, exclude_loan=loan.id)
        if clashes:
            item = clashes[0]
            raise ServiceError(
                _(
                    "The equipment reserved for this booking is taken at the new time:"
                    " %(item)s (loan of %(who)s, %(start)s–%(end)s). Release it from the"
                    " booking first, or choose another time.",
                    item=item.asset.name,
                    who=item.loan.borrower.full_name,
                    start=format_datetime_short(item.start_at),
                    end=format_datetime_short(item.end_at),
                ),
                field="start",
            )
        before = [loan.start_at.isoformat(), loan.end_at.isoformat()]
        loan.start_at, loan.end_at = booking.start_at, booking.end_at
        for item in loan.items:
            item.start_at, item.end_at = booking.start_at, booking.end_at
        audit.record(
            "loan.move",
            "loan",
            loan.id,
            summary=loan.purpose,
            changes={
                "start_at": [before[0], booking.start_at.isoformat()],
                "end_at": [before[1], booking.end_at.isoformat()],
            },
            user=user,
        )


def on_booking_released(user: Any, booking: Booking) -> None:
    """The booking is cancelled or rejected: reservations not handed out yet are freed."""
    for loan in booking_loans(booking.id):
        if loan.status == LoanStatus.HANDED_OUT.value:
            continue  # out already: it comes back through the front desk as usual
        loan.status = LoanStatus.CANCELLED.value
        loan.status_reason = _("The booking was cancelled.")
        for item in loan.items:
            item.holds = False
        audit.record(
            "loan.cancel",
            "loan",
            loan.id,
            summary=loan.purpose,
            changes={"reason": [None, loan.status_reason]},
            user=user,
        )


def release(user: Any, loan_id: int) -> None:
    """Free a reservation of the booking (whoever may change the booking may do this)."""
    with write_transaction():
        loan = lock_for_update(Loan, loan_id)
        if loan is None or loan.status not in (
            LoanStatus.REQUESTED.value,
            LoanStatus.APPROVED.value,
        ):
            raise ServiceError(_("Only reservations not handed out yet can be released."))
        loan.status = LoanStatus.CANCELLED.value
        loan.status_reason = _("Released from the booking.")
        for item in loan.items:
            item.holds = False
        audit.record(
            "loan.cancel",
            "loan",
            loan.id,
            summary=loan.purpose,
            changes={"reason": [None, loan.status_reason]},
            user=user,
        )


def install() -> None:
    if on_booking_moved not in booking_services.MOVE_LISTENERS:
        booking_services.MOVE_LISTENERS.append(on_booking_moved)
        booking_services.RELEASE_LISTENERS.append(on_booking_released)


# --- the front desk sheet: what goes out and what comes back -----------------------------


def desk_lists(days: list[date]) -> dict[str, Any]:
    """Loans starting on the days (to hand out) and due back on them (to receive)."""
    zone = office_zone()
    start = datetime.combine(days[0], time.min, tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone)
    base = select(Loan).options(selectinload(Loan.items)).order_by(Loan.start_at, Loan.id)
    out = db.session.scalars(
        base.where(
            Loan.status.in_((LoanStatus.REQUESTED.value, LoanStatus.APPROVED.value)),
            Loan.start_at < end,
            Loan.end_at > start,
        ).limit(200)
    )
    back = db.session.scalars(
        base.where(
            Loan.status == LoanStatus.HANDED_OUT.value,
            Loan.end_at < end,  # due on these days, or overdue
        ).limit(200)
    )
    return {"hand_out": list(out), "come_back": list(back), "first": start, "until": end}


# --- pages ---------------------------------------------------------------------------------


def _booking_for_edit(booking_id: int) -> Booking:
    booking = db.get_or_404(Booking, booking_id)
    return booking


def _candidates(booking: Booking, query: str) -> list[tuple[Asset, list[str]]]:
    """Items matching the search, each with why it is not free at the booking's time."""
    found = loans.lendable_assets(query, limit=40) if query else []
    if not found:
        return []
    ids = [a.id for a in found]
    busy: dict[int, list[str]] = {}
    for item in loans.holding_clash(ids, booking.start_at, booking.end_at):
        if item.loan.booking_id == booking.id:
            continue
        busy.setdefault(item.asset_id, []).append(
            _("taken by %(who)s", who=item.loan.borrower.full_name)
        )
    return [(a, busy.get(a.id, [])) for a in found]


@bp.route("/equipment/<int:booking_id>", methods=["GET", "POST"])
@login_required
def booking_equipment(booking_id: int):
    booking = _booking_for_edit(booking_id)
    may_change = can_edit_booking(current_user, booking)
    if request.method == "POST" and not may_change:
        abort(403)
    query = request.values.get("q", "").strip()[:100]
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "reserve")
        try:
            if action == "release":
                loan = db.session.get(Loan, request.form.get("loan_id", type=int) or 0)
                if loan is None or loan.booking_id != booking.id:
                    abort(404)
                release(current_user, loan.id)
                flash(_("Equipment released."), "success")
            else:
                ids = [int(v) for v in request.form.getlist("asset_ids") if v.isdigit()]
                reserve(current_user, booking, ids)
                flash(_("Equipment reserved for the booking."), "success")
            return redirect_after_post(url_for("assets.booking_equipment", booking_id=booking.id))
        except loans.LoanInvalid as error:
            errors = [m for messages in error.errors.values() for m in messages]
        except ServiceError as error:
            errors = list(getattr(error, "problems", [error.message]))
        db.session.rollback()
        status = 422
    return render(
        "assets/equipment.html",
        "assets/_equipment.html",
        status=status,
        booking=booking,
        reserved=booking_loans(booking.id, holding_only=False),
        candidates=_candidates(booking, query),
        q=query,
        errors=errors,
        may_change=may_change,
    )
