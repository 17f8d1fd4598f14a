"""Trainings, their sessions (which may hold a room booking), registrations and attendance."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intranet.auth.models import Pillar, User
from intranet.core.db import UTCDateTime, utcnow
from intranet.extensions import db


class TrainingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


training_target = db.Table(
    "training_target",
    db.Column("training_id", ForeignKey("training.id", ondelete="CASCADE"), primary_key=True),
    db.Column("pillar_id", ForeignKey("pillar.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_training_target_pillar", "pillar_id", "training_id"),
)


class Training(db.Model):
    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    organiser_pillar_id: Mapped[int] = mapped_column(ForeignKey("pillar.id"))
    # True: open to every pillar; else only the target pillars (``targets``).
    for_all_pillars: Mapped[bool] = mapped_column(Boolean, default=True)
    # One facilitator a line: "Name — institution".
    facilitators: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats taken (registered, not waitlisted): kept under the training's row lock, and
    # the database refuses more than the capacity.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20), default=TrainingStatus.DRAFT.value)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Sessions a participant must attend for a certificate (at most the number of sessions).
    certificate_threshold: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    minutes: Mapped[str] = mapped_column(Text, default="")
    # The first and last local day of its sessions (kept by the services): the agenda
    # sorts, groups and filters by them.
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organiser: Mapped[Pillar] = relationship(lazy="joined")
    # Loaded when asked (lists read what they show with light queries instead).
    targets: Mapped[list[Pillar]] = relationship(secondary=training_target, order_by=Pillar.code)
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="training",
        order_by="TrainingSession.start_at",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'published', 'finished', 'cancelled')", name="status_known"
        ),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
        CheckConstraint("certificate_threshold >= 1", name="threshold_positive"),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="window_order",
        ),
        Index("ix_training_first_day", "first_day"),
        Index("ix_training_last_day", "last_day"),
        Index("ix_training_organiser_first_day", "organiser_pillar_id", "first_day"),
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def facilitator_lines(self) -> list[str]:
        return [line.strip() for line in self.facilitators.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Training {self.id} {self.title}>"


class TrainingSession(db.Model):
    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    topic: Mapped[str] = mapped_column(String(200), default="")
    # A room of the office (through a booking) or a place outside (text).
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL"), unique=True
    )
    place: Mapped[str] = mapped_column(String(300), default="")
    # The secret in the self check-in QR code.
    checkin_code: Mapped[str] = mapped_column(String(32), unique=True)

    training: Mapped[Training] = relationship(back_populates="sessions")
    room = relationship("Room", lazy="joined")
    booking = relationship("Booking", foreign_keys=[booking_id])  # organisers only: on demand

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("room_id IS NOT NULL OR place <> ''", name="has_place"),
        Index("ix_training_session_training_start", "training_id", "start_at"),
        Index("ix_training_session_start", "start_at"),
    )

    @property
    def place_label(self) -> str:
        if self.room is not None:
            return (
                f"{self.room.name}, {self.room.location}" if self.room.location else self.room.name
            )
        return self.place


class Registration(db.Model):
    __tablename__ = "training_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"))
    # A colleague with an account, or a guest without one (name and the rest below).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    origin: Mapped[str] = mapped_column(String(200), default="")  # kecamatan / kabupaten
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.REGISTERED.value)
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved up from the waitlist; the person is told on their next page, once.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promotion_seen: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    certificate_code: Mapped[str | None] = mapped_column(String(16), unique=True)

    training: Mapped[Training] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    pillar: Mapped[Pillar | None] = relationship(lazy="joined")

    __table_args__ = (
        # One registration per colleague and training (a cancelled one is reused).
        UniqueConstraint("training_id", "user_id", name="uq_registration_training_user"),
        UniqueConstraint(
            "training_id", "waitlist_position", name="uq_registration_training_waitlist"
        ),
        CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name="status_known"),
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="person_named"),
        CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
            name="waitlist_position_iff_waiting",
        ),
        Index("ix_registration_training_status", "training_id", "status", "waitlist_position"),
        Index("ix_registration_user_status", "user_id", "status"),
        Index("ix_registration_training_phone", "training_id", "phone"),
    )

    @property
    def display_name(self) -> str:
        return self.user.full_name if self.user is not None else self.name

    @property
    def affiliation(self) -> str:
        pillar = self.pillar or (self.user.pillar if self.user is not None else None)
        if pillar is not None and self.organisation:
            return f"{pillar.code} · {self.organisation}"
        if pillar is not None:
            return pillar.code
        return self.organisation

    @property
    def contact_phone(self) -> str:
        if self.phone:
            return self.phone
        return self.user.phone if self.user is not None else ""


class Attendance(db.Model):
    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("training_registration.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(String(10), default="desk")  # desk | self

    __table_args__ = (
        UniqueConstraint("session_id", "registration_id", name="uq_attendance_session_person"),
        CheckConstraint("method IN ('desk', 'self')", name="method_known"),
    )
