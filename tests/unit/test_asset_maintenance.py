"""Maintenance: records, repair blocks loans, the due-soon list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.assets import loans, maintenance, services
from intranet.assets.models import Asset
from intranet.core.audit import value_label, value_labels
from intranet.core.formatting import local_today
from intranet.core.services import ServiceError
from intranet.extensions import db
from tests.asset_helpers import make_asset, make_loan


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_repair_blocks_loans_until_back_in_service(ctx, users):
    asset = make_asset(name="Proyektor rusak")
    today = local_today()
    maintenance.record(
        users["asset_keeper"],
        asset.id,
        maintenance.MaintenanceData(today, "Lampu diganti", "CV Sinar", 850_000, after="in_repair"),
    )
    assert db.session.get(Asset, asset.id).status == "in_repair"
    with pytest.raises(loans.LoanRejected) as error:
        make_loan(users["staff"], [asset], today + timedelta(days=2))
    assert "Proyektor rusak" in error.value.problems[0]
    maintenance.record(
        users["asset_keeper"],
        asset.id,
        maintenance.MaintenanceData(today, "Selesai diperbaiki", after="available"),
    )
    make_loan(users["staff"], [asset], today + timedelta(days=2))
    entries = services.history(asset.id)
    labels = value_labels(entries)
    record = next(e for e in entries if e.changes and "cost" in e.changes)
    assert value_label(record, "cost", 850_000, labels) == "Rp850.000"
    assert str(value_label(record, "status", "in_repair", labels)) == "Dalam perbaikan"


def test_rules(ctx, users):
    asset = make_asset()
    today = local_today()
    keeper = users["asset_keeper"]
    with pytest.raises(ServiceError) as error:
        maintenance.record(
            keeper, asset.id, maintenance.MaintenanceData(today + timedelta(days=1), "Servis")
        )
    assert error.value.field == "done_on"
    with pytest.raises(ServiceError) as error:
        maintenance.record(
            keeper,
            asset.id,
            maintenance.MaintenanceData(today, "Servis", next_service_on=today),
        )
    assert error.value.field == "next_service_on"


def test_due_soon_lists_each_items_latest_record(ctx, users):
    today = local_today()
    keeper = users["asset_keeper"]
    ac, genset, printer = (
        make_asset(name="AC"),
        make_asset(name="Genset"),
        make_asset(name="Printer"),
    )
    maintenance.record(
        keeper,
        ac.id,
        maintenance.MaintenanceData(
            today - timedelta(days=90), "Cuci AC", next_service_on=today + timedelta(days=5)
        ),
    )
    maintenance.record(
        keeper,
        genset.id,
        maintenance.MaintenanceData(
            today - timedelta(days=200), "Ganti oli", next_service_on=today - timedelta(days=3)
        ),
    )
    maintenance.record(
        keeper,
        printer.id,
        maintenance.MaintenanceData(
            today - timedelta(days=10), "Head", next_service_on=today + timedelta(days=90)
        ),
    )
    # a newer AC record moves its next service out of the window
    maintenance.record(
        keeper,
        ac.id,
        maintenance.MaintenanceData(
            today, "Cuci AC lagi", next_service_on=today + timedelta(days=120)
        ),
    )
    due = db.session.scalars(maintenance.due_select(today + timedelta(days=30))).all()
    assert [m.asset.name for m in due] == ["Genset"]
