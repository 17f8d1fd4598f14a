"""Training rules: trainings, sessions that book rooms, registration with a waitlist,
attendance and certificates.

Every write runs in :func:`write_transaction` with the training's row locked first, so
concurrent registrations cannot take more seats than there are (and the database's
``seats_within`` check refuses it anyway). Rooms are booked only through the booking
service: its rules and conflict check hold for sessions as for any booking.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
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
    update,
)
from sqlalchemy.orm import aliased, contains_eager

from intranet.auth import permissions as roles
from intranet.auth.models import Pillar, User
from intranet.auth.services import names_by_id
from intranet.bookings import services as booking_services
from intranet.bookings.models import HOLDING_STATUSES, Booking
from intranet.core import audit
from intranet.core.db import (
    Bound,
    UTCDateTime,
    built_once,
    lock_for_update,
    utcnow,
    write_transaction,
)
from intranet.core.formatting import local_today, office_zone
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db
from intranet.trainings import permissions
from intranet.trainings.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Training,
    TrainingSession,
    TrainingStatus,
    training_target,
)

STATUS_LABELS = {
    TrainingStatus.DRAFT.value: _l("Draft"),
    TrainingStatus.PUBLISHED.value: _l("Published"),
    TrainingStatus.FINISHED.value: _l("Finished"),
    TrainingStatus.CANCELLED.value: _l("Cancelled"),
}
REGISTRATION_LABELS = {
    RegistrationStatus.REGISTERED.value: _l("Registered"),
    RegistrationStatus.WAITLISTED.value: _l("On the waitlist"),
    RegistrationStatus.CANCELLED.value: _l("Cancelled"),
}
# Self check-in opens this long before a session starts and closes at its end.
CHECKIN_EARLY = timedelta(minutes=30)

TRAINING_AUDIT_FIELDS = (
    "title",
    "description",
    "organiser_pillar_id",
    "for_all_pillars",
    "facilitators",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "contact_name",
    "contact_phone",
    "status",
    "certificate_threshold",
)
SESSION_AUDIT_FIELDS = ("day", "start_time", "end_time", "topic", "room_id", "place")

audit.ACTION_LABELS.update(
    {
        "training.create": _l("Training created"),
        "training.update": _l("Training changed"),
        "training.publish": _l("Training published"),
        "training.cancel": _l("Training cancelled"),
        "training.finish": _l("Training marked finished"),
        "training.minutes": _l("Training minutes saved"),
        "training.session_add": _l("Session added"),
        "training.session_update": _l("Session changed"),
        "training.session_remove": _l("Session removed"),
        "training.material_add": _l("Material added"),
        "training.material_remove": _l("Material removed"),
        "training.register": _l("Registered"),
        "training.waitlist": _l("Put on the waitlist"),
        "training.unregister": _l("Registration cancelled"),
        "training.promote": _l("Moved up from the waitlist"),
        "training.window_override": _l("Registered outside the registration period"),
        "training.check_in": _l("Checked in"),
        "training.check_in_undo": _l("Check-in undone"),
    }
)
audit.OBJECT_TYPE_LABELS["training"] = _l("Training")
audit.register_values("organiser_pillar_id", names_by_id(Pillar, Pillar.name))
audit.register_values("status", STATUS_LABELS, "training")
audit.register_values("session", names_by_id(TrainingSession, TrainingSession.topic))
audit.FIELD_LABELS.update(
    {
        "title": _l("Title"),
        "organiser_pillar_id": _l("Organising pillar"),
        "for_all_pillars": _l("Open to every pillar"),
        "targets": _l("Target pillars"),
        "facilitators": _l("Facilitators"),
        "registration_opens_at": _l("Registration opens"),
        "registration_closes_at": _l("Registration closes"),
        "contact_name": _l("Contact person"),
        "contact_phone": _l("Contact phone"),
        "certificate_threshold": _l("Sessions needed for a certificate"),
        "day": _l("Date"),
        "start_time": _l("Start"),
        "end_time": _l("End"),
        "topic": _l("Topic"),
        "place": _l("Place"),
        "person": _l("Participant"),
        "session": _l("Session"),
        "position": _l("Waitlist position"),
    }
)


class FormInvalid(ServiceError):
    """Several fields are wrong: ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors


class RegistrationClosed(ServiceError):
    pass


class PossibleDuplicate(ServiceError):
    """A guest with the same name or phone is already registered: confirm first."""

    def __init__(self, matches: list[Registration]) -> None:
        super().__init__(_("This person may already be registered."), field="name")
        self.matches = matches


# --- reading -----------------------------------------------------------------------


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


def _sees(user: Any) -> str:
    """Which trainings the user sees: "all" (the admin), "own drafts" (a secretary:
    their pillar's drafts too) or "published"."""
    if roles.is_admin(user):
        return "all"
    if roles.is_secretary_of(user, user.pillar_id):
        return "own drafts"
    return "published"


def _visible(sees: str, pillar_id: Any) -> Any:
    if sees == "all":
        return true()
    if sees == "own drafts":
        return or_(
            Training.status != TrainingStatus.DRAFT.value,
            Training.organiser_pillar_id == pillar_id,
        )
    return Training.status != TrainingStatus.DRAFT.value


def visible_to(user: Any) -> Any:
    """The condition "the user may see this training" for queries."""
    return _visible(_sees(user), user.pillar_id)


def is_open(training: Training, now: datetime | None = None) -> bool:
    """Whether self-registration is open now."""
    now = now or utcnow()
    if training.status != TrainingStatus.PUBLISHED.value:
        return False
    if training.registration_opens_at and now < training.registration_opens_at:
        return False
    if training.registration_closes_at and now >= training.registration_closes_at:
        return False
    return not (training.sessions and training.sessions[-1].end_at <= now)


def outside_targets(user: Any, training: Training) -> bool:
    """The user belongs to a pillar the training is not for."""
    return (
        not training.for_all_pillars
        and user.pillar_id is not None
        and user.pillar_id not in {p.id for p in training.targets}
    )


def open_by_day(training: Training, now: datetime, today: date) -> bool:
    """:func:`is_open` from the training's own columns (for lists: no sessions read);
    on the last day it trusts the day, the register button checks the hour."""
    if training.status != TrainingStatus.PUBLISHED.value or training.last_day is None:
        return False
    if training.registration_opens_at and now < training.registration_opens_at:
        return False
    if training.registration_closes_at and now >= training.registration_closes_at:
        return False
    return training.last_day >= today


@built_once
def _target_chips_statement() -> Select:
    return (
        select(training_target.c.training_id, Pillar.code, Pillar.name, Pillar.colour)
        .join(Pillar, Pillar.id == training_target.c.pillar_id)
        .where(training_target.c.training_id.in_(bindparam("ids", expanding=True)))
        .order_by(Pillar.code)
    )


def target_chips(training_ids: list[int]) -> dict[int, list[Any]]:
    """The target pillars (code, name, colour) of several trainings, in one light query."""
    found: dict[int, list[Any]] = {}
    if training_ids:
        rows = db.session.execute(_target_chips_statement(), {"ids": list(training_ids)})
        for training_id, code, name, colour in rows:
            found.setdefault(training_id, []).append((code, name, colour))
    return found


def open_condition(now: Any, today: Any) -> Any:
    return and_(
        Training.status == TrainingStatus.PUBLISHED.value,
        or_(Training.registration_opens_at.is_(None), Training.registration_opens_at <= now),
        or_(Training.registration_closes_at.is_(None), Training.registration_closes_at > now),
        Training.last_day >= today,
    )


@dataclass
class AgendaFilters:
    organiser_id: int | None = None
    target_id: int | None = None
    month: date | None = None  # first day of a month
    open_only: bool = False
    q: str = ""


@built_once
def _agenda_statement(sees: str, archive: bool, shape: frozenset[str]) -> Select:
    today = bindparam("today", type_=Date())
    stmt = select(Training).where(_visible(sees, bindparam("pillar_id")))
    # The archive is what is over; upcoming is the rest (a cancelled one shows as
    # cancelled until its day has passed, so those registered see it).
    if archive:
        stmt = stmt.where(Training.last_day < today)
    else:
        stmt = stmt.where(or_(Training.last_day >= today, Training.last_day.is_(None)))
    if "organiser" in shape:
        stmt = stmt.where(Training.organiser_pillar_id == bindparam("organiser_id"))
    if "target" in shape:
        stmt = stmt.where(
            or_(
                Training.for_all_pillars.is_(True),
                exists().where(
                    training_target.c.training_id == Training.id,
                    training_target.c.pillar_id == bindparam("target_id"),
                ),
            )
        )
    if "month" in shape:
        stmt = stmt.where(
            Training.first_day < bindparam("following", type_=Date()),
            Training.last_day >= bindparam("month", type_=Date()),
        )
    if "open" in shape:
        stmt = stmt.where(open_condition(bindparam("now", type_=UTCDateTime()), today))
    if "q" in shape:
        stmt = stmt.where(Training.title.ilike(bindparam("q", type_=String()), escape="\\"))
    if archive:
        return stmt.order_by(Training.first_day.desc(), Training.id.desc())
    return stmt.order_by(Training.first_day.is_(None), Training.first_day, Training.id)


def agenda(user: Any, filters: AgendaFilters, *, archive: bool = False) -> Bound:
    """Upcoming trainings by first day (or the archive, newest first)."""
    q = filters.q.strip()
    params = {
        "today": local_today(),
        "pillar_id": user.pillar_id,
        "organiser_id": filters.organiser_id,
        "target_id": filters.target_id,
        "now": utcnow(),
        "q": f"%{_escape_like(q)}%",
    }
    shape = {"organiser"} if filters.organiser_id else set()
    if filters.target_id:
        shape.add("target")
    if filters.month:
        shape.add("month")
        params["month"] = filters.month
        params["following"] = (filters.month + timedelta(days=32)).replace(day=1)
    if filters.open_only:
        shape.add("open")
    if q:
        shape.add("q")
    return Bound(_agenda_statement(_sees(user), archive, frozenset(shape)), params)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def my_trainings(user: Any) -> Bound:
    """Trainings the user registered for (or waits for) or organises, soonest first."""
    mine = select(Registration.training_id).where(
        Registration.user_id == user.id,
        Registration.status != RegistrationStatus.CANCELLED.value,
    )
    condition = Training.id.in_(mine)
    if roles.is_admin(user):
        condition = or_(condition, Training.created_by_id == user.id)
    elif roles.is_secretary_of(user, user.pillar_id):
        condition = or_(condition, Training.organiser_pillar_id == user.pillar_id)
    return Bound(
        select(Training)
        .where(condition)
        .order_by(Training.last_day.desc().nulls_first(), Training.id.desc()),
        {},
    )


@built_once
def _own_registrations_statement() -> Select:
    return select(Registration).where(
        Registration.user_id == bindparam("user_id"),
        Registration.training_id.in_(bindparam("ids", expanding=True)),
    )


def own_registrations(user_id: int, training_ids: list[int]) -> dict[int, Registration]:
    if not training_ids:
        return {}
    rows = db.session.scalars(
        _own_registrations_statement(), {"user_id": user_id, "ids": list(training_ids)}
    )
    return {r.training_id: r for r in rows}


def own_registration(user: Any, training_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.training_id == training_id, Registration.user_id == user.id
        )
    )


def participants(training_id: int, *, statuses: tuple[str, ...] = ()) -> list[Registration]:
    """Registrations of a training: registered by name, then the waitlist in order."""
    stmt = select(Registration).where(Registration.training_id == training_id)
    if statuses:
        stmt = stmt.where(Registration.status.in_(statuses))
    rows = list(db.session.scalars(stmt))
    order = {
        RegistrationStatus.REGISTERED.value: 0,
        RegistrationStatus.WAITLISTED.value: 1,
        RegistrationStatus.CANCELLED.value: 2,
    }
    return sorted(
        rows,
        key=lambda r: (order[r.status], r.waitlist_position or 0, r.display_name.lower()),
    )


def waitlist_rank(training_id: int, registration: Registration) -> int | None:
    """1 for the first person waiting, …; None when not waiting."""
    if registration.waitlist_position is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.training_id == training_id,
            Registration.status == RegistrationStatus.WAITLISTED.value,
            Registration.waitlist_position < registration.waitlist_position,
        )
    )
    return (ahead or 0) + 1


def waitlist_count(training_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Registration.training_id == training_id,
                Registration.status == RegistrationStatus.WAITLISTED.value,
            )
        )
        or 0
    )


def history(training_id: int) -> list[audit.AuditEntry]:
    return list(
        db.session.scalars(
            select(audit.AuditEntry)
            .where(
                audit.AuditEntry.object_type == "training",
                audit.AuditEntry.object_id == str(training_id),
            )
            .order_by(audit.AuditEntry.at.desc(), audit.AuditEntry.id.desc())
            .limit(50)
        )
    )


# --- trainings ---------------------------------------------------------------------


@dataclass
class TrainingData:
    title: str
    organiser_pillar_id: int | None
    capacity: int | None
    description: str = ""
    for_all_pillars: bool = True
    target_ids: list[int] = field(default_factory=list)
    facilitators: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    contact_name: str = ""
    contact_phone: str = ""
    certificate_threshold: int = 1


def _validate(user: Any, data: TrainingData, training: Training | None) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", _("Give the training a title."))
    pillar = db.session.get(Pillar, data.organiser_pillar_id) if data.organiser_pillar_id else None
    if pillar is None:
        add("organiser_pillar_id", _("Choose the organising pillar."))
    elif not roles.can_act_for_pillar(user, pillar.id):
        add("organiser_pillar_id", _("You cannot organise trainings for this pillar."))
    if data.capacity is None or data.capacity < 1:
        add("capacity", _("At least one seat."))
    elif training is not None and data.capacity < training.seats_taken:
        add(
            "capacity",
            _(
                "%(num)d people are already registered: cancel registrations first.",
                num=training.seats_taken,
            ),
        )
    if not data.for_all_pillars and not data.target_ids:
        add("target_ids", _("Choose the pillars it is for, or open it to every pillar."))
    if (
        data.registration_opens_at
        and data.registration_closes_at
        and data.registration_closes_at <= data.registration_opens_at
    ):
        add("registration_closes_at", _("Registration must close after it opens."))
    if data.certificate_threshold is None or data.certificate_threshold < 1:
        add("certificate_threshold", _("At least one session."))
    if errors:
        raise FormInvalid(errors)


def _apply(training: Training, data: TrainingData) -> None:
    training.title = data.title.strip()
    training.description = data.description.strip()
    training.organiser_pillar_id = data.organiser_pillar_id
    training.for_all_pillars = data.for_all_pillars
    training.facilitators = data.facilitators.strip()
    training.capacity = data.capacity
    training.registration_opens_at = data.registration_opens_at
    training.registration_closes_at = data.registration_closes_at
    training.contact_name = data.contact_name.strip()
    training.contact_phone = data.contact_phone.strip()
    training.certificate_threshold = data.certificate_threshold
    ids = [] if data.for_all_pillars else sorted(set(data.target_ids))
    training.targets = (
        list(db.session.scalars(select(Pillar).where(Pillar.id.in_(ids)))) if ids else []
    )


def _targets_text(training: Training) -> str:
    return ", ".join(p.code for p in training.targets)


def _audit(action: str, training: Training, actor: Any, changes: dict | None = None) -> None:
    audit.record(
        action, "training", training.id, summary=training.title, changes=changes, user=actor
    )


def _load(user: Any, training_id: int, *, manage: bool = True) -> Training:
    """The training, row-locked; NotAllowed unless the user manages it."""
    training = lock_for_update(Training, training_id)
    if training is None:
        raise ServiceError(_("This training no longer exists."))
    if manage and not permissions.can_manage_training(user, training):
        raise NotAllowed(_("Only the organisers can change this training."))
    return training


def create_training(user: Any, data: TrainingData) -> Training:
    with write_transaction():
        if not permissions.can_create_training(user):
            raise NotAllowed(_("Only secretaries and the admin organise trainings."))
        _validate(user, data, None)
        training = Training(created_by_id=user.id, status=TrainingStatus.DRAFT.value)
        _apply(training, data)
        db.session.add(training)
        db.session.flush()
        changes = audit.changed_fields({}, audit.snapshot(training, TRAINING_AUDIT_FIELDS))
        if training.targets:
            changes["targets"] = [None, _targets_text(training)]
        _audit("training.create", training, user, changes)
    return training


def update_training(user: Any, training_id: int, data: TrainingData) -> Training:
    with write_transaction():
        training = _load(user, training_id)
        if training.status in (TrainingStatus.CANCELLED.value, TrainingStatus.FINISHED.value):
            raise ServiceError(_("A cancelled or finished training cannot be changed."))
        _validate(user, data, training)
        before = audit.snapshot(training, TRAINING_AUDIT_FIELDS)
        targets_before = _targets_text(training)
        _apply(training, data)
        db.session.flush()
        changes = audit.changed_fields(before, audit.snapshot(training, TRAINING_AUDIT_FIELDS))
        if _targets_text(training) != targets_before:
            changes["targets"] = [targets_before or None, _targets_text(training) or None]
        if "title" in changes:
            _rename_bookings(user, training)
        promoted = _promote(training, user)
        if changes:
            _audit("training.update", training, user, changes)
        for registration in promoted:
            _audit_person("training.promote", training, registration, user)
    return training


def _rename_bookings(user: Any, training: Training) -> None:
    """The room calendar names the training: its sessions ahead take the new title, each
    through the booking service (a booking that can no longer change says why)."""
    now = utcnow()
    for session in training.sessions:
        booking = session.booking
        if booking is None or booking.status not in HOLDING_STATUSES or booking.end_at <= now:
            continue
        request = booking_services.request_from_booking(
            booking, title=_("Training: %(title)s", title=training.title)[:200]
        )
        try:
            booking_services.update_booking(user, booking.id, request)
        except ServiceError as error:
            refused = _booking_refused(error).errors["room_id"]
            raise FormInvalid(
                {
                    "title": [
                        _(
                            "The booking of %(room)s on %(day)s keeps the old title: %(why)s",
                            room=booking.room.name,
                            day=session_label(session),
                            why=" ".join(refused),
                        )
                    ]
                }
            ) from error


def publish(user: Any, training_id: int) -> Training:
    with write_transaction():
        training = _load(user, training_id)
        if training.status != TrainingStatus.DRAFT.value:
            raise ServiceError(_("Only a draft can be published."))
        if not training.sessions:
            raise ServiceError(_("Add at least one session before publishing."))
        training.status = TrainingStatus.PUBLISHED.value
        _audit("training.publish", training, user, {"status": ["draft", "published"]})
    return training


def cancel_training(user: Any, training_id: int, reason: str) -> Training:
    """Cancel the training and every booking its sessions still hold ahead."""
    with write_transaction():
        training = _load(user, training_id)
        if training.status in (TrainingStatus.CANCELLED.value, TrainingStatus.FINISHED.value):
            raise ServiceError(_("This training is already cancelled or finished."))
        if not reason.strip():
            raise ServiceError(_("Give a reason; participants will see it."), field="reason")
        before = training.status
        now = utcnow()
        for session in training.sessions:
            if session.end_at > now:
                _release_booking(user, session, reason.strip())
        training.status = TrainingStatus.CANCELLED.value
        training.cancel_reason = reason.strip()
        _audit(
            "training.cancel",
            training,
            user,
            {"status": [before, training.status], "reason": [None, reason.strip()]},
        )
    return training


def finish(user: Any, training_id: int, minutes: str | None = None) -> Training:
    """Mark finished; eligible participants get their certificate codes."""
    with write_transaction():
        training = _load(user, training_id)
        if training.status != TrainingStatus.PUBLISHED.value:
            raise ServiceError(_("Only a published training can be marked finished."))
        if not training.sessions or training.sessions[0].start_at > utcnow():
            raise ServiceError(_("The training has not started yet."))
        if minutes is not None:
            training.minutes = minutes.strip()
        training.status = TrainingStatus.FINISHED.value
        counts = attended_counts(training.id)
        for registration in participants(training.id, statuses=("registered",)):
            if is_eligible(training, counts.get(registration.id, 0)):
                registration.certificate_code = new_certificate_code()
        _audit("training.finish", training, user, {"status": ["published", "finished"]})
    return training


def save_minutes(user: Any, training_id: int, minutes: str) -> Training:
    with write_transaction():
        training = _load(user, training_id)
        if training.status in (TrainingStatus.DRAFT.value, TrainingStatus.CANCELLED.value):
            raise ServiceError(_("Minutes are written once the training runs."), field="minutes")
        if training.minutes != minutes.strip():
            training.minutes = minutes.strip()
            _audit("training.minutes", training, user)
    return training


def add_materials(user: Any, training_id: int, uploads: list) -> list:
    from intranet.core import attachments

    with write_transaction():
        training = _load(user, training_id)
        saved = attachments.save_all(uploads, "training", training.id, user, field="files")
        if not saved:
            raise ServiceError(_("Choose one or more files."), field="files")
        for attachment in saved:
            _audit("training.material_add", training, user, {"file": [None, attachment.filename]})
    return saved


def remove_material(user: Any, training_id: int, attachment_id: int) -> None:
    from intranet.core import attachments

    with write_transaction():
        training = _load(user, training_id)
        attachment = db.session.get(attachments.Attachment, attachment_id)
        if (
            attachment is None
            or attachment.owner_type != "training"
            or attachment.owner_id != training.id
        ):
            raise ServiceError(_("This file no longer exists."))
        _audit("training.material_remove", training, user, {"file": [attachment.filename, None]})
        attachments.remove(attachment)


# --- sessions ----------------------------------------------------------------------


@dataclass
class SessionData:
    day: date | None
    start: time | None
    end: time | None
    topic: str = ""
    room_id: int | None = None
    place: str = ""


def _validate_session(data: SessionData) -> None:
    errors: dict[str, list[str]] = {}
    if data.day is None:
        errors.setdefault("day", []).append(_("Choose a date."))
    if data.start is None:
        errors.setdefault("start", []).append(_("Choose a start time."))
    if data.end is None:
        errors.setdefault("end", []).append(_("Choose an end time."))
    elif data.start is not None and data.end <= data.start:
        errors.setdefault("end", []).append(_("The end must be after the start."))
    if not data.room_id and not data.place.strip():
        errors.setdefault("room_id", []).append(
            _("Choose a room of the office or write the place outside.")
        )
    if errors:
        raise FormInvalid(errors)


def _booking_request(training: Training, data: SessionData) -> booking_services.BookingRequest:
    return booking_services.BookingRequest(
        room_id=data.room_id,
        day=data.day,
        start=data.start,
        end=data.end,
        title=_("Training: %(title)s", title=training.title)[:200],
        purpose=data.topic.strip(),
        pillar_id=training.organiser_pillar_id,
        attendees=training.capacity,
        phone=training.contact_phone,
    )


def _booking_refused(error: ServiceError) -> FormInvalid:
    """A booking the service refused, said next to the session's room field."""
    if isinstance(error, booking_services.BookingRejected):
        messages = [p.message for p in error.check.problems]
    else:
        messages = [error.message]
    return FormInvalid({"room_id": list(dict.fromkeys(messages))})


def _book(user: Any, training: Training, data: SessionData, now: datetime | None) -> Booking:
    try:
        return booking_services.create_booking(user, _booking_request(training, data), now=now)
    except ServiceError as error:
        raise _booking_refused(error) from error


def _release_booking(user: Any, session: TrainingSession, reason: str) -> None:
    """Cancel the session's booking if it still holds its slot."""
    booking = session.booking
    if booking is None or booking.status not in HOLDING_STATUSES:
        return
    try:
        booking_services.cancel(user, booking.id, reason)
    except NotAllowed as error:
        raise ServiceError(
            _(
                "The booking of %(room)s was made by %(name)s: ask the front desk to cancel it.",
                room=booking.room.name,
                name=booking.booked_by.full_name,
            )
        ) from error


def _set_times(session: TrainingSession, data: SessionData) -> None:
    session.day, session.start_time, session.end_time = data.day, data.start, data.end
    session.start_at = booking_services.to_utc(data.day, data.start)
    session.end_at = booking_services.to_utc(data.day, data.end)
    session.topic = data.topic.strip()
    session.room_id = data.room_id or None
    session.place = "" if data.room_id else data.place.strip()


def _refresh_days(training: Training) -> None:
    days = [s.day for s in training.sessions]
    training.first_day = min(days) if days else None
    training.last_day = max(days) if days else None


def _session_snapshot(session: TrainingSession) -> dict:
    return audit.snapshot(session, SESSION_AUDIT_FIELDS)


def add_session(
    user: Any, training_id: int, data: SessionData, *, now: datetime | None = None
) -> TrainingSession:
    """A session; in an office room it books the room through the booking service."""
    with write_transaction():
        training = _load(user, training_id)
        if training.status in (TrainingStatus.CANCELLED.value, TrainingStatus.FINISHED.value):
            raise ServiceError(_("A cancelled or finished training cannot be changed."))
        _validate_session(data)
        session = TrainingSession(training_id=training.id, checkin_code=secrets.token_urlsafe(16))
        _set_times(session, data)
        if data.room_id:
            session.booking_id = _book(user, training, data, now).id
        training.sessions.append(session)
        _refresh_days(training)
        db.session.flush()
        _audit(
            "training.session_add",
            training,
            user,
            audit.changed_fields({}, _session_snapshot(session)),
        )
    return session


def update_session(
    user: Any, session_id: int, data: SessionData, *, now: datetime | None = None
) -> TrainingSession:
    """Change a session; a new room or time moves its booking (or refuses with the
    conflict), an outside place releases it."""
    with write_transaction():
        found = db.session.get(TrainingSession, session_id)
        if found is None:
            raise ServiceError(_("This session no longer exists."))
        training = _load(user, found.training_id)
        session = db.session.get(TrainingSession, session_id)
        if training.status in (TrainingStatus.CANCELLED.value, TrainingStatus.FINISHED.value):
            raise ServiceError(_("A cancelled or finished training cannot be changed."))
        _validate_session(data)
        before = _session_snapshot(session)
        booking = session.booking
        holding = booking is not None and booking.status in HOLDING_STATUSES
        if data.room_id and holding:
            current = booking_services.request_from_booking(booking)
            if (current.room_id, current.day, current.start, current.end) != (
                data.room_id,
                data.day,
                data.start,
                data.end,
            ):
                try:
                    booking_services.update_booking(
                        user, booking.id, _booking_request(training, data), now=now
                    )
                except NotAllowed as error:
                    raise FormInvalid(
                        {
                            "room_id": [
                                _(
                                    "The booking was made by %(name)s: ask the front desk "
                                    "to move it.",
                                    name=booking.booked_by.full_name,
                                )
                            ]
                        }
                    ) from error
                except ServiceError as error:
                    raise _booking_refused(error) from error
        elif data.room_id:
            session.booking_id = _book(user, training, data, now).id
        elif holding:
            _release_booking(user, session, _("The session moved outside the office."))
        _set_times(session, data)
        if not data.room_id:
            session.booking_id = None
        _refresh_days(training)
        db.session.flush()
        changes = audit.changed_fields(before, _session_snapshot(session))
        if changes:
            _audit("training.session_update", training, user, changes)
    return session


def remove_session(user: Any, session_id: int) -> None:
    with write_transaction():
        found = db.session.get(TrainingSession, session_id)
        if found is None:
            raise ServiceError(_("This session no longer exists."))
        training = _load(user, found.training_id)
        session = db.session.get(TrainingSession, session_id)
        if db.session.scalar(select(Attendance.id).where(Attendance.session_id == session.id)):
            raise ServiceError(_("People have checked in to this session: it cannot be removed."))
        if training.status != TrainingStatus.DRAFT.value and len(training.sessions) == 1:
            raise ServiceError(_("A published training keeps at least one session."))
        _release_booking(user, session, _("The training session was removed."))
        before = _session_snapshot(session)
        training.sessions.remove(session)
        db.session.flush()
        _refresh_days(training)
        _audit("training.session_remove", training, user, audit.changed_fields(before, {}))


# --- registration ------------------------------------------------------------------


@dataclass
class GuestData:
    name: str
    pillar_id: int | None = None
    organisation: str = ""
    phone: str = ""
    origin: str = ""
    notes: str = ""


def _audit_person(
    action: str, training: Training, registration: Registration, actor: Any, **extra: Any
) -> None:
    changes: dict[str, list] = {"person": [None, registration.display_name]}
    if registration.status == RegistrationStatus.WAITLISTED.value:
        changes["position"] = [None, waitlist_rank(training.id, registration)]
    changes.update({k: [None, v] for k, v in extra.items() if v})
    _audit(action, training, actor, changes)


def _check_window(user: Any, training: Training, now: datetime, override: bool) -> bool:
    """Raise unless registration is open; True when an organiser overrides the period."""
    if training.status != TrainingStatus.PUBLISHED.value:
        raise RegistrationClosed(_("This training does not take registrations."))
    if is_open(training, now):
        return False
    if override and permissions.can_manage_training(user, training):
        return True
    if training.registration_opens_at and now < training.registration_opens_at:
        raise RegistrationClosed(_("Registration has not opened yet."))
    raise RegistrationClosed(_("Registration is closed."))


def _place(training: Training, registration: Registration) -> None:
    """Give a seat if one is free, else the next place on the waitlist."""
    if training.seats_taken < training.capacity:
        registration.status = RegistrationStatus.REGISTERED.value
        registration.waitlist_position = None
        training.seats_taken += 1
    else:
        last = db.session.scalar(
            select(func.max(Registration.waitlist_position)).where(
                Registration.training_id == training.id
            )
        )
        registration.status = RegistrationStatus.WAITLISTED.value
        registration.waitlist_position = (last or 0) + 1


def _promote(training: Training, actor: Any) -> list[Registration]:
    """Fill free seats from the head of the waitlist (inside the caller's transaction)."""
    promoted = []
    while training.seats_taken < training.capacity:
        first = db.session.scalar(
            select(Registration)
            .where(
                Registration.training_id == training.id,
                Registration.status == RegistrationStatus.WAITLISTED.value,
            )
            .order_by(Registration.waitlist_position)
            .limit(1)
        )
        if first is None:
            break
        first.status = RegistrationStatus.REGISTERED.value
        first.waitlist_position = None
        first.promoted_at = utcnow()
        first.promotion_seen = first.user_id is None
        if first.user_id is not None:
            db.session.execute(
                update(User).where(User.id == first.user_id).values(has_notices=True)
            )
        training.seats_taken += 1
        promoted.append(first)
    db.session.flush()
    return promoted


def register_self(user: Any, training_id: int, *, now: datetime | None = None) -> Registration:
    """The user takes a seat, or the next place on the waitlist."""
    with write_transaction():
        training = _load(user, training_id, manage=False)
        now = now or utcnow()  # after the lock: the order of registration is the order served
        if not permissions.can_see_training(user, training):
            raise NotAllowed(_("You cannot see this training."))
        _check_window(user, training, now, override=False)
        if outside_targets(user, training):
            raise RegistrationClosed(
                _("This training is for %(pillars)s.", pillars=_targets_text(training))
            )
        registration = db.session.scalar(
            select(Registration).where(
                Registration.training_id == training.id, Registration.user_id == user.id
            )
        )
        if registration is not None and registration.status != "cancelled":
            raise ServiceError(_("You are already registered."))
        if registration is None:
            registration = Registration(training_id=training.id, user_id=user.id)
            db.session.add(registration)
        registration.registered_at = now
        registration.registered_by_id = user.id
        registration.cancelled_at = None
        registration.promoted_at = None
        registration.promotion_seen = True
        _place(training, registration)
        db.session.flush()
        _audit_person(
            "training.register" if registration.status == "registered" else "training.waitlist",
            training,
            registration,
            user,
        )
    return registration


def duplicates(training_id: int, data: GuestData) -> list[Registration]:
    """Active registrations with the same name or phone (likely the same person)."""
    name = " ".join(data.name.split()).lower()
    phone = normalise_phone(data.phone)
    rows = db.session.scalars(
        select(Registration).where(
            Registration.training_id == training_id,
            Registration.status != RegistrationStatus.CANCELLED.value,
        )
    )
    return [
        r
        for r in rows
        if " ".join(r.display_name.split()).lower() == name
        or (phone and normalise_phone(r.contact_phone) == phone)
    ]


def normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _validate_guest(data: GuestData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Enter the participant's name.")]
    if data.pillar_id is None and not data.organisation.strip():
        errors["organisation"] = [_("Choose a pillar or write the organisation.")]
    digits = normalise_phone(data.phone)
    if data.phone.strip() and not 8 <= len(digits) <= 15:
        errors["phone"] = [_("Write the phone number with 8 to 15 digits, e.g. 0812-3456-7890.")]
    if len(digits) == 16 and data.phone.strip():
        errors["phone"] = [_("This looks like a NIK: write a phone number, never the NIK.")]
    if errors:
        raise FormInvalid(errors)


def register_guest(
    actor: Any,
    training_id: int,
    data: GuestData,
    *,
    confirm_duplicate: bool = False,
    override_window: bool = False,
    walk_in: bool = False,
    now: datetime | None = None,
) -> Registration:
    """An organiser registers someone without an account (a walk-in takes a seat)."""
    now = now or utcnow()
    with write_transaction():
        training = _load(actor, training_id, manage=not walk_in)
        if walk_in and not permissions.can_check_in(actor, training):
            raise NotAllowed(_("You cannot check people in at this training."))
        _validate_guest(data)
        overridden = False
        if not walk_in:
            overridden = _check_window(actor, training, now, override_window)
        elif training.status != TrainingStatus.PUBLISHED.value:
            raise RegistrationClosed(_("This training does not take registrations."))
        if not confirm_duplicate:
            matches = duplicates(training.id, data)
            if matches:
                raise PossibleDuplicate(matches)
        registration = Registration(
            training_id=training.id,
            name=" ".join(data.name.split()),
            pillar_id=data.pillar_id,
            organisation=data.organisation.strip(),
            phone=data.phone.strip(),
            origin=data.origin.strip(),
            notes=data.notes.strip(),
            registered_at=now,
            registered_by_id=actor.id,
            walk_in=walk_in,
        )
        db.session.add(registration)
        _place(training, registration)
        if walk_in and registration.status != RegistrationStatus.REGISTERED.value:
            raise ServiceError(
                _("No seats left: cancel a registration of someone who did not come first."),
                field="name",
            )
        db.session.flush()
        _audit_person(
            "training.register" if registration.status == "registered" else "training.waitlist",
            training,
            registration,
            actor,
        )
        if overridden:
            _audit_person("training.window_override", training, registration, actor)
    return registration


def cancel_registration(actor: Any, registration_id: int) -> tuple[Registration, list]:
    """Cancel; a freed seat goes to the first person waiting, in the same transaction."""
    with write_transaction():
        found = db.session.get(Registration, registration_id)
        if found is None:
            raise ServiceError(_("This registration no longer exists."))
        training = _load(actor, found.training_id, manage=False)
        registration = lock_for_update(Registration, registration_id)
        own = registration.user_id is not None and registration.user_id == actor.id
        if not own and not permissions.can_manage_training(actor, training):
            raise NotAllowed(_("You cannot cancel this registration."))
        if registration.status == RegistrationStatus.CANCELLED.value:
            raise ServiceError(_("This registration is already cancelled."))
        if training.status in (TrainingStatus.FINISHED.value, TrainingStatus.CANCELLED.value):
            raise ServiceError(_("The training is over; registrations stay as they are."))
        had_seat = registration.status == RegistrationStatus.REGISTERED.value
        registration.status = RegistrationStatus.CANCELLED.value
        registration.waitlist_position = None
        registration.cancelled_at = utcnow()
        if had_seat:
            training.seats_taken -= 1
        db.session.flush()
        _audit_person("training.unregister", training, registration, actor)
        promoted = _promote(training, actor)
        for person in promoted:
            _audit_person("training.promote", training, person, actor)
    return registration, promoted


def unseen_promotions(user_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.user_id == user_id, Registration.promotion_seen.is_(False)
            )
        )
    )


def mark_promotions_seen(user_id: int, registration_ids: list[int]) -> None:
    """Told: the promotions are seen and the user has nothing more waiting."""
    with write_transaction():
        for registration_id in registration_ids:
            registration = db.session.get(Registration, registration_id)
            if registration is not None:
                registration.promotion_seen = True
        db.session.execute(update(User).where(User.id == user_id).values(has_notices=False))


# --- attendance --------------------------------------------------------------------


def get_session(session_id: int) -> TrainingSession | None:
    return db.session.get(TrainingSession, session_id)


@dataclass(frozen=True)
class Person:
    """A registered person as the check-in list and the daftar hadir show them."""

    id: int
    display_name: str
    affiliation: str
    origin: str
    contact_phone: str


@dataclass(frozen=True)
class CheckIn:
    checked_in_at: datetime
    method: str


def checkin_rows(
    session: TrainingSession, q: str = "", *, registration_id: int | None = None
) -> list[tuple[Person, CheckIn | None]]:
    """Registered people of the session's training with their check-in (or None): light
    rows read in one query (the list is the desk's busiest page)."""
    user_pillar = aliased(Pillar)
    own_pillar = aliased(Pillar)
    stmt = (
        select(
            Registration.id,
            func.coalesce(User.full_name, Registration.name),
            own_pillar.code,
            user_pillar.code,
            Registration.organisation,
            Registration.origin,
            Registration.phone,
            User.phone,
            Attendance.checked_in_at,
            Attendance.method,
        )
        .outerjoin(User, User.id == Registration.user_id)
        .outerjoin(own_pillar, own_pillar.id == Registration.pillar_id)
        .outerjoin(user_pillar, user_pillar.id == User.pillar_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.registration_id == Registration.id,
                Attendance.session_id == session.id,
            ),
        )
        .where(
            Registration.training_id == session.training_id,
            Registration.status == RegistrationStatus.REGISTERED.value,
        )
    )
    if registration_id is not None:
        stmt = stmt.where(Registration.id == registration_id)
    if q.strip():
        pattern = f"%{_escape_like(q.strip())}%"
        stmt = stmt.where(
            or_(
                Registration.name.ilike(pattern, escape="\\"),
                User.full_name.ilike(pattern, escape="\\"),
                Registration.phone.ilike(pattern, escape="\\"),
            )
        )
    rows = []
    for (
        rid,
        name,
        own_code,
        user_code,
        organisation,
        origin,
        phone,
        user_phone,
        at,
        method,
    ) in db.session.execute(stmt):
        code = own_code or user_code
        affiliation = " · ".join(part for part in (code, organisation) if part)
        person = Person(rid, name, affiliation, origin, phone or user_phone or "")
        rows.append((person, CheckIn(at, method) if at else None))
    return sorted(rows, key=lambda row: row[0].display_name.lower())


def person_row(session: TrainingSession, registration_id: int):
    """One row of the check-in list (after a tap), or None if not registered."""
    found = checkin_rows(session, registration_id=registration_id)
    return found[0] if found else None


def _attendance_target(actor: Any, session_id: int, registration_id: int):
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise ServiceError(_("This session no longer exists."))
    training = _load(actor, session.training_id, manage=False)
    if not permissions.can_check_in(actor, training):
        raise NotAllowed(_("You cannot check people in at this training."))
    if training.status != TrainingStatus.PUBLISHED.value:
        raise ServiceError(_("Check-in is only for published trainings."))
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.training_id != training.id
        or registration.status != RegistrationStatus.REGISTERED.value
    ):
        raise ServiceError(_("This person is not registered for the training."))
    return training, session, registration


def _record_attendance(
    training: Training, session: Any, registration: Any, actor: Any, method: str
) -> Attendance:
    """Present at the session, once (inside the caller's transaction; again is harmless)."""
    existing = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session.id,
            Attendance.registration_id == registration.id,
        )
    )
    if existing is not None:
        return existing
    attendance = Attendance(
        session_id=session.id,
        registration_id=registration.id,
        checked_in_by_id=actor.id,
        method=method,
    )
    db.session.add(attendance)
    db.session.flush()
    _audit_person(
        "training.check_in", training, registration, actor, session=session_label(session)
    )
    return attendance


def check_in(
    actor: Any, session_id: int, registration_id: int, *, method: str = "desk"
) -> Attendance:
    """Mark present (again is harmless: the existing check-in is returned)."""
    with write_transaction():
        training, session, registration = _attendance_target(actor, session_id, registration_id)
        return _record_attendance(training, session, registration, actor, method)


def undo_check_in(actor: Any, session_id: int, registration_id: int) -> None:
    with write_transaction():
        training, session, registration = _attendance_target(actor, session_id, registration_id)
        attendance = db.session.scalar(
            select(Attendance).where(
                Attendance.session_id == session.id,
                Attendance.registration_id == registration.id,
            )
        )
        if attendance is not None:
            db.session.delete(attendance)
            _audit_person(
                "training.check_in_undo",
                training,
                registration,
                actor,
                session=session_label(session),
            )


def session_label(session: TrainingSession) -> str:
    from intranet.core.formatting import format_date_medium, format_time

    label = f"{format_date_medium(session.day)} {format_time(session.start_at)}"
    return f"{label} · {session.topic}" if session.topic else label


def checkin_window(session: TrainingSession) -> tuple[datetime, datetime]:
    return session.start_at - CHECKIN_EARLY, session.end_at


def session_for_code(code: str) -> TrainingSession | None:
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(TrainingSession).where(TrainingSession.checkin_code == code))


def self_check_in(user: Any, code: str, *, now: datetime | None = None) -> Attendance:
    """A participant confirms presence with the session's QR code, within its window."""
    now = now or utcnow()
    session = session_for_code(code)
    if session is None:
        raise ServiceError(_("This check-in code is not valid."))
    opens, closes = checkin_window(session)
    if now < opens:
        raise ServiceError(_("Check-in opens 30 minutes before the session starts."))
    if now >= closes:
        raise ServiceError(_("This session has ended; check-in is closed."))
    registration = db.session.scalar(
        select(Registration).where(
            Registration.training_id == session.training_id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.REGISTERED.value,
        )
    )
    if registration is None:
        raise ServiceError(
            _("You are not registered for this training: ask the organisers at the desk.")
        )
    with write_transaction():
        training = lock_for_update(Training, session.training_id)
        if training.status != TrainingStatus.PUBLISHED.value:
            raise ServiceError(_("Check-in is only for published trainings."))
        return _record_attendance(training, session, registration, user, "self")


def attended_counts(training_id: int) -> dict[int, int]:
    """Sessions attended per registration."""
    rows = db.session.execute(
        select(Attendance.registration_id, func.count())
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.training_id == training_id)
        .group_by(Attendance.registration_id)
    )
    return dict(rows.all())


def session_attendance(session_id: int) -> dict[int, Attendance]:
    rows = db.session.scalars(select(Attendance).where(Attendance.session_id == session_id))
    return {a.registration_id: a for a in rows}


@dataclass
class AttendanceSummary:
    registered: int
    per_session: list[tuple[TrainingSession, int]]
    per_pillar: list[tuple[str, int, int]]  # pillar (or organisation), registered, attended
    overall_rate: float  # share of (person, session) pairs attended


def attendance_summary(
    training: Training,
    people: list[Registration] | None = None,
    attended: dict[int, int] | None = None,
) -> AttendanceSummary:
    """Attendance per session, per pillar and overall (``people``: the registered ones
    and ``attended``: sessions per registration, when the caller has them already)."""
    counts = dict(
        db.session.execute(
            select(Attendance.session_id, func.count())
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(TrainingSession.training_id == training.id)
            .group_by(Attendance.session_id)
        ).all()
    )
    if people is None:
        people = participants(training.id, statuses=("registered",))
    people = [p for p in people if p.status == RegistrationStatus.REGISTERED.value]
    if attended is None:
        attended = attended_counts(training.id)
    groups: dict[str, list[int]] = {}
    for person in people:
        pillar = person.pillar or (person.user.pillar if person.user else None)
        key = pillar.code if pillar else (person.organisation or "—")
        entry = groups.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += 1 if attended.get(person.id) else 0
    sessions = training.sessions
    pairs = len(people) * len(sessions)
    return AttendanceSummary(
        registered=len(people),
        per_session=[(s, counts.get(s.id, 0)) for s in sessions],
        per_pillar=sorted((k, v[0], v[1]) for k, v in groups.items()),
        overall_rate=(sum(counts.values()) / pairs) if pairs else 0.0,
    )


# --- certificates ------------------------------------------------------------------


def needed_sessions(training: Training) -> int:
    return max(1, min(training.certificate_threshold, len(training.sessions)))


def is_eligible(training: Training, attended: int) -> bool:
    return attended >= needed_sessions(training)


def new_certificate_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def registration_for_code(code: str) -> Registration | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Registration).where(Registration.certificate_code == code))


def sessions_between(start: datetime, end: datetime) -> list[TrainingSession]:
    """Sessions of published and finished trainings (and cancelled ones, to remove them
    from subscribed calendars) starting in [start, end)."""
    return list(
        db.session.scalars(
            select(TrainingSession)
            .join(Training, Training.id == TrainingSession.training_id)
            .options(contains_eager(TrainingSession.training))
            .where(
                TrainingSession.start_at >= start,
                TrainingSession.start_at < end,
                Training.status != TrainingStatus.DRAFT.value,
            )
            .order_by(TrainingSession.start_at)
        )
    )


@dataclass
class UpcomingTraining:
    """A training as the today page lists it."""

    id: int
    title: str
    first_day: date | None
    capacity: int
    seats_taken: int
    organiser_code: str

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


@built_once
def _upcoming_statement() -> Select:
    return (
        select(
            Training.id,
            Training.title,
            Training.first_day,
            Training.capacity,
            Training.seats_taken,
            Pillar.code,
        )
        .join(Pillar, Pillar.id == Training.organiser_pillar_id)
        .where(
            Training.status == TrainingStatus.PUBLISHED.value,
            Training.last_day >= bindparam("today", type_=Date()),
        )
        .order_by(Training.first_day, Training.id)
        .limit(bindparam("limit", type_=Integer()))
    )


def upcoming_for_today(user: Any, limit: int = 5) -> list[UpcomingTraining]:
    """The next published trainings (running or ahead), for the today page."""
    rows = db.session.execute(_upcoming_statement(), {"today": local_today(), "limit": limit})
    return [UpcomingTraining(*row) for row in rows]


def organiser_choices(user: Any) -> list[Pillar]:
    """Pillars the user may organise for: a secretary their own; the admin any."""
    stmt = select(Pillar).where(Pillar.active.is_(True)).order_by(Pillar.code)
    if not roles.is_admin(user):
        stmt = stmt.where(Pillar.id == user.pillar_id)
    return list(db.session.scalars(stmt))


def to_utc_local(value: datetime | None) -> datetime | None:
    """A naive office-local datetime (from a form) as an aware instant."""
    if value is None:
        return None
    return value.replace(tzinfo=office_zone()).astimezone(UTC)


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    start_at: datetime
    end_at: datetime
    training_id: int
    title: str
    status: str
    code: str
    colour: str


def month_entries(user: Any, first: date, end: date) -> dict[date, list[CalendarEntry]]:
    """The sessions on the local days [first, end) the user may see, per day (light rows
    on the sessions' start index)."""
    from intranet.bookings.services import local_day_bounds

    stmt = (
        select(
            TrainingSession.day,
            TrainingSession.start_at,
            TrainingSession.end_at,
            Training.id,
            Training.title,
            Training.status,
            Pillar.code,
            Pillar.colour,
        )
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Pillar, Pillar.id == Training.organiser_pillar_id)
        .where(
            TrainingSession.start_at >= local_day_bounds(first)[0],
            TrainingSession.start_at < local_day_bounds(end)[0],
            visible_to(user),
        )
        .order_by(TrainingSession.start_at, Training.id)
    )
    found: dict[date, list[CalendarEntry]] = {}
    for row in db.session.execute(stmt):
        found.setdefault(row[0], []).append(CalendarEntry(*row))
    return found
