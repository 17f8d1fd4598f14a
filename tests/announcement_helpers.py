"""Factories for announcement tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.announcements import services
from intranet.announcements.models import AnnouncementCategory
from intranet.core.db import utcnow, write_transaction
from intranet.extensions import db


@pytest.fixture
def categories(app):
    with write_transaction():
        services.ensure_default_categories()
    return {c.name: c for c in db.session.query(AnnouncementCategory)}


@pytest.fixture
def post(app, categories):
    """``post(author, title=..., pillars=[...], ...)``: an announcement made by the service."""

    def make(author, title="Rapat koordinasi", *, pillars=None, category="Info", **fields):
        uploads = fields.pop("uploads", None)
        now = fields.pop("now", None) or utcnow()
        data = services.PostData(
            title=title,
            body=fields.pop("body", "Mohon hadir tepat waktu.\n\nTerima kasih."),
            category_id=categories[category].id,
            audience_all=not pillars,
            audience_pillar_ids=[p.id for p in pillars or []],
            **fields,
        )
        return services.create(author, data, uploads, now=now)

    return make


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
