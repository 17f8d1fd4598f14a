"""Pagination of a select, with links that keep the other query parameters.

A page reads its rows plus one (is there a next page?) and counts the matches only up
to a cap: "page 3 of 12" while the list is short, "more than 1,000 results" when it
spans years of history, so no list page costs more as the history grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from flask import abort, current_app, request
from sqlalchemy import Integer, bindparam, func, literal_column, select

from intranet.extensions import db

COUNT_CAP = 1000


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    # Matches, counted up to COUNT_CAP; ``total_capped`` when there are more.
    total: int
    total_capped: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int | None:
        """The number of pages, unknown (None) past the count cap."""
        if self.total_capped:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def several(self) -> bool:
        return self.has_prev or self.has_next

    def __iter__(self):
        return iter(self.items)


# Per statement: its page and capped-count statements. Held weakly: a statement built
# once (see :func:`intranet.core.db.built_once`) keeps them for good; one built for a
# single request takes them along when it goes.
_PAGED: WeakKeyDictionary[Any, dict[int, tuple[Any, Any]]] = WeakKeyDictionary()


def _paged(stmt: Any, count_cap: int) -> tuple[Any, Any]:
    derived = _PAGED.setdefault(stmt, {})
    if count_cap not in derived:
        page = stmt.limit(bindparam("page_limit", type_=Integer())).offset(
            bindparam("page_offset", type_=Integer())
        )
        # Counted on the filter alone: no columns to read (an index may answer it all).
        bare = stmt.order_by(None)
        if not bare._distinct and not bare._group_by_clauses:
            bare = bare.with_only_columns(literal_column("1"), maintain_column_froms=True)
        count = select(func.count()).select_from(bare.limit(count_cap + 1).subquery())
        derived[count_cap] = (page, count)
    return derived[count_cap]


def paginate(
    stmt: Any,
    params: dict[str, Any] | None = None,
    per_page: int | None = None,
    *,
    count_cap: int | None = None,
) -> Page:
    """The ``?page=`` page of ``stmt`` run with ``params`` (a page past the end, or a
    bad number, is a 404), its matches counted up to ``count_cap`` (default
    :data:`COUNT_CAP`)."""
    count_cap = count_cap or COUNT_CAP
    per_page = per_page or current_app.config["PAGE_SIZE"]
    number = request.args.get("page", 1, type=int)
    if number < 1 or number > 10_000:
        abort(404)
    page_stmt, count_stmt = _paged(stmt, count_cap)
    params = params or {}
    limits = {"page_limit": per_page + 1, "page_offset": (number - 1) * per_page}
    rows = list(db.session.scalars(page_stmt, params | limits).unique())
    if number > 1 and not rows:
        abort(404)
    has_next = len(rows) > per_page
    items = rows[:per_page]
    seen = (number - 1) * per_page + len(items)
    if not has_next:
        total, capped = seen, False
    else:
        total = db.session.scalar(count_stmt, params) or 0
        capped = total > count_cap
        total = max(seen, min(total, count_cap))  # never fewer than the pages shown
    return Page(items, number, per_page, has_next, total, capped)


def page_url(page: int) -> str:
    """This page's URL with ``page`` replaced (other query parameters kept verbatim)."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.path}?{urlencode([*args, ('page', str(page))])}"


def init_app(app) -> None:
    app.jinja_env.globals["page_url"] = page_url
