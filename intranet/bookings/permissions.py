"""Who may change which booking (role predicates live in :mod:`intranet.auth.permissions`)."""

from __future__ import annotations

from typing import Any

from intranet.auth import permissions
from intranet.auth.permissions import can_manage_front_desk
from intranet.bookings.models import HOLDING_STATUSES
from intranet.core.db import utcnow


def can_edit_booking(user: Any, booking: Any) -> bool:
    """Change, move or cancel: the booker while it is ahead; the front desk any time."""
    if booking.status not in HOLDING_STATUSES:
        return False
    if can_manage_front_desk(user):
        return True
    return getattr(user, "id", None) == booking.booked_by_id and booking.end_at > utcnow()


def can_cancel_booking(user: Any, booking: Any) -> bool:
    return can_edit_booking(user, booking)


def can_decide_booking(user: Any, booking: Any) -> bool:
    """Approve or reject: the front desk, while the booking is pending."""
    return can_manage_front_desk(user) and booking.status == "pending"


def can_tag_pillar(user: Any, pillar_id: int | None) -> bool:
    """Mark a booking as a pillar's (its colour on the calendar): whoever may book for the
    pillar, and its own members. Approval rules do not change with the tag."""
    if permissions.can_book_for_pillar(user, pillar_id):
        return True
    return pillar_id is not None and getattr(user, "pillar_id", None) == pillar_id


permissions.register(can_edit_booking, can_cancel_booking, can_decide_booking, can_tag_pillar)
