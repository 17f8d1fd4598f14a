"""Rules for accounts, login and pillars. Views call these; tests call them directly."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from intranet.auth import colours
from intranet.auth.models import ROLE_VALUES, LoginFailure, Pillar, Role, User
from intranet.core import audit
from intranet.core.db import built_once, utcnow, write_transaction
from intranet.core.services import ServiceError
from intranet.extensions import db

USERNAME_RE = re.compile(r"\A[a-z0-9][a-z0-9._-]{2,63}\Z")
PILLAR_CODE_RE = re.compile(r"\A[A-Z0-9][A-Z0-9_-]{0,19}\Z")
COLOUR_RE = re.compile(r"\A#[0-9a-fA-F]{6}\Z")
MIN_PASSWORD_LENGTH = 8

ROLE_LABELS = {
    Role.STAFF.value: _l("Staff"),
    Role.SECRETARY.value: _l("Pillar secretary"),
    Role.RECEPTIONIST.value: _l("Receptionist"),
    Role.ASSET_KEEPER.value: _l("Asset keeper"),
    Role.ADMIN.value: _l("Administrator"),
}

USER_AUDIT_FIELDS = ("username", "full_name", "email", "phone", "role", "pillar_id", "active")
PILLAR_AUDIT_FIELDS = ("code", "name", "description", "colour", "active")


def _names_by_id(model: Any, column: Any) -> Any:
    """A batched audit labeler: the names of the ids shown on one page, in one query."""

    def labeler(raw: set[Any]) -> dict[Any, Any]:
        ids = {int(v) for v in raw if str(v).isdigit()}
        if not ids:
            return {}
        rows = db.session.execute(select(model.id, column).where(model.id.in_(ids)))
        return {row[0]: row[1] for row in rows}

    return labeler


audit.register_values("role", ROLE_LABELS)
audit.register_values("pillar_id", _names_by_id(Pillar, Pillar.name))
audit.register_values("user_id", _names_by_id(User, User.full_name))
names_by_id = _names_by_id

# Compared against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


# --- login -----------------------------------------------------------------------


class LoginThrottled(ServiceError):
    pass


class LoginRefused(ServiceError):
    pass


@dataclass
class ThrottleState:
    user_failures: int
    address_failures: int


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _throttle_state(username: str, address: str) -> ThrottleState:
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    count = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    return ThrottleState(
        user_failures=db.session.scalar(count.where(LoginFailure.username == username)) or 0,
        address_failures=db.session.scalar(count.where(LoginFailure.address == address)) or 0,
    )


def is_throttled(username: str, address: str) -> bool:
    config = current_app.config
    state = _throttle_state(normalise_username(username), address)
    return (
        state.user_failures >= config["LOGIN_MAX_FAILURES_PER_USER"]
        or state.address_failures >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(username: str, password: str, address: str) -> User:
    """Return the user for good credentials; raise LoginThrottled or LoginRefused."""
    username = normalise_username(username)
    minutes = current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]
    with write_transaction():
        if is_throttled(username, address):
            raise LoginThrottled(
                ngettext(
                    "Too many failed attempts. Wait %(num)d minute and try again, "
                    "or ask the administrator to reset your password.",
                    "Too many failed attempts. Wait %(num)d minutes and try again, "
                    "or ask the administrator to reset your password.",
                    minutes,
                )
            )
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            password_ok = False
        else:
            password_ok = user.check_password(password)
        if user is not None and password_ok:
            if not user.active:
                raise LoginRefused(
                    _("This account is deactivated. Ask the administrator to reactivate it.")
                )
            db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
            user.last_login_at = utcnow()
            return user
    # Record the failure in its own transaction (the one above raised or fell through).
    with write_transaction():
        db.session.execute(
            delete(LoginFailure).where(LoginFailure.at < utcnow() - timedelta(days=1))
        )
        db.session.add(LoginFailure(username=username[:64], address=address[:64]))
    raise LoginRefused(_("Wrong username or password."))


# --- users -----------------------------------------------------------------------


def _password_problems(password: str, field: str = "password") -> list[tuple[str, str]]:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return [(field, _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))]
    return []


def _check_password_strength(password: str, field: str = "password") -> None:
    ServiceError.collect(_password_problems(password, field))


def _role_and_pillar_problems(role: str, pillar_id: int | None) -> list[tuple[str, str]]:
    problems = []
    if role not in ROLE_VALUES:
        problems.append(("role", _("Choose a role from the list.")))
    pillar = db.session.get(Pillar, pillar_id) if pillar_id else None
    if pillar_id and pillar is None:
        problems.append(("pillar_id", _("Choose a pillar from the list.")))
    elif role == Role.SECRETARY and pillar is None:
        problems.append(("pillar_id", _("A pillar secretary needs a pillar.")))
    return problems


def new_user_problems(
    *, username: str, full_name: str, password: str, role: str, pillar_id: int | None
) -> list[tuple[str, str]]:
    """Everything wrong with a new account, all at once (reads only)."""
    problems = []
    username = normalise_username(username)
    if not USERNAME_RE.match(username):
        problems.append(
            (
                "username",
                _(
                    "3 to 64 characters: lower-case letters, digits, dot, dash or underscore, "
                    "starting with a letter or digit."
                ),
            )
        )
    elif db.session.scalar(select(User.id).where(User.username == username)):
        problems.append(("username", _("That username is already taken.")))
    if not (full_name or "").strip():
        problems.append(("full_name", _("Enter the full name.")))
    problems += _password_problems(password)
    problems += _role_and_pillar_problems(role, pillar_id)
    return problems


def create_user(
    *,
    username: str,
    full_name: str,
    password: str,
    role: str = Role.STAFF.value,
    pillar_id: int | None = None,
    email: str = "",
    phone: str = "",
    active: bool = True,
    actor: Any = None,
) -> User:
    ServiceError.collect(
        new_user_problems(
            username=username,
            full_name=full_name,
            password=password,
            role=role,
            pillar_id=pillar_id,
        )
    )
    username = normalise_username(username)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        pillar_id=pillar_id,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        active=active,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(_("That username is already taken."), field="username") from exc
    audit.record(
        "user.create",
        "user",
        user.id,
        summary=username,
        changes=audit.changed_fields({}, audit.snapshot(user, USER_AUDIT_FIELDS)),
        user=actor,
    )
    return user


def _active_admin_count() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
        or 0
    )


def update_user(
    user: User,
    *,
    actor: Any,
    full_name: str,
    role: str,
    pillar_id: int | None,
    active: bool,
    email: str = "",
    phone: str = "",
) -> User:
    problems = [] if (full_name or "").strip() else [("full_name", _("Enter the full name."))]
    ServiceError.collect(problems + _role_and_pillar_problems(role, pillar_id))
    loses_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if loses_admin and getattr(actor, "id", None) == user.id:
        raise ServiceError(
            _("You cannot remove your own administrator rights or deactivate yourself."),
            field="role" if role != Role.ADMIN else "active",
        )
    if loses_admin and _active_admin_count() <= 1:
        raise ServiceError(_("The office needs at least one active administrator."), field="role")
    before = audit.snapshot(user, USER_AUDIT_FIELDS)
    user.full_name = full_name.strip()
    user.role = role
    user.pillar_id = pillar_id
    user.email = (email or "").strip()
    user.phone = (phone or "").strip()
    if user.active and not active:
        user.session_token = secrets.token_hex(16)  # log them out everywhere
    user.active = active
    changes = audit.changed_fields(before, audit.snapshot(user, USER_AUDIT_FIELDS))
    if changes:
        audit.record(
            "user.update",
            "user",
            user.id,
            summary=user.username,
            changes=changes,
            user=actor,
        )
    return user


def set_user_active(user: User, active: bool, *, actor: Any) -> User:
    return update_user(
        user,
        actor=actor,
        full_name=user.full_name,
        role=user.role,
        pillar_id=user.pillar_id,
        active=active,
        email=user.email,
        phone=user.phone,
    )


def reset_password(user: User, new_password: str, *, actor: Any) -> None:
    _check_password_strength(new_password)
    user.set_password(new_password)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    audit.record(
        "user.password_reset",
        "user",
        user.id,
        summary=user.username,
        user=actor,
    )


def change_own_password(user: User, current: str, new: str, confirm: str) -> None:
    problems = []
    if not user.check_password(current or ""):
        problems.append(("current_password", _("Your current password is not correct.")))
    problems += _password_problems(new, field="new_password")
    if new != confirm:
        problems.append(("confirm_password", _("The two new passwords differ.")))
    ServiceError.collect(problems)
    user.set_password(new)
    audit.record(
        "user.password_change",
        "user",
        user.id,
        summary=user.username,
        user=user,
    )


def update_own_contact(user: User, email: str, phone: str) -> None:
    """Everyone keeps their own e-mail and phone up to date."""
    before = audit.snapshot(user, USER_AUDIT_FIELDS)
    user.email = (email or "").strip()
    user.phone = (phone or "").strip()
    changes = audit.changed_fields(before, audit.snapshot(user, USER_AUDIT_FIELDS))
    if changes:
        audit.record(
            "user.update", "user", user.id, summary=user.username, changes=changes, user=user
        )


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError(_("Unknown language."), field="locale")
    user.locale = locale


def search_users(
    *, q: str = "", role: str = "", pillar_id: int | None = None, active: str = ""
) -> Any:
    """The select for the user list, filtered."""
    stmt = select(User).order_by(User.full_name, User.id)
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(like),
                func.lower(User.full_name).like(like),
                func.lower(User.email).like(like),
            )
        )
    if role in ROLE_VALUES:
        stmt = stmt.where(User.role == role)
    if pillar_id:
        stmt = stmt.where(User.pillar_id == pillar_id)
    if active in {"1", "0"}:
        stmt = stmt.where(User.active.is_(active == "1"))
    return stmt


# --- pillars ---------------------------------------------------------------------


def _check_colour(colour: str, pillar_id: int | None) -> None:
    """Refuse a colour that looks like another active pillar's (the calendar's only key)."""
    stmt = select(Pillar.code, Pillar.colour).where(Pillar.active.is_(True))
    if pillar_id:
        stmt = stmt.where(Pillar.id != pillar_id)
    near = colours.closest(colour, db.session.execute(stmt).tuples())
    if near and near[1] < colours.TOO_CLOSE:
        raise ServiceError(
            _(
                "This colour is hard to tell from %(code)s's on the calendar. Choose another, "
                "or tick “Keep this colour”.",
                code=near[0],
            ),
            field="colour",
        )


def _validate_pillar(
    code: str,
    name: str,
    colour: str,
    pillar_id: int | None = None,
    keep_colour: bool = True,
) -> str:
    code = (code or "").strip().upper()
    if not PILLAR_CODE_RE.match(code):
        raise ServiceError(_("1 to 20 capital letters, digits, dash or underscore."), field="code")
    if not (name or "").strip():
        raise ServiceError(_("Enter the full name."), field="name")
    if not COLOUR_RE.match(colour or ""):
        raise ServiceError(_("Choose a colour such as #1565c0."), field="colour")
    clash = select(Pillar.id).where(func.upper(Pillar.code) == code)
    if pillar_id:
        clash = clash.where(Pillar.id != pillar_id)
    if db.session.scalar(clash):
        raise ServiceError(_("Another pillar already uses this code."), field="code")
    if not keep_colour:
        _check_colour(colour.lower(), pillar_id)
    return code


def create_pillar(
    *,
    code: str,
    name: str,
    colour: str,
    description: str = "",
    active: bool = True,
    actor: Any,
    keep_colour: bool = True,
) -> Pillar:
    """A new pillar; ``keep_colour=False`` (the admin form) refuses a look-alike colour."""
    code = _validate_pillar(code, name, colour, keep_colour=keep_colour)
    pillar = Pillar(
        code=code,
        name=name.strip(),
        colour=colour.lower(),
        description=(description or "").strip(),
        active=active,
    )
    db.session.add(pillar)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise ServiceError(_("Another pillar already uses this code."), field="code") from exc
    audit.record(
        "pillar.create",
        "pillar",
        pillar.id,
        summary=code,
        changes=audit.changed_fields({}, audit.snapshot(pillar, PILLAR_AUDIT_FIELDS)),
        user=actor,
    )
    return pillar


def update_pillar(
    pillar: Pillar,
    *,
    code: str,
    name: str,
    colour: str,
    description: str = "",
    active: bool = True,
    actor: Any,
    keep_colour: bool = True,
) -> Pillar:
    code = _validate_pillar(code, name, colour, pillar.id, keep_colour)
    before = audit.snapshot(pillar, PILLAR_AUDIT_FIELDS)
    pillar.code = code
    pillar.name = name.strip()
    pillar.colour = colour.lower()
    pillar.description = (description or "").strip()
    pillar.active = active
    changes = audit.changed_fields(before, audit.snapshot(pillar, PILLAR_AUDIT_FIELDS))
    if changes:
        audit.record(
            "pillar.update",
            "pillar",
            pillar.id,
            summary=code,
            changes=changes,
            user=actor,
        )
    return pillar


def next_pillar_colour() -> str:
    return colours.next_free(db.session.scalars(select(Pillar.colour)))


@built_once
def _pillars_statement(include_inactive: bool) -> Select:
    stmt = select(Pillar).order_by(Pillar.code)
    return stmt if include_inactive else stmt.where(Pillar.active.is_(True))


def pillar_choices(include_inactive: bool = False) -> list[Pillar]:
    return list(db.session.scalars(_pillars_statement(include_inactive)))


@built_once
def _member_counts_statement() -> Select:
    return (
        select(User.pillar_id, func.count())
        .where(User.active.is_(True), User.pillar_id.is_not(None))
        .group_by(User.pillar_id)
    )


def pillar_member_counts() -> dict[int, int]:
    """Active users per pillar, in one query."""
    return dict(db.session.execute(_member_counts_statement()).tuples().all())
