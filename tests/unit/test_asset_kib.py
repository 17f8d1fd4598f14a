"""KIB B export and import: errors by row and column, all or nothing, and a round trip."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intranet.assets import kib, services
from intranet.assets.models import Asset
from intranet.core.audit import AuditEntry
from intranet.core.services import ServiceError
from intranet.extensions import db
from tests.asset_helpers import make_asset


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def register(ctx, make_room, make_pillar):
    aula = make_room("Aula")
    tksk = make_pillar("TKSK")
    make_asset(name="Proyektor", room_id=aula.id, location_note="", custodian_pillar_id=tksk.id)
    make_asset(
        kode_barang="1.3.2.02.01.01.004",
        name="Mobil operasional",
        brand_type="Toyota Kijang Innova",
        size="2.400 CC",
        plate_no="BL 1234 AB",
        chassis_no="MHF123",
        engine_no="1TR999",
        bpkb_no="P-001",
        origin="hibah",
        value=385_000_000,
        condition="RR",
        location_note="Garasi",
        notes="=SUM(A1) bukan rumus",
    )
    return aula, tksk


def _all():
    return services.register_select(services.Filters())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(register, users, kind):
    rows = kib.export_rows(_all())
    assert rows[0] == kib.HEADERS and len(rows) == 3
    body = kib.to_csv(rows) if kind == "csv" else kib.to_xlsx(rows)
    before = [
        (a.id, *(getattr(a, f) for f in services.AUDIT_FIELDS))
        for a in db.session.scalars(select(Asset).order_by(Asset.id))
    ]
    audits = db.session.query(AuditEntry).count()
    result = kib.plan(kib.read_table(f"kib.{kind}", body))
    assert result.errors == [] and (result.new, result.changed, result.unchanged) == (0, 0, 2)
    assert kib.run(users["asset_keeper"], result, skip_bad=False) == (0, 0)
    db.session.expire_all()
    after = [
        (a.id, *(getattr(a, f) for f in services.AUDIT_FIELDS))
        for a in db.session.scalars(select(Asset).order_by(Asset.id))
    ]
    assert after == before
    assert db.session.query(AuditEntry).count() == audits


def test_bad_rows_are_reported_by_row_and_column(register, users):
    csv_text = "\n".join(
        [
            ",".join(kib.HEADERS),
            "1,1.3.2.10.01.02.001,Laptop,,Lenovo,,,2024,,,,,,Pembelian APBD,12.500.000,,B,Aula,,"
            "Kantor",
            "2,1.3.2.10,Printer,,Epson,,,2024,,,,,,Pembelian APBD,2000000,,B,Aula,,Kantor",
            "3,1.3.2.10.01.02.001,PC,0007,HP,,,dua ribu,,,,,,APBD,abc,,B,Ruang Hilang,,PKH",
            "4,1.3.2.10.01.02.001,PC,0005,HP,,,2023,,,,,,Pembelian APBD,1,,B,Aula,,Kantor",
            "5,1.3.2.10.01.02.001,PC,0005,HP,,,2023,,,,,,Pembelian APBD,1,,B,Aula,,Kantor",
        ]
    ).encode()
    result = kib.plan(kib.read_table("kib.csv", csv_text))
    problems = {(e.row, e.column) for e in result.errors}
    assert (3, "Kode Barang") in problems
    assert {(4, "Tahun Pembelian"), (4, "Harga (Rp)"), (4, "Ruangan"), (4, "Pemakai")} <= problems
    assert (6, "Nomor Register") in problems  # the same register as row 5
    assert 2 not in result.bad_rows and 5 not in result.bad_rows
    count = db.session.query(Asset).count()
    with pytest.raises(ServiceError):
        kib.run(users["asset_keeper"], result, skip_bad=False)  # all or nothing
    assert db.session.query(Asset).count() == count
    assert kib.run(users["asset_keeper"], result, skip_bad=True) == (2, 0)
    laptop = db.session.scalars(select(Asset).where(Asset.name == "Laptop")).one()
    assert (laptop.register_no, laptop.value) == ("0001", 12_500_000)


def test_a_changed_row_updates_the_item(register, users):
    rows = kib.export_rows(_all())
    rows[1][15] = "Lampu sudah diganti"  # Keterangan
    result = kib.plan(kib.read_table("kib.csv", kib.to_csv(rows)))
    assert (result.new, result.changed, result.unchanged) == (0, 1, 1)
    kib.run(users["asset_keeper"], result, skip_bad=False)
    changed = db.session.scalars(select(Asset).where(Asset.notes == "Lampu sudah diganti")).one()
    assert services.history(changed.id)[0].action == "asset.update"


def test_formulas_are_not_exported_as_formulas(register):
    body = kib.to_csv(kib.export_rows(_all())).decode("utf-8-sig")
    assert "'=SUM(A1) bukan rumus" in body
