"""Concurrent requests on one announcement: receipts stay single, edits keep every version.

Fired over real HTTP at a threaded server, on whichever database the suite runs.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intranet.announcements.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementRead,
    AnnouncementVersion,
)
from intranet.extensions import db
from tests.announcement_helpers import categories, post  # noqa: F401
from tests.servers import Browser, all_at_once, threaded_server

REQUESTS = 12


@pytest.fixture
def server(app):
    with threaded_server(app) as base:
        yield base


def test_many_tabs_acknowledge_once(app, server, users, post, make_user):  # noqa: F811
    notice_id = post(users["secretary"], "Wajib dibaca", requires_ack=True).id
    reader = make_user("pembaca")
    browsers = []
    for _ in range(REQUESTS):
        browser = Browser(server)
        browser.login(reader.username)
        browsers.append((browser, browser.token(f"/announcements/{notice_id}")))
    results = all_at_once(
        [
            lambda b=b, t=t: b.request(f"/announcements/{notice_id}/ack", {"csrf_token": t})
            for b, t in browsers
        ]
    )
    assert sorted(status for status, _ in results) == [303] * REQUESTS
    db.session.rollback()
    acks = db.session.scalar(select(func.count()).select_from(AnnouncementAck))
    reads = db.session.scalar(select(func.count()).select_from(AnnouncementRead))
    assert (acks, reads) == (1, 1)


def test_many_tabs_open_a_post_once(app, server, users, post, make_user):  # noqa: F811
    notice_id = post(users["secretary"], "Info baru").id
    reader = make_user("pembuka")
    browsers = []
    for _ in range(REQUESTS):
        browser = Browser(server)
        browser.login(reader.username)
        browsers.append(browser)
    results = all_at_once([lambda b=b: b.request(f"/announcements/{notice_id}") for b in browsers])
    assert [status for status, _ in results] == [200] * REQUESTS
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AnnouncementRead)) == 1


def test_simultaneous_edits_keep_every_version(app, server, users, post, categories):  # noqa: F811
    notice_id = post(users["secretary"], "Versi awal", body="Isi awal").id
    info_id = categories["Info"].id
    editors = []
    for _ in range(4):
        browser = Browser(server)
        browser.login(users["secretary"].username)
        editors.append((browser, browser.token(f"/announcements/{notice_id}/edit")))
    results = all_at_once(
        [
            lambda b=b, t=t, n=n: b.request(
                f"/announcements/{notice_id}/edit",
                {
                    "csrf_token": t,
                    "title": f"Versi {n}",
                    "body": f"Isi {n}",
                    "category": str(info_id),
                    "audience": "all",
                },
            )
            for n, (b, t) in enumerate(editors)
        ]
    )
    assert [status for status, _ in results] == [303] * 4
    db.session.rollback()
    final = db.session.get(Announcement, notice_id)
    versions = db.session.scalars(
        select(AnnouncementVersion.version).order_by(AnnouncementVersion.version)
    ).all()
    assert final.version == 5 and versions == [1, 2, 3, 4]
