"""The board over HTTP: posting, seeing, reading, acknowledging, editing, deleting."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from intranet.announcements import services
from intranet.announcements.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementRead,
    AnnouncementVersion,
)
from intranet.core.attachments import Attachment
from intranet.core.audit import AuditEntry
from intranet.core.db import utcnow
from intranet.extensions import db
from tests.announcement_helpers import categories, post  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def office(users, make_user, make_pillar):
    """Two pillars with a secretary and a staff member each."""
    tksk, psm, tagana = make_pillar("TKSK"), make_pillar("PSM"), make_pillar("TAGANA")
    return {
        "tksk": tksk,
        "psm": psm,
        "tagana": tagana,
        "sec_tksk": make_user("sek.tksk", role="secretary", pillar=tksk, full_name="Sri Wahyuni"),
        "sec_tagana": make_user("sek.tagana", role="secretary", pillar=tagana),
        "staff_tksk": make_user("staf.tksk", pillar=tksk, full_name="Budi Santoso"),
        "staff_psm": make_user("staf.psm", pillar=psm, full_name="Siti Aminah"),
        "staff_tagana": make_user("staf.tagana", pillar=tagana, full_name="Andi Saputra"),
    }


def client_for(app, user):
    web = app.test_client()
    assert web.login(user.username).status_code == 303
    return web


def form(categories, **fields):  # noqa: F811
    data = {
        "title": "Rapat koordinasi bulanan",
        "body": "Rapat **penting** untuk semua.\n\n- Agenda 1\n- Agenda 2",
        "category": str(categories["Info"].id),
        "audience": "all",
    }
    data.update(fields)
    return data


def test_secretary_posts_for_chosen_pillars_with_attachments(app, office, categories):  # noqa: F811
    web = client_for(app, office["sec_tksk"])
    data = form(
        categories,
        category=str(categories["Penting"].id),
        audience=[str(office["tksk"].id), str(office["psm"].id)],
        requires_ack="y",
        pinned="y",
    )
    data["attachments"] = [(io.BytesIO(PDF), "surat.pdf"), (io.BytesIO(PNG), "foto.png")]
    response = web.post_form("/announcements/new", data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    created = db.session.scalar(select(Announcement))
    assert created.pillar_id == office["tksk"].id
    assert not created.audience_all
    assert set(created.audience_pillar_ids) == {office["tksk"].id, office["psm"].id}
    assert created.pinned and created.requires_ack
    files = db.session.scalars(select(Attachment).where(Attachment.owner_id == created.id)).all()
    assert sorted(f.kind for f in files) == ["image", "pdf"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.create"))
    assert entry.changes["audience"] == [None, "PSM, TKSK"]

    # The audience sees it; another pillar sees neither the post nor its files.
    psm = client_for(app, office["staff_psm"])
    assert "Rapat koordinasi bulanan" in psm.get("/announcements/").get_data(as_text=True)
    assert psm.get(f"/announcements/{created.id}").status_code == 200
    tagana = client_for(app, office["staff_tagana"])
    assert "Rapat koordinasi bulanan" not in tagana.get("/announcements/").get_data(as_text=True)
    assert tagana.get(f"/announcements/{created.id}").status_code == 404
    for f in files:
        assert tagana.get(f"/attachments/{f.id}").status_code == 404
        shown = psm.get(f"/attachments/{f.id}")
        assert shown.status_code == 200
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert shown.headers["Content-Disposition"].startswith("attachment")


def test_every_error_at_once_next_to_its_field(app, office, categories):  # noqa: F811
    web = client_for(app, office["sec_tksk"])
    data = {
        "title": "",
        "body": "",
        "category": "",
        "publish_at": "2030-01-10T10:00",
        "expires_at": "2030-01-09T10:00",
    }
    response = web.post_form("/announcements/new", data, htmx=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" not in page
    for field in ("title", "body", "category", "audience", "expires_at"):
        assert f'id="{field}-error"' in page, field
    assert 'value="2030-01-10T10:00"' in page  # values kept
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_unreadable_date_is_an_error_not_a_crash(app, office, categories):  # noqa: F811
    web = client_for(app, office["sec_tksk"])
    response = web.post_form("/announcements/new", form(categories, publish_at="besok pagi"))
    assert response.status_code == 422
    assert 'id="publish_at-error"' in response.get_data(as_text=True)


def test_preview_without_publishing(app, office, categories):  # noqa: F811
    web = client_for(app, office["sec_tksk"])
    data = form(categories, body="Halo <script>alert(1)</script> **tebal**", preview="1")
    page = web.post_form("/announcements/new", data).get_data(as_text=True)
    assert "<strong>tebal</strong>" in page and "<script>alert" not in page
    assert 'id="announcement-form"' in page
    fragment = web.post_form("/announcements/preview", data, htmx=True)
    assert fragment.status_code == 200
    text = fragment.get_data(as_text=True)
    assert "<strong>tebal</strong>" in text and "<html" not in text
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_staff_may_not_post(app, office, categories):  # noqa: F811
    web = client_for(app, office["staff_tksk"])
    assert web.get("/announcements/new").status_code == 403
    assert web.post_form("/announcements/new", form(categories)).status_code == 403


def test_secretary_edits_only_her_pillars_posts(app, office, post, users):  # noqa: F811
    mine = post(office["sec_tksk"], "Pengumuman TKSK")
    other = client_for(app, office["sec_tagana"])
    assert other.get(f"/announcements/{mine.id}/edit").status_code == 403
    assert other.post_form(f"/announcements/{mine.id}/delete").status_code == 403
    desk = client_for(app, users["receptionist"])
    assert desk.get(f"/announcements/{mine.id}/edit").status_code == 403
    office_post = post(users["receptionist"], "Pengumuman kantor")
    assert office_post.pillar_id is None
    assert desk.get(f"/announcements/{office_post.id}/edit").status_code == 200
    assert other.get(f"/announcements/{office_post.id}/edit").status_code == 403


def test_edit_keeps_history_and_marks_updated(app, office, post, categories):  # noqa: F811
    original = post(office["sec_tksk"], "Rapat hari Senin", body="Versi pertama")
    web = client_for(app, office["sec_tksk"])
    response = web.post_form(
        f"/announcements/{original.id}/edit",
        form(categories, title="Rapat diundur ke Selasa", body="Versi kedua"),
    )
    assert response.status_code == 303
    db.session.expire_all()
    changed = db.session.get(Announcement, original.id)
    assert changed.updated_at is not None and changed.version == 2
    old = db.session.scalar(select(AnnouncementVersion))
    assert (old.title, old.body, old.version) == ("Rapat hari Senin", "Versi pertama", 1)
    page = client_for(app, office["staff_tksk"]).get(f"/announcements/{original.id}")
    text = page.get_data(as_text=True)
    assert "Versi kedua" in text and "Versi pertama" in text  # the history
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.update"))
    assert entry.changes["title"] == ["Rapat hari Senin", "Rapat diundur ke Selasa"]


def test_soft_delete_and_admin_restore(app, office, post, users):  # noqa: F811
    doomed = post(office["sec_tksk"], "Salah kirim")
    web = client_for(app, office["sec_tksk"])
    assert web.post_form(f"/announcements/{doomed.id}/delete").status_code == 303
    staff = client_for(app, office["staff_tksk"])
    assert staff.get(f"/announcements/{doomed.id}").status_code == 404
    assert "Salah kirim" not in staff.get("/announcements/").get_data(as_text=True)
    assert db.session.get(Announcement, doomed.id) is not None  # still stored
    admin = client_for(app, users["admin"])
    assert "Salah kirim" in admin.get("/announcements/?view=deleted").get_data(as_text=True)
    assert staff.get("/announcements/?view=deleted").status_code == 403
    assert web.post_form(f"/announcements/{doomed.id}/restore").status_code == 403
    assert admin.post_form(f"/announcements/{doomed.id}/restore").status_code == 303
    assert staff.get(f"/announcements/{doomed.id}").status_code == 200


def test_opening_marks_read_and_the_badge_counts_unread(app, office, post):  # noqa: F811
    first = post(office["sec_tksk"], "Satu")
    post(office["sec_tksk"], "Dua", pillars=[office["tksk"]])
    post(office["sec_tagana"], "Tiga", pillars=[office["tagana"]])
    staff = client_for(app, office["staff_tksk"])
    badge = staff.htmx_get("/announcements/badge")
    assert badge.status_code == 200 and "<html" not in badge.get_data(as_text=True)
    assert '<span class="badge"' in badge.get_data(as_text=True)
    assert ">2</span>" in badge.get_data(as_text=True)
    board = staff.get("/announcements/").get_data(as_text=True)
    assert board.count("unread-mark") == 2
    staff.get(f"/announcements/{first.id}")
    staff.get(f"/announcements/{first.id}")  # twice: one receipt
    assert db.session.scalar(select(func.count()).select_from(AnnouncementRead)) == 1
    assert ">1</span>" in staff.htmx_get("/announcements/badge").get_data(as_text=True)


def test_acknowledgement_counts_by_pillar(app, office, post):  # noqa: F811
    notice = post(
        office["sec_tksk"],
        "Wajib dibaca",
        pillars=[office["tksk"], office["psm"]],
        requires_ack=True,
    )
    staff = client_for(app, office["staff_psm"])
    page = staff.get(f"/announcements/{notice.id}").get_data(as_text=True)
    assert "Saya sudah membaca" in page
    response = staff.post_form(f"/announcements/{notice.id}/ack", htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "badgeChanged"
    staff.post_form(f"/announcements/{notice.id}/ack")  # again: still one
    assert db.session.scalar(select(func.count()).select_from(AnnouncementAck)) == 1
    outsider = client_for(app, office["staff_tagana"])
    assert outsider.post_form(f"/announcements/{notice.id}/ack").status_code == 404
    # The author sees 1 of 2 (the TKSK and the PSM staff member: the author is not asked).
    assert "Saya sudah membaca" not in author_page(app, office, notice)
    author = client_for(app, office["sec_tksk"])
    report = author.get(f"/announcements/{notice.id}/acknowledgements")
    text = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "Siti Aminah" in text and "Budi Santoso" in text
    assert "1 / 2" in author.get(f"/announcements/{notice.id}").get_data(as_text=True)
    assert staff.get(f"/announcements/{notice.id}/acknowledgements").status_code == 403
    got = services.ack_report(notice)
    assert (got.acked, got.total, got.missing) == (1, 2, 1)
    assert {g.pillar.code: (len(g.acked), g.total) for g in got.groups} == {
        "PSM": (1, 1),
        "TKSK": (0, 1),
    }


def author_page(app, office, notice):
    return (
        client_for(app, office["sec_tksk"])
        .get(f"/announcements/{notice.id}")
        .get_data(as_text=True)
    )


def test_scheduled_and_expired_posts(app, office, post):  # noqa: F811
    now = utcnow()
    later = post(office["sec_tksk"], "Nanti saja", publish_at=now + timedelta(days=2))
    gone = post(
        office["sec_tksk"],
        "Sudah lewat",
        publish_at=now - timedelta(days=5),
        expires_at=now + timedelta(seconds=1),
        now=now - timedelta(days=5),
    )
    db.session.execute(
        Announcement.__table__.update()
        .where(Announcement.id == gone.id)
        .values(expires_at=now - timedelta(days=1))
    )
    db.session.commit()
    staff = client_for(app, office["staff_tksk"])
    board = staff.get("/announcements/").get_data(as_text=True)
    assert "Nanti saja" not in board and "Sudah lewat" not in board
    assert staff.get(f"/announcements/{later.id}").status_code == 404
    assert "Sudah lewat" in staff.get("/announcements/?view=archive").get_data(as_text=True)
    author = client_for(app, office["sec_tksk"])
    assert "Nanti saja" in author.get("/announcements/?view=scheduled").get_data(as_text=True)
    assert author.get(f"/announcements/{later.id}").status_code == 200


def test_filters_and_search(app, office, post):  # noqa: F811
    post(office["sec_tksk"], "Bimtek TKSK", body="pelatihan pendamping", category="Undangan")
    post(office["sec_tagana"], "Simulasi bencana", body="dapur umum", category="Penting")
    staff = client_for(app, office["staff_psm"])
    by_pillar = staff.get(f"/announcements/?pillar={office['tagana'].id}").get_data(as_text=True)
    assert "Simulasi bencana" in by_pillar and "Bimtek TKSK" not in by_pillar
    found = staff.htmx_get("/announcements/?q=dapur", **{"HX-Target": "board"})
    text = found.get_data(as_text=True)
    assert "<html" not in text and "Simulasi bencana" in text and "Bimtek" not in text


def test_pinned_first_then_newest(app, office, post):  # noqa: F811
    now = utcnow()
    post(office["sec_tksk"], "Lama disematkan", pinned=True, publish_at=now - timedelta(days=3))
    post(office["sec_tksk"], "Baru", publish_at=now - timedelta(hours=1))
    post(office["sec_tksk"], "Kemarin", publish_at=now - timedelta(days=1))
    posts = db.session.scalars(*services.board_query(office["staff_tksk"])).all()
    assert [p.title for p in posts] == ["Lama disematkan", "Baru", "Kemarin"]


def test_atom_feed_lists_what_the_token_owner_may_see(app, office, post):  # noqa: F811
    from intranet.bookings import feeds as booking_feeds
    from intranet.core.db import write_transaction

    post(office["sec_tksk"], "Untuk TKSK", pillars=[office["tksk"]])
    post(office["sec_tagana"], "Untuk TAGANA <b>", pillars=[office["tagana"]])
    user = office["staff_tagana"]
    with write_transaction():
        token = booking_feeds.ensure_calendar_token(user)
    anonymous = app.test_client()
    assert anonymous.get("/announcements/feed.atom").status_code == 404
    assert anonymous.get("/announcements/feed.atom?token=wrong").status_code == 404
    response = anonymous.get(f"/announcements/feed.atom?token={token}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    text = response.get_data(as_text=True)
    assert "Untuk TAGANA &lt;b&gt;" in text and "Untuk TKSK" not in text


def test_invitation_links_to_a_booking(app, office, categories, make_room, book, next_week):  # noqa: F811
    room = make_room("Aula Utama", location="Lantai 1")
    booking = book(room, next_week, user=office["sec_tksk"], pillar_id=office["tksk"].id)
    web = client_for(app, office["sec_tksk"])
    new_page = web.get("/announcements/new").get_data(as_text=True)
    assert f'value="booking:{booking.id}"' in new_page
    data = form(categories, category=str(categories["Undangan"].id), link=f"booking:{booking.id}")
    assert web.post_form("/announcements/new", data).status_code == 303
    created = db.session.scalar(select(Announcement))
    page = client_for(app, office["staff_psm"]).get(f"/announcements/{created.id}")
    text = page.get_data(as_text=True)
    assert "Aula Utama, Lantai 1" in text and "09.00" in text
    # Someone else's booking cannot be linked by a secretary of another pillar.
    other = client_for(app, office["sec_tagana"])
    refused = other.post_form("/announcements/new", form(categories, link=f"booking:{booking.id}"))
    assert refused.status_code == 422 and 'id="link-error"' in refused.get_data(as_text=True)


def test_share_text_for_whatsapp(app, office, post):  # noqa: F811
    notice = post(office["sec_tksk"], "Rapat Pleno", body="Hadir **semua** ya.\n\nTerima kasih")
    page = client_for(app, office["staff_tksk"]).get(f"/announcements/{notice.id}")
    text = page.get_data(as_text=True)
    assert "*Rapat Pleno*\nHadir semua ya. Terima kasih" in text
    assert f"/announcements/{notice.id}" in text
    assert "https://wa.me/?text=" in text


def test_admin_edits_the_category_list(app, users, categories):  # noqa: F811
    admin = client_for(app, users["admin"])
    assert admin.get("/admin/announcement-categories/").status_code == 200
    response = admin.post_form(
        "/admin/announcement-categories/new",
        {"new-name": "Lowongan", "new-position": "9", "new-active": "y"},
    )
    assert response.status_code == 303
    assert "Lowongan" in [c.name for c in services.categories()]
    clash = admin.post_form("/admin/announcement-categories/new", {"new-name": "info"})
    assert clash.status_code == 422
    info = categories["Info"]
    admin.post_form(
        f"/admin/announcement-categories/{info.id}",
        {f"c{info.id}-name": "Informasi", f"c{info.id}-position": "0"},
    )
    names = [c.name for c in services.categories(include_inactive=True)]
    assert "Informasi" in names
    assert "Informasi" not in [c.name for c in services.categories()]  # not ticked: not in use


def test_audit_log_reads_names(app, office, users, categories, make_room, book, next_week):  # noqa: F811
    room = make_room("Ruang Rapat Audit")
    booking = book(room, next_week, user=office["sec_tksk"], title="Rapat pleno TKSK")
    web = client_for(app, office["sec_tksk"])
    data = form(categories, category=str(categories["Undangan"].id), link=f"booking:{booking.id}")
    assert web.post_form("/announcements/new", data).status_code == 303
    page = client_for(app, users["admin"]).get("/admin/audit/?object_type=announcement")
    text = page.get_data(as_text=True)
    assert "Pengumuman dipasang" in text
    assert "Undangan" in text and "Rapat pleno TKSK" in text
    assert f"booking:{booking.id}" not in text


def test_attachment_limits_are_checked_on_the_content(app, office, categories):  # noqa: F811
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    web = client_for(app, office["sec_tksk"])
    data = form(categories)
    data["attachments"] = [
        (io.BytesIO(b"MZ\x90\x00 not a pdf"), "surat.pdf"),
        (io.BytesIO(PDF + b"0" * 2048), "besar.pdf"),
    ]
    response = web.post_form("/announcements/new", data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="attachments-error"' in page
    assert "surat.pdf" in page and "besar.pdf" in page  # both problems at once
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_edit_removes_and_adds_attachments(app, office, categories, post):  # noqa: F811
    from werkzeug.datastructures import FileStorage

    notice = post(
        office["sec_tksk"],
        "Dengan lampiran",
        uploads=[FileStorage(io.BytesIO(PDF), filename="lama.pdf")],
    )
    old = db.session.scalar(select(Attachment).where(Attachment.owner_id == notice.id))
    web = client_for(app, office["sec_tksk"])
    edit_page = web.get(f"/announcements/{notice.id}/edit").get_data(as_text=True)
    assert "lama.pdf" in edit_page
    data = form(categories, title="Dengan lampiran baru", remove_attachments=str(old.id))
    data["attachments"] = [(io.BytesIO(PNG), "baru.png")]
    response = web.post_form(
        f"/announcements/{notice.id}/edit", data, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    names = db.session.scalars(
        select(Attachment.filename).where(Attachment.owner_id == notice.id)
    ).all()
    assert names == ["baru.png"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "announcement.update"))
    assert entry.changes["attachments"] == ["lama.pdf", "baru.png"]


def test_invitation_links_to_a_training(app, users, categories, make_training, next_week):  # noqa: F811
    from datetime import time

    with app.test_request_context():
        training = make_training(
            title="Pelatihan Pendataan DTKS", sessions=[(next_week, time(9), time(12), None)]
        )
    web = client_for(app, users["secretary"])
    new_page = web.get("/announcements/new").get_data(as_text=True)
    assert f'value="training:{training.id}"' in new_page
    data = form(categories, category=str(categories["Undangan"].id), link=f"training:{training.id}")
    assert web.post_form("/announcements/new", data).status_code == 303
    created = db.session.scalar(select(Announcement))
    assert (created.link_kind, created.link_id) == ("training", training.id)
    page = client_for(app, users["staff"]).get(f"/announcements/{created.id}")
    text = page.get_data(as_text=True)
    assert "Pelatihan Pendataan DTKS" in text and "Kantor Camat" in text and "09.00" in text
    assert f"/trainings/{training.id}" in text
