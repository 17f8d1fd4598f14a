"""Safe image uploads: type checked by content, size capped, random names, served by us."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from intranet.core.services import ServiceError

MAX_IMAGE_BYTES = 3 * 1024 * 1024
_SIGNATURES = {
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
}


def image_kind(head: bytes) -> str | None:
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def upload_dir(kind: str) -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(upload: FileStorage, kind: str, field: str = "photo") -> str:
    """Store an uploaded JPEG/PNG/WebP under a random name; return the name."""
    data = upload.stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ServiceError(_("The photo is larger than 3 MB."), field=field)
    extension = image_kind(data[:16])
    if extension is None:
        raise ServiceError(_("Upload a JPEG, PNG or WebP photo."), field=field)
    name = f"{secrets.token_hex(16)}.{extension}"
    target = upload_dir(kind) / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return name


def remove_image(name: str | None, kind: str) -> None:
    if name and "/" not in name and "\\" not in name:
        (upload_dir(kind) / name).unlink(missing_ok=True)
