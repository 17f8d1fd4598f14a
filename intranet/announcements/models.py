"""Announcements: posts, their audiences, edit history, categories, reads and acks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intranet.auth.models import Pillar, User
from intranet.core.db import UTCDateTime, utcnow
from intranet.extensions import db

# The office's categories when it starts (the admin edits the list).
DEFAULT_CATEGORIES = ("Info", "Undangan", "Penting", "Laporan", "Peluang")


class AnnouncementCategory(db.Model):
    __tablename__ = "announcement_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Marks urgent notices (red edge on the board): "Penting" at the start.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Announcement(db.Model):
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # The body's first words without marks, made when saved (cards, feeds, WhatsApp).
    summary: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("announcement_category.id"))
    # The posting pillar; None = posted by the office (admin, receptionist).
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"))
    # Everyone, or only the pillars in announcement_audience.
    audience_all: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # An invitation's linked event: a kind of LINK_KINDS and its id.
    link_kind: Mapped[str | None] = mapped_column(String(20))
    link_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when edited after posting ("updated" marker); version counts the edits.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    category: Mapped[AnnouncementCategory] = relationship(lazy="joined")
    pillar: Mapped[Pillar | None] = relationship(lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    audience: Mapped[list[AnnouncementAudience]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="AnnouncementAudience.pillar_id"
    )

    __table_args__ = (
        CheckConstraint(
            "expires_at IS NULL OR expires_at > publish_at", name="expiry_after_publish"
        ),
        CheckConstraint("(link_kind IS NULL) = (link_id IS NULL)", name="link_kind_and_id"),
        # The board: pinned first, then newest, of what is not deleted.
        Index("ix_announcement_board", "deleted_at", "pinned", "publish_at"),
        # The unread count, the feed, scheduled posts: by publication.
        Index("ix_announcement_recent", "deleted_at", "publish_at"),
        # The archive: by expiry.
        Index("ix_announcement_archive", "deleted_at", "expires_at"),
        Index("ix_announcement_pillar_publish", "pillar_id", "publish_at"),
        Index("ix_announcement_category_publish", "category_id", "publish_at"),
        Index("ix_announcement_author", "author_id"),
        Index("ix_announcement_link", "link_kind", "link_id"),
    )

    @property
    def audience_pillar_ids(self) -> list[int]:
        return [row.pillar_id for row in self.audience]

    @property
    def audience_codes(self) -> list[str]:
        return sorted(row.pillar.code for row in self.audience)

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.title!r}>"


class AnnouncementAudience(db.Model):
    """A pillar an announcement is for (none when it is for everyone)."""

    __tablename__ = "announcement_audience"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True
    )
    pillar_id: Mapped[int] = mapped_column(
        ForeignKey("pillar.id", ondelete="CASCADE"), primary_key=True
    )

    pillar: Mapped[Pillar] = relationship(lazy="joined")

    __table_args__ = (Index("ix_announcement_audience_pillar", "pillar_id", "announcement_id"),)


class AnnouncementVersion(db.Model):
    """An earlier text of an announcement, kept when it is edited."""

    __tablename__ = "announcement_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("announcement_category.id"))
    # When and by whom this text was written.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    written_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    written_by: Mapped[User | None] = relationship(lazy="joined")
    category: Mapped[AnnouncementCategory] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("announcement_id", "version", name="uq_announcement_version"),
    )


class AnnouncementRead(db.Model):
    """A read receipt: the user opened the announcement."""

    __tablename__ = "announcement_read"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_announcement_read_announcement", "announcement_id"),)


class AnnouncementAck(db.Model):
    """An acknowledgement ("Saya sudah membaca") of an announcement that asks for one."""

    __tablename__ = "announcement_ack"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True
    )
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (Index("ix_announcement_ack_announcement", "announcement_id"),)
