"""Stock-take (inventarisasi): walk the rooms, mark what is found, review, apply at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from intranet.assets.models import (
    Asset,
    AssetStatus,
    StockTake,
    StockTakeFinding,
    StockTakeRoom,
    StockTakeStatus,
)
from intranet.assets.services import CONDITION_LABELS, set_condition
from intranet.bookings.models import Room
from intranet.core import audit
from intranet.core.db import lock_for_update, utcnow, write_transaction
from intranet.core.services import ServiceError
from intranet.extensions import db

STOCKTAKE_STATUS_LABELS = {
    StockTakeStatus.RUNNING.value: _l("Running"),
    StockTakeStatus.FINISHED.value: _l("Finished, to review"),
    StockTakeStatus.APPLIED.value: _l("Applied to the register"),
}
# Items the books expect to see: not lost, not written off.
COUNTED = (AssetStatus.AVAILABLE.value, AssetStatus.ON_LOAN.value, AssetStatus.IN_REPAIR.value)

audit.ACTION_LABELS.update(
    {
        "stocktake.start": _l("Stock-take started"),
        "stocktake.finish": _l("Stock-take finished"),
        "stocktake.apply": _l("Stock-take applied"),
        "asset.stocktake": _l("Stock-take finding applied"),
    }
)
audit.OBJECT_TYPE_LABELS.update({"stocktake": _l("Stock-take")})


def status_label(value: str) -> Any:
    return STOCKTAKE_STATUS_LABELS.get(value, value)


def running() -> StockTake | None:
    return db.session.scalar(
        select(StockTake).where(StockTake.status == StockTakeStatus.RUNNING.value).limit(1)
    )


def start(user: Any, title: str, room_ids: list[int]) -> StockTake:
    """Start a stock-take of some rooms (none chosen: every room)."""
    title = title.strip()
    if not title:
        raise ServiceError(_("Give the stock-take a title."), field="title")
    with write_transaction():
        if running() is not None:
            raise ServiceError(_("Another stock-take is running: finish it first."))
        rooms = db.session.scalars(select(Room).order_by(Room.name)).all()
        chosen = [r for r in rooms if r.id in set(room_ids)] if room_ids else list(rooms)
        if not chosen:
            raise ServiceError(_("Choose at least one room."), field="room_ids")
        stocktake = StockTake(title=title[:200], started_by_id=getattr(user, "id", None))
        db.session.add(stocktake)
        db.session.flush()
        for room in chosen:
            db.session.add(StockTakeRoom(stocktake_id=stocktake.id, room_id=room.id))
        audit.record(
            "stocktake.start", "stocktake", stocktake.id, summary=stocktake.title, user=user
        )
    return stocktake


def room_ids(stocktake: StockTake) -> list[int]:
    return list(
        db.session.scalars(
            select(StockTakeRoom.room_id).where(StockTakeRoom.stocktake_id == stocktake.id)
        )
    )


def expected(room_id: int) -> list[Asset]:
    """What the books say is in the room."""
    stmt = (
        select(Asset)
        .where(Asset.room_id == room_id, Asset.status.in_(COUNTED))
        .order_by(Asset.name, Asset.kode_barang, Asset.register_no)
    )
    return list(db.session.scalars(stmt))


def findings(stocktake_id: int, **where: Any) -> list[StockTakeFinding]:
    stmt = select(StockTakeFinding).where(StockTakeFinding.stocktake_id == stocktake_id)
    for name, value in where.items():
        stmt = stmt.where(getattr(StockTakeFinding, name) == value)
    return list(db.session.scalars(stmt.order_by(StockTakeFinding.id)))


def finding_for(stocktake_id: int, asset_id: int) -> StockTakeFinding | None:
    return db.session.scalar(
        select(StockTakeFinding).where(
            StockTakeFinding.stocktake_id == stocktake_id, StockTakeFinding.asset_id == asset_id
        )
    )


def _running(stocktake_id: int) -> StockTake:
    stocktake = lock_for_update(StockTake, stocktake_id)
    if stocktake is None:
        raise ServiceError(_("This stock-take no longer exists."))
    if stocktake.status != StockTakeStatus.RUNNING.value:
        raise ServiceError(_("This stock-take is finished."))
    return stocktake


def mark_found(
    user: Any, stocktake_id: int, asset_id: int, room_id: int, condition: str, note: str = ""
) -> StockTakeFinding:
    """The item is where the counter stands (a second mark replaces the first)."""
    if condition not in CONDITION_LABELS:
        raise ServiceError(_("Choose the condition."), field="condition")
    with write_transaction():
        _running(stocktake_id)
        if db.session.get(Asset, asset_id) is None:
            raise ServiceError(_("This item no longer exists."))
        if db.session.get(Room, room_id) is None:
            raise ServiceError(_("This room does not exist."), field="room_id")
        finding = finding_for(stocktake_id, asset_id)
        if finding is None:
            finding = StockTakeFinding(stocktake_id=stocktake_id, asset_id=asset_id)
            db.session.add(finding)
        finding.room_id = room_id
        finding.condition = condition
        finding.note = note.strip()[:1000]
        finding.found_by_id = getattr(user, "id", None)
        finding.found_at = utcnow()
    return finding


def unmark(user: Any, stocktake_id: int, asset_id: int) -> None:
    with write_transaction():
        _running(stocktake_id)
        finding = finding_for(stocktake_id, asset_id)
        if finding is not None:
            db.session.delete(finding)


def add_unexpected(
    user: Any, stocktake_id: int, room_id: int, description: str, condition: str, note: str = ""
) -> StockTakeFinding:
    """Something in the room the register does not know."""
    if not description.strip():
        raise ServiceError(
            _("Describe the item (name, brand, any number on it)."), field="description"
        )
    if condition not in CONDITION_LABELS:
        raise ServiceError(_("Choose the condition."), field="condition")
    with write_transaction():
        _running(stocktake_id)
        finding = StockTakeFinding(
            stocktake_id=stocktake_id,
            asset_id=None,
            description=description.strip()[:300],
            room_id=room_id,
            condition=condition,
            note=note.strip()[:1000],
            found_by_id=getattr(user, "id", None),
        )
        db.session.add(finding)
    return finding


@dataclass
class RoomProgress:
    room: Room
    expected: int
    found: int  # of the expected ones, wherever found

    @property
    def percent(self) -> int:
        return round(100 * self.found / self.expected) if self.expected else 100


def progress(stocktake: StockTake) -> list[RoomProgress]:
    """Per room: how many items the books expect and how many of them were found."""
    ids = room_ids(stocktake)
    rooms = db.session.scalars(select(Room).where(Room.id.in_(ids)).order_by(Room.name)).all()
    expected_counts = dict(
        db.session.execute(
            select(Asset.room_id, func.count(Asset.id))
            .where(Asset.room_id.in_(ids), Asset.status.in_(COUNTED))
            .group_by(Asset.room_id)
        ).all()
    )
    found_counts = dict(
        db.session.execute(
            select(Asset.room_id, func.count(StockTakeFinding.id))
            .join(Asset, Asset.id == StockTakeFinding.asset_id)
            .where(
                StockTakeFinding.stocktake_id == stocktake.id,
                Asset.room_id.in_(ids),
                Asset.status.in_(COUNTED),
            )
            .group_by(Asset.room_id)
        ).all()
    )
    return [
        RoomProgress(room, expected_counts.get(room.id, 0), found_counts.get(room.id, 0))
        for room in rooms
    ]


@dataclass
class Result:
    found: list[StockTakeFinding] = field(default_factory=list)  # where the books say
    moved: list[StockTakeFinding] = field(default_factory=list)  # found in another room
    condition_changed: list[StockTakeFinding] = field(default_factory=list)
    missing: list[Asset] = field(default_factory=list)
    unexpected: list[StockTakeFinding] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(
            found=len(self.found),
            moved=len(self.moved),
            condition_changed=len(self.condition_changed),
            missing=len(self.missing),
            unexpected=len(self.unexpected),
        )


def result(stocktake: StockTake) -> Result:
    """Found, moved, condition changed, missing and unexpected, for review."""
    out = Result()
    seen: set[int] = set()
    for finding in findings(stocktake.id):
        if finding.asset is None:
            out.unexpected.append(finding)
            continue
        seen.add(finding.asset_id)
        asset = finding.asset
        if finding.room_id != asset.room_id:
            out.moved.append(finding)
        if finding.condition != asset.condition:
            out.condition_changed.append(finding)
        if finding.room_id == asset.room_id and finding.condition == asset.condition:
            out.found.append(finding)
    ids = room_ids(stocktake)
    missing = db.session.scalars(
        select(Asset)
        .where(Asset.room_id.in_(ids), Asset.status.in_(COUNTED))
        .order_by(Asset.room_id, Asset.kode_barang, Asset.register_no)
    )
    out.missing = [a for a in missing if a.id not in seen]
    return out


def finish(user: Any, stocktake_id: int) -> StockTake:
    with write_transaction():
        stocktake = _running(stocktake_id)
        stocktake.status = StockTakeStatus.FINISHED.value
        stocktake.finished_at = utcnow()
        audit.record(
            "stocktake.finish", "stocktake", stocktake.id, summary=stocktake.title, user=user
        )
    return stocktake


def apply(user: Any, stocktake_id: int) -> StockTake:
    """Move found items to where they were found and take their condition, all at once."""
    with write_transaction():
        stocktake = lock_for_update(StockTake, stocktake_id)
        if stocktake is None or stocktake.status != StockTakeStatus.FINISHED.value:
            raise ServiceError(_("Only a finished stock-take can be applied."))
        outcome = result(stocktake)
        changed = {f.asset_id: f for f in [*outcome.moved, *outcome.condition_changed]}
        for asset_id in sorted(changed):
            finding = changed[asset_id]
            asset = lock_for_update(Asset, asset_id)
            if finding.room_id != asset.room_id:
                audit.record(
                    "asset.stocktake",
                    "asset",
                    asset.id,
                    summary=stocktake.title,
                    changes={
                        "room_id": [asset.room_id, finding.room_id],
                        "location_note": [asset.location_note or None, ""],
                    }
                    if asset.location_note
                    else {"room_id": [asset.room_id, finding.room_id]},
                    user=user,
                )
                asset.room_id = finding.room_id
                asset.location_note = ""
            if finding.condition != asset.condition:
                set_condition(
                    asset,
                    finding.condition,
                    actor=user,
                    reason=_("Stock-take: %(title)s", title=stocktake.title),
                )
        stocktake.status = StockTakeStatus.APPLIED.value
        stocktake.applied_at = utcnow()
        stocktake.applied_by_id = getattr(user, "id", None)
        counts = outcome.counts()
        audit.record(
            "stocktake.apply",
            "stocktake",
            stocktake.id,
            summary=stocktake.title,
            changes={
                "moved": [None, counts["moved"]],
                "condition_changed": [None, counts["condition_changed"]],
                "missing": [None, counts["missing"]],
                "unexpected": [None, counts["unexpected"]],
            },
            user=user,
        )
    return stocktake


audit.FIELD_LABELS.update(
    {
        "moved": _l("Found in another room"),
        "condition_changed": _l("Condition changed"),
        "missing": _l("Missing"),
        "unexpected": _l("Not in the register"),
    }
)
