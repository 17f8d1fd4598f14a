"""Static files: fingerprinted URLs that browsers keep for a year, compressed responses.

Templates link static files with ``static_url("css/app.css")``: the URL carries a hash
of the file (``?v=…``), so a browser caches it for a year and an upgrade changes the URL.
Pages and static files are compressed (Flask-Compress: zstd, brotli or gzip, as the
browser accepts) unless a reverse proxy does it (``COMPRESS_REGISTER = False``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from flask_compress import Compress

YEAR = 365 * 24 * 3600
compress = Compress()


def _fingerprint(filename: str) -> str:
    hashes: dict[str, str] = current_app.extensions.setdefault("static_hashes", {})
    digest = hashes.get(filename)
    if digest is None:
        path = Path(current_app.static_folder or "") / filename
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
        hashes[filename] = digest
    return digest


def static_url(filename: str) -> str:
    """The URL of a static file, with its content hash (made once per file and worker)."""
    urls: dict[str, str] = current_app.extensions.setdefault("static_urls", {})
    url = urls.get(filename)
    if url is None:
        digest = _fingerprint(filename)
        url = url_for("static", filename=filename, **({"v": digest} if digest else {}))
        urls[filename] = url
    return url


def cache_static(response: Response) -> Response:
    """A fingerprinted static file is immutable: keep it for a year."""
    if request.endpoint == "static" and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        if request.args.get("v") and request.args["v"] == _fingerprint(filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "text/calendar",
            "image/svg+xml",
            "application/json",
            "application/atom+xml",
        ],
    )
    app.config.setdefault("COMPRESS_LEVEL", 5)
    # Static files are sent as streams: gzip too, for clients without brotli or zstd.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    compress.init_app(app)
    app.after_request(cache_static)
    app.jinja_env.globals["static_url"] = static_url
