"""Register and loan pages over HTTP: search, filters, scanning, the form, the loan steps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intranet.assets.models import Asset, Loan
from intranet.core.formatting import local_today
from intranet.extensions import db
from tests.asset_helpers import make_asset, make_loan

VALID = {
    "kode_barang": "1.3.2.10.01.02.001",
    "register_no": "",
    "name": "Personal computer",
    "brand_type": "Lenovo ThinkCentre M70",
    "year": "2024",
    "value": "12.500.000",
    "origin": "apbd",
    "condition": "B",
    "room_id": "",
    "location_note": "Gudang belakang",
    "custodian_pillar_id": "",
    "status": "available",
}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_register_lists_counts_and_totals(ctx, login_as):
    make_asset(name="Laptop Lenovo", value=10_000_000)
    make_asset(name="Lemari arsip", value=3_000_000, kode_barang="1.3.2.05.01.04.001")
    client = login_as("staff")
    page = client.get("/assets/?q=laptop").get_data(as_text=True)
    assert "Laptop Lenovo" in page and "Lemari arsip" not in page
    assert "Rp10.000.000" in page and "<html" in page
    fragment = client.get(
        "/assets/?q=lemari", headers={"HX-Request": "true", "HX-Target": "asset-list"}
    )
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "Lemari arsip" in html and "Rp3.000.000" in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_scanned_code_jumps_to_the_item(ctx, login_as):
    asset = make_asset(kode_barang="1.3.2.10.01.02.001")
    client = login_as("staff")
    response = client.get("/assets/?q=1.3.2.10.01.02.001.0001")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/assets/{asset.id}")
    htmx = client.get(
        "/assets/?q=1.3.2.10.01.02.001.0001",
        headers={"HX-Request": "true", "HX-Target": "asset-list"},
    )
    assert htmx.headers["HX-Redirect"].endswith(f"/assets/{asset.id}")
    assert client.get(f"/a/{asset.id}").headers["Location"].endswith(f"/assets/{asset.id}")


def test_keeper_registers_an_item_with_the_next_register_number(ctx, login_as):
    make_asset(kode_barang="1.3.2.10.01.02.001")
    client = login_as("asset_keeper")
    hint = client.get("/assets/register-number?kode_barang=1.3.2.10.01.02.001")
    assert "0002" in hint.get_data(as_text=True)
    response = client.post_form("/assets/new", VALID)
    assert response.status_code == 303
    asset = db.session.query(Asset).filter_by(name="Personal computer").one()
    assert (asset.register_no, asset.value) == ("0002", 12_500_000)
    page = client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Barang dicatat" in page


def test_every_error_at_once_with_values_kept(ctx, login_as):
    client = login_as("asset_keeper")
    bad = {
        **VALID,
        "kode_barang": "1.3.2.10",
        "register_no": "12",
        "name": "",
        "year": "tahun lalu",
        "value": "dua juta",
        "location_note": "",
        "brand_type": "Merek yang tetap",
    }
    response = client.post_form("/assets/new", bad, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    for field in ("kode_barang", "register_no", "name", "year", "value", "location_note"):
        assert f'id="{field}-error"' in html, field
    assert "Merek yang tetap" in html and "dua juta" in html
    assert db.session.query(Asset).count() == 0


def test_edit_records_history_in_words(ctx, login_as, make_room):
    room = make_room("Aula Serbaguna")
    asset = make_asset()
    client = login_as("asset_keeper")
    form = {**VALID, "kode_barang": asset.kode_barang, "register_no": asset.register_no}
    form.update(name=asset.name, room_id=str(room.id), location_note="", condition="RB")
    assert client.post_form(f"/assets/{asset.id}/edit", form).status_code == 303
    page = client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Aula Serbaguna" in page
    assert "Rusak Berat (RB)" in page


def test_staff_cannot_edit_but_can_borrow(ctx, login_as):
    asset = make_asset()
    client = login_as("staff")
    assert client.get(f"/assets/{asset.id}/edit").status_code == 403
    day = local_today() + timedelta(days=3)
    response = client.post_form(
        "/assets/loans/new",
        {
            "asset_ids": [str(asset.id)],
            "start_at": f"{day.isoformat()}T08:00",
            "end_at": f"{day.isoformat()}T12:00",
            "purpose": "Sosialisasi PKH",
        },
    )
    assert response.status_code == 303
    loan = db.session.query(Loan).one()
    assert loan.status == "requested"
    # The same item at an overlapping time: refused with the reason, nothing saved.
    again = client.post_form(
        "/assets/loans/new",
        {
            "asset_ids": [str(asset.id)],
            "start_at": f"{day.isoformat()}T10:00",
            "end_at": f"{day.isoformat()}T11:00",
            "purpose": "Rapat",
        },
        htmx=True,
    )
    assert again.status_code == 422
    assert asset.name in again.get_data(as_text=True)
    assert db.session.query(Loan).count() == 1


def test_front_desk_hands_out_and_takes_back_worse(ctx, login_as, users):
    asset = make_asset()
    loan = make_loan(users["staff"], [asset], local_today() + timedelta(days=1))
    desk = login_as("receptionist")
    assert desk.post_form(f"/assets/loans/{loan.id}/hand-out").status_code == 303
    assert db.session.get(Asset, asset.id).status == "on_loan"
    item = db.session.get(Loan, loan.id).items[0]
    response = desk.post_form(f"/assets/loans/{loan.id}/return", {f"condition-{item.id}": "RB"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Asset, asset.id).condition == "RB"
    slip = desk.get(f"/assets/loans/{loan.id}/slip").get_data(as_text=True)
    assert asset.register_no in slip and users["receptionist"].full_name in slip


def test_a_secretary_does_not_see_someone_elses_loan(ctx, login_as, users):
    loan = make_loan(users["staff"], [make_asset()], local_today() + timedelta(days=1))
    assert login_as("secretary").get(f"/assets/loans/{loan.id}").status_code == 403
    assert login_as("staff").get(f"/assets/loans/{loan.id}").status_code == 200


def test_overdue_badge_for_the_keeper(ctx, login_as, users):
    from tests.asset_helpers import local

    asset = make_asset()
    yesterday = local_today() - timedelta(days=2)
    from intranet.assets import loans

    loan = loans.request_loan(
        users["asset_keeper"],
        loans.LoanRequest([asset.id], local(yesterday, 8), local(yesterday, 10), "Survei"),
    )
    loans.hand_out(users["asset_keeper"], loan.id)
    badge = login_as("asset_keeper").get("/assets/loans/badge").get_data(as_text=True)
    assert ">1<" in badge
    overdue = login_as("asset_keeper").get("/assets/loans/?view=overdue").get_data(as_text=True)
    assert "Survei" in overdue or asset.name in overdue


def test_label_sheet_for_ticked_or_filtered_items(ctx, login_as, make_room):
    room = make_room("Ruang Rapat Label")
    inside = make_asset(name="Proyektor ruang", room_id=room.id, location_note="")
    other = make_asset(name="Kamera gudang")
    client = login_as("asset_keeper")
    ticked = client.get(f"/assets/labels?ids={other.id}").get_data(as_text=True)
    assert "Kamera gudang" in ticked and "Proyektor ruang" not in ticked
    assert ticked.count('<svg role="img"') == 1 and f"QR {other.code}" in ticked
    by_room = client.get(f"/assets/labels?room={room.id}").get_data(as_text=True)
    assert "Proyektor ruang" in by_room and "Kamera gudang" not in by_room
    assert inside.kode_barang in by_room and "Ruang Rapat Label" in by_room
    assert login_as("staff").get("/assets/labels").status_code == 403


def test_the_qr_code_holds_the_short_address(ctx, login_as):
    import segno

    asset = make_asset()
    sheet = login_as("asset_keeper").get(f"/assets/labels?ids={asset.id}").get_data(as_text=True)
    expected = segno.make(f"http://localhost/a/{asset.id}", error="m")
    path = expected.svg_inline(scale=1, border=0, omitsize=True).split("<path", 1)[1]
    assert path in sheet


def test_room_inventory_card(ctx, login_as, make_room):
    room = make_room("Ruang KIR")
    make_asset(name="Meja rapat", room_id=room.id, location_note="", value=4_000_000)
    make_asset(name="Kursi rapat", room_id=room.id, location_note="", value=500_000)
    make_asset(name="Lemari di gudang", value=9_000_000)
    page = login_as("staff").get(f"/assets/kir/{room.id}").get_data(as_text=True)
    assert "Meja rapat" in page and "Kursi rapat" in page and "Lemari di gudang" not in page
    assert "Rp4.500.000" in page and "Pengurus barang" in page
    room_page = login_as("staff").get(f"/rooms/{room.id}").get_data(as_text=True)
    assert f"/assets/kir/{room.id}" in room_page


def test_reserve_equipment_from_the_booking_page(ctx, login_as, users, make_room, book, next_week):
    from datetime import time

    room = make_room("Aula Acara", opens_at=time(7), closes_at=time(18))
    booking = book(room, next_week, time(9), time(11), title="Rapat akbar")
    projector = make_asset(name="Proyektor aula")
    staff = login_as("staff")
    panel = staff.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f"/assets/equipment/{booking.id}" in panel
    found = staff.get(f"/assets/equipment/{booking.id}?q=proyektor").get_data(as_text=True)
    assert "Proyektor aula" in found
    response = staff.post_form(
        f"/assets/equipment/{booking.id}", {"asset_ids": str(projector.id), "q": "proyektor"}
    )
    assert response.status_code == 303
    loan = db.session.query(Loan).one()
    assert loan.booking_id == booking.id and loan.purpose == "Rapat akbar"
    assert login_as("secretary").post_form(f"/assets/equipment/{booking.id}").status_code == 403
    sheet = login_as("receptionist").get(f"/bookings/frontdesk?date={next_week.isoformat()}")
    assert "Proyektor aula" in sheet.get_data(as_text=True)
    released = staff.post_form(
        f"/assets/equipment/{booking.id}", {"action": "release", "loan_id": str(loan.id)}
    )
    assert released.status_code == 303
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).status == "cancelled"


def test_maintenance_form_and_due_list(ctx, login_as):
    asset = make_asset(name="AC split ruang rapat")
    keeper = login_as("asset_keeper")
    today = local_today()
    bad = keeper.post_form(
        f"/assets/{asset.id}/maintenance",
        {"done_on": "", "work_done": "", "cost": "mahal", "vendor": "CV Dingin"},
        htmx=True,
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "<html" not in html
    assert 'id="done_on-error"' in html and 'id="work_done-error"' in html
    assert 'id="cost-error"' in html and "CV Dingin" in html
    good = keeper.post_form(
        f"/assets/{asset.id}/maintenance",
        {
            "done_on": (today - timedelta(days=80)).isoformat(),
            "work_done": "Cuci dan isi freon",
            "cost": "350.000",
            "vendor": "CV Dingin",
            "next_service_on": (today + timedelta(days=10)).isoformat(),
            "after": "",
        },
    )
    assert good.status_code == 303
    page = keeper.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert "Cuci dan isi freon" in page and "Rp350.000" in page
    due = keeper.get("/assets/maintenance/").get_data(as_text=True)
    assert "AC split ruang rapat" in due


def test_stocktake_walk_over_http(ctx, login_as, make_room):
    aula, gudang = make_room("Aula Besar"), make_room("Gudang Depan")
    meja = make_asset(name="Meja panjang", room_id=aula.id, location_note="")
    tv = make_asset(name="TV ruang tunggu", room_id=gudang.id, location_note="")
    keeper = login_as("asset_keeper")
    assert keeper.post_form("/assets/stocktakes/", {"title": ""}).status_code == 422
    response = keeper.post_form(
        "/assets/stocktakes/", {"title": "Inventarisasi 2026", "room_ids": [str(aula.id)]}
    )
    assert response.status_code == 303
    st_url = response.headers["Location"]
    st_id = int(st_url.rstrip("/").rsplit("/", 1)[1])
    walk = keeper.get(f"/assets/stocktakes/{st_id}/rooms/{aula.id}").get_data(as_text=True)
    assert "Meja panjang" in walk and "0 dari 1" in walk
    marked = keeper.post_form(
        f"/assets/stocktakes/{st_id}/found",
        {"asset_id": str(meja.id), "room_id": str(aula.id), "condition": "RR"},
        htmx=True,
        headers={"HX-Target": "walk"},
    )
    html = marked.get_data(as_text=True)
    assert marked.status_code == 200 and "<html" not in html and "1 dari 1" in html
    # the TV is found in the hall, opened from its label: "found here" on its page
    item_page = keeper.get(f"/assets/{tv.id}").get_data(as_text=True)
    assert "Inventarisasi 2026" in item_page
    assert (
        keeper.post_form(
            f"/assets/stocktakes/{st_id}/found",
            {"asset_id": str(tv.id), "room_id": str(aula.id), "condition": "B", "from": "item"},
        )
        .headers["Location"]
        .endswith(f"/assets/{tv.id}")
    )
    keeper.post_form(f"/assets/stocktakes/{st_id}/finish")
    result = keeper.get(f"/assets/stocktakes/{st_id}/result").get_data(as_text=True)
    assert "TV ruang tunggu" in result and "Meja panjang" in result
    csv_text = keeper.get(f"/assets/stocktakes/{st_id}/result.csv").get_data(as_text=True)
    assert "TV ruang tunggu" in csv_text and "Gudang Depan" in csv_text
    assert keeper.post_form(f"/assets/stocktakes/{st_id}/apply").status_code == 303
    db.session.expire_all()
    assert db.session.get(Asset, tv.id).room_id == aula.id
    assert db.session.get(Asset, meja.id).condition == "RR"


def test_import_dry_run_then_import_over_http(ctx, login_as, make_room):
    import io

    from intranet.assets import kib

    make_room("Aula")
    keeper = login_as("asset_keeper")
    cells = ["1", "1.3.2.05.02.06.002", "Proyektor", "", "Epson", "", "", "2024", "", "", ""]
    good = ",".join([*cells, "", "", "Pembelian APBD", "7.800.000", "", "B", "Aula", "", "Kantor"])
    bad = good.replace("Aula", "Ruang Antah").replace("2024", "1850")
    body = ("\n".join([",".join(kib.HEADERS), good, bad]) + "\n").encode()
    dry = keeper.post(
        "/assets/import",
        data={"csrf_token": keeper.csrf_token(), "file": (io.BytesIO(body), "kib.csv")},
        content_type="multipart/form-data",
    )
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200 and "Ruang Antah" in html and "Tahun Pembelian" in html
    assert db.session.query(Asset).count() == 0  # a dry run saves nothing
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = keeper.post_form("/assets/import", {"token": token, "name": "kib.csv", "run": "valid"})
    assert done.status_code == 303
    assert [a.name for a in db.session.query(Asset)] == ["Proyektor"]
    exported = keeper.get("/assets/export.csv")
    assert exported.mimetype == "text/csv" and "Proyektor" in exported.get_data(as_text=True)
    xlsx = keeper.get("/assets/export.xlsx?q=proyektor")
    assert xlsx.data[:2] == b"PK"
