"""Who may post, see, edit and follow up which announcement."""

from __future__ import annotations

from typing import Any

from intranet.auth import permissions
from intranet.auth.models import Role
from intranet.auth.permissions import is_admin
from intranet.core.db import utcnow


def _role(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def can_post_announcements(user: Any) -> bool:
    """Secretaries post for their pillar; the admin and the receptionist for the office."""
    return _role(user) in {Role.SECRETARY, Role.RECEPTIONIST, Role.ADMIN}


def posts_as_office(user: Any) -> bool:
    return _role(user) in {Role.RECEPTIONIST, Role.ADMIN}


def can_edit_announcement(user: Any, post: Any) -> bool:
    """The admin any; a secretary their pillar's; the receptionist the office's."""
    if post.deleted_at is not None:
        return False
    role = _role(user)
    if role == Role.ADMIN:
        return True
    if role == Role.SECRETARY:
        return post.pillar_id is not None and post.pillar_id == user.pillar_id
    if role == Role.RECEPTIONIST:
        return post.pillar_id is None
    return False


def can_restore_announcement(user: Any, post: Any) -> bool:
    return is_admin(user) and post.deleted_at is not None


def in_audience(user: Any, post: Any) -> bool:
    if post.audience_all:
        return True
    pillar_id = getattr(user, "pillar_id", None)
    return pillar_id is not None and (
        pillar_id == post.pillar_id or pillar_id in post.audience_pillar_ids
    )


def is_live(post: Any, now=None) -> bool:
    now = now or utcnow()
    return post.deleted_at is None and post.publish_at <= now


def can_see_announcement(user: Any, post: Any, now=None) -> bool:
    """Published posts of the user's audience (the archive too); drafts and scheduled
    posts to their author and those who may edit them; deleted ones to the admin."""
    if _role(user) is None:
        return False
    if is_admin(user):
        return True
    if post.deleted_at is not None:
        return False
    if post.author_id == user.id or can_edit_announcement(user, post):
        return True
    return is_live(post, now) and in_audience(user, post)


def can_acknowledge(user: Any, post: Any) -> bool:
    """Readers in the audience confirm; the author does not confirm their own post."""
    return (
        bool(post.requires_ack)
        and is_live(post)
        and post.author_id != getattr(user, "id", None)
        and in_audience(user, post)
    )


def can_see_acknowledgements(user: Any, post: Any) -> bool:
    """Who has and has not acknowledged: the author, the admin, and who may edit the post."""
    if not post.requires_ack or _role(user) is None:
        return False
    return is_admin(user) or post.author_id == user.id or can_edit_announcement(user, post)


def can_manage_announcement_categories(user: Any) -> bool:
    return is_admin(user)


permissions.register(
    can_post_announcements,
    can_edit_announcement,
    can_restore_announcement,
    can_see_announcement,
    can_acknowledge,
    can_see_acknowledgements,
    can_manage_announcement_categories,
)
