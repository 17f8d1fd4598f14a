"""A recurring booking told in words, and its dates with what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intranet.bookings.forms import WEEKDAY_LABELS
from intranet.bookings.recurrence import Recurrence, RecurrenceError, expand, nth_weekday_of
from intranet.core.formatting import format_date_long, format_time

ORDINALS = (_l("first"), _l("second"), _l("third"), _l("fourth"), _l("fifth"))


def _rule_words(first: date, rule: Recurrence) -> str:
    n = rule.interval
    weekday = str(WEEKDAY_LABELS[first.weekday()])
    if rule.frequency == "daily":
        return _("Every day") if n == 1 else _("Every %(n)d days", n=n)
    if rule.frequency == "weekly":
        days = sorted(set(rule.weekdays)) or [first.weekday()]
        names = format_list([str(WEEKDAY_LABELS[d]) for d in days], locale=str(get_locale()))
        if n == 1:
            return _("Every %(days)s", days=names)
        return _("Every %(n)d weeks on %(days)s", n=n, days=names)
    if rule.frequency == "monthly_date":
        if n == 1:
            return _("Every month on day %(day)d", day=first.day)
        return _("Every %(n)d months on day %(day)d", n=n, day=first.day)
    nth = str(ORDINALS[nth_weekday_of(first) - 1])
    if n == 1:
        return _("Every month on the %(nth)s %(weekday)s", nth=nth, weekday=weekday)
    return _("Every %(n)d months on the %(nth)s %(weekday)s", n=n, nth=nth, weekday=weekday)


def describe(first: date, start: time | None, end: time | None, rule: Recurrence) -> str:
    """ "Setiap Selasa, 09.00–11.00, 14 kali sampai 23 Februari 2027" ('' when the rule
    cannot be expanded yet)."""
    try:
        days = expand(first, rule)
    except RecurrenceError:
        return ""
    if not days:
        return ""
    parts = [_rule_words(days[0], rule)]
    if start and end:
        parts.append(f"{format_time(start)}–{format_time(end)}")
    parts.append(
        ngettext(
            "%(num)d time until %(last)s",
            "%(num)d times until %(last)s",
            len(days),
            last=format_date_long(days[-1]),
        )
    )
    return ", ".join(parts)


@dataclass(frozen=True)
class SeriesDate:
    """One date of a series: its booking, or None when it was skipped."""

    day: date
    booking: object | None
    state: str  # approved, pending, cancelled, rejected, skipped


STATE_LABELS = {
    "approved": _l("Booked date"),
    "pending": _l("Waiting for approval"),
    "cancelled": _l("Cancelled"),
    "rejected": _l("Rejected"),
    "skipped": _l("Skipped"),
}
STATE_ORDER = ("approved", "pending", "cancelled", "rejected", "skipped")


def dates_of(series, bookings: list) -> list[SeriesDate]:
    """Every date of the series, booked or skipped, in order."""
    rows = [SeriesDate(b.day, b, b.status) for b in bookings]
    rows += [SeriesDate(d, None, "skipped") for d in series.skipped_days]
    return sorted(rows, key=lambda r: (r.day, r.booking.id if r.booking else 0))


def counts(rows: list[SeriesDate]) -> list[tuple[str, int]]:
    """(state, how many) for the states present, booked first."""
    found: dict[str, int] = {}
    for row in rows:
        found[row.state] = found.get(row.state, 0) + 1
    return [(state, found[state]) for state in STATE_ORDER if state in found]


def rule_of(series) -> Recurrence:
    weekdays = tuple(int(d) for d in series.weekdays.split(",") if d)
    return Recurrence(series.frequency, series.interval, weekdays, series.until, series.count)
