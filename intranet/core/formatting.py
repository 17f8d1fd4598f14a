"""Dates, times and money the Indonesian way, in the office time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from flask import current_app
from flask_babel import get_locale

# Patterns per language; Indonesian writes "Senin, 24 November 2025" and "14.00".
DATE_LONG = {"id": "EEEE, d MMMM y", "en": "EEEE, d MMMM y"}
DATE_MEDIUM = {"id": "d MMM y", "en": "d MMM y"}
# Times are 24-hour "HH.mm" in Indonesian, "HH:mm" in English (formatted directly: the
# calendar shows hundreds of them per page).
TIME_SEPARATOR = {"id": ".", "en": ":"}


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


@lru_cache(maxsize=4096)
def format_date_pattern(value: date, pattern: str, lang: str) -> str:
    """A date in a CLDR pattern (cached: a calendar page names the same days many times)."""
    return babel_format_date(value, pattern, locale=lang)


def format_date_long(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    lang = _lang()
    return format_date_pattern(value, DATE_LONG.get(lang, DATE_LONG["id"]), lang)


def format_date_medium(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    lang = _lang()
    return format_date_pattern(value, DATE_MEDIUM.get(lang, DATE_MEDIUM["id"]), lang)


def time_separator() -> str:
    """Between hours and minutes in the reader's language: ``14.00`` or ``14:00``."""
    return TIME_SEPARATOR.get(_lang(), ".")


def format_time(value: time | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.hour:02d}{time_separator()}{value.minute:02d}"


def format_date_in(value: date, pattern: str) -> str:
    """A date in a CLDR pattern of the current language (``EEE d MMM`` → ``Sen 24 Nov``)."""
    return format_date_pattern(value, pattern, _lang())


def format_number(value: int | float | Decimal | None) -> str:
    """``1.250`` in Indonesian, ``1,250`` in English."""
    if value is None:
        return ""
    return format_decimal(value, locale=_lang())


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


def spreadsheet_safe(value: Any) -> Any:
    """A cell for a CSV or XLSX export: text a spreadsheet would run as a formula (a
    leading "=", "+", "-" or "@") is quoted away."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def init_app(app) -> None:
    app.jinja_env.filters.update(
        date_long=format_date_long,
        date_medium=format_date_medium,
        time=format_time,
        datetime=format_datetime,
        datetime_short=format_datetime_short,
        rupiah=format_rupiah,
        number=format_number,
        date_pattern=format_date_in,
    )
    app.jinja_env.globals["time_separator"] = time_separator
    from intranet.core.audit import display_value  # audit uses this module

    app.jinja_env.filters["audit_value"] = display_value
