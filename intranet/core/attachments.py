"""Files attached to things (training materials, announcement attachments).

One component for every feature: the type is read from the content (never the name),
the size is capped (``MAX_ATTACHMENT_BYTES``), files live under ``instance/uploads/files``
with generated names, and ``/attachments/<id>`` serves them with a download disposition
and ``nosniff`` only to a signed-in user the owner lets see them (others get 404).

A feature registers its owner type once::

    attachments.register_owner("training", can_see=lambda user, owner_id: ...)

and attaches with :func:`save` inside its own transaction. A file written for a
transaction that rolls back is removed; a deleted attachment's file goes after commit.
"""

from __future__ import annotations

import io
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ForeignKey, Index, Integer, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.datastructures import FileStorage

from intranet.core.db import UTCDateTime, utcnow
from intranet.core.services import ServiceError
from intranet.extensions import db

SUBDIR = "files"
MAX_FILES_PER_OWNER = 10


class Attachment(db.Model):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column(Integer)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # see KINDS
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def extension(self) -> str:
        return self.stored_name.rsplit(".", 1)[-1]


# kind -> (extensions, label)
KINDS = {
    "pdf": _l("PDF"),
    "image": _l("Image"),
    "document": _l("Document"),
    "spreadsheet": _l("Spreadsheet"),
    "presentation": _l("Presentation"),
}

_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_KIND_OF = {
    "pdf": "pdf",
    "jpg": "image",
    "png": "image",
    "webp": "image",
    "docx": "document",
    "odt": "document",
    "doc": "document",
    "xlsx": "spreadsheet",
    "ods": "spreadsheet",
    "xls": "spreadsheet",
    "pptx": "presentation",
    "odp": "presentation",
    "ppt": "presentation",
}
_OLE_BY_NAME = {".doc": "doc", ".xls": "xls", ".ppt": "ppt"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def detect(data: bytes, filename: str = "") -> str | None:
    """The file's real type (an extension from ``_CONTENT_TYPES``) from its bytes, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy Office (OLE2): the container does not say which; the name picks among three.
        return _OLE_BY_NAME.get(Path(filename.lower()).suffix, "doc")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                for prefix, ext in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(name.startswith(prefix) for name in names):
                        return ext
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def safe_filename(name: str, extension: str) -> str:
    """A readable download name: the user's name without paths or control characters,
    with the extension of the real type."""
    base = Path((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:/\\|?*')
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    return f"{(stem or 'berkas')[:150]}.{extension}"


@dataclass(frozen=True)
class Owner:
    can_see: Callable[[Any, int], bool]


OWNERS: dict[str, Owner] = {}


def register_owner(owner_type: str, can_see: Callable[[Any, int], bool]) -> None:
    OWNERS[owner_type] = Owner(can_see)


def max_bytes() -> int:
    return int(current_app.config.get("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / SUBDIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(upload: FileStorage, field: str = "attachments") -> tuple[bytes, str]:
    """Read and check one upload: ``(data, extension)`` or a ServiceError for ``field``."""
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    name = upload.filename or ""
    if len(data) > limit:
        raise ServiceError(
            _("%(name)s is larger than %(size)s MB.", name=name, size=limit // (1024 * 1024)),
            field=field,
        )
    if not data:
        raise ServiceError(_("%(name)s is empty.", name=name), field=field)
    extension = detect(data, name)
    if extension is None:
        raise ServiceError(
            _(
                "%(name)s is not a PDF, an image (JPEG, PNG, WebP) or an office document.",
                name=name,
            ),
            field=field,
        )
    return data, extension


def save(
    upload: FileStorage,
    owner_type: str,
    owner_id: int,
    user: Any = None,
    field: str = "attachments",
    checked: tuple[bytes, str] | None = None,
) -> Attachment:
    """Store one upload for an owner, in the caller's transaction."""
    if owner_type not in OWNERS:
        raise ValueError(f"unknown attachment owner {owner_type!r}")
    data, extension = checked or check(upload, field)
    stored = f"{secrets.token_hex(16)}.{extension}"
    target = folder() / stored
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    session = db.session()
    session.info.setdefault("attachment_new", []).append(target)
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner_id,
        stored_name=stored,
        filename=safe_filename(upload.filename or "", extension),
        kind=_KIND_OF[extension],
        content_type=_CONTENT_TYPES[extension],
        size=len(data),
        uploaded_by_id=getattr(user, "id", None),
    )
    session.add(attachment)
    return attachment


def check_all(uploads: list[FileStorage], field: str = "attachments") -> list[tuple[bytes, str]]:
    """Check several uploads before saving any; every problem in one error message."""
    problems: list[str] = []
    checked: list[tuple[bytes, str]] = []
    for upload in uploads:
        try:
            checked.append(check(upload, field))
        except ServiceError as error:
            problems.append(str(error))
    if problems:
        raise ServiceError(" ".join(problems), field=field)
    return checked


def save_all(uploads, owner_type: str, owner_id: int, user: Any = None, field="attachments"):
    """Check every upload, then store them all (or none)."""
    uploads = [u for u in uploads or [] if u and u.filename]
    if not uploads:
        return []
    present = len(for_owner(owner_type, owner_id))
    if present + len(uploads) > MAX_FILES_PER_OWNER:
        raise ServiceError(
            _("At most %(count)d files can be attached.", count=MAX_FILES_PER_OWNER), field=field
        )
    checked = check_all(uploads, field)
    return [
        save(upload, owner_type, owner_id, user, field, checked=item)
        for upload, item in zip(uploads, checked, strict=True)
    ]


def remove(attachment: Attachment) -> None:
    """Delete an attachment in the caller's transaction; its file goes after commit."""
    session = db.session()
    session.info.setdefault("attachment_gone", []).append(folder() / attachment.stored_name)
    session.delete(attachment)


def for_owner(owner_type: str, owner_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
            .order_by(Attachment.id)
        )
    )


def for_owners(owner_type: str, owner_ids: list[int]) -> dict[int, list[Attachment]]:
    """Attachments of several owners in one query (lists never ask per row)."""
    found: dict[int, list[Attachment]] = {owner_id: [] for owner_id in owner_ids}
    if owner_ids:
        rows = db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == owner_type, Attachment.owner_id.in_(owner_ids))
            .order_by(Attachment.id)
        )
        for row in rows:
            found.setdefault(row.owner_id, []).append(row)
    return found


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("attachment_new", None)
    for path in session.info.pop("attachment_gone", []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction() or previous_transaction.parent is None:
        for path in session.info.pop("attachment_new", []):
            Path(path).unlink(missing_ok=True)
        session.info.pop("attachment_gone", None)


bp = Blueprint("attachments", __name__, url_prefix="/attachments")


def _visible(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    owner = OWNERS.get(attachment.owner_type) if attachment else None
    if owner is None or not owner.can_see(current_user, attachment.owner_id):
        abort(404)
    return attachment


@bp.route("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """The file, as a download (``?preview=1`` shows an image inline)."""
    attachment = _visible(attachment_id)
    path = folder() / attachment.stored_name
    if not path.is_file():
        abort(404)
    inline = attachment.is_image and request.args.get("preview") == "1"
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.filename,
        max_age=0,
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app) -> None:
    app.config.setdefault("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
    app.register_blueprint(bp)
    app.jinja_env.globals["attachment_kinds"] = KINDS
