"""Stock-take: expected lists, findings, progress, the result and applying it at once."""

from __future__ import annotations

import pytest

from intranet.assets import services, stocktake
from intranet.assets.models import Asset
from intranet.core.services import ServiceError
from intranet.extensions import db
from tests.asset_helpers import make_asset


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def office(ctx, make_room):
    aula, rapat = make_room("Aula"), make_room("Ruang Rapat")
    items = {
        "meja": make_asset(name="Meja", room_id=aula.id, location_note=""),
        "kursi": make_asset(name="Kursi", room_id=aula.id, location_note=""),
        "tv": make_asset(name="TV", room_id=aula.id, location_note=""),
        "lemari": make_asset(name="Lemari", room_id=rapat.id, location_note=""),
    }
    return aula, rapat, items


def test_walk_review_apply(office, users):
    aula, rapat, items = office
    keeper = users["asset_keeper"]
    st = stocktake.start(keeper, "Inventarisasi 2026", [])
    with pytest.raises(ServiceError):
        stocktake.start(keeper, "Kedua", [])  # one at a time
    assert [a.name for a in stocktake.expected(aula.id)] == ["Kursi", "Meja", "TV"]
    stocktake.mark_found(keeper, st.id, items["meja"].id, aula.id, "B")
    stocktake.mark_found(keeper, st.id, items["kursi"].id, aula.id, "RR")  # worse
    stocktake.mark_found(keeper, st.id, items["lemari"].id, aula.id, "B")  # moved
    stocktake.mark_found(keeper, st.id, items["lemari"].id, aula.id, "B")  # twice: one finding
    stocktake.add_unexpected(keeper, st.id, rapat.id, "Kipas angin Maspion", "B")
    progress = {p.room.name: (p.found, p.expected) for p in stocktake.progress(st)}
    assert progress == {"Aula": (2, 3), "Ruang Rapat": (1, 1)}
    outcome = stocktake.result(st)
    assert [f.asset.name for f in outcome.found] == ["Meja"]
    assert [f.asset.name for f in outcome.moved] == ["Lemari"]
    assert [f.asset.name for f in outcome.condition_changed] == ["Kursi"]
    assert [a.name for a in outcome.missing] == ["TV"]
    assert [f.description for f in outcome.unexpected] == ["Kipas angin Maspion"]
    with pytest.raises(ServiceError):
        stocktake.apply(keeper, st.id)  # still running
    stocktake.finish(keeper, st.id)
    with pytest.raises(ServiceError):
        stocktake.mark_found(keeper, st.id, items["tv"].id, aula.id, "B")
    stocktake.apply(keeper, st.id)
    db.session.expire_all()
    assert db.session.get(Asset, items["lemari"].id).room_id == aula.id
    assert db.session.get(Asset, items["kursi"].id).condition == "RR"
    assert db.session.get(Asset, items["tv"].id).room_id == aula.id  # missing: left alone
    actions = [e.action for e in services.history(items["lemari"].id)]
    assert actions[0] == "asset.stocktake"
    with pytest.raises(ServiceError):
        stocktake.apply(keeper, st.id)  # once only


def test_undo_a_mark(office, users):
    aula, _rapat, items = office
    keeper = users["asset_keeper"]
    st = stocktake.start(keeper, "Cek", [aula.id])
    stocktake.mark_found(keeper, st.id, items["tv"].id, aula.id, "B")
    stocktake.unmark(keeper, st.id, items["tv"].id)
    assert stocktake.findings(st.id) == []
    assert [p.room.name for p in stocktake.progress(st)] == ["Aula"]
