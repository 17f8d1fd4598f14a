"""Asset pages make as many queries with 40 items and loans as with 80 (nothing per row)."""

from __future__ import annotations

from datetime import timedelta

from intranet.core.formatting import local_today
from tests.asset_helpers import make_asset, make_loan
from tests.web.test_query_counts import counted


def _grow(app, users, rooms, n):
    with app.test_request_context():
        day = local_today() + timedelta(days=3)
        for i in range(n):
            asset = make_asset(
                room_id=rooms[i % 2].id,
                location_note="",
                custodian_pillar_id=users["secretary"].pillar_id,
            )
            make_loan(users["staff"], [asset], day + timedelta(days=i))
            if i % 3 == 0:
                from intranet.assets import services

                data = services.AssetData(**{f: getattr(asset, f) for f in services.AUDIT_FIELDS})
                data.condition = "RR"
                services.update_asset(asset.id, data, actor=users["asset_keeper"])
        return asset


def test_asset_pages_do_not_read_per_row(app, login_as, users, make_room):
    rooms = [make_room("Aula"), make_room("Ruang Rapat 1")]
    client = login_as("admin")
    first = _grow(app, users, rooms, 40)
    from intranet.assets import stocktake

    with app.test_request_context():
        st = stocktake.start(users["asset_keeper"], "Uji", [])
        for asset in stocktake.expected(rooms[0].id)[:10]:
            stocktake.mark_found(users["asset_keeper"], st.id, asset.id, rooms[1].id, "RR")
    urls = [
        f"/assets/stocktakes/{st.id}",
        f"/assets/stocktakes/{st.id}/rooms/{rooms[0].id}",
        f"/assets/stocktakes/{st.id}/rooms/{rooms[1].id}?q=proyektor",
        f"/assets/stocktakes/{st.id}/result",
        f"/assets/kir/{rooms[0].id}",
        "/assets/maintenance/",
        "/assets/",
        "/assets/?sort=value&year=2022&kode=1.3.2",
        "/assets/?q=proyektor",
        f"/assets/{first.id}",
        "/assets/loans/?view=all",
        "/assets/loans/?view=waiting",
        "/assets/loans/1",
        "/assets/loans/1/slip",
        "/assets/loans/new?q=proyektor",
    ]

    def counts():
        found = {}
        for url in urls:
            client.get(url)
            with counted() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            found[url] = len(statements)
        return found

    before = counts()
    _grow(app, users, rooms, 40)
    with app.test_request_context():
        for asset in stocktake.expected(rooms[0].id)[10:30]:
            stocktake.mark_found(users["asset_keeper"], st.id, asset.id, rooms[1].id, "B")
    after = counts()
    assert before == after
    # The item page asks once per kind of name its history mentions (rooms, pillars).
    assert max(after.values()) <= 15, after
