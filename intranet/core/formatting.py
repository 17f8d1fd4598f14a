"""Dates, times and money the Indonesian way, in the office time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_currency
from flask import current_app
from flask_babel import get_locale

# Patterns per language; Indonesian writes "Senin, 24 November 2025" and "14.00".
DATE_LONG = {"id": "EEEE, d MMMM y", "en": "EEEE, d MMMM y"}
DATE_MEDIUM = {"id": "d MMM y", "en": "d MMM y"}
TIME_SHORT = {"id": "HH.mm", "en": "HH:mm"}


def office_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["OFFICE_TIMEZONE"])


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "id"


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(office_zone())


def local_now() -> datetime:
    return datetime.now(office_zone())


def local_today() -> date:
    return local_now().date()


def format_date_long(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    lang = _lang()
    return babel_format_date(value, DATE_LONG.get(lang, DATE_LONG["id"]), locale=lang)


def format_date_medium(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    lang = _lang()
    return babel_format_date(value, DATE_MEDIUM.get(lang, DATE_MEDIUM["id"]), locale=lang)


def format_time(value: time | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).timetz().replace(tzinfo=None)
    lang = _lang()
    return babel_format_time(value, TIME_SHORT.get(lang, TIME_SHORT["id"]), locale=lang)


def format_datetime(value: datetime | None) -> str:
    """``Senin, 24 November 2025 14.00``"""
    if value is None:
        return ""
    return f"{format_date_long(value)} {format_time(value)}"


def format_datetime_short(value: datetime | None) -> str:
    """``24 Nov 2025 14.00``, for tables."""
    if value is None:
        return ""
    return f"{format_date_medium(value)} {format_time(value)}"


def format_rupiah(amount: int | float | Decimal | None) -> str:
    """``Rp1.250.000`` (whole Rupiah; government prices carry no cents)."""
    if amount is None:
        return ""
    lang = _lang()
    return format_currency(
        amount, "IDR", format="¤#,##0", locale=lang, currency_digits=False
    ).replace("\xa0", "")


def init_app(app) -> None:
    app.jinja_env.filters.update(
        date_long=format_date_long,
        date_medium=format_date_medium,
        time=format_time,
        datetime=format_datetime,
        datetime_short=format_datetime_short,
        rupiah=format_rupiah,
    )
    from intranet.core.audit import display_value  # audit uses this module

    app.jinja_env.filters["audit_value"] = display_value
