"""Small factories for the asset tests (plain functions: call them inside an app context)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from intranet.assets import loans, services
from intranet.core.formatting import office_zone

_numbers = count(1)


def make_asset(actor=None, **fields):
    n = next(_numbers)
    data = services.AssetData(
        kode_barang=fields.pop("kode_barang", "1.3.2.05.02.06.002"),
        name=fields.pop("name", f"Proyektor {n}"),
        brand_type=fields.pop("brand_type", "Epson EB-X500"),
        year=fields.pop("year", 2022),
        value=fields.pop("value", 7_500_000),
        serial_no=fields.pop("serial_no", f"SN{n:06d}"),
        location_note=fields.pop("location_note", "Gudang"),
        **fields,
    )
    return services.create_asset(data, actor=actor)


def local(day, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=office_zone())


def make_loan(user, assets, day, start=9, end=12, *, purpose="Sosialisasi", days=0):
    return loans.request_loan(
        user,
        loans.LoanRequest(
            asset_ids=[a.id for a in assets],
            start_at=local(day, start),
            end_at=local(day + timedelta(days=days), end),
            purpose=purpose,
        ),
    )


def running_stocktake(user):
    """The running stock-take, or a new one of every room."""
    from intranet.assets import stocktake

    return stocktake.running() or stocktake.start(user, "Inventarisasi uji", [])
