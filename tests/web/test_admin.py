"""User and pillar administration, and the audit log pages."""

from __future__ import annotations

from intranet.auth.models import Pillar, User
from intranet.core.audit import AuditEntry
from intranet.extensions import db


def _fresh(model, ident):
    db.session.rollback()  # end the test's read snapshot
    return db.session.get(model, ident)


def test_user_list_search_filters_and_pagination(app, login_as, make_user, make_pillar):
    admin = login_as("admin")
    pillar = make_pillar("TKSK")
    for n in range(30):
        make_user(f"orang.{n:02d}", full_name=f"Orang {n:02d}", pillar=pillar if n % 2 else None)
    make_user("tidak.aktif", full_name="Tidak Aktif", active=False)
    page1 = admin.get("/admin/users/").get_data(as_text=True)
    assert 'rel="next"' in page1
    page2 = admin.get("/admin/users/?page=2").get_data(as_text=True)
    assert 'rel="prev"' in page2
    assert admin.get("/admin/users/?page=99").status_code == 404
    found = admin.htmx_get("/admin/users/?q=orang.07").get_data(as_text=True)
    assert "Orang 07" in found and "Orang 08" not in found and "<html" not in found
    by_pillar = admin.get(f"/admin/users/?pillar_id={pillar.id}").get_data(as_text=True)
    assert "Orang 01" in by_pillar and "Orang 02" not in by_pillar
    inactive = admin.get("/admin/users/?active=0").get_data(as_text=True)
    assert "Tidak Aktif" in inactive and "Orang 01" not in inactive
    by_role = admin.get("/admin/users/?role=admin").get_data(as_text=True)
    assert "Orang 01" not in by_role


def test_create_user(login_as, make_pillar):
    admin = login_as("admin")
    pillar = make_pillar("PKH")
    response = admin.post_form(
        "/admin/users/new",
        {
            "username": "Rina.Pkh",
            "full_name": "Rina Pratiwi",
            "email": "rina@pkh.example.org",
            "role": "secretary",
            "pillar_id": str(pillar.id),
            "password": "mulai-123",
            "active": "y",
        },
    )
    assert response.status_code == 303
    user = db.session.query(User).filter_by(username="rina.pkh").one()
    assert user.role == "secretary" and user.pillar_id == pillar.id
    assert user.email == "rina@pkh.example.org"
    entry = (
        db.session.query(AuditEntry).filter_by(action="user.create", object_id=str(user.id)).one()
    )
    assert entry.username == "admin"
    assert entry.changes["role"] == [None, "secretary"]


def test_create_user_errors_keep_values(login_as):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/users/new",
        {"username": "x", "full_name": "Tanpa Pilar", "role": "secretary", "password": "abc"},
        htmx=True,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'value="Tanpa Pilar"' in html
    assert 'id="username-error"' in html
    assert db.session.query(User).filter_by(full_name="Tanpa Pilar").count() == 0


def test_create_user_duplicate_username(login_as, users):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/users/new",
        {"username": "staff", "full_name": "Again", "role": "staff", "password": "mulai-123"},
    )
    assert response.status_code == 422
    assert 'id="username-error"' in response.get_data(as_text=True)


def test_secretary_needs_a_pillar(login_as):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/users/new",
        {"username": "sek", "full_name": "Sek", "role": "secretary", "password": "mulai-123"},
    )
    assert response.status_code == 422
    assert 'id="pillar_id-error"' in response.get_data(as_text=True)


def test_edit_user_role_and_pillar(login_as, users, make_pillar):
    admin = login_as("admin")
    pillar = make_pillar("KT")
    staff = users["staff"]
    response = admin.post_form(
        f"/admin/users/{staff.id}",
        {
            "full_name": "Staf Baru",
            "role": "secretary",
            "pillar_id": str(pillar.id),
            "active": "y",
        },
    )
    assert response.status_code == 303
    user = _fresh(User, staff.id)
    assert (user.full_name, user.role, user.pillar_id) == ("Staf Baru", "secretary", pillar.id)
    entry = db.session.query(AuditEntry).filter_by(action="user.update").one()
    assert entry.changes["role"] == ["staff", "secretary"]
    assert "username" not in entry.changes


def test_edit_form_shows_values(login_as, users):
    admin = login_as("admin")
    html = admin.get(f"/admin/users/{users['staff'].id}").get_data(as_text=True)
    assert users["staff"].full_name in html
    assert admin.get("/admin/users/99999").status_code == 404


def test_admin_cannot_demote_themselves(login_as, users):
    admin = login_as("admin")
    me = users["admin"]
    response = admin.post_form(
        f"/admin/users/{me.id}", {"full_name": me.full_name, "role": "staff", "active": "y"}
    )
    assert response.status_code == 422
    assert _fresh(User, me.id).role == "admin"


def test_toggle_active_swaps_row(login_as, users):
    admin = login_as("admin")
    staff = users["staff"]
    response = admin.post_form(f"/admin/users/{staff.id}/active", htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="user-{staff.id}"')
    assert _fresh(User, staff.id).active is False
    response = admin.post_form(f"/admin/users/{staff.id}/active")
    assert response.status_code == 303
    assert _fresh(User, staff.id).active is True


def test_toggle_own_account_is_refused_in_row(login_as, users):
    admin = login_as("admin")
    response = admin.post_form(f"/admin/users/{users['admin'].id}/active", htmx=True)
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)
    assert _fresh(User, users["admin"].id).active is True


def test_reset_password(app, login_as, users):
    admin = login_as("admin")
    staff_client = app.test_client()
    staff_client.login("staff")
    response = admin.post_form(
        f"/admin/users/{users['staff'].id}/password", {"password": "baru-12345"}
    )
    assert response.status_code == 303
    assert staff_client.get("/").status_code == 302  # signed out everywhere
    assert app.test_client().login("staff", "baru-12345").status_code == 303
    assert db.session.query(AuditEntry).filter_by(action="user.password_reset").count() == 1


def test_reset_password_too_short(login_as, users):
    admin = login_as("admin")
    response = admin.post_form(
        f"/admin/users/{users['staff'].id}/password", {"password": "short"}, htmx=True
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="password-error"' in html


def test_pillars_list_create_and_edit(login_as):
    admin = login_as("admin")
    response = admin.post_form(
        "/admin/pillars/new",
        {"code": "tagana", "name": "Taruna Siaga Bencana", "colour": "#C62828", "active": "y"},
    )
    assert response.status_code == 303
    pillar = db.session.query(Pillar).filter_by(code="TAGANA").one()
    assert pillar.colour == "#c62828"
    html = admin.get("/admin/pillars/").get_data(as_text=True)
    assert "Taruna Siaga Bencana" in html
    response = admin.post_form(
        f"/admin/pillars/{pillar.id}",
        {"code": "TAGANA", "name": "Tagana", "colour": "#c62828", "description": "Relawan"},
    )
    assert response.status_code == 303
    pillar = _fresh(Pillar, pillar.id)
    assert pillar.name == "Tagana" and pillar.active is False
    entries = db.session.query(AuditEntry).filter_by(object_type="pillar", object_id=str(pillar.id))
    actions = [e.action for e in entries.order_by(AuditEntry.id)]
    assert actions == ["pillar.create", "pillar.update"]


def test_pillar_errors(login_as, make_pillar):
    admin = login_as("admin")
    make_pillar("PKH")
    response = admin.post_form(
        "/admin/pillars/new", {"code": "pkh", "name": "Dup", "colour": "#00ff00"}, htmx=True
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="code-error"' in html and 'value="Dup"' in html
    response = admin.post_form(
        "/admin/pillars/new", {"code": "NEW", "name": "New", "colour": "blue"}, htmx=True
    )
    assert 'id="colour-error"' in response.get_data(as_text=True)
    assert admin.get("/admin/pillars/9999").status_code == 404


def test_audit_log_filters(login_as, users, make_pillar):
    admin = login_as("admin")
    make_pillar("PSM")
    admin.post_form(
        f"/admin/users/{users['staff'].id}",
        {"full_name": "Staf Diubah", "role": "staff", "active": "y"},
    )
    html = admin.get("/admin/audit/").get_data(as_text=True)
    assert "staff" in html and "PSM" in html
    only_users = admin.htmx_get("/admin/audit/?object_type=pillar").get_data(as_text=True)
    assert "PSM" in only_users and "Staf Diubah" not in only_users and "<html" not in only_users
    by_admin = admin.get(f"/admin/audit/?user_id={users['admin'].id}").get_data(as_text=True)
    assert "Staf Diubah" in by_admin and "PSM" not in by_admin  # factories act as nobody
    history = admin.get(f"/admin/audit/?object_type=user&object_id={users['staff'].id}").get_data(
        as_text=True
    )
    assert "Staf Diubah" in history
    future = admin.get("/admin/audit/?date_from=2999-01-01").get_data(as_text=True)
    assert "Staf Diubah" not in future
    today_only = admin.get("/admin/audit/?date_from=2000-01-01&date_to=2999-12-31")
    assert "Staf Diubah" in today_only.get_data(as_text=True)
    assert admin.get("/admin/audit/?date_from=garbage").status_code == 200


def test_audit_records_address(login_as, users):
    admin = login_as("admin")
    admin.post_form(
        f"/admin/users/{users['staff'].id}/active", environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    entry = db.session.query(AuditEntry).filter_by(action="user.update").one()
    assert entry.address == "192.0.2.7"


def test_a_new_pillar_gets_an_unused_colour_and_look_alikes_need_a_tick(login_as, make_pillar):
    from intranet.auth import colours

    make_pillar("TKSK", colour="#1565c0")
    make_pillar("PKH", colour="#2e7d32")
    client = login_as("admin")
    page = client.get("/admin/pillars/new").get_data(as_text=True)
    suggested = colours.next_free(["#1565c0", "#2e7d32", "#123456"])
    assert f'value="{suggested}"' in page and 'list="pillar-palette"' in page
    data = {"code": "BARU", "name": "Pilar Baru", "colour": "#1a66c2", "active": "y"}
    refused = client.post_form("/admin/pillars/new", data)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "sulit dibedakan dari TKSK" in text and 'name="keep_colour"' in text
    assert 'value="Pilar Baru"' in text
    kept = client.post_form("/admin/pillars/new", {**data, "keep_colour": "y"})
    assert kept.status_code == 303


def test_the_palette_keeps_its_colours_apart():
    from itertools import combinations

    from intranet.auth import colours

    assert min(colours.distance(a, b) for a, b in combinations(colours.PALETTE, 2)) >= 22
    assert colours.next_free([]) == colours.PALETTE[0]
    assert colours.next_free(colours.PALETTE[:10]) not in colours.PALETTE[:10]


def test_the_audit_log_and_a_booking_history_read_names(login_as, users, make_room, next_week):
    from datetime import time

    from intranet.bookings import services as bookings

    aula, rapat = make_room("Aula Besar"), make_room("Ruang Rapat Dua")
    booking = bookings.create_booking(
        users["staff"],
        bookings.BookingRequest(
            room_id=aula.id, day=next_week, start=time(9), end=time(10), title="Rapat PKH"
        ),
    )
    request = bookings.request_from_booking(booking)
    request.room_id = rapat.id
    bookings.update_booking(users["receptionist"], booking.id, request)
    admin = login_as("admin")
    admin.post_form(
        f"/admin/users/{users['staff'].id}",
        {"full_name": "Staf", "role": "secretary", "pillar_id": users["secretary"].pillar_id},
    )
    log = admin.get("/admin/audit/").get_data(as_text=True)
    assert "<del>Aula Besar</del> → <ins>Ruang Rapat Dua</ins>" in log
    assert "<ins>Sekretaris pilar</ins>" in log and "<del>Staf</del>" in log
    assert "<del>Ya</del> → <ins>Tidak</ins>" in log  # the form left "active" unticked
    assert f"<ins>{users['secretary'].pillar.name}</ins>" in log
    panel = admin.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Receptionist" in panel and "<ins>Ruang Rapat Dua</ins>" in panel
