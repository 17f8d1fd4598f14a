"""Dates, times and money the Indonesian way, in the office time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask_babel import force_locale

from intranet.core import formatting


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_long_date_indonesian(ctx):
    with force_locale("id"):
        assert formatting.format_date_long(date(2025, 11, 24)) == "Senin, 24 November 2025"
        assert formatting.format_date_long(date(2025, 8, 17)) == "Minggu, 17 Agustus 2025"


def test_long_date_english(ctx):
    with force_locale("en"):
        assert formatting.format_date_long(date(2025, 11, 24)) == "Monday, 24 November 2025"


def test_time_indonesian_uses_full_stop(ctx):
    with force_locale("id"):
        assert formatting.format_time(time(14, 0)) == "14.00"
        assert formatting.format_time(time(9, 5)) == "09.05"


def test_instants_shown_in_office_zone(ctx):
    instant = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)  # 14.00 WIB
    with force_locale("id"):
        assert formatting.format_time(instant) == "14.00"
        assert formatting.format_datetime(instant) == "Senin, 24 November 2025 14.00"
    late = datetime(2025, 11, 23, 18, 30, tzinfo=UTC)  # already Monday in Jakarta
    with force_locale("id"):
        assert formatting.format_date_long(late) == "Senin, 24 November 2025"


def test_office_zone_is_a_setting(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Jayapura"  # WIT, UTC+9
    with app.test_request_context(), force_locale("id"):
        assert formatting.format_time(datetime(2025, 11, 24, 7, 0, tzinfo=UTC)) == "16.00"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1_250_000, "Rp1.250.000"), (125_000_000, "Rp125.000.000"), (0, "Rp0"), (999, "Rp999")],
)
def test_rupiah(ctx, amount, text):
    with force_locale("id"):
        assert formatting.format_rupiah(amount) == text


def test_empty_values_format_as_empty(ctx):
    assert formatting.format_date_long(None) == ""
    assert formatting.format_time(None) == ""
    assert formatting.format_rupiah(None) == ""


def test_filters_in_templates(app):
    with app.test_request_context(), force_locale("id"):
        template = app.jinja_env.from_string("{{ d|date_long }} {{ t|time }} {{ m|rupiah }}")
        out = template.render(d=date(2025, 11, 24), t=time(14, 0), m=1_250_000)
    assert out == "Senin, 24 November 2025 14.00 Rp1.250.000"
