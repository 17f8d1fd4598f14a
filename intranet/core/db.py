"""Database plumbing shared by every feature.

SQLite: WAL with synchronous=FULL, foreign keys, a busy timeout, and transactions that
start DEFERRED for reads but IMMEDIATE inside :func:`write_transaction`, so a
check-then-insert rule
holds the write lock from the check on. PostgreSQL: the same helper, with
:func:`lock_for_update` taking a row lock on the object the rule is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from intranet.extensions import db

SQLITE_BEGIN_OPTION = "sqlite_begin"
_IN_WRITE = "in_write_transaction"


_Built = TypeVar("_Built")


def built_once(build: Callable[..., _Built]) -> Callable[..., _Built]:
    """A statement built once per process, with ``bindparam`` placeholders for its
    values. Building a select and keying it for SQLAlchemy's compiled cache takes
    longer (about 0.3 ms) than SQLite takes to answer a small indexed query, and a
    page makes several. ``build``'s arguments choose the statement's shape (which
    filters it has), never the values: those go to ``execute`` as parameters."""
    return cache(build)


class Bound(NamedTuple):
    """A statement built once for its shape and the values to run it with:
    ``db.session.scalars(*bound)``, or ``paginate(*bound)``."""

    stmt: Any
    params: dict[str, Any]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An instant, stored as naive UTC everywhere and read back as aware UTC."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def configure_engine(engine: Engine) -> None:
    """Install the SQLite connection settings and transaction control."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the request answers, so a power cut cannot
        # take back a booking the user saw confirmed (NORMAL could; see README).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a check-then-write unit of work that concurrent requests cannot interleave.

    Commits on success and rolls back on any exception. Any read transaction that the
    request already had open (the user loader opens one) is ended first, so the
    write transaction starts fresh with the write lock (SQLite) and sees the newest
    committed data. On PostgreSQL call :func:`lock_for_update` on the row the rule is
    about before checking. Nested calls join the enclosing transaction.
    """
    session = db.session()
    if session.info.get(_IN_WRITE):
        yield session  # nested: part of the enclosing write transaction
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    session.info[_IN_WRITE] = True
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_IN_WRITE, None)


def lock_for_update(model: type, ident: Any) -> Any:
    """Load one row with a row lock (PostgreSQL); SQLite already holds the write lock."""
    stmt = (
        select(model)
        .where(model.id == ident)
        .with_for_update(of=model)  # not the outer-joined (eager-loaded) tables
        .execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one_or_none()
