"""Who may see, run and check in at which training (role predicates live in auth)."""

from __future__ import annotations

from typing import Any

from intranet.auth import permissions
from intranet.auth.models import Role


def can_create_training(user: Any) -> bool:
    """Secretaries (for their pillar) and the admin organise trainings."""
    return permissions.is_admin(user) or (
        getattr(user, "role", None) == Role.SECRETARY and user.pillar_id is not None
    )


def can_manage_training(user: Any, training: Any) -> bool:
    """Edit, publish, cancel, sessions, participants: the organising pillar's secretary
    and the admin."""
    return permissions.can_act_for_pillar(user, training.organiser_pillar_id)


def can_see_training(user: Any, training: Any) -> bool:
    """Everyone signed in sees published (and past) trainings; drafts only organisers."""
    if training.status != "draft":
        return getattr(user, "is_authenticated", False)
    return can_manage_training(user, training)


def can_check_in(user: Any, training: Any) -> bool:
    """The organisers and the front desk check people in."""
    return can_manage_training(user, training) or permissions.can_manage_front_desk(user)


permissions.register(can_create_training, can_manage_training, can_see_training, can_check_in)
