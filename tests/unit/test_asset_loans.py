"""Loan rules: no item lent twice at once, hand out, take back, worse condition, overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.assets import loans
from intranet.assets.models import Asset, Loan
from intranet.core.audit import AuditEntry
from intranet.core.formatting import local_today
from intranet.core.services import NotAllowed, ServiceError
from intranet.extensions import db
from tests.asset_helpers import local, make_asset, make_loan


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def day(ctx):
    return local_today() + timedelta(days=5)


@pytest.mark.parametrize(
    ("start", "end", "clash"),
    [(7, 9, False), (12, 14, False), (8, 10, True), (10, 11, True), (11, 13, True)],
    ids=["before", "after", "overlap-start", "inside", "overlap-end"],
)
def test_an_item_is_never_held_twice(users, day, start, end, clash):
    asset = make_asset()
    make_loan(users["staff"], [asset], day, 9, 12)
    if clash:
        with pytest.raises(loans.LoanRejected) as error:
            make_loan(users["secretary"], [asset], day, start, end)
        assert asset.name in error.value.problems[0]
    else:
        make_loan(users["secretary"], [asset], day, start, end)


def test_every_unavailable_item_is_named(users, day):
    free, taken, broken = make_asset(), make_asset(), make_asset(status="in_repair")
    make_loan(users["staff"], [taken], day)
    with pytest.raises(loans.LoanRejected) as error:
        make_loan(users["secretary"], [free, taken, broken], day)
    text = " ".join(error.value.problems)
    assert taken.name in text and broken.name in text and free.name not in text
    assert db.session.query(Loan).count() == 1  # nothing half-saved


def test_cancelled_and_returned_loans_free_the_item(users, day):
    asset = make_asset()
    loan = make_loan(users["staff"], [asset], day)
    loans.cancel(users["staff"], loan.id, "Acara batal")
    make_loan(users["secretary"], [asset], day)


def test_staff_request_waits_for_the_front_desk(users, day):
    loan = make_loan(users["staff"], [make_asset()], day)
    assert loan.status == "requested"
    with pytest.raises(NotAllowed):
        loans.approve(users["staff"], loan.id)
    loans.approve(users["receptionist"], loan.id)
    assert db.session.get(Loan, loan.id).status == "approved"
    assert make_loan(users["asset_keeper"], [make_asset()], day).status == "approved"


def test_hand_out_and_take_back_in_worse_condition(users, day):
    asset = make_asset()
    loan = make_loan(users["staff"], [asset], day)
    desk = users["receptionist"]
    loans.hand_out(desk, loan.id)
    assert db.session.get(Asset, asset.id).status == "on_loan"
    item = db.session.get(Loan, loan.id).items[0]
    assert item.condition_out == "B"
    with pytest.raises(ServiceError):
        loans.receive(desk, loan.id, {})
    loans.receive(desk, loan.id, {item.id: "RR"})
    asset = db.session.get(Asset, asset.id)
    assert (asset.status, asset.condition) == ("available", "RR")
    loan = db.session.get(Loan, loan.id)
    assert (loan.status, loan.received_by_id, loan.items[0].condition_in) == (
        "returned",
        desk.id,
        "RR",
    )
    actions = [
        e.action
        for e in db.session.query(AuditEntry)
        .filter_by(object_type="asset", object_id=str(asset.id))
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "asset.create",
        "loan.request",
        "loan.hand_out",
        "loan.return",
        "asset.condition",
    ]


def test_a_better_condition_on_return_does_not_repair_the_item(users, day):
    asset = make_asset(condition="RR")
    loan = make_loan(users["staff"], [asset], day)
    loans.hand_out(users["receptionist"], loan.id)
    item = db.session.get(Loan, loan.id).items[0]
    loans.receive(users["receptionist"], loan.id, {item.id: "B"})
    assert db.session.get(Asset, asset.id).condition == "RR"


def test_overdue_loans_keep_holding_and_count(users, ctx):
    asset = make_asset()
    yesterday = local_today() - timedelta(days=1)
    loan = loans.request_loan(
        users["asset_keeper"],
        loans.LoanRequest(
            asset_ids=[asset.id],
            start_at=local(yesterday, 8),
            end_at=local(yesterday, 9),
            purpose="Survei",
        ),
    )
    loans.hand_out(users["asset_keeper"], loan.id)
    assert loans.overdue_count() == 1
    tomorrow = local_today() + timedelta(days=1)
    with pytest.raises(loans.LoanRejected):  # not back yet: cannot be promised to anyone
        make_loan(users["staff"], [asset], tomorrow)


def test_an_item_in_repair_cannot_be_handed_out(users, day):
    asset = make_asset()
    loan = make_loan(users["staff"], [asset], day)
    db.session.get(Asset, asset.id).status = "in_repair"
    db.session.commit()
    with pytest.raises(loans.LoanRejected):
        loans.hand_out(users["receptionist"], loan.id)
    assert db.session.get(Loan, loan.id).status == "requested"


def test_validation_names_every_field(users, ctx):
    with pytest.raises(loans.LoanInvalid) as error:
        loans.request_loan(users["staff"], loans.LoanRequest([], None, None, ""))
    assert set(error.value.errors) == {"asset_ids", "start_at", "end_at", "purpose"}


def test_the_list_reads_loans_as_rows_in_the_pages_order(users, day):
    five = [make_asset(name=f"Kursi lipat {n}") for n in range(5)]
    first = make_loan(users["staff"], five, day)
    second = make_loan(users["secretary"], [make_asset(name="Proyektor")], day + timedelta(days=1))
    db.session.get(Loan, second.id).pillar_id = users["secretary"].pillar_id  # for a pillar
    db.session.commit()
    ids = list(db.session.scalars(*loans.loans_select(user=users["receptionist"], view="all")))
    assert ids[:2] == [second.id, first.id]  # newest first
    rows = loans.loan_rows(ids)
    assert [r.id for r in rows] == ids
    many = rows[1]
    assert many.borrower_name == users["staff"].full_name and many.status == "requested"
    assert [name for name, _register in many.items] == [a.name for a in five[:3]]
    assert many.item_count == 5  # the list says "and 2 more"
    assert rows[0].pillar_code == users["secretary"].pillar.code and many.pillar_code is None
    assert loans.loan_rows([]) == []
