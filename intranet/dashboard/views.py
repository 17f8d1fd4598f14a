"""The "today" page: the first thing everyone sees after logging in."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from intranet.auth import permissions
from intranet.auth.services import pillar_choices, pillar_member_counts
from intranet.bookings import services as booking_services
from intranet.core.formatting import local_today
from intranet.core.rendering import render

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@permissions.require(lambda user: True)
def today():
    today = local_today()
    start, end = booking_services.local_day_bounds(today)
    return render(
        "dashboard/today.html",
        today=today,
        pillars=pillar_choices(),
        member_counts=pillar_member_counts(),
        todays_bookings=booking_services.bookings_between(start, end),
        my_next_bookings=booking_services.upcoming(user_id=current_user.id, limit=5),
        decisions=booking_services.recent_decisions(current_user.id),
    )
