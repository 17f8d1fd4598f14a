"""Every page stays at a handful of queries however many rows it shows (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

import pytest
from sqlalchemy import event, select

from intranet.bookings import services
from intranet.core.db import write_transaction
from intranet.core.formatting import local_today
from intranet.extensions import db


@contextmanager
def counted():
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


@pytest.fixture
def busy_office(app, users, make_user, make_pillar, make_room):
    pillars = [make_pillar(f"Q{n}") for n in range(5)]
    people = [make_user(f"orang.{n}", role="secretary", pillar=pillars[n % 5]) for n in range(30)]
    rooms = [make_room(f"Ruang {n}", needs_approval=True) for n in range(3)]
    with app.test_request_context():
        first = local_today() + timedelta(days=3)
        with write_transaction():
            for n in range(60):
                services.create_booking(
                    people[n % 30],
                    services.BookingRequest(
                        room_id=rooms[n % 3].id,
                        day=first + timedelta(days=n // 24),
                        start=time(8 + (n // 3) % 8, 0),
                        end=time(8 + (n // 3) % 8, 45),
                        title=f"Rapat {n}",
                        pillar_id=pillars[n % 5].id,
                    ),
                )
    return people


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("staff", "/bookings/?who=all"),
        ("receptionist", "/bookings/approvals"),
        ("staff", "/bookings/calendar?view=week"),
        ("staff", "/"),
        ("admin", "/admin/users/"),
        ("admin", "/admin/audit/"),
        ("admin", "/admin/pillars/"),
        ("staff", "/rooms/"),
        ("staff", "/assets/"),
        ("staff", "/assets/?q=proyektor&condition=B"),
        ("receptionist", "/assets/loans/?view=all"),
        ("staff", "/announcements/"),
        ("staff", "/announcements/?view=archive&q=rapat"),
        ("admin", "/announcements/?view=deleted"),
        ("staff", "/announcements/badge"),
    ],
)
def test_list_pages_use_few_queries(login_as, busy_office, role, url):
    client = login_as(role)
    client.get(url)  # warm up (session, translations)
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(statements) <= 12, "\n".join(statements)


# --- every page: the same number of queries with twice the rows ----------------------------

SKIP = {
    "static",
    "auth.logout",
    "auth.login",
    "core.healthz",
    "bench.baseline",
    "asset_short.short",  # a redirect to the item page
}


def _sample_values(app, busy_office, users) -> dict[str, object]:
    from sqlalchemy import select

    from intranet.bookings.models import Booking, Room
    from intranet.bookings.recurrence import Recurrence

    booking = db.session.scalars(select(Booking).order_by(Booking.id)).first()
    notice = _posts(busy_office, 22)  # more than a page
    attachment = _attach_image(notice)
    with app.test_request_context(), write_transaction():
        series, _dates = services.create_series(
            busy_office[0],
            services.BookingRequest(
                room_id=booking.room_id,
                day=local_today() + timedelta(days=30),
                start=time(16, 0),
                end=time(16, 30),
                title="Rapat mingguan",
                pillar_id=busy_office[0].pillar_id,
            ),
            Recurrence("weekly", count=6),
            skip={local_today() + timedelta(days=37)},
        )
    from tests.asset_helpers import make_asset, make_loan, running_stocktake

    with app.test_request_context():
        asset = make_asset()
        loan = make_loan(users["staff"], [asset], local_today() + timedelta(days=2))
        stocktake = running_stocktake(users["asset_keeper"])
    return {
        "stocktake_id": stocktake.id,
        "asset_id": asset.id,
        "loan_id": loan.id,
        "attachment_id": attachment.id,
        "post_id": notice.id,
        "category_id": notice.category_id,
        "booking_id": booking.id,
        "series_id": series.id,
        "room_id": db.session.scalars(select(Room.id)).first(),
        "user_id": users["staff"].id,
        "pillar_id": busy_office[0].pillar_id,
        **_sample_training(app, busy_office, users),
    }


def _sample_training(app, people, users) -> dict[str, object]:
    """A finished training with two sessions, participants, check-ins, a certificate and
    a material: every training page has something to show."""
    import io

    from werkzeug.datastructures import FileStorage

    from intranet.core import attachments
    from intranet.trainings import services as trainings

    admin = users["admin"]
    with app.test_request_context():
        day = local_today() - timedelta(days=3)
        training = trainings.create_training(
            admin,
            trainings.TrainingData(
                title="Pelatihan hitungan", organiser_pillar_id=people[0].pillar_id, capacity=200
            ),
        )
        sessions = [
            trainings.add_session(
                admin,
                training.id,
                trainings.SessionData(
                    day, time(8 + 3 * n), time(10 + 3 * n), f"Sesi {n}", None, "Desa"
                ),
            )
            for n in range(2)
        ]
        trainings.publish(admin, training.id)
        _more_participants(training.id, people, 10)
        first = db.session.scalar(
            select(trainings.Registration).where(trainings.Registration.training_id == training.id)
        )
        trainings.finish(admin, training.id)
        with write_transaction():
            attachments.save(
                FileStorage(io.BytesIO(b"%PDF-1.4 modul"), "modul.pdf"), "training", training.id
            )
            # One sample "code" serves the self check-in and the certificate check.
            sessions[0].checkin_code = first.certificate_code
    return {
        "training_id": training.id,
        "session_id": sessions[0].id,
        "registration_id": first.id,
        "code": first.certificate_code,
        "attachment_id": db.session.scalar(select(attachments.Attachment.id)),
    }


def _more_participants(training_id: int, people, count: int) -> None:
    """Registered guests who came to every session (inserted as an organiser would)."""
    from intranet.trainings.models import Attendance, Registration, Training, TrainingSession

    sessions = db.session.scalars(
        select(TrainingSession.id).where(TrainingSession.training_id == training_id)
    ).all()
    with write_transaction():
        training = db.session.get(Training, training_id)
        for n in range(count):
            registration = Registration(
                training_id=training_id,
                name=f"Peserta {training.seats_taken + n}",
                pillar_id=people[n % len(people)].pillar_id,
                phone=f"0812{n:08d}",
                origin="Kec. Kuta Alam",
            )
            db.session.add(registration)
            db.session.flush()
            for session_id in sessions:
                db.session.add(Attendance(session_id=session_id, registration_id=registration.id))
        training.seats_taken += count


def _get_urls(app, values: dict[str, object]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        missing = [a for a in rule.arguments if a not in values]
        assert not missing, f"add a sample value for {missing} ({rule.rule}) to this test"
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name])).replace(
                f"<{name}>", str(values[name])
            )
        urls.append(path)
    return sorted(urls)


def _attach_image(notice):
    import io

    from werkzeug.datastructures import FileStorage

    from intranet.core import attachments

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with write_transaction():
        return attachments.save(
            FileStorage(io.BytesIO(png), filename="denah.png"), "announcement", notice.id
        )


def _posts(people, count: int):
    """Announcements of the people's pillars, asking for acknowledgements, some read and
    acknowledged, each with an invitation to a booking: the last one made."""
    from sqlalchemy import select

    from intranet.announcements import services as board
    from intranet.bookings.models import Booking

    with write_transaction():
        board.ensure_default_categories()
    category = board.categories()[1]
    booking = db.session.scalars(select(Booking).order_by(Booking.id)).first()
    notice = None
    for n in range(count):
        author = people[n % len(people)]
        notice = board.create(
            author,
            board.PostData(
                title=f"Pengumuman {n}",
                body=f"Isi **{n}**",
                category_id=category.id,
                audience_all=n % 2 == 0,
                audience_pillar_ids=[] if n % 2 == 0 else [author.pillar_id],
                requires_ack=True,
                pinned=n % 7 == 0,
            ),
        )
        board.update(
            author,
            notice.id,
            board.PostData(
                title=f"Pengumuman {n} (ubah)",
                body="Isi baru",
                category_id=category.id,
                requires_ack=True,
                link=f"booking:{booking.id}" if booking.pillar_id == author.pillar_id else "",
            ),
        )
        for reader in people[n % 3 :: 3]:
            if reader.id != author.id and (n % 2 == 0 or reader.pillar_id == author.pillar_id):
                board.acknowledge(reader, notice.id)
    return notice


def _more_bookings(app, people, count: int) -> None:
    from intranet.bookings.models import Room

    rooms = db.session.scalars(db.select(Room)).all()
    with app.test_request_context():
        first = local_today() + timedelta(days=3)
        with write_transaction():
            for n in range(count):
                services.create_booking(
                    people[n % len(people)],
                    services.BookingRequest(
                        room_id=rooms[n % len(rooms)].id,
                        day=first + timedelta(days=n // 24),
                        start=time(8 + (n // 3) % 8, 45),
                        end=time(9 + (n // 3) % 8, 0),
                        title=f"Tambahan {n}",
                        pillar_id=people[n % len(people)].pillar_id,
                    ),
                )


def test_no_page_reads_more_with_more_rows(app, login_as, busy_office, users):
    """Every GET page (the admin sees them all) makes as many queries with 60 bookings as
    with 120: nothing is loaded per row."""
    from intranet.bookings import feeds

    with write_transaction():
        token = feeds.regenerate_calendar_token(
            db.session.get(type(users["admin"]), users["admin"].id)
        )
    client = login_as("admin")

    def counts() -> dict[str, int]:
        found = {}
        for url in urls:
            full = f"{url}?token={token}" if url.endswith((".ics", ".atom")) else url
            client.get(full)  # warm up
            with counted() as statements:
                response = client.get(full)
            expected = 404 if url.endswith("/photo") else 200  # the sample room has no photo
            assert response.status_code == expected, (url, response.status_code)
            found[url] = len(statements)
        return found

    values = _sample_values(app, busy_office, users)
    urls = _get_urls(app, values)
    assert "/bookings/calendar" in urls and "/" in urls and "/trainings/" in urls
    before = counts()
    _more_bookings(app, busy_office, 60)
    _posts(busy_office, 25)
    _more_participants(values["training_id"], busy_office, 10)
    after = counts()
    grew = {url: (before[url], after[url]) for url in urls if after[url] > before[url]}
    assert not grew, grew
    # A page: the user, its own few reads, the navigation badges (approvals, overdue
    # loans, unread notices). More would mean a page asks per part, not per page.
    assert max(after.values()) <= 14, {u: n for u, n in after.items() if n > 12}
