"""Account, login and pillar rules, called directly."""

from __future__ import annotations

import pytest

from intranet.auth import services
from intranet.auth.models import LoginFailure, User
from intranet.core.audit import AuditEntry
from intranet.core.db import write_transaction
from intranet.core.services import ServiceError
from intranet.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def ctx(app):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        yield


def _create(**fields):
    defaults = {"username": "budi", "full_name": "Budi", "password": PASSWORD, "actor": None}
    with write_transaction():
        return services.create_user(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "a"}, "username"),
        ({"username": "Has Space"}, "username"),
        ({"username": "-dash"}, "username"),
        ({"full_name": "  "}, "full_name"),
        ({"password": "short"}, "password"),
        ({"role": "boss"}, "role"),
        ({"role": "secretary"}, "pillar_id"),
        ({"pillar_id": 999}, "pillar_id"),
    ],
)
def test_create_user_validation(ctx, fields, field):
    with pytest.raises(ServiceError) as error:
        _create(**fields)
    assert error.value.field == field
    assert db.session.query(User).count() == 0
    assert db.session.query(AuditEntry).count() == 0  # nothing half-saved


def test_create_user_normalises_and_audits(ctx):
    user = _create(username="  Budi.Santoso ", full_name=" Budi Santoso ")
    assert user.username == "budi.santoso" and user.full_name == "Budi Santoso"
    assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "user.create",
        "user",
        str(user.id),
    )
    assert "password_hash" not in entry.changes
    assert entry.address == "192.0.2.1"


def test_duplicate_username(ctx):
    _create()
    with pytest.raises(ServiceError) as error:
        _create(username="BUDI")
    assert error.value.field == "username"


def test_database_refuses_secretary_without_pillar(ctx):
    """The check constraint backs the service rule."""
    from sqlalchemy.exc import IntegrityError

    user = _create()
    with pytest.raises(IntegrityError), write_transaction():
        db.session.get(User, user.id).role = "secretary"


def test_last_admin_cannot_be_removed(ctx, make_user):
    admin = make_user("boss", role="admin")
    other = make_user("other", role="staff")
    with pytest.raises(ServiceError), write_transaction():
        services.update_user(
            admin, actor=other, full_name="Boss", role="staff", pillar_id=None, active=True
        )
    second = make_user("boss2", role="admin")
    with write_transaction():
        services.update_user(
            admin, actor=second, full_name="Boss", role="staff", pillar_id=None, active=True
        )
    assert db.session.get(User, admin.id).role == "staff"


def test_deactivation_renews_session_token(ctx, make_user):
    user = make_user("budi")
    token = user.session_token
    with write_transaction():
        services.set_user_active(user, False, actor=None)
    assert user.session_token != token and not user.active


def test_update_user_records_only_changed_fields(ctx, make_user):
    user = make_user("budi", full_name="Budi")
    with write_transaction():
        services.update_user(
            user, actor=None, full_name="Budi S", role="staff", pillar_id=None, active=True
        )
    entry = db.session.query(AuditEntry).filter_by(action="user.update").one()
    assert entry.changes == {"full_name": ["Budi", "Budi S"]}
    with write_transaction():
        services.update_user(
            user, actor=None, full_name="Budi S", role="staff", pillar_id=None, active=True
        )
    assert db.session.query(AuditEntry).filter_by(action="user.update").count() == 1


def test_authenticate(ctx, make_user):
    make_user("budi")
    user = services.authenticate("budi", PASSWORD, "192.0.2.1")
    assert user.username == "budi" and user.last_login_at is not None
    with pytest.raises(services.LoginRefused):
        services.authenticate("budi", "wrong", "192.0.2.1")
    with pytest.raises(services.LoginRefused):
        services.authenticate("nobody", "wrong", "192.0.2.1")
    assert db.session.query(LoginFailure).count() == 2


def test_authenticate_throttles(app, ctx, make_user):
    make_user("budi")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        with pytest.raises(services.LoginRefused):
            services.authenticate("budi", "wrong", "192.0.2.1")
    with pytest.raises(services.LoginThrottled):
        services.authenticate("budi", PASSWORD, "192.0.2.2")


def test_throttle_window_expires(app, ctx, make_user):
    from datetime import timedelta

    from intranet.core.db import utcnow

    make_user("budi")
    old = utcnow() - timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    with write_transaction():
        for _ in range(10):
            db.session.add(LoginFailure(username="budi", address="192.0.2.1", at=old))
    assert services.authenticate("budi", PASSWORD, "192.0.2.1").username == "budi"


def test_inactive_user_refused_even_with_right_password(ctx, make_user):
    make_user("budi", active=False)
    with pytest.raises(services.LoginRefused) as error:
        services.authenticate("budi", PASSWORD, "192.0.2.1")
    assert "deactivated" in error.value.message or "nonaktif" in error.value.message


def test_change_own_password_rules(ctx, make_user):
    user = make_user("budi")
    with pytest.raises(ServiceError) as error, write_transaction():
        services.change_own_password(user, "wrong", "new-pass-1", "new-pass-1")
    assert error.value.field == "current_password"
    with pytest.raises(ServiceError) as error, write_transaction():
        services.change_own_password(user, PASSWORD, "new-pass-1", "new-pass-2")
    assert error.value.field == "confirm_password"
    with pytest.raises(ServiceError) as error, write_transaction():  # all at once
        services.change_own_password(user, "wrong", "short", "other")
    assert [f for f, _m in error.value.all()] == [
        "current_password",
        "new_password",
        "confirm_password",
    ]
    with write_transaction():
        services.change_own_password(user, PASSWORD, "new-pass-1", "new-pass-1")
    assert db.session.get(User, user.id).check_password("new-pass-1")


def test_new_user_problems_all_at_once(ctx, make_user):
    make_user("budi")
    problems = services.new_user_problems(
        username="budi", full_name="", password="pendek", role="secretary", pillar_id=None
    )
    assert [field for field, _message in problems] == [
        "username",
        "full_name",
        "password",
        "pillar_id",
    ]
    with pytest.raises(ServiceError) as error, write_transaction():
        services.create_user(username="Bad Name", full_name="X", password="pendek")
    assert {f for f, _m in error.value.all()} == {"username", "password"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "has space"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "colour"),
        ({"colour": "#12345"}, "colour"),
    ],
)
def test_pillar_validation(ctx, fields, field):
    values = {"code": "TKSK", "name": "Tenaga", "colour": "#123456", "actor": None, **fields}
    with pytest.raises(ServiceError) as error, write_transaction():
        services.create_pillar(**values)
    assert error.value.field == field


def test_pillar_code_unique_case_insensitive(ctx, make_pillar):
    make_pillar("TKSK")
    with pytest.raises(ServiceError) as error, write_transaction():
        services.create_pillar(code="tksk", name="x", colour="#000000", actor=None)
    assert error.value.field == "code"


def test_pillar_member_counts(ctx, make_pillar, make_user):
    pillar = make_pillar("PKH")
    make_user("a.one", pillar=pillar)
    make_user("b.two", pillar=pillar)
    make_user("c.three", pillar=pillar, active=False)
    assert services.pillar_member_counts() == {pillar.id: 2}


def test_audit_entry_rolls_back_with_the_change(ctx):
    with pytest.raises(RuntimeError), write_transaction():
        services.create_user(username="budi", full_name="Budi", password=PASSWORD, actor=None)
        raise RuntimeError("the change fails after the audit entry was added")
    assert db.session.query(User).count() == 0
    assert db.session.query(AuditEntry).count() == 0
