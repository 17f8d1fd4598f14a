"""What an invitation may link to: a small registry of event kinds.

Room bookings and trainings are registered below (each reads its own feature's tables
lazily); another feature adds itself with ``register_link_kind(LinkKind(...))``. A kind
answers two questions in bulk: which events may this user link to, and what are the
date, time and place of these events (for the cards, one query per kind per page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from intranet.core.db import built_once, utcnow
from intranet.extensions import db


@dataclass(frozen=True)
class LinkedEvent:
    kind: str
    id: int
    title: str
    start: datetime
    end: datetime
    place: str
    url: str


@dataclass(frozen=True)
class LinkKind:
    name: str
    label: Any
    # (user) -> [(id, label)]: the events this user may link an invitation to.
    choices: Callable[[Any], list[tuple[int, str]]]
    # (ids) -> {id: LinkedEvent}: the events' details, in one query.
    details: Callable[[Iterable[int]], dict[int, LinkedEvent]]


LINK_KINDS: dict[str, LinkKind] = {}


def register_link_kind(kind: LinkKind) -> None:
    LINK_KINDS[kind.name] = kind


def encode(kind: str | None, ident: int | None) -> str:
    return f"{kind}:{ident}" if kind and ident else ""


def decode(value: str | None) -> tuple[str, int] | None:
    """``"booking:12"`` -> ("booking", 12); None for empty or malformed values."""
    kind, _, ident = (value or "").partition(":")
    if kind in LINK_KINDS and ident.isdigit():
        return kind, int(ident)
    return None


def choices_for(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the form: [(kind label, [(value, label)])]."""
    groups = []
    for kind in LINK_KINDS.values():
        options = [(encode(kind.name, ident), label) for ident, label in kind.choices(user)]
        if options:
            groups.append((str(kind.label), options))
    return groups


def events_for(posts: Iterable[Any]) -> dict[tuple[str, int], LinkedEvent]:
    """The linked events of several posts: one query per kind."""
    wanted: dict[str, set[int]] = {}
    for post in posts:
        if post.link_kind and post.link_id:
            wanted.setdefault(post.link_kind, set()).add(post.link_id)
    found: dict[tuple[str, int], LinkedEvent] = {}
    for name, ids in wanted.items():
        kind = LINK_KINDS.get(name)
        if kind is None:
            continue
        for ident, event in kind.details(ids).items():
            found[(name, ident)] = event
    return found


# --- room bookings -----------------------------------------------------------------

LINKABLE_AHEAD = timedelta(days=180)
LINKABLE_LIMIT = 60


def _booking_choices(user: Any) -> list[tuple[int, str]]:
    from intranet.announcements.permissions import posts_as_office
    from intranet.bookings.models import HOLDING_STATUSES, Booking
    from intranet.core.formatting import format_date_medium, format_time, to_local

    now = utcnow()
    stmt = (
        select(Booking)
        .options(joinedload(Booking.room))
        .where(
            Booking.status.in_(HOLDING_STATUSES),
            Booking.start_at >= now,
            Booking.start_at < now + LINKABLE_AHEAD,
        )
        .order_by(Booking.start_at)
        .limit(LINKABLE_LIMIT)
    )
    if not posts_as_office(user):
        stmt = stmt.where(or_(Booking.pillar_id == user.pillar_id, Booking.booked_by_id == user.id))
    options = []
    for booking in db.session.scalars(stmt):
        start = to_local(booking.start_at)
        options.append(
            (
                booking.id,
                f"{format_date_medium(start)} {format_time(start)} · {booking.room.name} · "
                f"{booking.title}",
            )
        )
    return options


@built_once
def _booking_details_statement() -> Any:
    from intranet.bookings.models import Booking, Room

    return (
        select(
            Booking.id, Booking.title, Booking.start_at, Booking.end_at, Room.name, Room.location
        )
        .join(Room, Room.id == Booking.room_id)
        .where(Booking.id.in_(bindparam("ids", expanding=True)))
    )


def _booking_details(ids: Iterable[int]) -> dict[int, LinkedEvent]:
    detail = url_for("bookings.detail", booking_id=0).removesuffix("0")
    rows = db.session.execute(_booking_details_statement(), {"ids": list(ids)})
    return {
        ident: LinkedEvent(
            "booking",
            ident,
            title,
            start_at,
            end_at,
            f"{room}, {location}" if location else room,
            f"{detail}{ident}",
        )
        for ident, title, start_at, end_at, room, location in rows
    }


register_link_kind(LinkKind("booking", _l("Room booking"), _booking_choices, _booking_details))


# --- trainings ---------------------------------------------------------------------


def _training_choices(user: Any) -> list[tuple[int, str]]:
    """Published trainings still ahead: the secretary's pillar's; any for the office."""
    from intranet.announcements.permissions import posts_as_office
    from intranet.core.formatting import format_date_medium, local_today
    from intranet.trainings.models import Training, TrainingStatus

    stmt = (
        select(Training.id, Training.title, Training.first_day)
        .where(
            Training.status == TrainingStatus.PUBLISHED.value,
            Training.last_day >= local_today(),
        )
        .order_by(Training.first_day, Training.id)
        .limit(LINKABLE_LIMIT)
    )
    if not posts_as_office(user):
        stmt = stmt.where(Training.organiser_pillar_id == user.pillar_id)
    return [
        (ident, f"{format_date_medium(first_day)} · {title}" if first_day else title)
        for ident, title, first_day in db.session.execute(stmt)
    ]


def _training_details(ids: Iterable[int]) -> dict[int, LinkedEvent]:
    """A training's card: its first session's date, time and place."""
    from intranet.trainings.models import Training, TrainingSession

    ids = list(ids)
    titles = dict(
        db.session.execute(select(Training.id, Training.title).where(Training.id.in_(ids)))
        .tuples()
        .all()
    )
    first: dict[int, TrainingSession] = {}
    sessions = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.training_id.in_(ids))
        .order_by(TrainingSession.training_id, TrainingSession.start_at)
    )
    for session in sessions:
        first.setdefault(session.training_id, session)
    found = {}
    for ident, title in titles.items():
        session = first.get(ident)
        if session is None:
            continue
        room = session.room
        place = session.place or (
            f"{room.name}, {room.location}" if room and room.location else room.name if room else ""
        )
        found[ident] = LinkedEvent(
            "training",
            ident,
            title,
            session.start_at,
            session.end_at,
            place,
            url_for("trainings.detail", training_id=ident),
        )
    return found


register_link_kind(LinkKind("training", _l("Training"), _training_choices, _training_details))
