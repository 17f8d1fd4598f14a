"""The "today" page: the first thing everyone sees after logging in.

Each feature adds its sections (rooms today, my next bookings, …) as
:class:`intranet.core.features.TodayPanel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from flask_login import current_user

from intranet.auth import permissions
from intranet.auth.services import pillar_choices, pillar_member_counts
from intranet.core import features
from intranet.core.formatting import local_today
from intranet.core.rendering import render

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class ShownPanel:
    template: str
    data: dict[str, Any]


@bp.route("/")
@permissions.require(lambda user: True)
def today():
    today = local_today()
    wide, narrow = [], []
    for panel in features.today_panels():
        data = panel.context(current_user, today)
        if data is not None:
            (wide if panel.wide else narrow).append(ShownPanel(panel.template, data))
    return render(
        "dashboard/today.html",
        today=today,
        wide_panels=wide,
        panels=narrow,
        pillars=pillar_choices(),
        member_counts=pillar_member_counts(),
    )
