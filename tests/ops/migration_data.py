"""The migration history, and rows for every table of the first revision.

The first revision never changes, so its rows are written here in raw SQL, as an
installation of that time would have stored them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, bindparam, text
from werkzeug.security import generate_password_hash

from intranet.ops.backup import script_directory
from tests.conftest import PASSWORD

FIRST_REVISION_TABLES = {"pillar", "user_account", "login_failure", "site_meta", "audit_entry"}
CREATED = datetime(2025, 11, 24, 2, 30)  # naive UTC, as stored


def revisions() -> list[str]:
    """Every revision, oldest first (the history is one line)."""
    script = script_directory()
    assert len(script.get_heads()) == 1, "migrations branch: merge them into one line"
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def first_revision() -> str:
    return revisions()[0]


def fill_first_revision(session) -> None:
    """Two pillars, two users, a failed login, a site fact and an audit entry."""
    session.execute(
        text(
            "INSERT INTO pillar (id, code, name, description, colour, active) VALUES "
            "(1, 'TKSK', 'Tenaga Kesejahteraan Sosial Kecamatan', 'Satu per kecamatan', "
            "'#1565c0', :yes), "
            "(2, 'TAGANA', 'Taruna Siaga Bencana', 'Relawan bencana', '#c62828', :no)"
        ),
        {"yes": True, "no": False},
    )
    session.execute(
        text(
            "INSERT INTO user_account (id, username, full_name, email, phone, password_hash, "
            "role, pillar_id, active, locale, session_token, created_at, last_login_at) VALUES "
            "(1, 'ani.tksk', 'Ani Rahmawati', 'ani@dinsos.example', '0812-3456-7890', :hash, "
            "'secretary', 1, :yes, 'id', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', :created, :created), "
            "(2, 'budi', 'Budi Santoso', '', '', :hash, 'admin', NULL, :yes, NULL, "
            "'f0e1d2c3b4a5968778695a4b3c2d1e0f', :created, NULL)"
        ),
        {
            "hash": generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"),
            "yes": True,
            "created": CREATED,
        },
    )
    session.execute(
        text(
            "INSERT INTO login_failure (id, username, address, at) "
            "VALUES (1, 'budi', '10.0.0.5', :created)"
        ),
        {"created": CREATED},
    )
    session.execute(text("INSERT INTO site_meta (key, value) VALUES ('installed', '2025-11-24')"))
    session.execute(
        text(
            "INSERT INTO audit_entry (id, at, user_id, username, address, action, object_type, "
            "object_id, summary, changes) VALUES (1, :created, 2, 'budi', '10.0.0.5', "
            "'user.create', 'user', '1', 'ani.tksk', :changes)"
        ).bindparams(bindparam("changes", type_=JSON)),
        {"created": CREATED, "changes": {"role": [None, "secretary"]}},
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows inserted with explicit ids: move the sequences past them.
        for table in ("pillar", "user_account", "login_failure", "audit_entry"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
