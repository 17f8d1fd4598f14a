"""Pagination of a select, with links that keep the other query parameters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import current_app, request

from intranet.extensions import db


def paginate(stmt: Any, per_page: int | None = None) -> Any:
    """A Flask-SQLAlchemy pagination of ``stmt`` for ``?page=`` (bad pages give 404)."""
    return db.paginate(
        stmt,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=200,
        error_out=True,
        count=True,
    )


def page_url(page: int) -> str:
    """This page's URL with ``page`` replaced (other query parameters kept verbatim)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.path}?{urlencode([*args, ('page', str(page))])}"


def init_app(app) -> None:
    app.jinja_env.globals["page_url"] = page_url
