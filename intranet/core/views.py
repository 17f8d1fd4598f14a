"""Health check and the audit log."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from intranet import __version__
from intranet.auth import permissions
from intranet.auth.models import User
from intranet.core import audit
from intranet.core.pagination import paginate
from intranet.core.rendering import render
from intranet.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(
        status="ok" if status == 200 else "error", version=__version__, database=database
    ), status


def _parse_date(value: str | None):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.route("/admin/audit/")
@permissions.require(permissions.can_view_audit)
def audit_log():
    filters = {
        "user_id": request.args.get("user_id", type=int),
        "object_type": request.args.get("object_type", ""),
        "object_id": request.args.get("object_id", "").strip(),
        "date_from": _parse_date(request.args.get("date_from")),
        "date_to": _parse_date(request.args.get("date_to")),
    }
    stmt = audit.search(**filters)
    users = db.session.scalars(select(User).order_by(User.username)).all()
    page = paginate(stmt)
    return render(
        "admin/audit.html",
        "admin/_audit_table.html",
        page=page,
        filters=filters,
        users=users,
        object_types=audit.OBJECT_TYPE_LABELS,
        action_label=audit.action_label,
        field_label=audit.field_label,
    )
