"""The "today" page: the first thing everyone sees after logging in."""

from __future__ import annotations

from flask import Blueprint

from intranet.auth import permissions
from intranet.auth.services import pillar_choices, pillar_member_counts
from intranet.core.formatting import local_today
from intranet.core.rendering import render

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@permissions.require(lambda user: True)
def today():
    return render(
        "dashboard/today.html",
        today=local_today(),
        pillars=pillar_choices(),
        member_counts=pillar_member_counts(),
    )
