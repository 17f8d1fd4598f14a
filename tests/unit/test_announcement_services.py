"""Board rules with controlled time: scheduling, expiry, unread and acknowledgement counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from intranet.announcements import services
from intranet.announcements.models import Announcement
from intranet.core.db import utcnow
from intranet.core.services import NotAllowed
from intranet.extensions import db
from tests.announcement_helpers import categories, post  # noqa: F401


@pytest.fixture
def people(make_user, make_pillar):
    a, b = make_pillar("AAA"), make_pillar("BBB")
    return {
        "a": a,
        "b": b,
        "sec_a": make_user("sek.a", role="secretary", pillar=a),
        "staff_a": make_user("staf.a", pillar=a),
        "staff_b": make_user("staf.b", pillar=b),
        "desk": make_user("meja", role="receptionist"),
    }


def titles(user, now, **kw):
    return [p.title for p in db.session.scalars(*services.board_query(user, now=now, **kw))]


def test_scheduled_post_appears_at_its_time_and_expires_into_the_archive(people, post):  # noqa: F811
    t0 = utcnow()
    post(
        people["sec_a"],
        "Terjadwal",
        publish_at=t0 + timedelta(hours=2),
        expires_at=t0 + timedelta(days=3),
        now=t0,
    )
    staff = people["staff_a"]
    assert titles(staff, t0) == []
    assert services.unread_count(staff, t0) == 0
    assert titles(staff, t0 + timedelta(hours=2, seconds=1)) == ["Terjadwal"]
    assert services.unread_count(staff, t0 + timedelta(hours=3)) == 1
    later = t0 + timedelta(days=3, seconds=1)
    assert titles(staff, later) == []
    assert titles(staff, later, view="archive") == ["Terjadwal"]
    assert services.unread_count(staff, later) == 0  # expired posts are not news
    # Its author sees it among the scheduled ones before it is out.
    assert titles(people["sec_a"], t0, view="scheduled") == ["Terjadwal"]
    assert titles(staff, t0, view="scheduled") == []


def test_unread_counts_only_the_users_audience_and_recent_weeks(app, people, post):  # noqa: F811
    t0 = utcnow()
    old = post(
        people["sec_a"], "Lama", publish_at=t0 - timedelta(days=45), now=t0 - timedelta(days=45)
    )
    for_a = post(people["sec_a"], "Untuk A", pillars=[people["a"]], now=t0)
    post(people["sec_a"], "Untuk B", pillars=[people["b"]], now=t0)  # the posting pillar sees it
    post(people["desk"], "Untuk semua", now=t0)
    later = t0 + timedelta(minutes=1)
    assert services.unread_count(people["staff_a"], later) == 3
    assert services.unread_count(people["staff_b"], later) == 2
    assert services.unread_count(people["desk"], later) == 1  # no pillar: everyone-posts only
    services.mark_read(people["staff_a"], for_a, now=later)
    assert services.unread_count(people["staff_a"], later) == 2
    posts = db.session.scalars(*services.board_query(people["staff_a"], now=later)).all()
    assert old.id not in services.unread_ids(people["staff_a"], posts, now=later)
    assert "Lama" in [p.title for p in posts]


def test_acknowledge_counts_and_rules(app, people, post):  # noqa: F811
    notice = post(people["sec_a"], "Wajib", pillars=[people["a"]], requires_ack=True)
    plain = post(people["sec_a"], "Biasa")
    assert services.acknowledge(people["staff_a"], notice.id) is True
    assert services.acknowledge(people["staff_a"], notice.id) is False  # once
    with pytest.raises(NotAllowed):
        services.acknowledge(people["staff_a"], plain.id)
    with pytest.raises(services.ServiceError):
        services.acknowledge(people["staff_b"], notice.id)  # not in the audience
    report = services.ack_report(notice)
    assert (report.acked, report.total) == (1, 1)  # the author is not asked
    assert services.ack_counts([notice.id, plain.id]) == {notice.id: 1}
    assert services.read_count(notice) == 1  # acknowledging reads too


def test_every_error_at_once(app, people, categories):  # noqa: F811
    now = utcnow()
    data = services.PostData(
        title="",
        body="",
        category_id=None,
        audience_all=False,
        publish_at=now + timedelta(days=2),
        expires_at=now + timedelta(days=1),
        link="booking:999",
    )
    with pytest.raises(services.InvalidPost) as caught:
        services.create(people["sec_a"], data)
    assert set(caught.value.errors) == {
        "title",
        "body",
        "category",
        "audience",
        "expires_at",
        "link",
    }
    assert db.session.scalar(select(Announcement)) is None


def test_who_posts_as_what(app, people, post):  # noqa: F811
    assert post(people["sec_a"], "x").pillar_id == people["a"].id
    assert post(people["desk"], "y").pillar_id is None
    with pytest.raises(NotAllowed):
        post(people["staff_a"], "z")
