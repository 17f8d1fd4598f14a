"""Audit log: who changed what, when and from where.

Entries are added to the current session, so they commit (or roll back) together
with the change they describe.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intranet.core.db import UTCDateTime, utcnow
from intranet.core.formatting import format_datetime_short, office_zone
from intranet.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    username: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict | None] = mapped_column(JSON)

    user = relationship("User", lazy="joined")

    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj``, ready to compare or store."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def record(
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    user: Any = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    actor = user
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    address = (request.remote_addr or "") if has_request_context() else "cli"
    entry = AuditEntry(
        user_id=getattr(actor, "id", None),
        username=getattr(actor, "username", "") or "",
        address=address,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        summary=summary,
        changes=changes or None,
    )
    db.session.add(entry)
    return entry


# Labels shown in the audit log; each module adds its actions.
ACTION_LABELS: dict[str, Any] = {
    "user.create": _l("User created"),
    "user.update": _l("User changed"),
    "user.password_reset": _l("Password reset by administrator"),
    "user.password_change": _l("Password changed"),
    "pillar.create": _l("Pillar created"),
    "pillar.update": _l("Pillar changed"),
}

OBJECT_TYPE_LABELS: dict[str, Any] = {
    "user": _l("User"),
    "pillar": _l("Pillar"),
}


# Readable names of the fields an entry's changes mention; modules add theirs.
FIELD_LABELS: dict[str, Any] = {
    "username": _l("Username"),
    "full_name": _l("Full name"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "role": _l("Role"),
    "pillar_id": _l("Pillar"),
    "active": _l("Active"),
    "code": _l("Code"),
    "name": _l("Name"),
    "description": _l("Description"),
    "colour": _l("Colour"),
    "reason": _l("Reason"),
}


# Readable values of stored fields (names, not ids). A labeler is a dict ``{raw: label}``
# or a callable given the set of raw values on a page that returns ``{raw: label}``, so a
# page asks once per field, never once per row. Registered for a field of every object
# (``"pillar_id"``) or of one object type (``"booking.status"``); booleans read Yes/No.
VALUE_LABELS: dict[str, Any] = {}


def register_values(field: str, labeler: Any, object_type: str = "") -> None:
    VALUE_LABELS[f"{object_type}.{field}" if object_type else field] = labeler


def _labeler_key(object_type: str, field: str) -> str | None:
    for key in (f"{object_type}.{field}", field):
        if key in VALUE_LABELS:
            return key
    return None


def value_labels(entries: Any) -> dict[str, dict[Any, Any]]:
    """``{key: {raw: label}}`` for the registered fields the entries' changes mention."""
    wanted: dict[str, set[Any]] = {}
    for entry in entries:
        for name, pair in (getattr(entry, "changes", None) or {}).items():
            key = _labeler_key(entry.object_type, name)
            if key and isinstance(pair, list | tuple):
                wanted.setdefault(key, set()).update(
                    v for v in pair if v is not None and not isinstance(v, list | dict)
                )
    labels: dict[str, dict[Any, Any]] = {}
    for key, raw in wanted.items():
        labeler = VALUE_LABELS[key]
        if callable(labeler):
            found = labeler(raw)
        else:
            found = {value: labeler[value] for value in raw if value in labeler}
        # Stored JSON may hold ints as ints or as strings: accept both.
        labels[key] = {**found, **{str(k): v for k, v in found.items()}}
    return labels


def value_label(entry: Any, name: str, value: Any, labels: dict[str, dict[Any, Any]]) -> Any:
    """How one stored value reads: its registered label, yes/no, an instant, or itself."""
    key = _labeler_key(entry.object_type, name)
    known = labels.get(key) if key else None
    if known and value in known:
        return known[value]
    if isinstance(value, bool):
        return _l("Yes") if value else _l("No")
    return display_value(value)


def field_label(name: str) -> Any:
    return FIELD_LABELS.get(name, name)


def action_label(action: str) -> Any:
    return ACTION_LABELS.get(action, action)


def search(
    *,
    user_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> Any:
    """The select for the audit log, newest first; dates are office-local days."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if user_id:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    zone = office_zone()
    if date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        stmt = stmt.where(AuditEntry.at < end)
    return stmt


def display_value(value: Any) -> Any:
    """Stored instants (ISO strings in UTC) shown in office time; the rest as they are."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return format_datetime_short(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def init_app(app) -> None:
    app.jinja_env.globals.update(
        audit_value=value_label,
        audit_values=value_labels,
        audit_field=field_label,
        audit_action=action_label,
    )
