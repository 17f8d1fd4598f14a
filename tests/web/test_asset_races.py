"""Concurrent loan requests for one item at one time: exactly one wins, the rest are told why.

Over real HTTP at a threaded server and at gunicorn with several worker processes, on
whichever database the suite runs (``make test-postgres`` runs it on PostgreSQL).
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from intranet.assets.models import Loan, LoanItem
from intranet.core.formatting import local_today
from intranet.extensions import db
from tests.asset_helpers import make_asset
from tests.servers import Gunicorn, all_at_once, signed_in, threaded_server

REQUESTS = 16


@pytest.fixture
def contenders(app, make_user):
    with app.test_request_context():
        asset = make_asset(name="Proyektor rebutan")
        day = local_today() + timedelta(days=4)
    people = [make_user(f"peminjam.{n}") for n in range(4)]
    form = {
        "asset_ids": str(asset.id),
        "start_at": f"{day.isoformat()}T09:00",
        "end_at": f"{day.isoformat()}T12:00",
        "purpose": "Sosialisasi",
    }
    return people, form


def _fire(base: str, people, form) -> list[tuple[int, str]]:
    names = [people[n % len(people)].username for n in range(REQUESTS)]
    return all_at_once(
        [
            partial(browser.request, "/assets/loans/new", {**form, "csrf_token": token})
            for browser, token in signed_in(base, names, "/assets/loans/new")
        ]
    )


def _assert_one_winner(results) -> None:
    statuses = sorted(status for status, _ in results)
    assert statuses == [303] + [422] * (REQUESTS - 1), statuses
    for status, html in results:
        assert "locked" not in html.lower()
        if status == 422:
            assert "Proyektor rebutan" in html  # the refusal names the item
    db.session.rollback()
    assert db.session.query(Loan).count() == 1
    assert db.session.query(LoanItem).count() == 1


def test_concurrent_loan_requests_threads(app, contenders):
    people, form = contenders
    with threaded_server(app) as base:
        results = _fire(base, people, form)
    _assert_one_winner(results)


def test_concurrent_loan_requests_processes(app, contenders):
    people, form = contenders
    with Gunicorn(app, workers=4) as server:
        results = _fire(server.base, people, form)
    _assert_one_winner(results)
