"""Users, roles and pillars."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from intranet.core.db import UTCDateTime, utcnow
from intranet.extensions import db


class Role(enum.StrEnum):
    STAFF = "staff"
    SECRETARY = "secretary"
    RECEPTIONIST = "receptionist"
    ASSET_KEEPER = "asset_keeper"
    ADMIN = "admin"


ROLE_VALUES = tuple(r.value for r in Role)


class Pillar(db.Model):
    __tablename__ = "pillar"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000), default="")
    colour: Mapped[str] = mapped_column(String(7), default="#1565c0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("length(colour) = 7", name="colour_hex"),)

    def __repr__(self) -> str:
        return f"<Pillar {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.STAFF.value)
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("pillar.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Part of the session id: bumping it logs the user out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    # Secret in calendar feed URLs (subscriptions carry no session); regenerable.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Something a feature will tell the user on their next page (e.g. a seat freed up):
    # pages look for it only when this is set, so no page pays a query for nothing.
    has_notices: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    pillar: Mapped[Pillar | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint(
            "role IN ('staff', 'secretary', 'receptionist', 'asset_keeper', 'admin')",
            name="role_known",
        ),
        CheckConstraint("role <> 'secretary' OR pillar_id IS NOT NULL", name="secretary_pillar"),
        Index("ix_user_account_role_active", "role", "active"),
    )

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class LoginFailure(db.Model):
    """A failed login, kept in the database so throttling holds across workers."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )
