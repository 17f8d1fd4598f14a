"""Small key-value facts about this installation (e.g. whether demo data is loaded)."""

from __future__ import annotations

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
    row = db.session.get(SiteMeta, key)
    if row is None:
        db.session.add(SiteMeta(key=key, value=value))
    else:
        row.value = value


def demo_data_present() -> bool:
    try:
        return get(DEMO_KEY) is not None
    except SQLAlchemyError:
        db.session.rollback()
        return False
