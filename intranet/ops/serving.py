"""The serving lock: every app server process holds it shared, a restore needs it alone.

A worker takes it when ``wsgi.py`` loads the app (gunicorn, the systemd unit, ``make
run``) and keeps it until the process ends, however it ends: the operating system or the
database server drops it with the process or its connection, even after SIGKILL.

- SQLite: ``flock`` on ``<database>.serving`` next to the database file (one machine).
- PostgreSQL: a session-level advisory lock on a connection each worker keeps open, so
  it counts the workers of every app server on every machine.

``flask restore`` asks for the lock exclusively without waiting: while any worker holds
it, the restore refuses. A worker that starts during a restore waits for it to finish.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

log = logging.getLogger("intranet.serving")

# pg_advisory_lock key: "KBSERVE" in ASCII, well inside a bigint.
ADVISORY_KEY = int.from_bytes(b"KBSERVE", "big")

_held: list[Any] = []  # what keeps this process's shared lock alive


class ServingBusy(Exception):
    """App server workers hold the database."""


def database_url(app) -> URL:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"])


def libpq_url(url: URL) -> str:
    """The URL for psycopg and the PostgreSQL tools (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_lock_path(url: URL) -> Path:
    path = Path(url.database or "")
    return path.with_name(path.name + ".serving")


def _open_lock_file(url: URL) -> int:
    path = sqlite_lock_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _pg_connect(url: URL):
    import psycopg

    return psycopg.connect(libpq_url(url), autocommit=True, application_name="kantor-bersama")


def hold_shared(app) -> None:
    """Called once per serving process: hold the lock until the process ends."""
    url = database_url(app)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return
        fd = _open_lock_file(url)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("A restore is running: waiting for it to finish before serving.")
            fcntl.flock(fd, fcntl.LOCK_SH)
        _held.append(fd)
    elif url.get_backend_name() == "postgresql":
        conn = _pg_connect(url)
        got = conn.execute("SELECT pg_try_advisory_lock_shared(%s)", (ADVISORY_KEY,)).fetchone()
        if not got[0]:
            log.warning("A restore is running: waiting for it to finish before serving.")
            conn.execute("SELECT pg_advisory_lock_shared(%s)", (ADVISORY_KEY,))
        _held.append(conn)


@contextmanager
def exclusive(app) -> Iterator[None]:
    """Hold the lock alone for the duration of a restore, or raise :class:`ServingBusy`."""
    url = database_url(app)
    if url.get_backend_name() == "postgresql":
        conn = _pg_connect(url)
        try:
            if not conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()[0]:
                raise ServingBusy
            yield
        finally:
            conn.close()  # ends the session and with it the lock
        return
    fd = _open_lock_file(url)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServingBusy from None
        yield
    finally:
        os.close(fd)
