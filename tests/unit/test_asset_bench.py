"""The asset part of the large-office generator, at the tests' small scale."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from intranet import bench
from intranet.assets import services
from intranet.assets.models import Asset, Loan, LoanItem
from intranet.extensions import db


@pytest.fixture
def generated(app):
    with app.test_request_context():
        return bench.generate(scale=0.1, seed=7)


def test_register_and_loans_at_scale(app, generated):
    assert generated["asset"] == 2_000 and generated["asset_loan"] == 3_000
    with app.test_request_context():
        for asset in db.session.scalars(select(Asset).limit(200)):
            assert services.KODE_RE.match(asset.kode_barang)
            assert services.REGISTER_RE.match(asset.register_no)
    pairs = db.session.execute(select(Asset.kode_barang, Asset.register_no)).all()
    assert len(set(pairs)) == len(pairs)
    on_loan = db.session.scalar(select(func.count()).where(Asset.status == "on_loan"))
    assert on_loan == db.session.scalar(select(func.count()).where(LoanItem.holds.is_(True)))
    assert db.session.scalar(select(func.count()).where(Loan.status == "handed_out")) == on_loan


def test_bench_pages_answer(app, generated, login_as):
    pages = [p for p in bench.pages() if p["name"].startswith("assets")]
    assert {p["name"] for p in pages} >= {"assets: register", "assets: search", "assets: item"}
    client = login_as("receptionist")
    for page in pages:
        headers = {"HX-Request": "true", "HX-Target": page["target"]} if page["htmx"] else {}
        response = client.get(page["path"], headers=headers)
        assert response.status_code == 200, page
        limit = page["max_bytes"] or (10_000 if page["kind"] == "fragment" else 60_000)
        assert len(response.data) <= limit, (page["name"], len(response.data))
