"""The asset register's rules: codes, register numbers, the list, changes and history.

Loans live in :mod:`intranet.assets.loans`. Every change is audited in the same
transaction as the change itself.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from intranet.assets.models import (
    CONDITION_RANK,
    WORD_PREFIX,
    Asset,
    AssetStatus,
    AssetWord,
    Condition,
    Origin,
)
from intranet.auth.models import Pillar
from intranet.auth.services import names_by_id, pillar_choices
from intranet.bookings.models import Room
from intranet.core import audit
from intranet.core.db import built_once, lock_for_update, write_transaction
from intranet.core.formatting import local_today
from intranet.core.pagination import COUNT_CAP, Page
from intranet.core.services import ServiceError
from intranet.extensions import db

# 7 levels, digits grouped 1.1.1.2.2.2.3: ``1.3.2.05.01.04.001``.
KODE_RE = re.compile(r"^\d\.\d\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{3}$")
# A kode prefix for the filter: one to seven whole levels.
KODE_PREFIX_RE = re.compile(r"^\d(\.\d(\.\d(\.\d{2}(\.\d{2}(\.\d{2}(\.\d{3})?)?)?)?)?)?$")
REGISTER_RE = re.compile(r"^\d{4}$")
# What a scanner types: the label's code (kode barang + register) or the label's short URL.
FULL_CODE_RE = re.compile(r"^(\d\.\d\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{3})[. ](\d{4})$")
SHORT_URL_RE = re.compile(r"/a/(\d+)/?$")

CONDITION_LABELS = {
    Condition.GOOD.value: _l("Good (B)"),
    Condition.LIGHT_DAMAGE.value: _l("Lightly damaged (RR)"),
    Condition.HEAVY_DAMAGE.value: _l("Heavily damaged (RB)"),
}
STATUS_LABELS = {
    AssetStatus.AVAILABLE.value: _l("Available"),
    AssetStatus.ON_LOAN.value: _l("On loan"),
    AssetStatus.IN_REPAIR.value: _l("In repair"),
    AssetStatus.LOST.value: _l("Lost"),
    AssetStatus.WRITTEN_OFF.value: _l("Written off"),
}
ORIGIN_LABELS = {
    Origin.APBD.value: _l("Purchase (APBD)"),
    Origin.APBN.value: _l("Purchase (APBN)"),
    Origin.GRANT.value: _l("Grant (hibah)"),
    Origin.CSR.value: _l("CSR"),
    Origin.OTHER.value: _l("Other"),
}
# Statuses the keeper sets by hand (on loan follows the loans).
MANUAL_STATUSES = (
    AssetStatus.AVAILABLE.value,
    AssetStatus.IN_REPAIR.value,
    AssetStatus.LOST.value,
    AssetStatus.WRITTEN_OFF.value,
)
SORTS = {
    "code": (Asset.kode_barang, Asset.register_no),
    "name": (Asset.name, Asset.id),
    "year": (Asset.year.desc(), Asset.id),
    "value": (Asset.value.desc(), Asset.id),
    "newest": (Asset.id.desc(),),
}
SORT_LABELS = {
    "code": _l("Kode barang"),
    "name": _l("Name"),
    "year": _l("Year (newest first)"),
    "value": _l("Value (highest first)"),
    "newest": _l("Recently added"),
}

AUDIT_FIELDS = (
    "kode_barang",
    "register_no",
    "name",
    "brand_type",
    "size",
    "material",
    "year",
    "serial_no",
    "chassis_no",
    "engine_no",
    "plate_no",
    "bpkb_no",
    "origin",
    "value",
    "condition",
    "room_id",
    "location_note",
    "custodian_pillar_id",
    "status",
    "status_on",
    "status_reason",
    "notes",
)

audit.ACTION_LABELS.update(
    {
        "asset.create": _l("Item registered"),
        "asset.update": _l("Item changed"),
        "asset.condition": _l("Condition changed"),
        "asset.photo": _l("Photo changed"),
    }
)
audit.OBJECT_TYPE_LABELS.update({"asset": _l("Item")})
audit.FIELD_LABELS.update(
    {
        "kode_barang": _l("Kode barang"),
        "register_no": _l("Register number"),
        "brand_type": _l("Brand / type"),
        "size": _l("Size / CC"),
        "material": _l("Material"),
        "year": _l("Year of acquisition"),
        "serial_no": _l("Serial / factory number"),
        "chassis_no": _l("Chassis number"),
        "engine_no": _l("Engine number"),
        "plate_no": _l("Plate number"),
        "bpkb_no": _l("BPKB number"),
        "origin": _l("Origin"),
        "value": _l("Acquisition value"),
        "condition": _l("Condition"),
        "room_id": _l("Room"),
        "location_note": _l("Location outside the rooms"),
        "custodian_pillar_id": _l("Custodian"),
        "status": _l("Status"),
        "status_on": _l("Status date"),
        "status_reason": _l("Status reason"),
        "notes": _l("Notes"),
    }
)
audit.register_values("condition", CONDITION_LABELS, "asset")
audit.register_values("status", STATUS_LABELS, "asset")
audit.register_values("origin", ORIGIN_LABELS, "asset")
audit.register_values("custodian_pillar_id", names_by_id(Pillar, Pillar.name))
audit.register_values("room_id", names_by_id(Room, Room.name))


def rupiah_formatter() -> Any:
    """``Rp1.250.000`` as the core filter writes it, fast enough for long tables: the
    currency sign and grouping are taken from one formatted amount."""
    from intranet.core.formatting import format_rupiah

    sample = format_rupiah(1000)  # "Rp1.000" / "IDR1,000"
    prefix, separator = sample[:-5], sample[-4]

    def rupiah(amount: int | None) -> str:
        if amount is None:
            return ""
        if amount < 0:
            return format_rupiah(amount)
        return prefix + f"{amount:,}".replace(",", separator)

    return rupiah


def rupiah_values(raw: set[Any]) -> dict[Any, str]:
    """Audit labeler: amounts read as ``Rp1.250.000``."""
    from intranet.core.formatting import format_rupiah

    return {v: format_rupiah(v) for v in raw if isinstance(v, int) and not isinstance(v, bool)}


def date_values(raw: set[Any]) -> dict[Any, str]:
    """Audit labeler: stored ISO dates read as ``Senin, 24 November 2025``."""
    from intranet.core.formatting import format_date_long

    found = {}
    for value in raw:
        try:
            found[value] = format_date_long(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return found


audit.register_values("value", rupiah_values, "asset")
audit.register_values("status_on", date_values, "asset")


def condition_label(value: str | None) -> Any:
    return CONDITION_LABELS.get(value or "", value or "")


def status_label(value: str | None) -> Any:
    return STATUS_LABELS.get(value or "", value or "")


def origin_label(value: str | None) -> Any:
    return ORIGIN_LABELS.get(value or "", value or "")


def is_worse(new: str, old: str) -> bool:
    return CONDITION_RANK.get(new, 0) > CONDITION_RANK.get(old, 0)


class AssetInvalid(ServiceError):
    """Several fields are wrong at once: ``errors`` is ``{field: [messages]}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors


@dataclass
class AssetData:
    """What a person (or an import row) says about an item; strings as typed."""

    kode_barang: str = ""
    register_no: str = ""  # empty: the next free number of the kode barang
    name: str = ""
    brand_type: str = ""
    size: str = ""
    material: str = ""
    year: int | None = None
    serial_no: str = ""
    chassis_no: str = ""
    engine_no: str = ""
    plate_no: str = ""
    bpkb_no: str = ""
    origin: str = Origin.APBD.value
    value: int | None = 0
    condition: str = Condition.GOOD.value
    room_id: int | None = None
    location_note: str = ""
    custodian_pillar_id: int | None = None
    status: str = AssetStatus.AVAILABLE.value
    status_on: date | None = None
    status_reason: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def cleaned(self) -> AssetData:
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value.strip() if isinstance(value, str) else value
        return AssetData(**values)


def next_register_no(kode_barang: str) -> str:
    """The next free register number of a kode barang (``0001`` for a new one)."""
    if not KODE_RE.match(kode_barang or ""):
        return ""
    highest = db.session.scalar(
        select(func.max(Asset.register_no)).where(Asset.kode_barang == kode_barang)
    )
    number = int(highest) + 1 if highest and highest.isdigit() else 1
    return f"{number:04d}" if number <= 9999 else ""


def validate(data: AssetData, asset_id: int | None = None) -> dict[str, list[str]]:
    """Every problem of ``data`` at once, by field (empty: all is well)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not KODE_RE.match(data.kode_barang):
        add("kode_barang", _("Write the kode barang in 7 levels, e.g. 1.3.2.05.01.04.001."))
    if data.register_no and not REGISTER_RE.match(data.register_no):
        add("register_no", _("The register number has 4 digits, e.g. 0001."))
    elif data.register_no == "0000":
        add("register_no", _("Register numbers start at 0001."))
    elif data.register_no and KODE_RE.match(data.kode_barang):
        taken = db.session.scalar(
            select(Asset.id).where(
                Asset.kode_barang == data.kode_barang,
                Asset.register_no == data.register_no,
                Asset.id != (asset_id or 0),
            )
        )
        if taken:
            add(
                "register_no",
                _(
                    "Register %(number)s of this kode barang is taken; the next free one is"
                    " %(free)s.",
                    number=data.register_no,
                    free=next_register_no(data.kode_barang) or "—",
                ),
            )
    if not data.name:
        add("name", _("Name the item."))
    elif len(data.name) > 200:
        add("name", _("At most 200 characters."))
    this_year = local_today().year
    if data.year is None:
        add("year", _("Give the year of acquisition."))
    elif not 1900 <= data.year <= this_year:
        add("year", _("A year between 1900 and %(year)d.", year=this_year))
    if data.value is None or data.value < 0:
        add("value", _("Give the value in whole Rupiah, 0 or more."))
    elif data.value > 10**14:
        add("value", _("This value is too large."))
    if data.origin not in ORIGIN_LABELS:
        add("origin", _("Choose the origin."))
    if data.condition not in CONDITION_LABELS:
        add("condition", _("Choose the condition."))
    if data.status not in STATUS_LABELS:
        add("status", _("Choose the status."))
    if data.room_id is not None:
        if db.session.get(Room, data.room_id) is None:
            add("room_id", _("This room does not exist."))
    elif not data.location_note:
        add("location_note", _("Choose a room, or say where the item is outside the rooms."))
    if (
        data.custodian_pillar_id is not None
        and db.session.get(Pillar, data.custodian_pillar_id) is None
    ):
        add("custodian_pillar_id", _("This pillar does not exist."))
    if data.status in (AssetStatus.WRITTEN_OFF.value, AssetStatus.LOST.value):
        if data.status_on is None:
            add("status_on", _("Give the date."))
        if not data.status_reason:
            add("status_reason", _("Give the reason (e.g. the decree number)."))
    for name, limit in (
        ("brand_type", 200),
        ("size", 100),
        ("material", 100),
        ("serial_no", 100),
        ("chassis_no", 100),
        ("engine_no", 100),
        ("plate_no", 20),
        ("bpkb_no", 50),
        ("location_note", 200),
    ):
        if len(getattr(data, name)) > limit:
            add(name, _("At most %(num)d characters.", num=limit))
    return errors


def _apply(asset: Asset, data: AssetData) -> None:
    for name in AUDIT_FIELDS:
        setattr(asset, name, getattr(data, name))
    if asset.room_id is not None:
        asset.location_note = ""
    if asset.status not in (AssetStatus.WRITTEN_OFF.value, AssetStatus.LOST.value):
        asset.status_on = None
        asset.status_reason = ""


def create_asset(data: AssetData, *, actor: Any, photo: Any = None) -> Asset:
    """Register an item; an empty register number takes the next free one."""
    data = data.cleaned()
    with write_transaction():
        if not data.register_no and KODE_RE.match(data.kode_barang):
            data.register_no = next_register_no(data.kode_barang)
            if not data.register_no:
                raise AssetInvalid({"register_no": [_("No register number is left.")]})
        errors = validate(data)
        if data.status == AssetStatus.ON_LOAN.value:
            errors.setdefault("status", []).append(_("Items go on loan through a loan."))
        if errors:
            raise AssetInvalid(errors)
        asset = Asset()
        _apply(asset, data)
        if photo is not None:
            from intranet.core.uploads import save_image

            asset.photo = save_image(photo, "assets")
        db.session.add(asset)
        db.session.flush()
        audit.record(
            "asset.create",
            "asset",
            asset.id,
            summary=f"{asset.code} {asset.name}",
            changes=audit.changed_fields({}, audit.snapshot(asset, AUDIT_FIELDS)),
            user=actor,
        )
    return asset


def update_asset(
    asset_id: int, data: AssetData, *, actor: Any, photo: Any = None, remove_photo=False
) -> Asset:
    data = data.cleaned()
    with write_transaction():
        asset = lock_for_update(Asset, asset_id)
        if asset is None:
            raise ServiceError(_("This item no longer exists."))
        errors = validate(data, asset.id)
        on_loan = asset.status == AssetStatus.ON_LOAN.value
        if data.status == AssetStatus.ON_LOAN.value and not on_loan:
            errors.setdefault("status", []).append(_("Items go on loan through a loan."))
        elif on_loan and data.status != AssetStatus.ON_LOAN.value:
            errors.setdefault("status", []).append(
                _("The item is on loan: take it back through its loan first.")
            )
        if errors:
            raise AssetInvalid(errors)
        before = audit.snapshot(asset, AUDIT_FIELDS)
        _apply(asset, data)
        changes = audit.changed_fields(before, audit.snapshot(asset, AUDIT_FIELDS))
        from intranet.core.uploads import remove_image, save_image

        old_photo = asset.photo
        if photo is not None:
            asset.photo = save_image(photo, "assets")
        elif remove_photo:
            asset.photo = None
        if asset.photo != old_photo:
            remove_image(old_photo, "assets")
            audit.record("asset.photo", "asset", asset.id, summary=asset.code, user=actor)
        if changes:
            audit.record(
                "asset.update",
                "asset",
                asset.id,
                summary=f"{asset.code} {asset.name}",
                changes=changes,
                user=actor,
            )
    return asset


def set_condition(asset: Asset, condition: str, *, actor: Any, reason: str) -> None:
    """Inside a write transaction: change an item's condition, audited with why."""
    if asset.condition == condition:
        return
    audit.record(
        "asset.condition",
        "asset",
        asset.id,
        summary=f"{asset.code} {asset.name}",
        changes={"condition": [asset.condition, condition], "reason": [None, reason]},
        user=actor,
    )
    asset.condition = condition


# --- the register -----------------------------------------------------------------------


@dataclass
class Filters:
    q: str = ""
    room_id: int | None = None  # 0: outside the rooms
    custodian: str = ""  # pillar id, or "office"
    condition: str = ""
    status: str = ""
    kode: str = ""
    year: int | None = None
    sort: str = "code"

    def active(self) -> bool:
        return bool(
            self.q
            or self.room_id is not None
            or self.custodian
            or self.condition
            or self.status
            or self.kode
            or self.year
        )


def scanned_asset_id(query: str) -> int | None:
    """The item a scanned label names (its code or its short URL), if it exists."""
    query = query.strip()
    match = SHORT_URL_RE.search(query)
    if match:
        return db.session.scalar(select(Asset.id).where(Asset.id == int(match.group(1))))
    match = FULL_CODE_RE.match(query)
    if match:
        return db.session.scalar(
            select(Asset.id).where(
                Asset.kode_barang == match.group(1), Asset.register_no == match.group(2)
            )
        )
    return None


def _query_words(filters: Filters) -> list[str]:
    q = filters.q.strip()
    if not q or (KODE_PREFIX_RE.match(q) and "." in q):
        return []
    return q.lower().replace("%", "").replace("_", "").split()[:5]


def _indexed(word: str) -> bool:
    """Words of letters are found through the word index (by their beginning); others
    (numbers, serials, plates, single letters) anywhere in the text."""
    return len(word) >= 2 and word.isalpha()


def _driving_word(filters: Filters) -> str | None:
    """The query's first indexed word: its index entries, in register order, drive a
    search sorted by code (the default), so it stops after a page."""
    if filters.sort not in ("code", "", None):
        return None
    return next((w for w in _query_words(filters) if _indexed(w)), None)


def _word_condition(word: str) -> list[Any]:
    other = aliased(AssetWord)  # the driving word's entries may be in the outer query
    found = [exists().where(other.asset_id == Asset.id, other.word == word[:WORD_PREFIX])]
    if len(word) > WORD_PREFIX:
        found.append(Asset.search_text.contains(word, autoescape=True))
    return found


def _conditions(filters: Filters, driver: str | None = None) -> list[Any]:
    """The filters as conditions on Asset; ``driver``: the word a join on AssetWord
    already stands for (see :func:`_searched`)."""
    where: list[Any] = []
    q = filters.q.strip()
    if q:
        if KODE_PREFIX_RE.match(q) and "." in q:
            where.append(_kode_prefix(q))
        for word in _query_words(filters):
            if word == driver:
                driver = None  # once: the same word twice is one condition
                if len(word) > WORD_PREFIX:
                    where.append(Asset.search_text.contains(word, autoescape=True))
            elif _indexed(word):
                where.extend(_word_condition(word))
            else:
                where.append(Asset.search_text.contains(word, autoescape=True))
    if filters.room_id == 0:
        where.append(Asset.room_id.is_(None))
    elif filters.room_id:
        where.append(Asset.room_id == filters.room_id)
    if filters.custodian == "office":
        where.append(Asset.custodian_pillar_id.is_(None))
    elif filters.custodian.isdigit():
        where.append(Asset.custodian_pillar_id == int(filters.custodian))
    if filters.condition in CONDITION_LABELS:
        where.append(Asset.condition == filters.condition)
    if filters.status in STATUS_LABELS:
        where.append(Asset.status == filters.status)
    if filters.kode and KODE_PREFIX_RE.match(filters.kode):
        where.append(_kode_prefix(filters.kode))
    if filters.year:
        where.append(Asset.year == filters.year)
    return where


def _kode_prefix(prefix: str) -> Any:
    """Kode barang at or under ``prefix`` (whole levels), as an index range."""
    return or_(
        Asset.kode_barang == prefix,
        and_(Asset.kode_barang >= prefix + ".", Asset.kode_barang < prefix + "/"),
    )


def register_select(filters: Filters) -> Any:
    """The register's rows for these filters, sorted (the page reads one page of it)."""
    order = SORTS.get(filters.sort, SORTS["code"])
    return select(Asset).where(and_(True, *_conditions(filters))).order_by(*order)


def _searched(stmt: Any, filters: Filters) -> Any:
    """``stmt`` (over Asset) for these filters: from the query's first indexed word's
    entries joined to their items when there is one, else over the items."""
    driver = _driving_word(filters)
    if driver:
        stmt = stmt.select_from(AssetWord).join(Asset, Asset.id == AssetWord.asset_id)
        stmt = stmt.where(AssetWord.word == driver[:WORD_PREFIX])
    return stmt.where(and_(True, *_conditions(filters, driver)))


@built_once
def _version_statement() -> Select:
    return select(
        select(func.max(Asset.updated_at)).scalar_subquery(),
        select(func.max(Asset.id)).scalar_subquery(),
    )


def register_version() -> tuple[Any, Any]:
    """Changes whenever an item is added or changed: two index lookups (SQLite answers
    a lone max() from the index's end, but scans the table for two in one select)."""
    row = db.session.execute(_version_statement()).one()
    return row[0], row[1]


# Per worker: what is read off the whole register (totals per filter, the years), kept
# with the register version it was read at. The register changes rarely and is read
# often; a search over 20,000 items should not sum them on every keystroke.
_KEPT: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
_KEPT_SIZE = 256


def _kept(key: tuple, version: Any, read: Any) -> Any:
    """``read()``, or what it gave before at this register version."""
    key = (db.engine.url.render_as_string(hide_password=True), *key)
    cached = _KEPT.get(key)
    if cached is not None and cached[0] == version:
        _KEPT.move_to_end(key)
        return cached[1]
    value = read()
    _KEPT[key] = (version, value)
    while len(_KEPT) > _KEPT_SIZE:
        _KEPT.popitem(last=False)
    return value


def register_totals(filters: Filters, version: Any = None) -> tuple[int, int]:
    """(count, total acquisition value) of everything the filters show (``version``:
    :func:`register_version`, if the caller has it already)."""
    key = (
        "totals",
        filters.q.strip().lower(),
        filters.room_id,
        filters.custodian,
        filters.condition,
        filters.status,
        filters.kode,
        filters.year,
    )

    def read() -> tuple[int, int]:
        stmt = select(func.count(Asset.id), func.coalesce(func.sum(Asset.value), 0))
        row = db.session.execute(_searched(stmt, filters)).one()
        return int(row[0]), int(row[1])

    return _kept(key, version or register_version(), read)


def register_page(filters: Filters, count: int, per_page: int) -> Page:
    """The ``?page=`` page of the register, counted by :func:`register_totals` already."""
    number = request.args.get("page", 1, type=int)
    if number < 1 or number > 10_000:
        abort(404)
    # The page's ids first: the database filters and sorts without joins (a search in
    # register order reads one covering index), then those rows whole.
    driver = _driving_word(filters)
    if driver:
        order = (AssetWord.kode_barang, AssetWord.register_no)
    else:
        order = SORTS.get(filters.sort, SORTS["code"])
    ids_stmt = (
        _searched(select(Asset.id), filters)
        .order_by(*order)
        .limit(per_page + 1)
        .offset((number - 1) * per_page)
    )
    ids = list(db.session.scalars(ids_stmt))
    found = {row.id: row for row in _light_rows(ids)} if ids else {}
    rows = [found[i] for i in ids if i in found]
    if number > 1 and not rows:
        abort(404)
    return Page(
        rows[:per_page],
        number,
        per_page,
        len(rows) > per_page,
        min(count, COUNT_CAP),
        count > COUNT_CAP,
    )


@built_once
def _light_rows_statement() -> Select:
    return (
        select(
            Asset.id,
            Asset.kode_barang,
            Asset.register_no,
            Asset.name,
            Asset.brand_type,
            Asset.year,
            Asset.condition,
            Asset.status,
            Asset.value,
            Asset.location_note,
            Room.name.label("room_name"),
            Pillar.code.label("custodian_code"),
        )
        .outerjoin(Room, Room.id == Asset.room_id)
        .outerjoin(Pillar, Pillar.id == Asset.custodian_pillar_id)
        .where(Asset.id.in_(bindparam("ids", expanding=True)))
    )


def _light_rows(ids: list[int]) -> Any:
    """The list's columns as plain rows (no ORM objects: 25 rows a keystroke)."""
    return db.session.execute(_light_rows_statement(), {"ids": list(ids)}).all()


@built_once
def _years_statement() -> Select:
    return select(Asset.year).distinct().order_by(Asset.year.desc())


def year_choices(version: Any = None) -> list[int]:
    """The acquisition years in the register, read again when the register changes."""
    return _kept(
        ("years",),
        version or register_version(),
        lambda: list(db.session.scalars(_years_statement())),
    )


def history(asset_id: int, limit: int = 100) -> list[audit.AuditEntry]:
    """The item's audit trail, newest first (its own entries and its loans' ones)."""
    stmt = (
        select(audit.AuditEntry)
        .where(
            audit.AuditEntry.object_type == "asset",
            audit.AuditEntry.object_id == str(asset_id),
        )
        .order_by(audit.AuditEntry.at.desc(), audit.AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


@built_once
def _rooms_statement() -> Select:
    return select(Room).order_by(Room.name)


def rooms() -> list[Room]:
    return list(db.session.scalars(_rooms_statement()))


def pillars() -> list[Pillar]:
    return pillar_choices(include_inactive=True)
