"""Backups that restore.

A backup is a directory ``<backups>/<YYYY-MM-DD_HHMMSS>/`` (office time) holding

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app
  writes, never a file copy of a live WAL database) or ``database.dump`` (``pg_dump``
  custom format, taken in an exported snapshot),
- ``uploads/`` (the upload folder), ``secret_key`` and ``config.py`` from the instance
  folder when they exist,
- ``manifest.json``: format, app version, migration revision, database kind, row counts
  of every table in that same snapshot, and size + SHA-256 of every file.

:func:`verify` restores a backup into a temporary place (a scratch file or database) and
compares it with its manifest; :func:`restore` puts one back and upgrades the schema.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from intranet import PACKAGE_DIR, __version__
from intranet.ops.serving import database_url, libpq_url

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
UPLOADS = "uploads"
INSTANCE_FILES = ("secret_key", "config.py")
NAME_RE = re.compile(r"\d{4}-\d{2}-\d{2}_\d{6}(-[a-z0-9-]+)?")
PARTIAL_PREFIX = ".partial-"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


class RestoreFailed(BackupError):
    """The database tool could not read the backup's database."""


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["created_at"])

    @property
    def revision(self) -> str | None:
        return self.manifest["database"]["revision"]

    @property
    def dialect(self) -> str:
        return self.manifest["database"]["dialect"]

    @property
    def tables(self) -> dict[str, int]:
        return self.manifest["tables"]

    @property
    def size(self) -> int:
        return sum(f["bytes"] for f in self.manifest["files"].values())


@dataclass
class Report:
    """What :func:`verify` found: nothing in ``problems`` means the backup is good."""

    backup: Backup
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- small helpers -----------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_file(source: Path, target: Path, mode: int = 0o600) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())


def _files_under(root: Path) -> Iterable[Path]:
    for dirpath, _dirs, names in os.walk(root):
        for name in sorted(names):
            yield Path(dirpath) / name


def _local_now(app) -> datetime:
    return datetime.now(ZoneInfo(app.config["OFFICE_TIMEZONE"]))


def _instance_file(app, name: str) -> Path:
    return Path(app.instance_path) / name


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    return ScriptDirectory.from_config(config)


def known_revisions() -> set[str]:
    return {script.revision for script in script_directory().walk_revisions()}


def postgres_tool(app, name: str) -> str:
    """``pg_dump``/``pg_restore``: the setting, else PATH, else Debian's newest server."""
    configured = app.config.get("POSTGRES_BIN_DIR")
    if configured:
        return str(Path(configured) / name)
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4])
    )
    if not candidates:
        raise BackupError(f"{name} not found: apt-get install postgresql-client")
    return candidates[-1]


def _pg_command(app, url: URL, tool: str, *args: str) -> None:
    """Run a PostgreSQL tool; the password goes through the environment, not argv."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = libpq_url(url._replace(password=None))
    command = [postgres_tool(app, tool), *args, "--dbname", target]
    result = subprocess.run(  # noqa: S603 (our own tool and arguments)
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _pg_restore(app, url: URL, dump: Path) -> None:
    _pg_command(
        app,
        url,
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        str(dump),
    )


def _file_uri(path, mode: str) -> str:
    """An SQLite URI that opens an existing file only (never creates an empty one)."""
    return f"{Path(path).resolve().as_uri()}?mode={mode}"


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    count = "SELECT count(*) FROM {}"
    return {name: conn.execute(count.format(_quote(name))).fetchone()[0] for name in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _engine_counts(conn) -> dict[str, int]:
    return {
        name: conn.execute(text(f"SELECT count(*) FROM {_quote(name)}")).scalar_one()  # noqa: S608
        for name in inspect(conn).get_table_names()
    }


def _temporary_engine(url: URL | str):
    return create_engine(url, poolclass=NullPool, hide_parameters=True)


# --- taking a backup -----------------------------------------------------------------


def _dump_sqlite(url: URL, work: Path) -> tuple[dict[str, int], str | None]:
    target = work / SQLITE_FILE
    if not Path(url.database or "").is_file():
        raise BackupError(f"no database at {url.database}: nothing to back up")
    source = sqlite3.connect(_file_uri(url.database, "rw"), uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read snapshot, writers go on
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        tables, revision = _sqlite_counts(copy), _sqlite_revision(copy)
    finally:
        copy.close()
        source.close()
    os.chmod(target, 0o600)
    return tables, revision


def _dump_postgres(app, url: URL, work: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump in a snapshot exported by a transaction that also counts the rows."""
    engine = _temporary_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                _pg_command(
                    app,
                    url,
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={work / POSTGRES_FILE}",
                )
                tables = _engine_counts(conn)
                revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    os.chmod(work / POSTGRES_FILE, 0o600)
    return tables, revision


def _new_backup_dir(root: Path, name: str) -> Path:
    candidate, n = name, 1
    while (root / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return root / candidate


def create(
    app,
    destination: str | os.PathLike | None = None,
    *,
    keep: int | None = None,
    label: str = "",
) -> Backup:
    """Back up the database, uploads, secret key and config.py into a new directory."""
    root = Path(destination or app.config["BACKUP_FOLDER"])
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    url = database_url(app)
    name = _local_now(app).strftime("%Y-%m-%d_%H%M%S") + (f"-{label}" if label else "")
    work = root / f"{PARTIAL_PREFIX}{name}-{secrets.token_hex(4)}"
    work.mkdir(mode=0o700)
    try:
        started = datetime.now(UTC)
        # The database first, then the files: a photo added meanwhile is merely extra.
        if url.get_backend_name() == "sqlite":
            tables, revision = _dump_sqlite(url, work)
        elif url.get_backend_name() == "postgresql":
            tables, revision = _dump_postgres(app, url, work)
        else:
            raise BackupError(f"cannot back up a {url.get_backend_name()} database")
        uploads = Path(app.config["UPLOAD_FOLDER"])
        if uploads.is_dir():
            for path in _files_under(uploads):
                try:
                    _copy_file(path, work / UPLOADS / path.relative_to(uploads), 0o640)
                except FileNotFoundError:  # removed while we copied: not in the backup
                    continue
        for name_ in INSTANCE_FILES:
            if _instance_file(app, name_).is_file():
                _copy_file(_instance_file(app, name_), work / name_)
        files = {
            str(path.relative_to(work)): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for path in sorted(_files_under(work))
        }
        manifest = {
            "format": FORMAT,
            "app": "Kantor Bersama",
            "version": __version__,
            "created_at": started.isoformat(),
            "host": socket.gethostname(),
            "database": {
                "dialect": url.get_backend_name(),
                "file": SQLITE_FILE if url.get_backend_name() == "sqlite" else POSTGRES_FILE,
                "revision": revision,
            },
            "tables": dict(sorted(tables.items())),
            "files": files,
        }
        manifest_path = work / MANIFEST
        fd = os.open(manifest_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(manifest, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(work)
        final = _new_backup_dir(root, name)
        work.rename(final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    keep = app.config["BACKUP_KEEP"] if keep is None else keep
    if keep and keep > 0:
        prune(root, keep)
    return Backup(final, manifest)


def load(path: str | os.PathLike) -> Backup:
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} is not a backup: it has no {MANIFEST}") from None
    except ValueError as error:
        raise BackupError(f"{path / MANIFEST} is damaged: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} was written in a backup format this version does not know "
            f"({manifest.get('format') if isinstance(manifest, dict) else '?'}); "
            "restore it with the version that made it"
        )
    return Backup(path, manifest)


def list_backups(root: str | os.PathLike) -> list[Backup]:
    """The backups in ``root``, oldest first."""
    root = Path(root)
    found = []
    if root.is_dir():
        for child in root.iterdir():
            if child.is_dir() and NAME_RE.fullmatch(child.name):
                try:
                    found.append(load(child))
                except BackupError:
                    continue
    return sorted(found, key=lambda b: b.created_at)


def prune(root: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups, and partial ones older than a day."""
    removed = []
    for old in list_backups(root)[:-keep]:
        shutil.rmtree(old.path)
        removed.append(old.path)
    for partial in root.glob(f"{PARTIAL_PREFIX}*"):
        if partial.is_dir() and time.time() - partial.stat().st_mtime > 86400:
            shutil.rmtree(partial, ignore_errors=True)
    return removed


# --- checking a backup -----------------------------------------------------------------


def check_files(backup: Backup) -> list[str]:
    problems = []
    for relative, expected in backup.manifest["files"].items():
        path = backup.path / relative
        if not path.is_file():
            problems.append(f"missing file: {relative}")
        elif path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            problems.append(f"file changed or damaged: {relative}")
    return problems


def _compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            problems.append(
                f"table {table}: {found.get(table, 'missing')} rows, "
                f"the manifest says {expected.get(table, 'none')}"
            )
    return problems


def verify(app, path: str | os.PathLike) -> Report:
    """Restore the backup into a temporary place and compare it with its manifest."""
    report = Report(load(path))
    backup = report.backup
    report.problems += check_files(backup)
    if report.problems:
        return report
    database = backup.path / backup.manifest["database"]["file"]
    if backup.dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kb-verify-") as scratch:
            copy = Path(scratch) / SQLITE_FILE
            shutil.copyfile(database, copy)
            conn = sqlite3.connect(copy)
            try:
                integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
                if integrity != "ok":
                    report.problems.append(f"database integrity check: {integrity}")
                counts = _sqlite_counts(conn)
            except sqlite3.DatabaseError as error:
                report.problems.append(f"database unreadable: {error}")
                return report
            finally:
                conn.close()
    elif backup.dialect == "postgresql":
        try:
            counts = _verify_postgres(app, database)
        except RestoreFailed as error:
            report.problems.append(f"trial restore failed: {error}")
            return report
    else:
        report.problems.append(f"unknown database kind {backup.dialect}")
        return report
    report.problems += _compare_counts(backup.tables, counts)
    return report


def _verify_postgres(app, dump: Path) -> dict[str, int]:
    """pg_restore into a scratch database next to the live one, count, drop it."""
    url = database_url(app)
    if url.get_backend_name() != "postgresql":
        raise BackupError("verifying a PostgreSQL backup needs a PostgreSQL installation")
    scratch = f"{url.database}_verify_{secrets.token_hex(4)}"
    admin = _temporary_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            try:
                conn.execute(text(f"CREATE DATABASE {_quote(scratch)}"))
            except Exception as error:
                raise BackupError(
                    "cannot create a scratch database to verify into; give the database "
                    f"user the CREATEDB right ({error.__class__.__name__})"
                ) from None
        try:
            target = url.set(database=scratch)
            try:
                _pg_restore(app, target, dump)
            except BackupError as error:
                raise RestoreFailed(str(error)) from None
            engine = _temporary_engine(target)
            try:
                with engine.connect() as conn:
                    return _engine_counts(conn)
            finally:
                engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quote(scratch)} WITH (FORCE)"))
    finally:
        admin.dispose()


# --- restoring ---------------------------------------------------------------------


def check_restorable(app, backup: Backup) -> None:
    """Refuse what cannot be restored here, before anything is touched."""
    kind = database_url(app).get_backend_name()
    if backup.dialect != kind:
        raise BackupError(
            f"this backup holds a {backup.dialect} database and this installation uses "
            f"{kind}: restore it into a {backup.dialect} installation"
        )
    if backup.revision is None:
        raise BackupError("the backup has no migration revision: it was not made by `backup`")
    if backup.revision not in known_revisions():
        raise BackupError(
            f"the backup was made by a newer version of Kantor Bersama (version "
            f"{backup.manifest.get('version')}, migration {backup.revision}, which this code "
            "does not know): update the code first, then restore"
        )
    problems = check_files(backup)
    if problems:
        raise BackupError("the backup is damaged: " + "; ".join(problems))


def current_state(app) -> tuple[dict[str, int], str | None] | None:
    """Row counts and revision of the live database, or None when it is empty or absent."""
    url = database_url(app)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None
    engine = _temporary_engine(url)
    try:
        with engine.connect() as conn:
            counts = _engine_counts(conn)
            revision = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return (counts, revision) if counts else None


def _restore_sqlite(url: URL, source: Path) -> dict[str, int]:
    live = Path(url.database or "")
    live.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(_file_uri(source, "ro"), uri=True)
    try:
        try:
            dst = sqlite3.connect(live, timeout=30)
            try:
                src.backup(dst)  # replaces every page, WAL and all, in one transaction
            finally:
                dst.close()
        except sqlite3.DatabaseError:
            # The live file is no database at all (damaged): replace the files.
            for suffix in ("-wal", "-shm"):
                Path(f"{live}{suffix}").unlink(missing_ok=True)
            staging = live.with_name(live.name + ".restoring")
            shutil.copyfile(source, staging)
            os.replace(staging, live)
    finally:
        src.close()
    conn = sqlite3.connect(live)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        return _sqlite_counts(conn)
    finally:
        conn.close()


def _restore_postgres(app, url: URL, dump: Path) -> dict[str, int]:
    engine = _temporary_engine(url)
    try:
        with engine.begin() as conn:
            # Empty the schema first: tables of a newer revision are not in the dump.
            for name in inspect(conn).get_table_names():
                conn.execute(text(f"DROP TABLE IF EXISTS {_quote(name)} CASCADE"))
            for (name,) in conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()"
                )
            ):
                conn.execute(text(f"DROP SEQUENCE IF EXISTS {_quote(name)} CASCADE"))
            for (name,) in conn.execute(
                text(
                    "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    "WHERE n.nspname = current_schema() AND t.typtype = 'e'"
                )
            ):
                conn.execute(text(f"DROP TYPE IF EXISTS {_quote(name)} CASCADE"))
        _pg_restore(app, url, dump)
        with engine.connect() as conn:
            return _engine_counts(conn)
    finally:
        engine.dispose()


def _restore_uploads(app, backup: Backup) -> None:
    target = Path(app.config["UPLOAD_FOLDER"])
    source = backup.path / UPLOADS
    staging = target.with_name(target.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, staging)
    else:
        staging.mkdir(parents=True)
    old = target.with_name(target.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _restore_instance_files(app, backup: Backup, say: Callable[[str], None]) -> None:
    saved_key = backup.path / "secret_key"
    if saved_key.is_file():
        # The key signs sessions and forms: restoring it keeps people logged in.
        _copy_file(saved_key, _instance_file(app, ".secret_key.restoring"))
        os.replace(_instance_file(app, ".secret_key.restoring"), _instance_file(app, "secret_key"))
    saved_config = backup.path / "config.py"
    if saved_config.is_file():
        live_config = _instance_file(app, "config.py")
        if not live_config.exists():
            _copy_file(saved_config, live_config)
            say(f"config.py restored to {live_config}.")
        elif live_config.read_bytes() != saved_config.read_bytes():
            say(
                f"{live_config} differs from the one in the backup; kept as it is "
                f"(compare with {saved_config})."
            )


def restore(app, backup: Backup, *, say: Callable[[str], None] = print) -> str | None:
    """Put the backup's database and files in place, then upgrade the schema.

    The caller holds :func:`intranet.ops.serving.exclusive` and has run
    :func:`check_restorable`. Returns the schema revision after the upgrade.
    """
    from flask_migrate import upgrade

    from intranet.extensions import db

    url = database_url(app)
    with app.app_context():
        db.engine.dispose()  # no pooled connection of ours on the old database
    database = backup.path / backup.manifest["database"]["file"]
    if backup.dialect == "sqlite":
        counts = _restore_sqlite(url, database)
    else:
        counts = _restore_postgres(app, url, database)
    problems = _compare_counts(backup.tables, counts)
    if problems:
        raise BackupError("the restored database differs from the backup: " + "; ".join(problems))
    say(f"Database restored ({sum(counts.values())} rows in {len(counts)} tables).")
    _restore_uploads(app, backup)
    uploads = sum(1 for name in backup.manifest["files"] if name.startswith(UPLOADS + "/"))
    say(f"Uploads restored ({uploads} file{'' if uploads == 1 else 's'}).")
    _restore_instance_files(app, backup, say)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
        db.engine.dispose()
    return revision
