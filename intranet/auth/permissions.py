"""The one place that decides who may do what.

Predicates take the user (and the object when it matters) and are used by views
(through :func:`require`) and by templates (as ``perm.<name>(current_user, ...)``).
The role predicates live here; a feature keeps its object predicates in its own
``permissions.py`` and makes them known to templates with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from intranet.auth.models import Role


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def is_admin(user: Any) -> bool:
    return _role(user) == Role.ADMIN


def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def can_manage_pillars(user: Any) -> bool:
    return is_admin(user)


def can_view_audit(user: Any) -> bool:
    return is_admin(user)


def can_see_admin_menu(user: Any) -> bool:
    return can_manage_users(user) or can_manage_pillars(user) or can_view_audit(user)


def is_secretary_of(user: Any, pillar_id: int | None) -> bool:
    return _role(user) == Role.SECRETARY and pillar_id is not None and user.pillar_id == pillar_id


def can_act_for_pillar(user: Any, pillar_id: int | None) -> bool:
    """Post, organise or book on behalf of a pillar."""
    return is_admin(user) or is_secretary_of(user, pillar_id)


def can_manage_front_desk(user: Any) -> bool:
    return _role(user) in {Role.RECEPTIONIST, Role.ADMIN}


def can_manage_assets(user: Any) -> bool:
    return _role(user) in {Role.ASSET_KEEPER, Role.ADMIN}


def can_book_for_pillar(user: Any, pillar_id: int | None) -> bool:
    """Book on behalf of a pillar: its secretary; the front desk and admin for any."""
    return can_manage_front_desk(user) or is_secretary_of(user, pillar_id)


def require(predicate: Callable[[Any], bool]) -> Callable:
    """View decorator: log in first, then 403 unless ``predicate(current_user)``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# What templates see as ``perm``.
TEMPLATE_PREDICATES = {
    name: obj
    for name, obj in dict(globals()).items()
    if callable(obj) and (name.startswith(("can_", "is_")))
}


def register(*predicates: Callable[..., bool]) -> None:
    """Make a feature's predicates available to templates as ``perm.<name>``."""
    for predicate in predicates:
        TEMPLATE_PREDICATES[predicate.__name__] = predicate
