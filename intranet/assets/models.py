"""Government goods (BMD, KIB B): items, loans, maintenance and stock-takes."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intranet.auth.models import Pillar, User
from intranet.bookings.models import Booking, Room
from intranet.core.db import UTCDateTime, utcnow
from intranet.extensions import db


class Condition(enum.StrEnum):
    GOOD = "B"  # Baik
    LIGHT_DAMAGE = "RR"  # Rusak Ringan
    HEAVY_DAMAGE = "RB"  # Rusak Berat


# Worse conditions rank higher: a return in a worse condition updates the item.
CONDITION_RANK = {
    Condition.GOOD.value: 0,
    Condition.LIGHT_DAMAGE.value: 1,
    Condition.HEAVY_DAMAGE.value: 2,
}


class AssetStatus(enum.StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    WRITTEN_OFF = "written_off"


class Origin(enum.StrEnum):
    APBD = "apbd"
    APBN = "apbn"
    GRANT = "hibah"
    CSR = "csr"
    OTHER = "other"


class Asset(db.Model):
    """One item of the KIB B register: kode barang + nomor register."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    kode_barang: Mapped[str] = mapped_column(String(20))
    register_no: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200))
    brand_type: Mapped[str] = mapped_column(String(200), default="", server_default="")
    size: Mapped[str] = mapped_column(String(100), default="", server_default="")
    material: Mapped[str] = mapped_column(String(100), default="", server_default="")
    year: Mapped[int] = mapped_column(Integer)
    serial_no: Mapped[str] = mapped_column(String(100), default="", server_default="")
    chassis_no: Mapped[str] = mapped_column(String(100), default="", server_default="")
    engine_no: Mapped[str] = mapped_column(String(100), default="", server_default="")
    plate_no: Mapped[str] = mapped_column(String(20), default="", server_default="")
    bpkb_no: Mapped[str] = mapped_column(String(50), default="", server_default="")
    origin: Mapped[str] = mapped_column(
        String(10), default=Origin.APBD.value, server_default="apbd"
    )
    value: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    condition: Mapped[str] = mapped_column(
        String(2), default=Condition.GOOD.value, server_default="B"
    )
    # A room of the office, or outside (room empty) with a note where.
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="RESTRICT"))
    location_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The pillar that uses it; empty = the office (the secretariat) itself.
    custodian_pillar_id: Mapped[int | None] = mapped_column(
        ForeignKey("pillar.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(
        String(20), default=AssetStatus.AVAILABLE.value, server_default="available"
    )
    status_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    photo: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Lower-case name, brand, numbers and code in one column: the search reads one column.
    search_text: Mapped[str] = mapped_column(String(600), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room | None] = relationship(lazy="joined")
    custodian: Mapped[Pillar | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("kode_barang", "register_no", name="uq_asset_kode_register"),
        CheckConstraint("length(register_no) = 4", name="register_four_digits"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("year >= 1900 AND year <= 2100", name="year_plausible"),
        CheckConstraint("condition IN ('B', 'RR', 'RB')", name="condition_known"),
        CheckConstraint(
            "status IN ('available', 'on_loan', 'in_repair', 'lost', 'written_off')",
            name="status_known",
        ),
        CheckConstraint("origin IN ('apbd', 'apbn', 'hibah', 'csr', 'other')", name="origin_known"),
        CheckConstraint(
            "status <> 'written_off' OR status_on IS NOT NULL", name="written_off_dated"
        ),
        Index("ix_asset_room", "room_id", "kode_barang", "register_no"),
        Index("ix_asset_custodian", "custodian_pillar_id"),
        Index("ix_asset_condition", "condition"),
        Index("ix_asset_status", "status"),
        Index("ix_asset_year", "year"),
        Index("ix_asset_name", "name"),
        Index("ix_asset_serial", "serial_no"),
        Index("ix_asset_value", "value"),
        Index("ix_asset_updated", "updated_at"),  # the register's version (cached totals)
        # The search in register order reads this index alone, not the table.
        Index("ix_asset_code_search", "kode_barang", "register_no", "search_text"),
    )

    @property
    def code(self) -> str:
        """Kode barang and register, as on the label: ``1.3.2.05.01.04.001.0001``."""
        return f"{self.kode_barang}.{self.register_no}"

    def __repr__(self) -> str:
        return f"<Asset {self.code} {self.name}>"


SEARCHED = (
    "name",
    "brand_type",
    "serial_no",
    "chassis_no",
    "engine_no",
    "plate_no",
    "bpkb_no",
    "kode_barang",
    "register_no",
)


def search_text(values: dict) -> str:
    """What the register's search looks through, from an item's values."""
    parts = [values.get(name) or "" for name in SEARCHED[:7]]
    parts.append(f"{values.get('kode_barang') or ''}.{values.get('register_no') or ''}")
    return " ".join(p for p in parts if p).lower()[:600]


@event.listens_for(Asset, "before_insert")
@event.listens_for(Asset, "before_update")
def _keep_search_text(_mapper, _connection, asset: Asset) -> None:
    asset.search_text = search_text({name: getattr(asset, name) for name in SEARCHED})


# The longest beginning of a word the index keeps; longer words are also checked in full.
WORD_PREFIX = 12
_LETTERS = re.compile(r"[^\W\d_]+")


class AssetWord(db.Model):
    """Each beginning (2 to 12 letters) of every run of letters in an item's searched
    text ("proyektor epson eb-x500" → pr, pro, …, ep, eps, …, eb, x), with the item's
    code. A search for a word reads its entries in register order and stops after a
    page: it costs what the page shows, not what the register holds (a LIKE over the
    text read every item). Kept by the listeners below; numbers are searched in the text.
    """

    __tablename__ = "asset_word"

    word: Mapped[str] = mapped_column(String(WORD_PREFIX), primary_key=True)
    kode_barang: Mapped[str] = mapped_column(String(20), primary_key=True)
    register_no: Mapped[str] = mapped_column(String(4), primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)


def word_beginnings(text: str) -> set[str]:
    """The beginnings the index keeps for a searched text."""
    found: set[str] = set()
    for run in _LETTERS.findall(text.lower()):
        found.update(run[:length] for length in range(2, min(len(run), WORD_PREFIX) + 1))
    return found


def word_rows(asset_id: int, kode_barang: str, register_no: str, text: str) -> list[dict]:
    return [
        {"word": w, "kode_barang": kode_barang, "register_no": register_no, "asset_id": asset_id}
        for w in sorted(word_beginnings(text))
    ]


def words_text(values: dict) -> str:
    """The text whose words are indexed: the searched fields but the code."""
    return " ".join(values.get(name) or "" for name in SEARCHED[:7])


@event.listens_for(Asset, "after_insert")
def _add_words(_mapper, connection, asset: Asset) -> None:
    _write_words(connection, asset)


@event.listens_for(Asset, "after_update")
def _change_words(_mapper, connection, asset: Asset) -> None:
    state = inspect(asset)
    if any(state.attrs[name].history.has_changes() for name in SEARCHED):
        _write_words(connection, asset)


def _write_words(connection, asset: Asset) -> None:
    table = AssetWord.__table__
    connection.execute(table.delete().where(table.c.asset_id == asset.id))
    rows = word_rows(
        asset.id,
        asset.kode_barang,
        asset.register_no,
        words_text({name: getattr(asset, name) for name in SEARCHED}),
    )
    if rows:
        connection.execute(table.insert(), rows)


class LoanStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    HANDED_OUT = "handed_out"
    RETURNED = "returned"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# These loans hold their items for their time (the item cannot be lent twice).
HOLDING_LOAN_STATUSES = (
    LoanStatus.REQUESTED.value,
    LoanStatus.APPROVED.value,
    LoanStatus.HANDED_OUT.value,
)


class Loan(db.Model):
    """A loan (berita acara peminjaman), or equipment reserved for a room booking."""

    __tablename__ = "asset_loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(Text, default="", server_default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(20), default=LoanStatus.REQUESTED.value, server_default="requested"
    )
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handed_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    borrower: Mapped[User] = relationship(foreign_keys=[borrower_id], lazy="joined")
    pillar: Mapped[Pillar | None] = relationship(lazy="joined")
    booking: Mapped[Booking | None] = relationship()
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    handed_out_by: Mapped[User | None] = relationship(foreign_keys=[handed_out_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])
    items: Mapped[list[LoanItem]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="LoanItem.id"
    )

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="loan_end_after_start"),
        CheckConstraint(
            "status IN ('requested', 'approved', 'handed_out', 'returned', 'rejected',"
            " 'cancelled')",
            name="loan_status_known",
        ),
        Index("ix_asset_loan_status_end", "status", "end_at"),
        Index("ix_asset_loan_status_start", "status", "start_at"),
        Index("ix_asset_loan_borrower", "borrower_id", "start_at"),
        Index("ix_asset_loan_booking", "booking_id"),
        Index("ix_asset_loan_start", "start_at"),
    )

    @property
    def holds_items(self) -> bool:
        return self.status in HOLDING_LOAN_STATUSES


class LoanItem(db.Model):
    """One item of a loan; times and ``holds`` copied from the loan for the overlap check."""

    __tablename__ = "asset_loan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("asset_loan.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="RESTRICT"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    holds: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    condition_out: Mapped[str | None] = mapped_column(String(2))
    condition_in: Mapped[str | None] = mapped_column(String(2))

    loan: Mapped[Loan] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("loan_id", "asset_id", name="uq_loan_item_asset"),
        CheckConstraint("end_at > start_at", name="loan_item_end_after_start"),
        CheckConstraint(
            "condition_out IS NULL OR condition_out IN ('B', 'RR', 'RB')",
            name="condition_out_known",
        ),
        CheckConstraint(
            "condition_in IS NULL OR condition_in IN ('B', 'RR', 'RB')",
            name="condition_in_known",
        ),
        Index("ix_asset_loan_item_asset", "asset_id", "holds", "start_at", "end_at"),
        Index("ix_asset_loan_item_loan", "loan_id"),
    )


class Maintenance(db.Model):
    __tablename__ = "asset_maintenance"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    done_on: Mapped[date] = mapped_column(Date)
    work_done: Mapped[str] = mapped_column(Text)
    vendor: Mapped[str] = mapped_column(String(200), default="", server_default="")
    cost: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    result: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_service_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    asset: Mapped[Asset] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("cost >= 0", name="maintenance_cost_not_negative"),
        Index("ix_asset_maintenance_asset", "asset_id", "done_on"),
        Index("ix_asset_maintenance_next", "next_service_on"),
    )


class StockTakeStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    APPLIED = "applied"


class StockTake(db.Model):
    """An inventarisasi: rooms walked, items found, a result applied in one go."""

    __tablename__ = "asset_stocktake"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        String(20), default=StockTakeStatus.RUNNING.value, server_default="running"
    )
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    rooms: Mapped[list[Room]] = relationship(secondary="asset_stocktake_room")

    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'finished', 'applied')", name="stocktake_status_known"
        ),
        Index("ix_asset_stocktake_status", "status"),
    )


class StockTakeRoom(db.Model):
    __tablename__ = "asset_stocktake_room"

    stocktake_id: Mapped[int] = mapped_column(
        ForeignKey("asset_stocktake.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), primary_key=True)


class StockTakeFinding(db.Model):
    """An item seen during a stock-take (or an unexpected one not in the register)."""

    __tablename__ = "asset_stocktake_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("asset_stocktake.id", ondelete="CASCADE"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(300), default="", server_default="")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id"))
    condition: Mapped[str] = mapped_column(
        String(2), default=Condition.GOOD.value, server_default="B"
    )
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    found_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    asset: Mapped[Asset | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("stocktake_id", "asset_id", name="uq_stocktake_finding_asset"),
        CheckConstraint("condition IN ('B', 'RR', 'RB')", name="finding_condition_known"),
        CheckConstraint("asset_id IS NOT NULL OR description <> ''", name="finding_names_item"),
        Index("ix_asset_stocktake_finding_room", "stocktake_id", "room_id"),
        Index("ix_asset_stocktake_finding_asset", "asset_id"),
    )
