"""Authorization matrix: every URL x every role and anonymous → the expected status.

Every rule in the URL map must appear here, so a new page cannot go unchecked.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from intranet.bookings import services
from intranet.bookings.recurrence import Recurrence
from intranet.core.formatting import local_today
from tests.asset_helpers import make_asset, make_loan, running_stocktake
from tests.conftest import ROLES

ANON = "anonymous"
EVERYONE = (*ROLES,)
ADMIN = ("admin",)
FRONT_DESK = ("receptionist", "admin")
BOOKER = ("staff", "receptionist", "admin")  # the matrix booking is the staff member's
KEEPER = ("asset_keeper", "admin")
LOAN_DESK = ("receptionist", "asset_keeper", "admin")
BORROWER = ("staff", *LOAN_DESK)
NO_PHOTO = "no-photo"  # signed-in users may see room photos; the matrix room has none
TOKEN = "token"  # calendar feeds: a secret token, no session; without it 404
POSTERS = ("secretary", "receptionist", "admin")
POST_EDITORS = ("secretary", "admin")  # the matrix post is the secretary's pillar's
READERS = ("staff", "receptionist", "asset_keeper", "admin")  # its author does not confirm
ORGANISER = ("secretary", "admin")  # the matrix training's pillar's secretary, the admin
CHECK_IN = ("secretary", "receptionist", "admin")
CERTIFICATE = ("staff", "secretary", "admin")  # the matrix certificate is the staff's

# (method, url, roles allowed) — allowed roles get 200 (GET) or their success status;
# other signed-in roles get 403; anonymous users are sent to the login page.
PUBLIC = "public"
MATRIX = [
    ("GET", "/healthz", PUBLIC),
    ("GET", "/login", PUBLIC),
    ("POST", "/login", PUBLIC),
    ("POST", "/language", PUBLIC),
    ("GET", "/", EVERYONE),
    ("GET", "/profile", EVERYONE),
    ("POST", "/profile/password", EVERYONE),
    ("POST", "/profile/contact", EVERYONE),
    ("GET", "/logout", EVERYONE),
    ("POST", "/logout", EVERYONE),
    ("GET", "/admin/users/", ADMIN),
    ("GET", "/admin/users/new", ADMIN),
    ("POST", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/<int:user_id>", ADMIN),
    ("POST", "/admin/users/<int:user_id>", ADMIN),
    ("POST", "/admin/users/<int:user_id>/active", ADMIN),
    ("POST", "/admin/users/<int:user_id>/password", ADMIN),
    ("GET", "/admin/pillars/", ADMIN),
    ("GET", "/admin/pillars/new", ADMIN),
    ("POST", "/admin/pillars/new", ADMIN),
    ("GET", "/admin/pillars/<int:pillar_id>", ADMIN),
    ("POST", "/admin/pillars/<int:pillar_id>", ADMIN),
    ("GET", "/admin/audit/", ADMIN),
    # a file of nothing anyone may see (its owner's rules are tested with the owner)
    ("GET", "/attachments/<int:attachment_id>", NO_PHOTO),
    # room booking
    ("GET", "/bookings/", EVERYONE),
    ("GET", "/bookings/new", EVERYONE),
    ("POST", "/bookings/new", EVERYONE),
    ("GET", "/bookings/check", EVERYONE),
    ("GET", "/bookings/calendar", EVERYONE),
    ("GET", "/bookings/frontdesk", EVERYONE),
    ("GET", "/bookings/approvals", FRONT_DESK),
    ("GET", "/bookings/approvals/badge", FRONT_DESK),
    ("GET", "/bookings/<int:booking_id>", EVERYONE),
    ("GET", "/bookings/series/<int:series_id>", EVERYONE),
    ("GET", "/bookings/<int:booking_id>/edit", BOOKER),
    ("POST", "/bookings/<int:booking_id>/edit", BOOKER),
    ("POST", "/bookings/<int:booking_id>/approve", FRONT_DESK),
    ("POST", "/bookings/<int:booking_id>/reject", FRONT_DESK),
    ("POST", "/bookings/<int:booking_id>/cancel", BOOKER),
    ("POST", "/bookings/feed-token", EVERYONE),
    ("GET", "/bookings/feed.ics", TOKEN),
    ("GET", "/rooms/", EVERYONE),
    ("GET", "/rooms/find", EVERYONE),
    ("GET", "/rooms/<int:room_id>", EVERYONE),
    ("GET", "/rooms/<int:room_id>/calendar.ics", TOKEN),
    ("GET", "/rooms/<int:room_id>/photo", NO_PHOTO),
    ("GET", "/admin/rooms/", ADMIN),
    ("GET", "/admin/rooms/new", ADMIN),
    ("POST", "/admin/rooms/new", ADMIN),
    ("GET", "/admin/rooms/<int:room_id>", ADMIN),
    ("POST", "/admin/rooms/<int:room_id>", ADMIN),
    # announcements: the matrix post is the secretary's (pillar SEC), for everyone, asking
    # for acknowledgements; the restore URL gets a deleted one
    ("GET", "/announcements/", EVERYONE),
    ("GET", "/announcements/badge", EVERYONE),
    ("GET", "/announcements/feed.atom", TOKEN),
    ("GET", "/announcements/new", POSTERS),
    ("POST", "/announcements/new", POSTERS),
    ("POST", "/announcements/preview", POSTERS),
    ("GET", "/announcements/<int:post_id>", EVERYONE),
    ("GET", "/announcements/<int:post_id>/edit", POST_EDITORS),
    ("POST", "/announcements/<int:post_id>/edit", POST_EDITORS),
    ("POST", "/announcements/<int:post_id>/delete", POST_EDITORS),
    ("POST", "/announcements/<int:post_id>/restore", ADMIN),
    ("POST", "/announcements/<int:post_id>/ack", READERS),
    ("GET", "/announcements/<int:post_id>/acknowledgements", POST_EDITORS),
    ("GET", "/admin/announcement-categories/", ADMIN),
    ("POST", "/admin/announcement-categories/new", ADMIN),
    ("POST", "/admin/announcement-categories/<int:category_id>", ADMIN),
    # training agenda (the matrix training is organised by the secretary's pillar)
    ("GET", "/trainings/", EVERYONE),
    ("GET", "/trainings/new", ORGANISER),
    ("POST", "/trainings/new", ORGANISER),
    ("GET", "/trainings/<int:training_id>", EVERYONE),
    ("GET", "/trainings/<int:training_id>/edit", ORGANISER),
    ("POST", "/trainings/<int:training_id>/edit", ORGANISER),
    ("POST", "/trainings/<int:training_id>/publish", ORGANISER),
    ("POST", "/trainings/<int:training_id>/cancel", ORGANISER),
    ("GET", "/trainings/<int:training_id>/minutes", ORGANISER),
    ("POST", "/trainings/<int:training_id>/minutes", ORGANISER),
    ("POST", "/trainings/<int:training_id>/materials", ORGANISER),
    ("POST", "/trainings/<int:training_id>/materials/<int:attachment_id>/delete", ORGANISER),
    ("GET", "/trainings/<int:training_id>/sessions/new", ORGANISER),
    ("POST", "/trainings/<int:training_id>/sessions/new", ORGANISER),
    ("GET", "/trainings/<int:training_id>/sessions/<int:session_id>/edit", ORGANISER),
    ("POST", "/trainings/<int:training_id>/sessions/<int:session_id>/edit", ORGANISER),
    ("POST", "/trainings/<int:training_id>/sessions/<int:session_id>/delete", ORGANISER),
    ("GET", "/trainings/<int:training_id>/sessions/<int:session_id>/checkin", CHECK_IN),
    (
        "POST",
        "/trainings/<int:training_id>/sessions/<int:session_id>/checkin/<int:registration_id>",
        CHECK_IN,
    ),
    (
        "POST",
        "/trainings/<int:training_id>/sessions/<int:session_id>/checkin/<int:registration_id>/undo",
        CHECK_IN,
    ),
    ("POST", "/trainings/<int:training_id>/sessions/<int:session_id>/walkin", CHECK_IN),
    ("GET", "/trainings/<int:training_id>/sessions/<int:session_id>/sheet", CHECK_IN),
    ("GET", "/trainings/<int:training_id>/sessions/<int:session_id>/qr", CHECK_IN),
    ("GET", "/trainings/checkin/<code>", EVERYONE),
    ("POST", "/trainings/checkin/<code>", EVERYONE),
    ("GET", "/trainings/<int:training_id>/certificates/<int:registration_id>", CERTIFICATE),
    ("GET", "/trainings/calendar.ics", TOKEN),
    ("POST", "/trainings/<int:training_id>/register", EVERYONE),
    ("POST", "/trainings/<int:training_id>/unregister", EVERYONE),
    ("GET", "/trainings/<int:training_id>/participants", ORGANISER),
    ("POST", "/trainings/<int:training_id>/participants", ORGANISER),
    (
        "POST",
        "/trainings/<int:training_id>/participants/<int:registration_id>/cancel",
        ORGANISER,
    ),
    ("GET", "/trainings/<int:training_id>/participants.csv", ORGANISER),
    ("GET", "/trainings/<int:training_id>/participants.xlsx", ORGANISER),
    ("GET", "/verify/<code>", PUBLIC),
    # asset inventory
    ("GET", "/assets/", EVERYONE),
    ("GET", "/assets/new", KEEPER),
    ("POST", "/assets/new", KEEPER),
    ("GET", "/assets/register-number", KEEPER),
    ("GET", "/assets/<int:asset_id>", EVERYONE),
    ("GET", "/assets/<int:asset_id>/edit", KEEPER),
    ("POST", "/assets/<int:asset_id>/edit", KEEPER),
    ("GET", "/assets/<int:asset_id>/photo", NO_PHOTO),
    ("GET", "/a/<int:asset_id>", EVERYONE),
    ("GET", "/assets/labels", KEEPER),
    ("GET", "/assets/<int:asset_id>/maintenance", KEEPER),
    ("POST", "/assets/<int:asset_id>/maintenance", KEEPER),
    ("GET", "/assets/maintenance/", KEEPER),
    ("GET", "/assets/export.csv", KEEPER),
    ("GET", "/assets/export.xlsx", KEEPER),
    ("GET", "/assets/import", KEEPER),
    ("POST", "/assets/import", KEEPER),
    ("GET", "/assets/stocktakes/", KEEPER),
    ("POST", "/assets/stocktakes/", KEEPER),
    ("GET", "/assets/stocktakes/<int:stocktake_id>", KEEPER),
    ("GET", "/assets/stocktakes/<int:stocktake_id>/rooms/<int:room_id>", KEEPER),
    ("POST", "/assets/stocktakes/<int:stocktake_id>/found", KEEPER),
    ("POST", "/assets/stocktakes/<int:stocktake_id>/unexpected", KEEPER),
    ("POST", "/assets/stocktakes/<int:stocktake_id>/finish", KEEPER),
    ("POST", "/assets/stocktakes/<int:stocktake_id>/apply", KEEPER),
    ("GET", "/assets/stocktakes/<int:stocktake_id>/result", KEEPER),
    ("GET", "/assets/stocktakes/<int:stocktake_id>/result.csv", KEEPER),
    ("GET", "/assets/equipment/<int:booking_id>", EVERYONE),
    ("POST", "/assets/equipment/<int:booking_id>", BOOKER),
    ("GET", "/assets/kir/<int:room_id>", EVERYONE),
    ("GET", "/assets/loans/", EVERYONE),
    ("GET", "/assets/loans/new", EVERYONE),
    ("POST", "/assets/loans/new", EVERYONE),
    ("GET", "/assets/loans/badge", EVERYONE),  # 0 for those who do not take loans back
    # the matrix loan is the staff member's request
    ("GET", "/assets/loans/<int:loan_id>", BORROWER),
    ("GET", "/assets/loans/<int:loan_id>/slip", BORROWER),
    ("POST", "/assets/loans/<int:loan_id>/approve", LOAN_DESK),
    ("POST", "/assets/loans/<int:loan_id>/reject", LOAN_DESK),
    ("POST", "/assets/loans/<int:loan_id>/hand-out", LOAN_DESK),
    ("POST", "/assets/loans/<int:loan_id>/return", LOAN_DESK),
    ("POST", "/assets/loans/<int:loan_id>/cancel", BORROWER),
]

# Endpoints whose rules are covered above by another method or need no login.
NOT_PAGES = {"static"}


def _expand(url: str, users, pillar, room) -> str:
    values = {
        "user_id": users["staff"].id,
        "pillar_id": pillar.id,
        "room_id": room.id,
        "attachment_id": 999_999,
        "code": "no-such-code",
    }
    if "<int:asset_id>" in url or "<int:loan_id>" in url:
        asset = make_asset()
        values["asset_id"] = asset.id
        if "<int:loan_id>" in url:
            values["loan_id"] = make_loan(users["staff"], [asset], local_today() + timedelta(7)).id
    if "<int:stocktake_id>" in url:
        values["stocktake_id"] = running_stocktake(users["asset_keeper"]).id
    if "<int:booking_id>" in url:
        values["booking_id"] = _fresh_pending_booking(users["staff"], room).id
    if "<int:post_id>" in url:
        values["post_id"] = _fresh_post(users, deleted=url.endswith("/restore")).id
    if "<int:category_id>" in url:
        values["category_id"] = _fresh_post(users).category_id
    if "<int:series_id>" in url:
        values["series_id"] = _fresh_series(users["staff"], room).id
    if "/trainings/" in url:
        values.update(_fresh_training(users, finished="/certificates/" in url))
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), url)


_slots = iter(range(10_000))


def _fresh_pending_booking(user, room):
    """A new pending booking of the staff member for every request that needs one."""
    n = next(_slots)
    day = local_today() + timedelta(days=7 + n // 8)
    return services.create_booking(
        user,
        services.BookingRequest(
            room_id=room.id,
            day=day,
            start=time(8 + n % 8, 0),
            end=time(8 + n % 8, 30),
            title="Rapat matriks",
        ),
    )


def _fresh_post(users, deleted=False):
    """A new announcement of the secretary's pillar for everyone, asking for acks."""
    from intranet.announcements import services as board
    from intranet.core.db import write_transaction

    with write_transaction():
        board.ensure_default_categories()
    category = board.categories()[0]
    post = board.create(
        users["secretary"],
        board.PostData(
            title="Pengumuman matriks", body="Isi", category_id=category.id, requires_ack=True
        ),
    )
    if deleted:
        board.delete(users["admin"], post.id)
    return post


def _fresh_series(user, room):
    """A new weekly series (two dates) of the staff member."""
    n = next(_slots)
    series, _bookings = services.create_series(
        user,
        services.BookingRequest(
            room_id=room.id,
            day=local_today() + timedelta(days=7 + n // 8),
            start=time(8 + n % 8, 0),
            end=time(8 + n % 8, 30),
            title="Rapat matriks mingguan",
        ),
        Recurrence("weekly", count=2),
    )
    return series


def _fresh_training(users, *, finished: bool) -> dict:
    """A published training of the secretary's pillar with one session and the staff
    member registered (finished, with a certificate, when asked)."""
    from intranet.trainings import services as trainings

    n = next(_slots)
    secretary = users["secretary"]
    training = trainings.create_training(
        secretary,
        trainings.TrainingData(
            title=f"Pelatihan matriks {n}", organiser_pillar_id=secretary.pillar_id, capacity=5
        ),
    )
    day = local_today() - timedelta(days=1) if finished else local_today() + timedelta(days=7)
    session = trainings.add_session(
        secretary,
        training.id,
        trainings.SessionData(day, time(9), time(12), "Materi", None, "Kantor Camat"),
    )
    trainings.publish(secretary, training.id)
    registration = (
        trainings.register_guest(
            secretary,
            training.id,
            trainings.GuestData(name="Peserta Matriks", organisation="Desa"),
            override_window=True,
        )
        if finished
        else trainings.register_self(users["staff"], training.id)
    )
    if finished:
        registration.user_id = users["staff"].id
        trainings.check_in(secretary, session.id, registration.id)
        trainings.finish(secretary, training.id)
    return {
        "training_id": training.id,
        "session_id": session.id,
        "registration_id": registration.id,
        "code": session.checkin_code,
        "attachment_id": 999_999,
    }


def test_every_rule_is_in_the_matrix(app):
    listed = {(method, url) for method, url, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) not in listed:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these to the authorization matrix: {missing}"


@pytest.fixture
def room(make_room):
    return make_room(
        "Aula Matriks", needs_approval=True, opens_at=time(7, 0), closes_at=time(17, 0)
    )


@pytest.mark.parametrize(("method", "url", "allowed"), MATRIX, ids=lambda v: str(v))
@pytest.mark.parametrize("role", [ANON, *ROLES])
def test_matrix(app, users, login_as, client, room, role, method, url, allowed):
    pillar = users["secretary"].pillar
    for htmx in (False, True):
        with app.test_request_context():
            target = _expand(url, users, pillar, room)
        web = client if role == ANON else login_as(role)
        data = {"csrf_token": web.csrf_token()} if method == "POST" else None
        headers = {"HX-Request": "true"} if htmx else {}
        response = web.open(target, method=method, data=data, headers=headers)
        status = response.status_code
        if allowed == PUBLIC:
            assert status < 500 and status != 403, (role, target, status)
        elif allowed == NO_PHOTO and role != ANON:
            assert status == 404, (role, target, status)
        elif allowed == TOKEN:
            assert status == 404, (role, target, status)  # no token: nothing to see
        elif role == ANON:
            if htmx:
                assert status == 401 and "/login" in response.headers["HX-Redirect"]
            else:
                assert status == 302 and "/login" in response.headers["Location"]
        elif role in allowed:
            # Allowed: success, or a validation answer for an empty POST.
            assert status in (200, 204, 303, 400, 422), (role, target, status)
        else:
            assert status == 403, (role, target, status)
