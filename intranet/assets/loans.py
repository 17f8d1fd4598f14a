"""Loans of items (berita acara peminjaman) and equipment reserved for bookings.

An item is never held by two loans whose times overlap: the check and the insert run in
one write transaction holding the items' row locks (SQLite: the write lock), exactly as
room bookings do. Requested, approved and handed-out loans hold their items; a
handed-out loan past its end keeps holding them until it comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from intranet.assets.models import (
    HOLDING_LOAN_STATUSES,
    Asset,
    AssetStatus,
    Loan,
    LoanItem,
    LoanStatus,
)
from intranet.assets.services import CONDITION_LABELS, is_worse, set_condition
from intranet.auth import permissions as roles
from intranet.auth.models import Pillar, User
from intranet.auth.services import names_by_id
from intranet.core import audit
from intranet.core.db import (
    Bound,
    UTCDateTime,
    built_once,
    lock_for_update,
    utcnow,
    write_transaction,
)
from intranet.core.formatting import format_datetime_short
from intranet.core.layout import BadgeCount, badge_count
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db

LOAN_STATUS_LABELS = {
    LoanStatus.REQUESTED.value: _l("Requested"),
    LoanStatus.APPROVED.value: _l("Approved"),
    LoanStatus.HANDED_OUT.value: _l("Handed out"),
    LoanStatus.RETURNED.value: _l("Returned"),
    LoanStatus.REJECTED.value: _l("Rejected"),
    LoanStatus.CANCELLED.value: _l("Cancelled"),
}
# Items in these statuses cannot be lent or reserved.
UNLENDABLE = {
    AssetStatus.IN_REPAIR.value: _l("%(item)s is in repair."),
    AssetStatus.LOST.value: _l("%(item)s is lost."),
    AssetStatus.WRITTEN_OFF.value: _l("%(item)s is written off."),
}

audit.ACTION_LABELS.update(
    {
        "loan.request": _l("Loan requested"),
        "loan.approve": _l("Loan approved"),
        "loan.reject": _l("Loan rejected"),
        "loan.cancel": _l("Loan cancelled"),
        "loan.hand_out": _l("Handed out on loan"),
        "loan.return": _l("Returned from loan"),
        "loan.move": _l("Reservation moved with its booking"),
    }
)
audit.OBJECT_TYPE_LABELS.update({"loan": _l("Loan")})
audit.FIELD_LABELS.update(
    {
        "borrower_id": _l("Borrower"),
        "start_at": _l("From"),
        "end_at": _l("Until"),
        "condition_out": _l("Condition out"),
        "condition_in": _l("Condition in"),
        "items": _l("Items"),
        "loan": _l("Loan"),
    }
)
audit.register_values("status", LOAN_STATUS_LABELS, "loan")
audit.register_values("borrower_id", names_by_id(User, User.full_name))
audit.register_values("condition_in", CONDITION_LABELS)
audit.register_values("condition_out", CONDITION_LABELS)


def status_label(value: str) -> Any:
    return LOAN_STATUS_LABELS.get(value, value)


def can_handle_loans(user: Any) -> bool:
    """Approve, hand out and take back: the asset keeper, the front desk, the admin."""
    return roles.can_manage_assets(user) or roles.can_manage_front_desk(user)


def can_see_loan(user: Any, loan: Loan) -> bool:
    return can_handle_loans(user) or getattr(user, "id", None) == loan.borrower_id


def can_cancel_loan(user: Any, loan: Loan) -> bool:
    if loan.status not in (LoanStatus.REQUESTED.value, LoanStatus.APPROVED.value):
        return False
    return can_handle_loans(user) or getattr(user, "id", None) == loan.borrower_id


roles.register(can_handle_loans, can_see_loan, can_cancel_loan)


class LoanRejected(ServiceError):
    """The items cannot be lent: one message per problem."""

    def __init__(self, problems: list[str], field: str = "asset_ids") -> None:
        super().__init__(" ".join(problems), field=field)
        self.problems = problems


@dataclass
class LoanRequest:
    asset_ids: list[int]
    start_at: datetime | None
    end_at: datetime | None
    purpose: str = ""
    pillar_id: int | None = None
    booking_id: int | None = None


def holding_clash(asset_ids: list[int], start: datetime, end: datetime, exclude_loan=0):
    """Loan items holding any of the assets at some time in ``[start, end)``."""
    now = utcnow()
    stmt = (
        select(LoanItem)
        .join(Loan, Loan.id == LoanItem.loan_id)
        .where(
            LoanItem.asset_id.in_(asset_ids),
            LoanItem.holds.is_(True),
            LoanItem.loan_id != exclude_loan,
            LoanItem.start_at < end,
            or_(
                LoanItem.end_at > start,
                # out and overdue: held until it comes back
                and_(Loan.status == LoanStatus.HANDED_OUT.value, LoanItem.end_at <= now),
            ),
        )
        .options(selectinload(LoanItem.loan))
    )
    return list(db.session.scalars(stmt))


def _clash_message(item: LoanItem) -> str:
    loan = item.loan
    return _(
        "%(item)s is taken from %(start)s until %(end)s (loan of %(who)s).",
        item=f"{item.asset.name} {item.asset.code}",
        start=format_datetime_short(item.start_at),
        end=format_datetime_short(item.end_at),
        who=loan.borrower.full_name,
    )


def check_items(
    asset_ids: list[int], start: datetime, end: datetime, exclude_loan: int = 0
) -> list[str]:
    """Every reason these items cannot be held for ``[start, end)`` (empty: they can)."""
    problems: list[str] = []
    assets = db.session.scalars(select(Asset).where(Asset.id.in_(asset_ids))).all()
    for asset in sorted(assets, key=lambda a: a.id):
        if asset.status in UNLENDABLE:
            problems.append(str(UNLENDABLE[asset.status]) % {"item": f"{asset.name} {asset.code}"})
    for item in holding_clash(asset_ids, start, end, exclude_loan):
        problems.append(_clash_message(item))
    return problems


def _validate(req: LoanRequest) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not req.asset_ids:
        errors["asset_ids"] = [_("Choose at least one item.")]
    if req.start_at is None:
        errors["start_at"] = [_("Give the start.")]
    if req.end_at is None:
        errors["end_at"] = [_("Give the end.")]
    elif req.start_at is not None and req.end_at <= req.start_at:
        errors["end_at"] = [_("The end must be after the start.")]
    if not req.purpose.strip() and req.booking_id is None:
        errors["purpose"] = [_("Say what the items are for.")]
    return errors


class LoanInvalid(ServiceError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        first, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first)
        self.errors = errors


def request_loan(user: Any, req: LoanRequest) -> Loan:
    """Ask for items for a time; the check and the insert cannot interleave."""
    errors = _validate(req)
    if errors:
        raise LoanInvalid(errors)
    ids = sorted(set(req.asset_ids))
    with write_transaction():
        for asset_id in ids:  # always in id order: no deadlocks between two requests
            if lock_for_update(Asset, asset_id) is None:
                raise LoanRejected([_("An item you chose no longer exists.")])
        problems = check_items(ids, req.start_at, req.end_at)
        if problems:
            raise LoanRejected(problems)
        loan = Loan(
            borrower_id=user.id,
            pillar_id=req.pillar_id,
            booking_id=req.booking_id,
            purpose=req.purpose.strip(),
            start_at=req.start_at,
            end_at=req.end_at,
            status=LoanStatus.REQUESTED.value,
        )
        if can_handle_loans(user):  # the front desk's own loans need no approval
            loan.status = LoanStatus.APPROVED.value
            loan.approved_by_id = user.id
        for asset_id in ids:
            loan.items.append(
                LoanItem(asset_id=asset_id, start_at=req.start_at, end_at=req.end_at, holds=True)
            )
        db.session.add(loan)
        db.session.flush()
        audit.record(
            "loan.request",
            "loan",
            loan.id,
            summary=loan.purpose,
            changes={"status": [None, loan.status]},
            user=user,
        )
        for item in loan.items:
            _audit_item(item, "loan.request", user, loan)
    return loan


def _audit_item(item: LoanItem, action: str, user: Any, loan: Loan, **changes: Any) -> None:
    """The loan's step in the item's own history."""
    audit.record(
        action,
        "asset",
        item.asset_id,
        summary=_("Loan no. %(id)d, %(who)s", id=loan.id, who=loan.borrower.full_name),
        changes=changes or None,
        user=user,
    )


def _load(loan_id: int) -> Loan:
    loan = lock_for_update(Loan, loan_id)
    if loan is None:
        raise ServiceError(_("This loan no longer exists."))
    return loan


def _release(loan: Loan) -> None:
    for item in loan.items:
        item.holds = False


def approve(user: Any, loan_id: int) -> Loan:
    with write_transaction():
        loan = _load(loan_id)
        if not can_handle_loans(user):
            raise NotAllowed(_("You cannot approve loans."))
        if loan.status != LoanStatus.REQUESTED.value:
            raise ServiceError(_("Only requested loans can be approved."))
        loan.status = LoanStatus.APPROVED.value
        loan.approved_by_id = user.id
        audit.record("loan.approve", "loan", loan.id, summary=loan.purpose, user=user)
    return loan


def reject(user: Any, loan_id: int, reason: str) -> Loan:
    return _end(user, loan_id, reason, LoanStatus.REJECTED.value)


def cancel(user: Any, loan_id: int, reason: str) -> Loan:
    return _end(user, loan_id, reason, LoanStatus.CANCELLED.value)


def _end(user: Any, loan_id: int, reason: str, status: str) -> Loan:
    with write_transaction():
        loan = _load(loan_id)
        if status == LoanStatus.REJECTED.value:
            if not can_handle_loans(user) or loan.status != LoanStatus.REQUESTED.value:
                raise NotAllowed(_("Only requested loans can be rejected."))
        elif not can_cancel_loan(user, loan):
            raise NotAllowed(_("This loan cannot be cancelled."))
        if not reason.strip():
            raise ServiceError(_("Give a reason; the borrower will see it."), field="reason")
        loan.status = status
        loan.status_reason = reason.strip()
        _release(loan)
        action = "loan.reject" if status == LoanStatus.REJECTED.value else "loan.cancel"
        audit.record(
            action,
            "loan",
            loan.id,
            summary=loan.purpose,
            changes={"reason": [None, reason.strip()]},
            user=user,
        )
    return loan


def hand_out(user: Any, loan_id: int) -> Loan:
    """Give the items to the borrower (a requested loan is approved by this too)."""
    with write_transaction():
        loan = _load(loan_id)
        if not can_handle_loans(user):
            raise NotAllowed(_("You cannot hand out loans."))
        if loan.status not in (LoanStatus.REQUESTED.value, LoanStatus.APPROVED.value):
            raise ServiceError(_("This loan cannot be handed out."))
        problems = []
        for item in loan.items:
            asset = lock_for_update(Asset, item.asset_id)
            if asset.status != AssetStatus.AVAILABLE.value:
                problems.append(
                    _(
                        "%(item)s is not here to hand out (%(status)s).",
                        item=f"{asset.name} {asset.code}",
                        status=_status_text(asset.status),
                    )
                )
        if problems:
            raise LoanRejected(problems, field="")
        now = utcnow()
        if loan.approved_by_id is None:
            loan.approved_by_id = user.id
        loan.status = LoanStatus.HANDED_OUT.value
        loan.handed_out_by_id = user.id
        loan.handed_out_at = now
        for item in loan.items:
            item.condition_out = item.asset.condition
            item.asset.status = AssetStatus.ON_LOAN.value
            _audit_item(
                item,
                "loan.hand_out",
                user,
                loan,
                status=[AssetStatus.AVAILABLE.value, AssetStatus.ON_LOAN.value],
            )
        audit.record("loan.hand_out", "loan", loan.id, summary=loan.purpose, user=user)
    return loan


def _status_text(status: str) -> str:
    from intranet.assets.services import status_label

    return str(status_label(status))


def receive(user: Any, loan_id: int, conditions: dict[int, str]) -> Loan:
    """Take the items back with their condition; a worse one updates the item (audited)."""
    with write_transaction():
        loan = _load(loan_id)
        if not can_handle_loans(user):
            raise NotAllowed(_("You cannot take loans back."))
        if loan.status != LoanStatus.HANDED_OUT.value:
            raise ServiceError(_("Only handed-out loans come back."))
        missing = [i for i in loan.items if conditions.get(i.id) not in CONDITION_LABELS]
        if missing:
            raise ServiceError(_("Give the condition of every item."), field="conditions")
        now = utcnow()
        loan.status = LoanStatus.RETURNED.value
        loan.received_by_id = user.id
        loan.returned_at = now
        for item in loan.items:
            asset = lock_for_update(Asset, item.asset_id)
            item.condition_in = conditions[item.id]
            item.holds = False
            asset.status = AssetStatus.AVAILABLE.value
            _audit_item(
                item,
                "loan.return",
                user,
                loan,
                status=[AssetStatus.ON_LOAN.value, AssetStatus.AVAILABLE.value],
                condition_in=[item.condition_out, item.condition_in],
            )
            if is_worse(item.condition_in, asset.condition):
                set_condition(
                    asset,
                    item.condition_in,
                    actor=user,
                    reason=_("Returned from loan no. %(id)d", id=loan.id),
                )
        audit.record("loan.return", "loan", loan.id, summary=loan.purpose, user=user)
    return loan


# --- lists --------------------------------------------------------------------------------


@built_once
def _loans_statement(view: str, own: bool) -> Any:
    stmt = select(Loan.id)
    if own:
        stmt = stmt.where(Loan.borrower_id == bindparam("user_id"))
    if view == "waiting":
        stmt = stmt.where(Loan.status.in_((LoanStatus.REQUESTED.value, LoanStatus.APPROVED.value)))
        return stmt.order_by(Loan.start_at, Loan.id)
    if view == "out":
        stmt = stmt.where(Loan.status == LoanStatus.HANDED_OUT.value)
        return stmt.order_by(Loan.end_at, Loan.id)
    if view == "overdue":
        stmt = stmt.where(
            Loan.status == LoanStatus.HANDED_OUT.value,
            Loan.end_at < bindparam("now", type_=UTCDateTime()),
        )
        return stmt.order_by(Loan.end_at, Loan.id)
    return stmt.order_by(Loan.start_at.desc(), Loan.id.desc())


def loans_select(*, user: Any, view: str) -> Bound:
    """Ids of the loans of a list: "mine", "waiting", "out", "overdue" or "all" (newest
    first); :func:`loan_rows` reads what the list shows of a page of them."""
    own = view == "mine" or not can_handle_loans(user)
    return Bound(_loans_statement(view, own), {"user_id": user.id, "now": utcnow()})


@dataclass
class LoanRow:
    """A loan as a list shows it: plain values, not the loan with its items and their
    items' rooms (two light queries for a page instead of objects and joins)."""

    id: int
    status: str
    start_at: datetime
    end_at: datetime
    purpose: str
    borrower_name: str
    pillar_code: str | None
    items: list[tuple[str, str]] = field(default_factory=list)  # (name, register), 3 at most
    item_count: int = 0


LIST_ITEMS_SHOWN = 3


@built_once
def _rows_statements() -> tuple[Any, Any]:
    ids = bindparam("ids", expanding=True)
    loans = (
        select(
            Loan.id,
            Loan.status,
            Loan.start_at,
            Loan.end_at,
            Loan.purpose,
            User.full_name,
            Pillar.code,
        )
        .join(User, User.id == Loan.borrower_id)
        .outerjoin(Pillar, Pillar.id == Loan.pillar_id)
        .where(Loan.id.in_(ids))
    )
    items = (
        select(LoanItem.loan_id, Asset.name, Asset.register_no)
        .join(Asset, Asset.id == LoanItem.asset_id)
        .where(LoanItem.loan_id.in_(ids))
        .order_by(LoanItem.loan_id, LoanItem.id)
    )
    return loans, items


def loan_rows(ids: list[int]) -> list[LoanRow]:
    """The list's rows for these loan ids, in their order."""
    if not ids:
        return []
    loans, items = _rows_statements()
    params = {"ids": list(ids)}
    found = {row.id: LoanRow(*row) for row in db.session.execute(loans, params)}
    for loan_id, name, register_no in db.session.execute(items, params):
        row = found[loan_id]
        row.item_count += 1
        if len(row.items) < LIST_ITEMS_SHOWN:
            row.items.append((name, register_no))
    return [found[i] for i in ids if i in found]


@built_once
def _overdue_statement() -> Any:
    return select(func.count(Loan.id)).where(
        Loan.status == LoanStatus.HANDED_OUT.value,
        Loan.end_at < bindparam("overdue_before", type_=UTCDateTime()),
    )


def overdue_count() -> int:
    return badge_count(BadgeCount(_overdue_statement(), {"overdue_before": utcnow()}))


def overdue_badge() -> BadgeCount | int:
    """The navigation's count: overdue loans, for whoever takes loans back."""
    from flask_login import current_user

    if not can_handle_loans(current_user):
        return 0
    return BadgeCount(_overdue_statement(), {"overdue_before": utcnow()})


def upcoming_for_asset(asset_id: int, limit: int = 5) -> list[LoanItem]:
    """The item's current and next holds (loans and reservations), soonest first."""
    stmt = (
        select(LoanItem)
        .join(Loan, Loan.id == LoanItem.loan_id)
        .where(
            LoanItem.asset_id == asset_id,
            LoanItem.holds.is_(True),
            or_(LoanItem.end_at > utcnow(), Loan.status == LoanStatus.HANDED_OUT.value),
        )
        .options(selectinload(LoanItem.loan))
        .order_by(LoanItem.start_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def lendable_assets(query: str = "", limit: int = 30) -> list[Asset]:
    """Items one may ask for, matching a search (name, code, serial)."""
    from intranet.assets.services import Filters, register_select

    stmt = register_select(Filters(q=query, sort="name")).where(
        Asset.status.in_((AssetStatus.AVAILABLE.value, AssetStatus.ON_LOAN.value))
    )
    return list(db.session.scalars(stmt.limit(limit)))


def loan_or_none(loan_id: int) -> Loan | None:
    return db.session.scalar(
        select(Loan).where(Loan.id == loan_id).options(selectinload(Loan.items))
    )


def holding(loan: Loan) -> bool:
    return loan.status in HOLDING_LOAN_STATUSES
