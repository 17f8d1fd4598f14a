"""Training rules: capacity and waitlist, registration window, sessions that book rooms,
cascades, certificates and the self check-in window."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intranet.bookings.models import Booking
from intranet.core.audit import AuditEntry
from intranet.core.db import utcnow, write_transaction
from intranet.core.formatting import office_zone
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db
from intranet.trainings import services
from intranet.trainings.models import Registration


@pytest.fixture
def ctx(app):
    """A request in English, so messages read as in the code."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def people(make_user):
    return [make_user(f"peserta.{n}", full_name=f"Peserta {n}") for n in range(6)]


def _guest(name="Abdul Wahab", phone="0812-6911-2301", **kw):
    return services.GuestData(name=name, phone=phone, organisation="Kantor Camat", **kw)


def test_capacity_waitlist_order_and_promotion(ctx, make_training, people, next_week):
    training = make_training(capacity=2, sessions=[(next_week, time(9), time(12), None)])
    results = [services.register_self(p, training.id) for p in people[:5]]
    assert [r.status for r in results] == ["registered"] * 2 + ["waitlisted"] * 3
    assert [services.waitlist_rank(training.id, r) for r in results[2:]] == [1, 2, 3]
    db.session.refresh(training)
    assert training.seats_taken == 2
    # A seat frees up: the first person waiting moves up in the same transaction.
    _cancelled, promoted = services.cancel_registration(people[0], results[0].id)
    assert [p.user_id for p in promoted] == [people[2].id]
    db.session.refresh(training)
    assert training.seats_taken == 2
    assert services.waitlist_rank(training.id, db.session.get(Registration, results[3].id)) == 1
    # The promoted person is told once, and the training's history says so.
    assert [r.id for r in services.unseen_promotions(people[2].id)] == [results[2].id]
    actions = [e.action for e in services.history(training.id)]
    assert "training.promote" in actions and "training.unregister" in actions
    # Someone waiting cancels: nobody moves, the order of the rest stays.
    services.cancel_registration(people[3], results[3].id)
    assert services.waitlist_rank(training.id, db.session.get(Registration, results[4].id)) == 1


def test_double_registration_is_impossible(ctx, make_training, people, next_week):
    training = make_training(sessions=[(next_week, time(9), time(12), None)])
    services.register_self(people[0], training.id)
    with pytest.raises(ServiceError, match="already registered"):
        services.register_self(people[0], training.id)
    # The database refuses it too, whatever the code does.
    with pytest.raises(IntegrityError), write_transaction():
        db.session.add(Registration(training_id=training.id, user_id=people[0].id))
    db.session.rollback()
    assert db.session.query(Registration).count() == 1


def test_cancelled_registration_can_register_again(ctx, make_training, people, next_week):
    training = make_training(capacity=1, sessions=[(next_week, time(9), time(12), None)])
    first = services.register_self(people[0], training.id)
    services.cancel_registration(people[0], first.id)
    again = services.register_self(people[0], training.id)
    assert again.id == first.id and again.status == "registered"


def test_registration_window_and_audited_override(ctx, make_training, users, people, next_week):
    now = utcnow()
    training = make_training(
        sessions=[(next_week, time(9), time(12), None)],
        registration_opens_at=now + timedelta(days=1),
        registration_closes_at=now + timedelta(days=3),
    )
    with pytest.raises(services.RegistrationClosed, match="not opened"):
        services.register_self(people[0], training.id)
    assert services.register_self(people[0], training.id, now=now + timedelta(days=2))
    with pytest.raises(services.RegistrationClosed, match="closed"):
        services.register_self(people[1], training.id, now=now + timedelta(days=4))
    with pytest.raises(services.RegistrationClosed):
        services.register_guest(users["secretary"], training.id, _guest())
    guest = services.register_guest(users["secretary"], training.id, _guest(), override_window=True)
    assert guest.status == "registered"
    override = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "training.window_override")
    )
    assert override.changes["person"] == [None, "Abdul Wahab"]


def test_draft_takes_no_registrations(ctx, make_training, users, people, next_week):
    training = make_training(status="draft", sessions=[(next_week, time(9), time(12), None)])
    with pytest.raises(NotAllowed):
        services.register_self(people[0], training.id)


def test_target_pillars_limit_self_registration(
    ctx, make_training, make_user, make_pillar, users, next_week
):
    other = make_pillar("PKH")
    outsider = make_user("orang.pkh", pillar=other)
    training = make_training(
        sessions=[(next_week, time(9), time(12), None)],
        for_all_pillars=False,
        target_ids=[users["secretary"].pillar_id],
    )
    with pytest.raises(services.RegistrationClosed, match="SEC"):
        services.register_self(outsider, training.id)
    insider = make_user("orang.sec", pillar=users["secretary"].pillar)
    assert services.register_self(insider, training.id).status == "registered"


def test_guest_duplicates_are_flagged_and_nik_refused(ctx, make_training, users, next_week):
    training = make_training(sessions=[(next_week, time(9), time(12), None)])
    secretary = users["secretary"]
    services.register_guest(secretary, training.id, _guest())
    with pytest.raises(services.PossibleDuplicate) as same_name:
        services.register_guest(secretary, training.id, _guest(phone="0813-0000-0000"))
    assert [m.name for m in same_name.value.matches] == ["Abdul Wahab"]
    with pytest.raises(services.PossibleDuplicate):
        services.register_guest(
            secretary, training.id, _guest(name="A. Wahab", phone="+62 812 6911 2301")
        )
    confirmed = services.register_guest(
        secretary, training.id, _guest(phone="0813-0000-0000"), confirm_duplicate=True
    )
    assert confirmed.status == "registered"
    with pytest.raises(services.FormInvalid) as nik:
        services.register_guest(
            secretary, training.id, _guest(name="Lain", phone="1171020304050607")
        )
    assert "NIK" in nik.value.errors["phone"][0]
    with pytest.raises(services.FormInvalid) as empty:
        services.register_guest(secretary, training.id, services.GuestData(name=""))
    assert set(empty.value.errors) == {"name", "organisation"}  # every error at once


def test_other_pillars_secretary_cannot_manage(
    ctx, make_training, make_user, make_pillar, next_week
):
    tagana = make_pillar("TAGANA")
    tksk = make_pillar("TKSK")
    tagana_secretary = make_user("sek.tagana", role="secretary", pillar=tagana)
    tksk_secretary = make_user("sek.tksk", role="secretary", pillar=tksk)
    training = make_training(tagana_secretary, sessions=[(next_week, time(9), time(12), None)])
    data = services.TrainingData(title="Diambil alih", organiser_pillar_id=tagana.id, capacity=5)
    with pytest.raises(NotAllowed):
        services.update_training(tksk_secretary, training.id, data)
    with pytest.raises(NotAllowed):
        services.cancel_training(tksk_secretary, training.id, "Tidak jadi")
    with pytest.raises(services.FormInvalid) as wrong_pillar:
        services.create_training(
            tksk_secretary,
            services.TrainingData(title="X", organiser_pillar_id=tagana.id, capacity=5),
        )
    assert "organiser_pillar_id" in wrong_pillar.value.errors


def test_session_books_the_room_through_the_booking_service(
    ctx, make_training, make_room, book, users, next_week
):
    aula = make_room("Aula", capacity=100, needs_approval=True)
    training = make_training(sessions=[(next_week, time(9), time(12), aula)])
    booking = training.sessions[0].booking
    assert booking.room_id == aula.id
    assert booking.pillar_id == users["secretary"].pillar_id
    assert booking.title.endswith(": Pelatihan Pendataan")
    assert booking.status == "pending"  # the Aula's rules apply: the front desk approves
    # A conflicting session: refused, the reason next to the room field.
    other = book(aula, next_week, time(13), time(15), title="Rapat Dinas")
    with pytest.raises(services.FormInvalid) as refused:
        services.add_session(
            users["secretary"],
            training.id,
            services.SessionData(next_week, time(14), time(16), "Sesi 2", aula.id),
        )
    assert "Rapat Dinas" in refused.value.errors["room_id"][0]
    assert len(db.session.get(services.Training, training.id).sessions) == 1
    # Moving the session moves its booking, or refuses with the conflict.
    session = training.sessions[0]
    services.update_session(
        users["secretary"],
        session.id,
        services.SessionData(next_week, time(8), time(11), "Materi", aula.id),
    )
    db.session.refresh(booking)
    assert booking.start_at.astimezone(office_zone()).hour == 8
    with pytest.raises(services.FormInvalid) as moved:
        services.update_session(
            users["secretary"],
            session.id,
            services.SessionData(next_week, time(13), time(14), "Materi", aula.id),
        )
    assert "Rapat Dinas" in moved.value.errors["room_id"][0]
    db.session.refresh(booking)
    assert booking.start_at.astimezone(office_zone()).hour == 8
    # An outside place releases the room.
    services.update_session(
        users["secretary"],
        session.id,
        services.SessionData(next_week, time(8), time(11), "Materi", None, "Kantor Camat"),
    )
    db.session.refresh(booking)
    assert booking.status == "cancelled"
    assert db.session.get(Booking, other.id).status != "cancelled"


def test_cancelling_a_training_cancels_its_bookings(
    ctx, make_training, make_room, users, next_week
):
    room = make_room("Ruang Pelatihan", capacity=40)
    training = make_training(
        sessions=[
            (next_week, time(9), time(12), room),
            (next_week + timedelta(days=1), time(9), time(12), room),
        ]
    )
    with pytest.raises(ServiceError, match="reason"):
        services.cancel_training(users["secretary"], training.id, " ")
    services.cancel_training(users["secretary"], training.id, "Narasumber berhalangan")
    statuses = {s.booking.status for s in db.session.get(services.Training, training.id).sessions}
    assert statuses == {"cancelled"}
    assert db.session.get(services.Training, training.id).status == "cancelled"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "training.cancel"))
    assert entry.changes["reason"] == [None, "Narasumber berhalangan"]


def test_removing_a_session_releases_its_booking(ctx, make_training, make_room, users, next_week):
    room = make_room("Ruang Rapat", capacity=40)
    training = make_training(
        status="draft",
        sessions=[(next_week, time(9), time(12), room), (next_week, time(13), time(15), None)],
    )
    session = training.sessions[0]
    booking_id = session.booking_id
    services.remove_session(users["secretary"], session.id)
    assert db.session.get(Booking, booking_id).status == "cancelled"
    refreshed = db.session.get(services.Training, training.id)
    assert len(refreshed.sessions) == 1 and refreshed.first_day == next_week


def test_capacity_cannot_drop_below_registered_and_raising_it_promotes(
    ctx, make_training, users, people, next_week
):
    training = make_training(capacity=1, sessions=[(next_week, time(9), time(12), None)])
    services.register_self(people[0], training.id)
    waiting = services.register_self(people[1], training.id)
    assert waiting.status == "waitlisted"
    data = services.TrainingData(
        title=training.title, organiser_pillar_id=training.organiser_pillar_id, capacity=2
    )
    services.update_training(users["secretary"], training.id, data)
    assert db.session.get(Registration, waiting.id).status == "registered"
    data.capacity = 1
    with pytest.raises(services.FormInvalid) as error:
        services.update_training(users["secretary"], training.id, data)
    assert "capacity" in error.value.errors


def _past_training(make_training, users, sessions: int):
    """A published training whose sessions ran last week."""
    day = (datetime.now(office_zone()) - timedelta(days=7)).date()
    training = make_training(
        sessions=[(day + timedelta(days=n), time(9), time(12), None) for n in range(sessions)],
        certificate_threshold=2,
    )
    return training


def test_certificate_eligibility_and_finish(ctx, make_training, users, people):
    training = _past_training(make_training, users, sessions=3)
    desk = users["receptionist"]
    guests = [
        services.register_guest(
            users["secretary"],
            training.id,
            _guest(name=f"Tamu {n}", phone=f"0812000000{n}"),
            override_window=True,
        )
        for n in range(3)
    ]
    sessions = training.sessions
    for guest, attended in zip(guests, (3, 2, 1), strict=True):
        for session in sessions[:attended]:
            services.check_in(desk, session.id, guest.id)
    assert services.needed_sessions(training) == 2
    assert services.is_eligible(training, 2) and not services.is_eligible(training, 1)
    services.finish(users["secretary"], training.id, "## Notulen")
    codes = [db.session.get(Registration, g.id).certificate_code for g in guests]
    assert codes[0] and codes[1] and codes[2] is None
    assert services.registration_for_code(codes[0].lower()).id == guests[0].id
    summary = services.attendance_summary(db.session.get(services.Training, training.id))
    assert [n for _s, n in summary.per_session] == [3, 2, 1]
    assert summary.overall_rate == pytest.approx(6 / 9)


def test_threshold_never_exceeds_the_sessions(ctx, make_training, users):
    training = _past_training(make_training, users, sessions=1)
    assert services.needed_sessions(training) == 1


def test_check_in_undo_and_only_for_registered(ctx, make_training, users, people, next_week):
    training = make_training(capacity=1, sessions=[(next_week, time(9), time(12), None)])
    seated = services.register_self(people[0], training.id)
    waiting = services.register_self(people[1], training.id)
    session = training.sessions[0]
    desk = users["receptionist"]
    first = services.check_in(desk, session.id, seated.id)
    assert services.check_in(desk, session.id, seated.id).id == first.id  # twice: harmless
    with pytest.raises(ServiceError, match="not registered"):
        services.check_in(desk, session.id, waiting.id)
    with pytest.raises(NotAllowed):
        services.check_in(people[2], session.id, seated.id)
    services.undo_check_in(desk, session.id, seated.id)
    assert services.session_attendance(session.id) == {}


def test_walk_in_takes_a_free_seat_only(ctx, make_training, users, people, next_week):
    training = make_training(capacity=1, sessions=[(next_week, time(9), time(12), None)])
    desk = users["receptionist"]
    walk_in = services.register_guest(desk, training.id, _guest(), walk_in=True)
    assert walk_in.walk_in and walk_in.status == "registered"
    with pytest.raises(ServiceError, match="No seats"):
        services.register_guest(desk, training.id, _guest(name="Lain", phone=""), walk_in=True)


def test_self_check_in_window(ctx, make_training, users, people, next_week):
    training = make_training(sessions=[(next_week, time(9), time(12), None)])
    session = training.sessions[0]
    registration = services.register_self(people[0], training.id)
    start = session.start_at
    with pytest.raises(ServiceError, match="30 minutes"):
        services.self_check_in(people[0], session.checkin_code, now=start - timedelta(minutes=31))
    with pytest.raises(ServiceError, match="not registered"):
        services.self_check_in(people[1], session.checkin_code, now=start)
    done = services.self_check_in(
        people[0], session.checkin_code, now=start - timedelta(minutes=30)
    )
    assert done.registration_id == registration.id and done.method == "self"
    with pytest.raises(ServiceError, match="ended"):
        services.self_check_in(people[0], session.checkin_code, now=session.end_at)
    with pytest.raises(ServiceError, match="not valid"):
        services.self_check_in(people[0], "nope", now=start)


def test_publish_needs_a_session_and_audit_names_things(ctx, make_training, users):
    training = make_training(status="draft")
    with pytest.raises(ServiceError, match="session"):
        services.publish(users["secretary"], training.id)
    created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "training.create"))
    from intranet.core import audit

    labels = audit.value_labels([created])
    assert audit.value_label(
        created, "organiser_pillar_id", users["secretary"].pillar_id, labels
    ) == (users["secretary"].pillar.name)
    assert str(audit.value_label(created, "status", "draft", labels)) == "Draft"


def test_agenda_filters(ctx, make_training, make_pillar, make_user, users, next_week):
    first = make_training(title="Bimtek DTKS", sessions=[(next_week, time(9), time(12), None)])
    other_pillar = make_pillar("KT")
    kt = make_user("sek.kt", role="secretary", pillar=other_pillar)
    second = make_training(
        kt,
        title="Pelatihan Kewirausahaan",
        sessions=[(next_week + timedelta(days=40), time(9), time(12), None)],
        for_all_pillars=False,
        target_ids=[other_pillar.id],
    )
    draft = make_training(kt, title="Draf KT", status="draft")
    staff = users["staff"]

    def titles(**filters):
        listed = services.agenda(staff, services.AgendaFilters(**filters))
        return [t.title for t in db.session.scalars(*listed)]

    assert titles() == ["Bimtek DTKS", "Pelatihan Kewirausahaan"]  # no drafts for staff
    assert titles(q="dtks") == ["Bimtek DTKS"]
    assert titles(organiser_id=other_pillar.id) == ["Pelatihan Kewirausahaan"]
    assert titles(target_id=users["secretary"].pillar_id) == ["Bimtek DTKS"]
    assert titles(month=second.first_day.replace(day=1)) == ["Pelatihan Kewirausahaan"]
    assert titles(open_only=True) == ["Bimtek DTKS", "Pelatihan Kewirausahaan"]
    organiser_view = [
        t.title for t in db.session.scalars(*services.agenda(kt, services.AgendaFilters()))
    ]
    assert draft.title in organiser_view
    assert first.id != second.id


def test_renaming_a_training_renames_its_bookings(ctx, make_training, make_room, users, next_week):
    room = make_room("Ruang Pelatihan", capacity=40)
    training = make_training(sessions=[(next_week, time(9), time(12), room)])
    data = services.TrainingData(
        title="Bimtek DTKS Angkatan 2",
        organiser_pillar_id=training.organiser_pillar_id,
        capacity=training.capacity,
    )
    services.update_training(users["secretary"], training.id, data)
    booking = db.session.get(Booking, training.sessions[0].booking_id)
    assert booking.title == "Training: Bimtek DTKS Angkatan 2"
    assert booking.status == "approved"  # the same slot: no new approval needed
