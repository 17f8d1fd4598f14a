"""Register rules: kode barang, register numbers, validation, changes and their history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.assets import services
from intranet.assets.models import Asset
from intranet.core.audit import AuditEntry
from intranet.extensions import db
from tests.asset_helpers import make_asset


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("1.3.2.05.01.04.001", True),
        ("1.3.2.10.01.02.001", True),
        ("1.3.2.05.01.04", False),  # six levels
        ("1.3.2.5.01.04.001", False),  # level 4 has two digits
        ("1.3.2.05.01.04.0001", False),
        ("1-3-2-05-01-04-001", False),
        ("", False),
    ],
)
def test_kode_barang_has_seven_levels(code, valid):
    assert bool(services.KODE_RE.match(code)) is valid


def test_register_numbers_run_per_kode(ctx):
    first = make_asset(kode_barang="1.3.2.05.01.04.001")
    second = make_asset(kode_barang="1.3.2.05.01.04.001")
    other = make_asset(kode_barang="1.3.2.10.01.02.001")
    assert (first.register_no, second.register_no, other.register_no) == ("0001", "0002", "0001")
    assert services.next_register_no("1.3.2.05.01.04.001") == "0003"
    assert services.next_register_no("1.3.2.05.01.04.002") == "0001"
    assert first.code == "1.3.2.05.01.04.001.0001"


def test_a_taken_register_number_is_refused_with_the_next_free_one(ctx):
    make_asset(kode_barang="1.3.2.05.01.04.001", register_no="0007")
    with pytest.raises(services.AssetInvalid) as error:
        make_asset(kode_barang="1.3.2.05.01.04.001", register_no="0007")
    assert "0008" in error.value.errors["register_no"][0]
    assert db.session.query(Asset).count() == 1


def test_every_error_at_once(ctx):
    data = services.AssetData(
        kode_barang="1.3.2",
        register_no="12",
        name="",
        year=1800,
        value=-5,
        origin="x",
        condition="Z",
        status="written_off",
    )
    errors = services.validate(data)
    assert set(errors) >= {
        "kode_barang",
        "register_no",
        "name",
        "year",
        "value",
        "origin",
        "condition",
        "location_note",
        "status_on",
        "status_reason",
    }


def test_changes_are_audited_with_names(ctx, make_room, users):
    room = make_room("Aula Besar")
    asset = make_asset(actor=users["asset_keeper"])
    data = services.AssetData(
        **{name: getattr(asset, name) for name in services.AUDIT_FIELDS},
    )
    data.room_id = room.id
    data.condition = "RR"
    services.update_asset(asset.id, data, actor=users["asset_keeper"])
    entries = services.history(asset.id)
    assert [e.action for e in entries] == ["asset.update", "asset.create"]
    change = entries[0].changes
    assert change["room_id"] == [None, room.id]
    assert change["condition"] == ["B", "RR"]
    from intranet.core import audit

    labels = audit.value_labels(entries)
    assert audit.value_label(entries[0], "room_id", room.id, labels) == "Aula Besar"
    assert str(audit.value_label(entries[0], "condition", "RR", labels)) == "Rusak Ringan (RR)"
    assert db.session.get(Asset, asset.id).location_note == ""  # a room replaces the note


def test_search_filters_and_totals(ctx, make_room):
    room = make_room("Ruang Rapat A")
    make_asset(name="Laptop Lenovo", room_id=room.id, location_note="", value=10_000_000)
    make_asset(name="Laptop Asus", value=12_000_000, condition="RR")
    make_asset(kode_barang="1.3.2.05.01.04.001", name="Lemari arsip", value=3_000_000)
    assert services.register_totals(services.Filters(q="laptop")) == (2, 22_000_000)
    assert services.register_totals(services.Filters(room_id=room.id)) == (1, 10_000_000)
    assert services.register_totals(services.Filters(room_id=0))[0] == 2
    assert services.register_totals(services.Filters(condition="RR"))[0] == 1
    assert services.register_totals(services.Filters(kode="1.3.2.05.01"))[0] == 1
    assert services.register_totals(services.Filters(kode="1.3.2.05"))[0] == 3
    assert services.register_totals(services.Filters(q="1.3.2.05.01.04.001.0001"))[0] == 1
    rows = db.session.scalars(services.register_select(services.Filters(sort="value"))).all()
    assert [a.value for a in rows] == [12_000_000, 10_000_000, 3_000_000]


def test_a_scanned_code_or_short_address_finds_the_item(ctx):
    asset = make_asset(kode_barang="1.3.2.10.01.02.001")
    assert services.scanned_asset_id("1.3.2.10.01.02.001.0001") == asset.id
    assert services.scanned_asset_id(f"http://intranet.lan/a/{asset.id}") == asset.id
    assert services.scanned_asset_id("1.3.2.10.01.02.001.0009") is None
    assert services.scanned_asset_id("laptop") is None


def test_written_off_needs_date_and_reason(ctx):
    asset = make_asset()
    data = services.AssetData(**{name: getattr(asset, name) for name in services.AUDIT_FIELDS})
    data.status = "written_off"
    with pytest.raises(services.AssetInvalid) as error:
        services.update_asset(asset.id, data, actor=None)
    assert set(error.value.errors) == {"status_on", "status_reason"}
    from intranet.core.formatting import local_today

    data.status_on = local_today() - timedelta(days=1)
    data.status_reason = "SK penghapusan No. 12/2025"
    services.update_asset(asset.id, data, actor=None)
    assert db.session.get(Asset, asset.id).status == "written_off"
    assert db.session.query(AuditEntry).filter_by(action="asset.update").count() == 1


@pytest.mark.parametrize("amount", [0, 5, 999, 1000, 1_250_000, 385_000_000, 10**12])
def test_fast_rupiah_matches_the_core_filter(app, amount):
    from intranet.core.formatting import format_rupiah

    for language in ("id", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            from flask_babel import force_locale

            with force_locale(language):
                assert services.rupiah_formatter()(amount) == format_rupiah(amount)


def _found(**filters) -> list[str]:
    page = services.register_page(services.Filters(**filters), 0, 50)
    return [a.name for a in page.items]


def test_search_finds_words_by_their_beginning_in_register_order(ctx):
    make_asset(
        kode_barang="1.3.2.10.01.02.001", name="Laptop Lenovo", brand_type="", serial_no="SN-884471"
    )
    make_asset(kode_barang="1.3.2.05.01.04.001", name="Laptop Asus", brand_type="Asus X")
    make_asset(kode_barang="1.3.2.05.02.06.002", name="Proyektor Epson", brand_type="Epson")
    make_asset(kode_barang="1.3.2.05.02.06.002", name="Kursi", brand_type="Chitose Internasional")
    # by the beginning of any word, in register (code) order, with the totals
    assert _found(q="lap") == ["Laptop Asus", "Laptop Lenovo"]
    assert _found(q="LAPTOP") == ["Laptop Asus", "Laptop Lenovo"]
    assert services.register_totals(services.Filters(q="lap"))[0] == 2
    assert _found(q="eps") == ["Proyektor Epson"]
    assert _found(q="top") == []  # words are found by their beginning
    # every word must match; numbers and serials anywhere in the text
    assert _found(q="laptop asus") == ["Laptop Asus"]
    assert _found(q="laptop 4471") == ["Laptop Lenovo"]
    assert _found(q="884") == ["Laptop Lenovo"]
    # a word longer than the index keeps is checked in full
    assert _found(q="internasional") == ["Kursi"]
    assert _found(q="internasionalx") == []
    # other sorts and filters still apply
    assert _found(q="laptop", sort="name") == ["Laptop Asus", "Laptop Lenovo"]
    assert _found(q="laptop", kode="1.3.2.10") == ["Laptop Lenovo"]


def test_the_word_index_follows_changes(ctx):
    from sqlalchemy import select

    from intranet.assets.models import AssetWord, word_beginnings

    asset = make_asset(name="Lemari arsip", brand_type="Brother")
    assert _found(q="lemari") == ["Lemari arsip"]
    data = services.AssetData(**{name: getattr(asset, name) for name in services.AUDIT_FIELDS})
    data.name = "Filing cabinet"
    services.update_asset(asset.id, data, actor=None)
    assert _found(q="lemari") == []
    assert _found(q="filing") == ["Filing cabinet"]
    stored = set(db.session.scalars(select(AssetWord.word).where(AssetWord.asset_id == asset.id)))
    assert stored == word_beginnings("Filing cabinet Brother " + asset.serial_no)
