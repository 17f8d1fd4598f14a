"""`flask --app intranet backup`, `verify-backup` and `restore`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from intranet.ops import backup as backups
from intranet.ops import serving

STOP_THE_APP = (
    "The app is running: its workers hold the database. Stop it first "
    "(`sudo systemctl stop kantor-bersama`, on every app server; or Ctrl+C where "
    "`make run` serves), run the restore again, then start it "
    "(`sudo systemctl start kantor-bersama`)."
)


def _when(backup: backups.Backup) -> str:
    zone = ZoneInfo(current_app.config["OFFICE_TIMEZONE"])
    return backup.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z")


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _describe(backup: backups.Backup) -> str:
    rows = sum(backup.tables.values())
    return (
        f"{backup.path}\n"
        f"  made {_when(backup)} on {backup.manifest.get('host', '?')}, "
        f"version {backup.manifest.get('version')}, migration {backup.revision}\n"
        f"  {backup.dialect} database: {rows} rows in {len(backup.tables)} tables; "
        f"{len(backup.manifest['files'])} files, {_size(backup.size)}"
    )


@click.command("backup")
@click.argument("destination", required=False, type=click.Path(file_okay=False))
@click.option(
    "--keep",
    type=int,
    default=None,
    help="Keep this many backups in the destination (default: BACKUP_KEEP; 0 keeps all).",
)
@click.option("--verify", is_flag=True, help="Then restore it into a scratch place and check it.")
@with_appcontext
def backup_command(destination, keep, verify):
    """Back up the database, uploads and secret key, online, into a new directory.

    DESTINATION defaults to BACKUP_FOLDER (instance/backups); e.g. a USB disk.
    """
    try:
        made = backups.create(current_app, destination, keep=keep)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup made: {_describe(made)}")
    if verify:
        _verify(made.path)


def _verify(path) -> None:
    try:
        report = backups.verify(current_app, path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    if not report.ok:
        raise click.ClickException(
            f"the backup {path} is NOT good:\n  " + "\n  ".join(report.problems)
        )
    click.echo(
        f"Verified: every file matches its checksum and a trial restore has the same "
        f"{sum(report.backup.tables.values())} rows in {len(report.backup.tables)} tables."
    )


@click.command("verify-backup")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def verify_backup_command(path):
    """Check a backup: checksums, and a trial restore into a scratch place."""
    _verify(path)


@click.command("restore")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--skip-safety-backup",
    is_flag=True,
    help="Do not back up the current state first (only when it is damaged beyond backing up).",
)
@with_appcontext
def restore_command(path, yes, skip_safety_backup):
    """Replace the database, uploads and secret key with a backup, then upgrade the schema.

    Without PATH: list the backups in BACKUP_FOLDER. The app must be stopped.
    """
    app = current_app._get_current_object()
    if path is None:
        found = backups.list_backups(app.config["BACKUP_FOLDER"])
        if not found:
            raise click.ClickException(f"no backups in {app.config['BACKUP_FOLDER']}")
        click.echo("Backups, newest last:")
        for item in found:
            click.echo(_describe(item))
        raise click.UsageError("give the backup to restore: flask --app intranet restore PATH")
    try:
        backup = backups.load(path)
        backups.check_restorable(app, backup)
    except backups.BackupError as error:
        raise click.ClickException(f"cannot restore: {error}") from error
    try:
        with serving.exclusive(app):
            click.echo(f"Backup to restore: {_describe(backup)}")
            target = serving.database_url(app).render_as_string(hide_password=True)
            click.echo(f"Into: {target} and {app.config['UPLOAD_FOLDER']}")
            if not yes:
                click.confirm(
                    "Replace the current database and uploads with this backup?", abort=True
                )
            if not skip_safety_backup and backups.current_state(app) is not None:
                try:
                    safety = backups.create(app, keep=0, label="before-restore")
                except Exception as error:
                    raise click.ClickException(
                        f"could not back up the current state first ({error}). If the "
                        "current database is damaged beyond that, run again with "
                        "--skip-safety-backup."
                    ) from error
                click.echo(f"The current state is saved in {safety.path} (to undo this).")
            revision = backups.restore(app, backup, say=click.echo)
    except serving.ServingBusy:
        raise click.ClickException(STOP_THE_APP) from None
    except backups.BackupError as error:
        raise click.ClickException(f"restore failed: {error}") from error
    click.echo(f"Restored. Schema upgraded to migration {revision}. Start the app again.")


def init_app(app) -> None:
    for command in (backup_command, verify_backup_command, restore_command):
        app.cli.add_command(command)
