"""KIB B files: export the register (as filtered) and import it back, CSV or XLSX.

Columns follow the KIB B (Kartu Inventaris Barang B, equipment and machines), then the
office's own: condition, room, place outside the rooms, custodian. Headers are the
Indonesian ones of the form whatever the reader's language, so files travel between
offices. Import matches rows to items by kode barang + register number: known items are
updated, new ones registered; exporting and importing the same file changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from intranet.assets.models import Asset, AssetStatus
from intranet.assets.services import (
    AUDIT_FIELDS,
    KODE_RE,
    REGISTER_RE,
    AssetData,
    AssetInvalid,
    create_asset,
    next_register_no,
    update_asset,
    validate,
)
from intranet.auth.models import Pillar
from intranet.bookings.models import Room
from intranet.core import uploads
from intranet.core.db import write_transaction
from intranet.core.formatting import spreadsheet_safe
from intranet.core.services import ServiceError
from intranet.extensions import db

# (header, AssetData field); "No." is the running number, ignored on import.
COLUMNS = [
    ("No.", ""),
    ("Kode Barang", "kode_barang"),
    ("Nama/Jenis Barang", "name"),
    ("Nomor Register", "register_no"),
    ("Merk/Type", "brand_type"),
    ("Ukuran/CC", "size"),
    ("Bahan", "material"),
    ("Tahun Pembelian", "year"),
    ("Nomor Pabrik", "serial_no"),
    ("Nomor Rangka", "chassis_no"),
    ("Nomor Mesin", "engine_no"),
    ("Nomor Polisi", "plate_no"),
    ("Nomor BPKB", "bpkb_no"),
    ("Asal Usul", "origin"),
    ("Harga (Rp)", "value"),
    ("Keterangan", "notes"),
    ("Kondisi", "condition"),
    ("Ruangan", "room_id"),
    ("Lokasi di Luar Ruangan", "location_note"),
    ("Pemakai", "custodian_pillar_id"),
]
HEADERS = [header for header, _name in COLUMNS]
# Origin as written in the file (Indonesian, as on the KIB) and what is read back.
ORIGIN_TEXT = {
    "apbd": "Pembelian APBD",
    "apbn": "Pembelian APBN",
    "hibah": "Hibah",
    "csr": "CSR",
    "other": "Lainnya",
}
ORIGIN_READ = {
    **{text.lower(): code for code, text in ORIGIN_TEXT.items()},
    **{code: code for code in ORIGIN_TEXT},
    "pembelian": "apbd",
}
OFFICE = "Kantor"
MAX_ROWS = 25_000


def _lookups() -> tuple[dict[int, str], dict[int, str]]:
    rooms = dict(db.session.execute(select(Room.id, Room.name)).all())
    pillars = dict(db.session.execute(select(Pillar.id, Pillar.code)).all())
    return rooms, pillars


def export_rows(stmt: Any) -> list[list[Any]]:
    """The register rows of a select, in KIB B column order (with the header row)."""
    rooms, pillars = _lookups()
    rows: list[list[Any]] = [HEADERS]
    for number, asset in enumerate(db.session.scalars(stmt), start=1):
        rows.append(
            [
                number,
                asset.kode_barang,
                asset.name,
                asset.register_no,
                asset.brand_type,
                asset.size,
                asset.material,
                asset.year,
                asset.serial_no,
                asset.chassis_no,
                asset.engine_no,
                asset.plate_no,
                asset.bpkb_no,
                ORIGIN_TEXT.get(asset.origin, asset.origin),
                asset.value,
                asset.notes,
                asset.condition,
                rooms.get(asset.room_id, "") if asset.room_id else "",
                asset.location_note,
                pillars.get(asset.custodian_pillar_id, "") if asset.custodian_pillar_id else OFFICE,
            ]
        )
    return rows


def to_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("KIB B")
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # the row number in the file (header = 1)
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    data: AssetData
    existing_id: int | None = None


@dataclass
class Plan:
    """What an import would do: rows to add, rows to change, rows unchanged, errors."""

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0
    new: int = 0
    changed: int = 0

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    @property
    def valid(self) -> list[ParsedRow]:
        bad = self.bad_rows
        return [r for r in self.rows if r.row not in bad]


def read_table(name: str, content: bytes) -> list[list[str]]:
    """The file's rows as text cells (CSV in UTF-8 or Windows-1252, or the first sheet)."""
    if name.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise ServiceError(_("This is not a readable XLSX file."), field="file") from error
        sheet = workbook.worksheets[0]
        return [
            [
                ""
                if v is None
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                for v in row
            ]
            for row in sheet.iter_rows(values_only=True)
        ]
    if not name.lower().endswith(".csv"):
        raise ServiceError(_("Upload a CSV or XLSX file."), field="file")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    dialect: Any = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index].strip()
    return value[1:] if value.startswith("'") and value[1:2] in ("=", "+", "-", "@") else value


def plan(table: list[list[str]]) -> Plan:
    """Validate every row (nothing is written) and say what importing would do."""
    result = Plan()
    if not table:
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    header = [h.strip().lower() for h in table[0]]
    index = {
        name: header.index(h.lower()) if h.lower() in header else None
        for h, name in COLUMNS
        if name
    }
    missing = [
        h for h, name in COLUMNS if name in ("kode_barang", "name", "year") and index[name] is None
    ]
    if missing:
        result.errors.append(
            RowError(
                1,
                ", ".join(missing),
                _("These KIB B columns are missing: %(names)s.", names=", ".join(missing)),
            )
        )
        return result
    if len(table) - 1 > MAX_ROWS:
        result.errors.append(RowError(1, "", _("At most %(num)d rows per file.", num=MAX_ROWS)))
        return result
    room_ids = {
        name.lower(): rid for rid, name in db.session.execute(select(Room.id, Room.name)).all()
    }
    pillar_ids = {
        code.lower(): pid for pid, code in db.session.execute(select(Pillar.id, Pillar.code)).all()
    }
    existing = {(a.kode_barang, a.register_no): a for a in db.session.scalars(select(Asset))}
    next_free: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    header_of = {name: h for h, name in COLUMNS if name}
    for number, row in enumerate(table[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        errors: list[RowError] = []

        def err(name: str, message: str, number=number, errors=errors) -> None:
            errors.append(RowError(number, header_of.get(name, name), message))

        values = {name: _cell(row, index[name]) for name in index}
        data = AssetData(
            kode_barang=values["kode_barang"],
            register_no=values["register_no"],
            name=values["name"],
            brand_type=values["brand_type"],
            size=values["size"],
            material=values["material"],
            serial_no=values["serial_no"],
            chassis_no=values["chassis_no"],
            engine_no=values["engine_no"],
            plate_no=values["plate_no"],
            bpkb_no=values["bpkb_no"],
            notes=values["notes"],
            location_note=values["location_note"],
        )
        year = values["year"]
        data.year = int(year) if year.isdigit() else None
        if year and not year.isdigit():
            err("year", _("Write the year as 4 digits, e.g. 2024."))
        price = (
            values["value"].replace("Rp", "").replace(".", "").replace(",00", "").replace(" ", "")
        )
        if price == "":
            data.value = 0
        elif price.isdigit():
            data.value = int(price)
        else:
            data.value = 0
            err("value", _("Give the value in whole Rupiah, 0 or more."))
        origin = values["origin"].lower()
        data.origin = ORIGIN_READ.get(origin, "apbd" if not origin else "")
        condition = values["condition"].upper() or "B"
        data.condition = condition
        room = values["room_id"]
        if room:
            data.room_id = room_ids.get(room.lower())
            if data.room_id is None:
                err("room_id", _("Unknown room: %(name)s.", name=room))
        custodian = values["custodian_pillar_id"]
        if custodian and custodian.lower() != OFFICE.lower():
            data.custodian_pillar_id = pillar_ids.get(custodian.lower())
            if data.custodian_pillar_id is None:
                err("custodian_pillar_id", _("Unknown pillar: %(name)s.", name=custodian))
        known = None
        if KODE_RE.match(data.kode_barang):
            if not data.register_no:
                start = next_free.get(data.kode_barang) or int(
                    next_register_no(data.kode_barang) or 10000
                )
                data.register_no = f"{start:04d}" if start <= 9999 else ""
                next_free[data.kode_barang] = start + 1
            elif REGISTER_RE.match(data.register_no):
                key = (data.kode_barang, data.register_no)
                if key in seen:
                    err(
                        "register_no",
                        _(
                            "Register %(number)s of this kode barang is also in row %(row)d.",
                            number=data.register_no,
                            row=seen[key],
                        ),
                    )
                seen.setdefault(key, number)
                known = existing.get(key)
                next_free[data.kode_barang] = max(
                    next_free.get(data.kode_barang, 0), int(data.register_no) + 1
                )
        if known is not None:
            # A known item keeps what the file does not speak about (status, photo).
            data.status = known.status
            data.status_on = known.status_on
            data.status_reason = known.status_reason
        found = validate(data.cleaned(), known.id if known else None)
        said = {e.column for e in errors}
        for name, messages in found.items():
            if header_of.get(name, name) in said:
                continue  # already said what is wrong with this cell
            if name in ("room_id", "location_note") and data.room_id is None and room:
                continue  # already said: unknown room
            if name == "origin" and origin and not data.origin:
                err(
                    "origin",
                    _(
                        "Unknown origin: %(name)s (write APBD, APBN, Hibah, CSR or Lainnya).",
                        name=values["origin"],
                    ),
                )
                continue
            for message in messages:
                err(name, message)
        result.errors.extend(errors)
        parsed = ParsedRow(number, data, known.id if known else None)
        result.rows.append(parsed)
        if not errors:
            if known is None:
                result.new += 1
            elif _differs(known, data):
                result.changed += 1
            else:
                result.unchanged += 1
    return result


def _differs(asset: Asset, data: AssetData) -> bool:
    clean = data.cleaned()
    return any(getattr(asset, name) != getattr(clean, name) for name in AUDIT_FIELDS)


def run(user: Any, result: Plan, *, skip_bad: bool) -> tuple[int, int]:
    """Write the plan: every valid row (``skip_bad``) or, when there are errors, nothing.

    One transaction: either all the rows it writes are written, or none.
    """
    if result.errors and not skip_bad:
        raise ServiceError(_("The file has errors: nothing was imported."))
    added = changed = 0
    with write_transaction():
        for parsed in result.valid:
            if parsed.existing_id is None:
                create_asset(parsed.data, actor=user)
                added += 1
            else:
                asset = db.session.get(Asset, parsed.existing_id)
                if _differs(asset, parsed.data):
                    if asset.status == AssetStatus.ON_LOAN.value:
                        parsed.data.status = AssetStatus.ON_LOAN.value
                    try:
                        update_asset(parsed.existing_id, parsed.data, actor=user)
                    except AssetInvalid as error:
                        raise ServiceError(
                            _("Row %(row)d: %(message)s", row=parsed.row, message=error.message)
                        ) from error
                    changed += 1
    return added, changed


# --- the uploaded file between the dry run and the import ------------------------------------


def keep_upload(name: str, content: bytes) -> str:
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    token = secrets.token_hex(16) + suffix
    (uploads.upload_dir("imports") / token).write_bytes(content)
    return token


def kept_upload(token: str) -> tuple[str, bytes]:
    if not token or "/" in token or "\\" in token or not token.endswith((".csv", ".xlsx")):
        raise ServiceError(_("Upload the file again."), field="file")
    path: Path = uploads.upload_dir("imports") / token
    if not path.exists():
        raise ServiceError(_("Upload the file again."), field="file")
    return token, path.read_bytes()


def drop_upload(token: str) -> None:
    if token and "/" not in token and "\\" not in token:
        (uploads.upload_dir("imports") / token).unlink(missing_ok=True)
