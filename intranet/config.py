"""Settings: defaults here, then instance/config.py, then the environment.

Every setting can be given in the environment as ``INTRANET_<NAME>``; the database
also as ``DATABASE_URL``. See README.md for the list.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path


class Defaults:
    SITE_NAME = "Kantor Bersama"
    # Demo office: seeded into an empty database by `flask seed-demo`.
    DEMO = False
    # Benchmark mode (`make bench`): serves the /bench/baseline yardstick page.
    BENCH = False
    OFFICE_TIMEZONE = "Asia/Jakarta"
    # Office hours, used as default bookable hours (HH:MM, local time).
    OFFICE_HOURS_START = "07:30"
    OFFICE_HOURS_END = "16:45"
    # Room booking rules (the front desk may override them with a reason).
    BOOKING_SLOT_MINUTES = 15
    BOOKING_MAX_HOURS = 10
    BOOKING_MIN_NOTICE_MINUTES = 60
    BOOKING_MAX_DAYS_AHEAD = 180
    LANGUAGES = ("id", "en")
    BABEL_DEFAULT_LOCALE = "id"
    # Behind an HTTPS reverse proxy: secure cookies and trust X-Forwarded-* once.
    BEHIND_HTTPS_PROXY = False
    # Login throttling: failures allowed per window, per username and per address.
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_USER = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 10
    PAGE_SIZE = 25
    # werkzeug's password hashing method (scrypt: memory-hard, the current default).
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)
    # CSRF tokens must outlive a working day in an open tab.
    WTF_CSRF_TIME_LIMIT = 14 * 3600
    WTF_CSRF_SSL_STRICT = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "kb_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=14)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Requests slower than this are logged as warnings.
    SLOW_REQUEST_MS = 500
    # `flask backup`: where backups go (default instance/backups) and how many to keep.
    BACKUP_KEEP = 14
    # Directory of pg_dump/pg_restore when not on PATH (default: the newest
    # /usr/lib/postgresql/<version>/bin).
    POSTGRES_BIN_DIR = ""
    MAX_CONTENT_LENGTH = 40 * 1024 * 1024
    # One attached file (training materials, announcement attachments).
    MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _coerce(raw: str, current: object) -> object:
    """Convert an environment string to the type of the default it replaces."""
    if isinstance(current, timedelta):
        return timedelta(seconds=int(raw))
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, tuple | list | dict):
        return json.loads(raw)
    return raw


def load_environment(config: dict) -> None:
    prefix = "INTRANET_"
    for key, raw in os.environ.items():
        if key.startswith(prefix):
            name = key[len(prefix) :]
            config[name] = _coerce(raw, config.get(name))
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY") and not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key_from_instance(instance_path: str) -> str:
    """Read the instance secret key, generating it once (mode 600) if missing."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # atomic: the first worker to get here wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def check_office_timezone(name: str) -> None:
    """Refuse an unknown zone or one with daylight saving time (bookings assume 24-hour
    days; Indonesia's WIB, WITA and WIT have none)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(name)
    year = datetime.now().year
    offsets = {datetime(year, month, 1, tzinfo=zone).utcoffset() for month in (1, 4, 7, 10)}
    if len(offsets) > 1:
        raise ValueError(f"OFFICE_TIMEZONE {name!r} observes daylight saving time")
