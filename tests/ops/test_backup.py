"""`flask backup` / `verify-backup` / `restore`: online copies that restore exactly."""

from __future__ import annotations

import hashlib
import json
import os
import select as select_module
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from intranet.auth import services as auth_services
from intranet.auth.models import Pillar, User
from intranet.bookings.models import Booking
from intranet.core.audit import AuditEntry
from intranet.core.db import write_transaction
from intranet.demo import seed_demo_office
from intranet.extensions import db
from intranet.ops import backup as backups
from intranet.ops import serving
from tests.ops.conftest import instance_file
from tests.servers import Gunicorn

SECRET_KEY = "b" * 64


def _office(make_app, scratch_url, name="office"):
    """A migrated database with the demo office, an instance secret key and uploads."""
    app = make_app(scratch_url(name), name)
    with app.app_context(), force_locale("id"):
        seed_demo_office()
    instance_file(app, "secret_key").write_text(SECRET_KEY)
    uploads = Path(app.config["UPLOAD_FOLDER"])
    (uploads / "rooms").mkdir(parents=True)
    (uploads / "rooms" / "aula.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(300_000))
    (uploads / "rooms" / "rapat.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    return app


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def test_backup_taken_during_writes_restores_every_committed_row(make_app, scratch_url):
    app = _office(make_app, scratch_url)
    committed: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        # Each pillar and its audit entry are one transaction: both or neither.
        try:
            with app.app_context():
                n = 0
                while not stop.is_set():
                    n += 1
                    with write_transaction():
                        auth_services.create_pillar(
                            code=f"W{n}", name=f"Pilar tulis {n}", colour="#123456", actor=None
                        )
                    committed.append(f"W{n}")
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.time() + 20
        while len(committed) < 20 and time.time() < deadline:
            time.sleep(0.01)
        before = set(committed)  # committed before the backup began
        made = backups.create(app)
        time.sleep(0.2)  # writes go on after the snapshot
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not errors, errors
    assert len(before) >= 20 and len(committed) > len(before)

    report = backups.verify(app, made.path)
    assert report.ok, report.problems

    other = make_app(scratch_url("restored"), "restored")
    backups.restore(other, backups.load(made.path), say=lambda _m: None)
    with other.app_context():
        codes = set(db.session.scalars(select(Pillar.code).where(Pillar.code.like("W%"))))
        audited = set(
            db.session.scalars(
                select(AuditEntry.summary).where(
                    AuditEntry.action == "pillar.create", AuditEntry.summary.like("W%")
                )
            )
        )
        db.session.remove()
    assert before <= codes  # every row committed before the backup began
    assert codes <= set(committed)
    # No half-written transaction: each pillar came back with its audit entry, and no
    # audit entry without its pillar.
    assert audited == codes
    assert made.manifest["tables"]["pillar"] == _counts(other)["pillar"]


def test_restore_brings_back_database_uploads_and_secret_key(make_app, scratch_url):
    app = _office(make_app, scratch_url)
    uploads = Path(app.config["UPLOAD_FOLDER"])
    original_files = _tree(uploads)
    original_counts = _counts(app)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["backup", "--verify"])
    assert result.exit_code == 0, result.output
    assert "Verified" in result.output
    [made] = backups.list_backups(app.config["BACKUP_FOLDER"])
    manifest = made.manifest
    assert manifest["version"] and manifest["database"]["revision"]
    assert set(manifest["tables"]) >= {t.name for t in db.metadata.sorted_tables}
    assert manifest["tables"]["booking"] == original_counts["booking"] > 0
    assert {"secret_key", "uploads/rooms/aula.jpg", "uploads/rooms/rapat.png"} <= set(
        manifest["files"]
    )
    assert oct((made.path / "secret_key").stat().st_mode & 0o777) == "0o600"

    # A bad day: bookings deleted, a photo overwritten, a stray file, a new secret key.
    with app.app_context():
        with write_transaction():
            db.session.execute(Booking.__table__.delete())
        db.session.remove()
    (uploads / "rooms" / "aula.jpg").write_bytes(b"rusak")
    (uploads / "rooms" / "asing.webp").write_bytes(b"RIFF")
    instance_file(app, "secret_key").write_text("c" * 64)

    result = runner.invoke(args=["restore", str(made.path), "--yes"])
    assert result.exit_code == 0, result.output
    assert _counts(app) == original_counts
    assert _tree(uploads) == original_files  # byte-identical, the stray file gone
    assert instance_file(app, "secret_key").read_text() == SECRET_KEY
    # The state before the restore was saved first, so the restore can be undone.
    safety = [b for b in backups.list_backups(app.config["BACKUP_FOLDER"]) if b.path != made.path]
    assert len(safety) == 1 and safety[0].path.name.endswith("-before-restore")
    assert safety[0].tables["booking"] == 0
    assert "uploads/rooms/asing.webp" in safety[0].manifest["files"]


def test_restore_refuses_while_app_servers_hold_the_database(make_app, scratch_url, tmp_path):
    app = _office(make_app, scratch_url)
    made = backups.create(app)
    runner = app.test_cli_runner()
    with app.app_context():
        db.session.execute(Booking.__table__.delete())
        db.session.commit()
        db.session.remove()
    with Gunicorn(app, workers=2):
        result = runner.invoke(args=["restore", str(made.path), "--yes"])
        assert result.exit_code != 0
        assert "Stop it first" in result.output and "systemctl stop" in result.output
        assert _counts(app)["booking"] == 0  # nothing touched
    result = runner.invoke(args=["restore", str(made.path), "--yes"])
    assert result.exit_code == 0, result.output
    assert _counts(app)["booking"] == made.tables["booking"]


def test_a_worker_starting_during_a_restore_waits_for_it(make_app, scratch_url):
    app = make_app(scratch_url("office"))
    worker = (
        "import sys; from intranet import create_app; from intranet.ops import serving; "
        "serving.hold_shared(create_app()); print('serving', flush=True); sys.stdin.read()"
    )
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "INTRANET_SECRET_KEY": "x",
    }
    with serving.exclusive(app):
        with pytest.raises(serving.ServingBusy), serving.exclusive(app):
            pass  # a second restore is refused at once
        process = subprocess.Popen(
            [sys.executable, "-c", worker],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ready, _, _ = select_module.select([process.stdout], [], [], 3)
            assert not ready, "the worker started serving during the restore"
        except BaseException:
            process.kill()
            raise
    try:  # restore over: the worker goes on, and now holds the lock itself
        ready, _, _ = select_module.select([process.stdout], [], [], 30)
        assert ready and process.stdout.readline() == "serving\n"
        with pytest.raises(serving.ServingBusy), serving.exclusive(app):
            pass
    finally:
        process.stdin.close()
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    with serving.exclusive(app):  # the worker ended: free again
        pass


def test_restore_refuses_newer_damaged_or_foreign_backups(make_app, scratch_url):
    app = _office(make_app, scratch_url)
    made = backups.create(app)
    runner = app.test_cli_runner()

    def edited(change) -> Path:
        copy = made.path.with_name(made.path.name + "-copy")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(made.path, copy)
        manifest = json.loads((copy / "manifest.json").read_text())
        change(copy, manifest)
        (copy / "manifest.json").write_text(json.dumps(manifest))
        return copy

    def newer(_path, manifest):
        manifest["database"]["revision"] = "ffffffffffff"
        manifest["version"] = "9.0.0"

    def damaged(path, _manifest):
        (path / "uploads" / "rooms" / "aula.jpg").write_bytes(b"x")

    def foreign(_path, manifest):
        other = "postgresql" if manifest["database"]["dialect"] == "sqlite" else "sqlite"
        manifest["database"]["dialect"] = other

    for change, message in (
        (newer, "newer version"),
        (damaged, "damaged"),
        (foreign, "installation uses"),
    ):
        result = runner.invoke(args=["restore", str(edited(change)), "--yes"])
        assert result.exit_code != 0
        assert message in result.output, result.output
    result = runner.invoke(args=["restore", str(made.path.parent / "nothing-here"), "--yes"])
    assert result.exit_code != 0


def test_verify_finds_damage(make_app, scratch_url):
    app = _office(make_app, scratch_url)
    made = backups.create(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-backup", str(made.path)])
    assert result.exit_code == 0, result.output

    # A flipped bit on the USB disk: the checksum no longer matches.
    name = made.manifest["database"]["file"]
    database = made.path / name
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    result = runner.invoke(args=["verify-backup", str(made.path)])
    assert result.exit_code != 0
    assert f"file changed or damaged: {name}" in result.output

    # Damaged before its checksum was taken: the trial restore notices.
    data = bytearray(database.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 4096] = os.urandom(4096)
    database.write_bytes(bytes(data))
    manifest = json.loads((made.path / "manifest.json").read_text())
    manifest["files"][name]["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    (made.path / "manifest.json").write_text(json.dumps(manifest))
    report = backups.verify(app, made.path)
    assert not report.ok


def test_verify_compares_row_counts(make_app, scratch_url):
    app = _office(make_app, scratch_url)
    made = backups.create(app)
    manifest = json.loads((made.path / "manifest.json").read_text())
    manifest["tables"]["booking"] += 1
    (made.path / "manifest.json").write_text(json.dumps(manifest))
    report = backups.verify(app, made.path)
    assert report.problems == [
        f"table booking: {made.tables['booking']} rows, the manifest says "
        f"{made.tables['booking'] + 1}"
    ]


def test_keeps_the_last_n_backups_and_lists_them(make_app, scratch_url, tmp_path):
    app = make_app(scratch_url("office"), BACKUP_KEEP=2)
    made = [backups.create(app) for _ in range(3)]
    kept = backups.list_backups(app.config["BACKUP_FOLDER"])
    assert [b.path for b in kept] == [m.path for m in made[1:]]
    assert len({m.path.name for m in made}) == 3  # unique names within one second

    usb = tmp_path / "usb"
    result = app.test_cli_runner().invoke(args=["backup", str(usb), "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert len(backups.list_backups(usb)) == 1

    result = app.test_cli_runner().invoke(args=["restore"])
    assert result.exit_code != 0
    assert all(str(b.path) in result.output for b in kept)


def test_restoring_last_weeks_backup_on_newer_code_upgrades_it(make_app, scratch_url):
    """A backup made at an older migration comes back and is upgraded to the newest."""
    from tests.ops.migration_data import fill_first_revision, first_revision

    old = make_app(scratch_url("old"), "old", migrate=False)
    with old.app_context():
        from flask_migrate import upgrade

        upgrade(revision=first_revision())
        fill_first_revision(db.session)
        db.session.commit()
        db.session.remove()
    made = backups.create(old)
    assert made.revision == first_revision()

    app = _office(make_app, scratch_url)  # the newer installation, with other data
    result = app.test_cli_runner().invoke(args=["restore", str(made.path), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ani.tksk"))
        assert user is not None and user.pillar.code == "TKSK"
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        client = app.test_client()
        assert client.login("ani.tksk").status_code == 303
        assert client.get("/bookings/new").status_code == 200
        db.session.remove()


def test_backup_of_a_missing_database_says_so(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'nowhere.sqlite3'}", migrate=False)
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "no database at" in result.output
    assert not (tmp_path / "nowhere.sqlite3").exists()
