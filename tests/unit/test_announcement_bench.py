"""The board's part of the large-office generator, at scale 0.1, and its pages' cost."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from intranet import bench
from intranet.announcements import services
from intranet.announcements.models import Announcement, AnnouncementRead
from intranet.auth.models import User
from intranet.extensions import db
from tests.unit.test_bench_data import SCALE


@pytest.fixture
def generated(app):
    with app.test_request_context():
        return bench.generate(scale=SCALE, seed=7)


def test_posts_and_read_receipts_at_scale(generated):
    assert generated["announcement"] == 500
    assert 40_000 <= generated["announcement_read"] <= 50_000
    assert generated["announcement_ack"] > 0
    assert generated["announcement_audience"] > 0
    pinned = db.session.scalar(
        select(func.count()).select_from(Announcement).where(Announcement.pinned.is_(True))
    )
    assert 0 < pinned < 20


def test_bench_pages_answer_and_the_badge_stays_one_count(app, generated):
    user = db.session.scalar(select(User).where(User.username == bench.BENCH_USERNAME))
    assert services.unread_count(user) > 0
    pages = [p for p in bench.pages() if p["path"].startswith("/announcements")]
    assert {"board", "announcement", "unread badge (fragment)"} <= {p["name"] for p in pages}
    client = app.test_client()
    assert client.login(user.username, bench.BENCH_PASSWORD).status_code == 303
    for page in pages:
        headers = {"HX-Request": "true"} if page["htmx"] else {}
        if page["target"]:
            headers["HX-Target"] = page["target"]
        response = client.get(page["path"], headers=headers)
        assert response.status_code == 200, page
        limit = page["max_bytes"] or (10_000 if page["kind"] == "fragment" else 60_000)
        assert len(response.data) <= limit, (page["name"], len(response.data))


def test_board_pages_stay_fast_in_process(app, generated):
    """50 requests of the heaviest board pages with a tenth of the history."""
    from tests.web.test_query_counts import counted

    user = db.session.scalar(select(User).where(User.username == bench.BENCH_USERNAME))
    client = app.test_client()
    assert client.login(user.username, bench.BENCH_PASSWORD).status_code == 303
    paths = [p["path"] for p in bench.pages() if p["path"].startswith("/announcements")]
    for path in paths:
        status = client.get(path).status_code
        assert status == 200, (path, status)
    with counted() as statements:
        client.get("/announcements/badge", headers={"HX-Request": "true"})
    assert len([s for s in statements if "announcement" in s]) == 1
    started = time.perf_counter()
    for _ in range(50):
        client.get("/announcements/")
    per_request = (time.perf_counter() - started) / 50
    assert per_request < 0.1, per_request
    read = db.session.scalar(select(func.count()).select_from(AnnouncementRead))
    assert read > 0
