"""The board's rules: who sees what, posting, editing with history, reads and acks.

Visibility in SQL mirrors :func:`permissions.can_see_announcement`: a post is on a
user's board when it is not deleted, published (``publish_at`` passed) and for everyone
or for the user's pillar (the posting pillar always sees its own posts). Unread counts
only look at the last ``ANNOUNCEMENT_UNREAD_DAYS`` days of publications, so the badge is
one bounded, indexed count however long the history grows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, joinedload, lazyload

from intranet.announcements import links
from intranet.announcements.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementAudience,
    AnnouncementCategory,
    AnnouncementRead,
    AnnouncementVersion,
)
from intranet.announcements.permissions import (
    can_acknowledge,
    can_edit_announcement,
    can_post_announcements,
    can_restore_announcement,
    can_see_announcement,
    posts_as_office,
)
from intranet.auth.models import Pillar, Role, User
from intranet.auth.services import names_by_id
from intranet.core import attachments, audit
from intranet.core.db import (
    Bound,
    UTCDateTime,
    built_once,
    lock_for_update,
    utcnow,
    write_transaction,
)
from intranet.core.layout import BadgeCount, badge_count
from intranet.core.markdown import plain_text
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db

OWNER = "announcement"
SUMMARY_LENGTH = 200
TITLE_MAX = 200
BODY_MAX = 20_000
AUDIT_FIELDS = (
    "title",
    "category_id",
    "audience",
    "pinned",
    "publish_at",
    "expires_at",
    "requires_ack",
    "link",
)

audit.ACTION_LABELS.update(
    {
        "announcement.create": _l("Announcement posted"),
        "announcement.update": _l("Announcement changed"),
        "announcement.delete": _l("Announcement deleted"),
        "announcement.restore": _l("Announcement restored"),
        "announcement_category.create": _l("Announcement category created"),
        "announcement_category.update": _l("Announcement category changed"),
    }
)
audit.OBJECT_TYPE_LABELS.update(
    {"announcement": _l("Announcement"), "announcement_category": _l("Announcement category")}
)
audit.FIELD_LABELS.update(
    {
        "title": _l("Title"),
        "category_id": _l("Category"),
        "audience": _l("Audience"),
        "pinned": _l("Pinned"),
        "publish_at": _l("Publish at"),
        "expires_at": _l("Expires at"),
        "requires_ack": _l("Requires acknowledgement"),
        "link": _l("Linked event"),
        "attachments": _l("Attachments"),
        "urgent": _l("Urgent"),
        "position": _l("Order"),
    }
)
audit.register_values(
    "category_id", names_by_id(AnnouncementCategory, AnnouncementCategory.name), "announcement"
)


def _link_labels(raw: set[Any]) -> dict[Any, Any]:
    """Audit values of linked events ("booking:12") read as the event's name and date."""
    from intranet.core.formatting import format_datetime_short

    wanted: dict[str, set[int]] = {}
    for value in raw:
        decoded = links.decode(str(value))
        if decoded:
            wanted.setdefault(decoded[0], set()).add(decoded[1])
    labels: dict[Any, Any] = {}
    for name, ids in wanted.items():
        kind = links.LINK_KINDS[name]
        for ident, event in kind.details(ids).items():
            labels[links.encode(name, ident)] = (
                f"{kind.label}: {event.title} ({format_datetime_short(event.start)})"
            )
    return labels


audit.register_values("link", _link_labels, "announcement")


class InvalidPost(ServiceError):
    """Several problems at once: ``errors`` maps form fields to their messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for ms in errors.values() for m in ms))
        self.errors = errors


@dataclass
class PostData:
    title: str = ""
    body: str = ""
    category_id: int | None = None
    audience_all: bool = True
    audience_pillar_ids: list[int] = field(default_factory=list)
    pinned: bool = False
    publish_at: datetime | None = None  # None: now
    expires_at: datetime | None = None
    requires_ack: bool = False
    link: str = ""  # "kind:id" of links.LINK_KINDS, or ""


# --- settings and categories -----------------------------------------------------------


def unread_window() -> timedelta:
    return timedelta(days=int(current_app.config.get("ANNOUNCEMENT_UNREAD_DAYS", 30)))


@built_once
def _categories_statement(include_inactive: bool) -> Select:
    stmt = select(AnnouncementCategory).order_by(
        AnnouncementCategory.position, AnnouncementCategory.name
    )
    if not include_inactive:
        stmt = stmt.where(AnnouncementCategory.active.is_(True))
    return stmt


def categories(include_inactive: bool = False) -> list[AnnouncementCategory]:
    return list(db.session.scalars(_categories_statement(include_inactive)))


def ensure_default_categories() -> None:
    """The five categories an office starts with, when the table is empty."""
    if db.session.scalar(select(func.count()).select_from(AnnouncementCategory)):
        return
    from intranet.announcements.models import DEFAULT_CATEGORIES

    for position, name in enumerate(DEFAULT_CATEGORIES):
        db.session.add(AnnouncementCategory(name=name, position=position, urgent=name == "Penting"))
    db.session.flush()


def save_category(
    name: str,
    *,
    position: int = 0,
    urgent: bool = False,
    active: bool = True,
    category_id: int | None = None,
    actor: Any,
) -> AnnouncementCategory:
    """Create or change a category (inside a write transaction)."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_("Enter a name."), field="name")
    if len(name) > 60:
        raise ServiceError(_("At most %(n)d characters.", n=60), field="name")
    clash = db.session.scalar(
        select(AnnouncementCategory.id).where(
            func.lower(AnnouncementCategory.name) == name.lower(),
            AnnouncementCategory.id != (category_id or 0),
        )
    )
    if clash:
        raise ServiceError(_("A category with this name exists."), field="name")
    fields = ("name", "position", "urgent", "active")
    if category_id is None:
        category = AnnouncementCategory()
        db.session.add(category)
        before: dict[str, Any] = {}
        action = "announcement_category.create"
    else:
        category = db.session.get(AnnouncementCategory, category_id)
        if category is None:
            raise ServiceError(_("This category no longer exists."))
        before = audit.snapshot(category, fields)
        action = "announcement_category.update"
    category.name, category.position = name, position
    category.urgent, category.active = urgent, active
    db.session.flush()
    changes = audit.changed_fields(before, audit.snapshot(category, fields))
    if changes:
        audit.record(
            action, "announcement_category", category.id, summary=name, changes=changes, user=actor
        )
    return category


# --- what a user sees ------------------------------------------------------------------


def _audience_clause(user: Any) -> Any:
    """SQL: the post is for this user's audience."""
    pillar_id = getattr(user, "pillar_id", None)
    if pillar_id is None:
        return Announcement.audience_all.is_(True)
    return or_(
        Announcement.audience_all.is_(True),
        Announcement.pillar_id == pillar_id,
        exists().where(
            AnnouncementAudience.announcement_id == Announcement.id,
            AnnouncementAudience.pillar_id == pillar_id,
        ),
    )


def _own_clause(user: Any) -> Any:
    """SQL: posts this user wrote or may edit (their drafts and scheduled posts show)."""
    if user.role == Role.ADMIN:
        return true()
    clauses = [Announcement.author_id == user.id]
    if user.role == Role.SECRETARY and user.pillar_id is not None:
        clauses.append(Announcement.pillar_id == user.pillar_id)
    if user.role == Role.RECEPTIONIST:
        clauses.append(Announcement.pillar_id.is_(None))
    return or_(*clauses)


def visible_clause(user: Any, now: datetime) -> Any:
    """SQL: the user may see the post (not deleted; published for their audience, or
    their own or editable drafts)."""
    published = and_(Announcement.publish_at <= now, _audience_clause(user))
    return and_(Announcement.deleted_at.is_(None), or_(published, _own_clause(user)))


def live_clause(now: datetime) -> Any:
    """SQL: published and not expired."""
    return and_(
        Announcement.publish_at <= now,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
    )


VIEWS = ("current", "archive", "scheduled", "deleted")


@dataclass(frozen=True)
class _Reader:
    """A user's role, with placeholders for their id and pillar: the visibility
    clauses written for a user build a statement for every user of that shape."""

    role: str | None
    id: Any
    pillar_id: Any


def _reader(role: str | None, with_pillar: bool, prefix: str = "") -> _Reader:
    """Placeholders ``{prefix}user_id`` and ``{prefix}pillar_id``; the values come from
    :func:`_reader_params`."""
    pillar_id = bindparam(f"{prefix}pillar_id", type_=Integer()) if with_pillar else None
    return _Reader(role, bindparam(f"{prefix}user_id", type_=Integer()), pillar_id)


def _reader_shape(user: Any) -> tuple[str, bool]:
    return user.role, getattr(user, "pillar_id", None) is not None


def _reader_params(user: Any, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}user_id": user.id, f"{prefix}pillar_id": getattr(user, "pillar_id", None)}


@built_once
def _board_statement(
    role: str, with_pillar: bool, view: str, pillar: bool, category: bool, words: int
) -> Select:
    now = bindparam("now", type_=UTCDateTime())
    reader = _reader(role, with_pillar)
    # Cards show the category, the pillar and the audience; not the author.
    stmt = select(Announcement).options(lazyload(Announcement.author))
    if view == "deleted":
        stmt = stmt.where(Announcement.deleted_at.is_not(None)).order_by(
            Announcement.deleted_at.desc(), Announcement.id.desc()
        )
    else:
        stmt = stmt.where(visible_clause(reader, now))
        if view == "archive":
            stmt = stmt.where(Announcement.expires_at <= now).order_by(
                Announcement.expires_at.desc(), Announcement.id.desc()
            )
        elif view == "scheduled":
            stmt = stmt.where(Announcement.publish_at > now, _own_clause(reader)).order_by(
                Announcement.publish_at, Announcement.id
            )
        else:
            # Steering SQLite's planner (it has no statistics) with coalesce(), which reads
            # the same but hides a column from the index choice. Unfiltered: the board
            # walks ix_announcement_board in its order and stops after a page, instead of
            # sorting every post found by ix_announcement_recent. Filtered by pillar or
            # category: that index finds the few posts, which are then sorted.
            publish_at = Announcement.publish_at
            pinned = func.coalesce(Announcement.pinned, Announcement.pinned)
            if not (pillar or category):
                publish_at, pinned = func.coalesce(publish_at, publish_at), Announcement.pinned
            stmt = stmt.where(
                publish_at <= now,
                or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
            ).order_by(pinned.desc(), Announcement.publish_at.desc(), Announcement.id.desc())
    if pillar:
        stmt = stmt.where(Announcement.pillar_id == bindparam("filter_pillar_id"))
    if category:
        stmt = stmt.where(Announcement.category_id == bindparam("category_id"))
    for n in range(words):
        pattern = bindparam(f"word_{n}", type_=String())
        stmt = stmt.where(or_(Announcement.title.ilike(pattern), Announcement.body.ilike(pattern)))
    return stmt


def board_query(
    user: Any,
    *,
    now: datetime | None = None,
    view: str = "current",
    pillar_id: int | None = None,
    category_id: int | None = None,
    q: str = "",
    ids: bool = False,
) -> Bound:
    """The board's select: current posts pinned first then newest; the archive (expired),
    scheduled posts (the user's own, not yet published) and deleted ones (admin)."""
    if view == "deleted" and user.role != Role.ADMIN:
        raise NotAllowed(_("Only the administrator sees deleted announcements."))
    words = (q or "").split()[:5]
    stmt = _board_statement(
        *_reader_shape(user), view, bool(pillar_id), bool(category_id), len(words)
    )
    params = _reader_params(user) | {
        "now": now or utcnow(),
        "filter_pillar_id": pillar_id,
        "category_id": category_id,
    }
    for n, word in enumerate(words):
        params[f"word_{n}"] = f"%{word.replace('%', '').replace('_', '')}%"
    return Bound(_ids_only(stmt) if ids else stmt, params)


@built_once
def _ids_only(stmt: Select) -> Select:
    return stmt.with_only_columns(Announcement.id)


@built_once
def _feed_statement(role: str, with_pillar: bool, size: int) -> Select:
    now = bindparam("now", type_=UTCDateTime())
    reader = _reader(role, with_pillar)
    # The feed shows the author's name, the pillar and the category; not the audience.
    return (
        select(Announcement)
        .options(
            lazyload(Announcement.audience), joinedload(Announcement.author).lazyload(User.pillar)
        )
        .where(visible_clause(reader, now), live_clause(now))
        .order_by(Announcement.publish_at.desc(), Announcement.id.desc())
        .limit(size)
    )


def feed_posts(user: Any, now: datetime, size: int) -> list[Announcement]:
    """The newest ``size`` live posts the user may see, for their Atom feed."""
    stmt = _feed_statement(*_reader_shape(user), size)
    return list(db.session.scalars(stmt, _reader_params(user) | {"now": now}))


@built_once
def _unread_statement(with_pillar: bool) -> Any:
    """Built once per shape (users with and without a pillar), run with parameters
    (prefixed: the navigation counts run in one query)."""
    now = bindparam("unread_now", type_=UTCDateTime())
    reader = _reader(None, with_pillar, prefix="unread_")
    return (
        select(func.count())
        .select_from(Announcement)
        .where(
            Announcement.publish_at > bindparam("unread_since", type_=UTCDateTime()),
            live_clause(now),
            Announcement.deleted_at.is_(None),
            _audience_clause(reader),
            ~exists().where(
                AnnouncementRead.user_id == reader.id,
                AnnouncementRead.announcement_id == Announcement.id,
            ),
        )
    )


def unread_badge(user: Any, now: datetime | None = None) -> BadgeCount | int:
    """Published, unexpired posts of the last weeks for the user that they have not
    opened: one count over an index range of recent publications (0 for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    now = now or utcnow()
    params = _reader_params(user, prefix="unread_")
    params |= {"unread_now": now, "unread_since": now - unread_window()}
    return BadgeCount(_unread_statement(_reader_shape(user)[1]), params)


def unread_count(user: Any, now: datetime | None = None) -> int:
    return badge_count(unread_badge(user, now))


def unread_ids(user: Any, posts: Iterable[Announcement], now: datetime | None = None) -> set[int]:
    """Which of these posts the user has not opened (only recent ones count as unread)."""
    now = now or utcnow()
    recent = [p.id for p in posts if p.publish_at <= now and p.publish_at > now - unread_window()]
    if not recent:
        return set()
    read = set(
        db.session.scalars(
            select(AnnouncementRead.announcement_id).where(
                AnnouncementRead.user_id == user.id,
                AnnouncementRead.announcement_id.in_(recent),
            )
        )
    )
    return set(recent) - read


def visible_or_none(user: Any, post_id: int) -> Announcement | None:
    post = db.session.get(Announcement, post_id)
    if post is None or not can_see_announcement(user, post):
        return None
    return post


def can_see_id(user: Any, post_id: int) -> bool:
    """For the attachment component: may this user see that post's files?"""
    return visible_or_none(user, post_id) is not None


# --- posting ------------------------------------------------------------------------


def posting_pillar_id(user: Any) -> int | None:
    """Secretaries post as their pillar; the admin and the receptionist as the office."""
    return None if posts_as_office(user) else user.pillar_id


def validate(user: Any, data: PostData, now: datetime, post: Announcement | None = None) -> None:
    """Every problem at once, by field (raises :class:`InvalidPost`)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = (data.title or "").strip()
    if not title:
        add("title", _("Enter a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("At most %(n)d characters.", n=TITLE_MAX))
    if not (data.body or "").strip():
        add("body", _("Write the announcement."))
    elif len(data.body) > BODY_MAX:
        add("body", _("At most %(n)d characters.", n=BODY_MAX))
    category = db.session.get(AnnouncementCategory, data.category_id or 0)
    if category is None or (
        not category.active and (post is None or post.category_id != category.id)
    ):
        add("category", _("Choose a category."))
    if not data.audience_all:
        if not data.audience_pillar_ids:
            add("audience", _("Choose everyone or at least one pillar."))
        else:
            known = set(
                db.session.scalars(select(Pillar.id).where(Pillar.id.in_(data.audience_pillar_ids)))
            )
            if known != set(data.audience_pillar_ids):
                add("audience", _("Choose pillars from the list."))
    publish_at = data.publish_at or now
    if data.expires_at is not None:
        unchanged = post is not None and post.expires_at == data.expires_at
        if data.expires_at <= now and not unchanged:
            add("expires_at", _("The expiry must be in the future."))
        elif data.expires_at <= publish_at:
            add("expires_at", _("The expiry must be after the publication."))
    if data.link:
        decoded = links.decode(data.link)
        allowed = {value for _g, opts in links.choices_for(user) for value, _l2 in opts}
        current = links.encode(post.link_kind, post.link_id) if post else ""
        if decoded is None or (data.link not in allowed and data.link != current):
            add("link", _("Choose an event from the list."))
    if errors:
        raise InvalidPost(errors)


def _snapshot(post: Announcement) -> dict[str, Any]:
    values = audit.snapshot(
        post, ("title", "category_id", "pinned", "publish_at", "expires_at", "requires_ack")
    )
    values["audience"] = _audience_names(post)
    values["link"] = links.encode(post.link_kind, post.link_id) or None
    return values


def _audience_names(post: Announcement) -> str:
    if post.audience_all:
        return str(_("Everyone"))
    ids = post.audience_pillar_ids
    codes = db.session.scalars(select(Pillar.code).where(Pillar.id.in_(ids)).order_by(Pillar.code))
    return ", ".join(codes)


def _apply(post: Announcement, data: PostData, now: datetime) -> None:
    post.title = data.title.strip()
    post.body = data.body.strip()
    post.summary = plain_text(post.body, limit=SUMMARY_LENGTH)
    post.category_id = data.category_id
    post.pinned = bool(data.pinned)
    post.publish_at = data.publish_at or (post.publish_at if post.id else now)
    post.expires_at = data.expires_at
    post.requires_ack = bool(data.requires_ack)
    decoded = links.decode(data.link) if data.link else None
    post.link_kind, post.link_id = decoded if decoded else (None, None)
    post.audience_all = bool(data.audience_all)
    wanted = [] if data.audience_all else sorted(set(data.audience_pillar_ids))
    have = {row.pillar_id: row for row in post.audience}
    for pillar_id, row in have.items():
        if pillar_id not in wanted:
            post.audience.remove(row)
    for pillar_id in wanted:
        if pillar_id not in have:
            post.audience.append(AnnouncementAudience(pillar_id=pillar_id))


def create(
    user: Any, data: PostData, uploads: list | None = None, *, now: datetime | None = None
) -> Announcement:
    """Post an announcement with its attachments, all or nothing."""
    if not can_post_announcements(user):
        raise NotAllowed(_("You may not post announcements."))
    now = now or utcnow()
    with write_transaction():
        validate(user, data, now)
        post = Announcement(
            author_id=user.id, pillar_id=posting_pillar_id(user), created_at=now, version=1
        )
        _apply(post, data, now)
        db.session.add(post)
        db.session.flush()
        saved = attachments.save_all(uploads, OWNER, post.id, user)
        changes = {name: [None, value] for name, value in _snapshot(post).items() if value}
        if saved:
            changes["attachments"] = [None, ", ".join(a.filename for a in saved)]
        audit.record(
            "announcement.create", "announcement", post.id, summary=post.title,
            changes=changes, user=user,
        )  # fmt: skip
    return post


def update(
    user: Any,
    post_id: int,
    data: PostData,
    uploads: list | None = None,
    remove_attachment_ids: Iterable[int] = (),
    *,
    now: datetime | None = None,
) -> Announcement:
    """Change a post: its earlier text goes into the history, the post is marked updated."""
    now = now or utcnow()
    with write_transaction():
        post = lock_for_update(Announcement, post_id)
        if post is None:
            raise ServiceError(_("This announcement no longer exists."))
        if not can_edit_announcement(user, post):
            raise NotAllowed(_("You may not change this announcement."))
        validate(user, data, now, post)
        before = _snapshot(post)
        old_text = (post.title, post.body, post.category_id)
        removed = []
        remove_ids = {int(i) for i in remove_attachment_ids}
        for attachment in attachments.for_owner(OWNER, post.id):
            if attachment.id in remove_ids:
                removed.append(attachment.filename)
                attachments.remove(attachment)
        db.session.flush()
        saved = attachments.save_all(uploads, OWNER, post.id, user)
        _apply(post, data, now)
        if (post.title, post.body, post.category_id) != old_text:
            db.session.add(
                AnnouncementVersion(
                    announcement_id=post.id,
                    version=post.version,
                    title=old_text[0],
                    body=old_text[1],
                    category_id=old_text[2],
                    written_at=post.updated_at or post.created_at,
                    written_by_id=post.updated_by_id or post.author_id,
                )
            )
            post.version += 1
        changes = audit.changed_fields(before, _snapshot(post))
        if removed or saved:
            changes["attachments"] = [
                ", ".join(removed) or None,
                ", ".join(a.filename for a in saved) or None,
            ]
        text_changed = (post.title, post.body, post.category_id) != old_text
        if changes or text_changed:
            post.updated_at = now
            post.updated_by_id = user.id
            audit.record(
                "announcement.update", "announcement", post.id, summary=post.title,
                changes=changes, user=user,
            )  # fmt: skip
    return post


def delete(user: Any, post_id: int, *, now: datetime | None = None) -> Announcement:
    """Soft delete: the post leaves every board; the admin may restore it."""
    with write_transaction():
        post = lock_for_update(Announcement, post_id)
        if post is None:
            raise ServiceError(_("This announcement no longer exists."))
        if not can_edit_announcement(user, post):
            raise NotAllowed(_("You may not delete this announcement."))
        post.deleted_at = now or utcnow()
        post.deleted_by_id = user.id
        audit.record("announcement.delete", "announcement", post.id, summary=post.title, user=user)
    return post


def restore(user: Any, post_id: int) -> Announcement:
    with write_transaction():
        post = lock_for_update(Announcement, post_id)
        if post is None:
            raise ServiceError(_("This announcement no longer exists."))
        if not can_restore_announcement(user, post):
            raise NotAllowed(_("Only the administrator restores announcements."))
        post.deleted_at = None
        post.deleted_by_id = None
        audit.record("announcement.restore", "announcement", post.id, summary=post.title, user=user)
    return post


# --- reading and acknowledging ---------------------------------------------------------


def _insert_ignoring_duplicates(model: type, values: dict[str, Any]) -> bool:
    """Insert a receipt unless there is one (two tabs, double clicks): True if new."""
    dialect = db.session.get_bind().dialect.name
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = factory(model).values(**values).on_conflict_do_nothing().returning(model.user_id)
    return db.session.execute(stmt).scalar() is not None


def mark_read(
    user: Any, post: Announcement, *, now: datetime | None = None, already: bool | None = None
) -> bool:
    """Record that the user opened a published post (once); True if it was unread.
    ``already``: whether the caller knows it is read (saves the look-up)."""
    now = now or utcnow()
    if post.deleted_at is not None or post.publish_at > now:
        return False
    if already is None:
        already = receipt_of(user, post)[0]
    if already:
        return False
    with write_transaction():
        return _insert_ignoring_duplicates(
            AnnouncementRead, {"user_id": user.id, "announcement_id": post.id, "read_at": now}
        )


def acknowledge(user: Any, post_id: int, *, now: datetime | None = None) -> bool:
    """ "Saya sudah membaca": once per user; also marks the post read. True if new."""
    now = now or utcnow()
    with write_transaction():
        post = db.session.get(Announcement, post_id)
        if post is None or not can_see_announcement(user, post, now):
            raise ServiceError(_("This announcement no longer exists."))
        if not can_acknowledge(user, post):
            raise NotAllowed(_("This announcement does not ask you for an acknowledgement."))
        _insert_ignoring_duplicates(
            AnnouncementRead, {"user_id": user.id, "announcement_id": post.id, "read_at": now}
        )
        return _insert_ignoring_duplicates(
            AnnouncementAck, {"user_id": user.id, "announcement_id": post.id, "acked_at": now}
        )


def receipt_of(user: Any, post: Announcement) -> tuple[bool, bool]:
    """(read, acknowledged) for one post and user, in one query."""
    read = aliased(AnnouncementRead)
    ack = aliased(AnnouncementAck)
    row = db.session.execute(
        select(read.user_id.is_not(None), ack.user_id.is_not(None))
        .select_from(Announcement)
        .outerjoin(read, and_(read.announcement_id == Announcement.id, read.user_id == user.id))
        .outerjoin(ack, and_(ack.announcement_id == Announcement.id, ack.user_id == user.id))
        .where(Announcement.id == post.id)
    ).first()
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def has_acknowledged(user: Any, post: Announcement) -> bool:
    return bool(
        db.session.scalar(
            select(AnnouncementAck.user_id).where(
                AnnouncementAck.user_id == user.id, AnnouncementAck.announcement_id == post.id
            )
        )
    )


@dataclass
class AckGroup:
    """One pillar's part of the acknowledgement list (pillar None: the office)."""

    pillar: Pillar | None
    acked: list[tuple[User, datetime]]
    missing: list[User]

    @property
    def total(self) -> int:
        return len(self.acked) + len(self.missing)


@dataclass
class AckReport:
    groups: list[AckGroup]

    @property
    def acked(self) -> int:
        return sum(len(g.acked) for g in self.groups)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def missing(self) -> int:
        return self.total - self.acked


def audience_users_query(post: Announcement) -> Any:
    """Who is asked to acknowledge: the audience's active users but the author."""
    stmt = select(User).where(User.active.is_(True), User.id != post.author_id)
    if not post.audience_all:
        ids = {*post.audience_pillar_ids, *([post.pillar_id] if post.pillar_id else [])}
        stmt = stmt.where(User.pillar_id.in_(ids))
    return stmt


def ack_report(post: Announcement) -> AckReport:
    """Who of the audience has and has not acknowledged, by pillar (two queries)."""
    acks = {
        row.user_id: row.acked_at
        for row in db.session.execute(
            select(AnnouncementAck.user_id, AnnouncementAck.acked_at).where(
                AnnouncementAck.announcement_id == post.id
            )
        )
    }
    people = list(db.session.scalars(audience_users_query(post).order_by(User.full_name)))
    seen = {u.id for u in people}
    # Someone who acknowledged and has since left the audience still counts.
    extra_ids = [uid for uid in acks if uid not in seen]
    if extra_ids:
        people += list(db.session.scalars(select(User).where(User.id.in_(extra_ids))))
    groups: dict[int | None, AckGroup] = {}
    for person in people:
        group = groups.setdefault(person.pillar_id, AckGroup(person.pillar, [], []))
        if person.id in acks:
            group.acked.append((person, acks[person.id]))
        else:
            group.missing.append(person)
    ordered = sorted(
        groups.values(), key=lambda g: (g.pillar is None, g.pillar.code if g.pillar else "")
    )
    return AckReport(ordered)


@dataclass
class AckCount:
    pillar_code: str | None
    acked: int
    total: int


def ack_summary(post: Announcement) -> tuple[int, int, list[AckCount]]:
    """(acknowledged, asked, by pillar) in one aggregate query: for the post page,
    which must not load the whole office to show a few numbers."""
    audience = audience_users_query(post).with_only_columns(User.id, User.pillar_id).subquery()
    totals: dict[int | None, int] = {}
    acked: dict[int | None, int] = {}
    codes: dict[int | None, str] = {}
    rows = db.session.execute(
        select(audience.c.pillar_id, Pillar.code, func.count(), func.count(AnnouncementAck.user_id))
        .outerjoin(Pillar, Pillar.id == audience.c.pillar_id)
        .outerjoin(
            AnnouncementAck,
            and_(
                AnnouncementAck.user_id == audience.c.id,
                AnnouncementAck.announcement_id == post.id,
            ),
        )
        .group_by(audience.c.pillar_id, Pillar.code)
    )
    for pillar_id, code, count, confirmed in rows:
        totals[pillar_id], acked[pillar_id], codes[pillar_id] = count, confirmed, code
    groups = sorted(
        (
            AckCount(codes.get(pid) if pid else None, acked.get(pid, 0), n)
            for pid, n in totals.items()
        ),
        key=lambda g: (g.pillar_code is None, g.pillar_code or ""),
    )
    return sum(acked.values()), sum(totals.values()), groups


def ack_counts(post_ids: list[int]) -> dict[int, int]:
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(AnnouncementAck.announcement_id, func.count())
        .where(AnnouncementAck.announcement_id.in_(post_ids))
        .group_by(AnnouncementAck.announcement_id)
    )
    return dict(rows.tuples().all())


def read_count(post: Announcement) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AnnouncementRead)
            .where(AnnouncementRead.announcement_id == post.id)
        )
        or 0
    )


def history(post: Announcement) -> list[AnnouncementVersion]:
    return list(
        db.session.scalars(
            select(AnnouncementVersion)
            .where(AnnouncementVersion.announcement_id == post.id)
            .order_by(AnnouncementVersion.version.desc())
        )
    )


def share_text(post: Announcement, url: str, date_text: str) -> str:
    """The WhatsApp text: the title in *bold*, the first lines, the date, the link."""
    summary = post.summary or plain_text(post.body, limit=SUMMARY_LENGTH)
    return f"*{post.title.strip()}*\n{summary}\n\n{date_text}\n{url}"


@dataclass
class Card:
    """What the board shows of a post, read as plain rows (no ORM objects per card)."""

    id: int
    title: str
    summary: str
    pinned: bool
    publish_at: datetime
    expires_at: datetime | None
    updated_at: datetime | None
    requires_ack: bool
    audience_all: bool
    link_kind: str | None
    link_id: int | None
    category_name: str
    category_urgent: bool
    pillar_code: str | None
    pillar_colour: str | None
    is_read: bool
    is_acked: bool
    is_unread: bool = False
    audience_codes: list[str] = field(default_factory=list)


@built_once
def _cards_statement() -> Any:
    return _cards_base().where(Announcement.id.in_(bindparam("ids", expanding=True)))


@built_once
def _cards_base() -> Any:
    """The cards' columns, joins and the reader's receipts (``user_id``), for any ids."""
    read = aliased(AnnouncementRead)
    ack = aliased(AnnouncementAck)
    user_id = bindparam("user_id", type_=Integer())
    return (
        select(
            Announcement.id,
            Announcement.title,
            Announcement.summary,
            Announcement.pinned,
            Announcement.publish_at,
            Announcement.expires_at,
            Announcement.updated_at,
            Announcement.requires_ack,
            Announcement.audience_all,
            Announcement.link_kind,
            Announcement.link_id,
            AnnouncementCategory.name,
            AnnouncementCategory.urgent,
            Pillar.code,
            Pillar.colour,
            read.user_id.is_not(None),
            ack.user_id.is_not(None),
        )
        .join(AnnouncementCategory, AnnouncementCategory.id == Announcement.category_id)
        .outerjoin(Pillar, Pillar.id == Announcement.pillar_id)
        .outerjoin(read, and_(read.announcement_id == Announcement.id, read.user_id == user_id))
        .outerjoin(ack, and_(ack.announcement_id == Announcement.id, ack.user_id == user_id))
    )


@built_once
def _audience_statement() -> Any:
    return (
        select(AnnouncementAudience.announcement_id, Pillar.code)
        .join(Pillar, Pillar.id == AnnouncementAudience.pillar_id)
        .where(AnnouncementAudience.announcement_id.in_(bindparam("ids", expanding=True)))
        .order_by(Pillar.code)
    )


def cards(
    user: Any, ids: list[int], now: datetime | None = None, *, with_audience: bool = True
) -> list[Card]:
    """The board's cards for these post ids, in their order: one query for the posts with
    their category, pillar and the user's receipts, one for the audiences."""
    now = now or utcnow()
    if not ids:
        return []
    rows = db.session.execute(_cards_statement(), {"user_id": user.id, "ids": list(ids)})
    by_id = {row[0]: Card(*row) for row in rows}
    found = [by_id[i] for i in ids if i in by_id]
    window_start = now - unread_window()
    for card in found:
        card.is_read, card.is_acked = bool(card.is_read), bool(card.is_acked)
        card.is_unread = not card.is_read and window_start < card.publish_at <= now
    targeted = {card.id: card for card in found if not card.audience_all}
    if targeted and with_audience:
        rows = db.session.execute(_audience_statement(), {"ids": list(targeted)})
        for post_id, code in rows:
            targeted[post_id].audience_codes.append(code)
    return found
