"""Rooms, booking series and bookings (one row per real slot)."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

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
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intranet.auth.models import Pillar, User
from intranet.core.db import UTCDateTime, utcnow
from intranet.core.formatting import to_local
from intranet.extensions import db


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Pending and approved bookings both hold their slot.
HOLDING_STATUSES = (BookingStatus.PENDING.value, BookingStatus.APPROVED.value)

# No booking is longer: a booking is one local day's start and end (the form and the
# service refuse an end before the start). Interval queries use it as the lower bound
# of ``start_at``, so they read the bookings near the range, never the whole history.
LONGEST_BOOKING = timedelta(days=1)


class Room(db.Model):
    __tablename__ = "room"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    facilities: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#1565c0")
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bookable hours (office-local); empty = the office-hours setting.
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    photo: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", name="hours_order"
        ),
    )

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class BookingSeries(db.Model):
    """A recurring booking: the rule; its occurrences are Booking rows."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(20))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2" = Mon, Wed
    first_date: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    # Dates of the rule the booker chose to skip ("2027-01-05,2027-01-12"): the series
    # page lists them beside the booked ones.
    skipped: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def skipped_days(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.skipped.split(",") if d]

    def set_skipped(self, days) -> None:
        self.skipped = ",".join(sorted(d.isoformat() for d in set(days)))

    __table_args__ = (
        CheckConstraint(
            "frequency IN ('daily', 'weekly', 'monthly_date', 'monthly_weekday')",
            name="frequency_known",
        ),
        CheckConstraint("interval >= 1", name="interval_positive"),
    )


class Booking(db.Model):
    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_series.id", ondelete="SET NULL"), index=True
    )
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    attendees: Mapped[int] = mapped_column(Integer, default=1)
    phone: Mapped[str] = mapped_column(String(30), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The office-local date of the booking (kept from start_at on every write): calendars
    # select and count by it.
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.PENDING.value)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    override_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room] = relationship(lazy="joined")
    pillar: Mapped[Pillar | None] = relationship(lazy="joined")
    booked_by: Mapped[User] = relationship(foreign_keys=[booked_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    series: Mapped[BookingSeries | None] = relationship()

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("attendees >= 1", name="attendees_positive"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')", name="status_known"
        ),
        Index("ix_booking_room_start_end", "room_id", "start_at", "end_at"),
        Index("ix_booking_status_start", "status", "start_at"),
        Index("ix_booking_status_day", "status", "day", "start_at"),
        Index("ix_booking_start", "start_at"),
        # "My bookings" (by start) and "decisions on my bookings" (by decision time).
        Index("ix_booking_booked_by_start", "booked_by_id", "start_at"),
        Index("ix_booking_booked_by_decided", "booked_by_id", "decided_at"),
        Index("ix_booking_updated", "updated_at"),  # the newest change: feeds' version
        # The list filtered by pillar (and status): a page and its capped count.
        Index("ix_booking_pillar_status_start", "pillar_id", "status", "start_at"),
    )

    def set_day(self) -> None:
        self.day = to_local(self.start_at).date()

    @property
    def holds_slot(self) -> bool:
        return self.status in HOLDING_STATUSES

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.room_id} {self.start_at:%Y-%m-%d %H:%M}>"


@event.listens_for(Booking, "before_insert")
@event.listens_for(Booking, "before_update")
def _keep_day(_mapper, _connection, booking: Booking) -> None:
    if booking.start_at is not None:
        booking.set_day()
