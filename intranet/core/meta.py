"""Small key-value facts about this installation (e.g. whether demo data is loaded)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import String
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from intranet.extensions import db

DEMO_KEY = "demo_seeded"


class SiteMeta(db.Model):
    __tablename__ = "site_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), default="")


def get(key: str) -> str | None:
    row = db.session.get(SiteMeta, key)
    return row.value if row else None


def put(key: str, value: str) -> None:
    _cache().pop(key, None)
    row = db.session.get(SiteMeta, key)
    if row is None:
        db.session.add(SiteMeta(key=key, value=value))
    else:
        row.value = value


def _cache() -> dict[str, bool]:
    return current_app.extensions.setdefault("site_meta", {})


def demo_data_present() -> bool:
    """Whether demo data is loaded: asked by every page's layout, so it is read once per
    process (demo data is seeded before the server starts, by `make run`)."""
    cache = _cache()
    if DEMO_KEY not in cache:
        try:
            cache[DEMO_KEY] = get(DEMO_KEY) is not None
        except SQLAlchemyError:
            db.session.rollback()
            return False
    return cache[DEMO_KEY]
