"""Recurrence rules for weekly meetings and their kin, expanded with dateutil."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil import rrule

FREQUENCIES = ("daily", "weekly", "monthly_date", "monthly_weekday")
MAX_SPAN_DAYS = 366  # a series covers at most a year
MAX_OCCURRENCES = 366

_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class RecurrenceError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Recurrence:
    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = field(default_factory=tuple)  # 0 = Monday
    until: date | None = None
    count: int | None = None

    def weekdays_text(self) -> str:
        return ",".join(str(d) for d in self.weekdays)


def nth_weekday_of(day: date) -> int:
    """1 for the first Tuesday of its month, … 5 for a fifth."""
    return (day.day - 1) // 7 + 1


def expand(first: date, rule: Recurrence) -> list[date]:
    """The dates of a series starting on ``first``.

    Months without the date (the 31st) or without the weekday (a 5th Tuesday) are
    skipped, not moved. The span is capped at a year and MAX_OCCURRENCES dates.
    """
    if rule.frequency not in FREQUENCIES:
        raise RecurrenceError("unknown frequency", "frequency")
    if rule.interval < 1 or rule.interval > 12:
        raise RecurrenceError("interval out of range", "interval")
    if rule.until is None and rule.count is None:
        raise RecurrenceError("until or count needed", "until")
    limit = first + timedelta(days=MAX_SPAN_DAYS - 1)
    until = min(rule.until, limit) if rule.until else limit
    if until < first:
        raise RecurrenceError("until before first date", "until")
    count = min(rule.count, MAX_OCCURRENCES) if rule.count else None
    if count is not None and count < 1:
        raise RecurrenceError("count must be positive", "count")
    start = datetime(first.year, first.month, first.day)
    options: dict = {
        "dtstart": start,
        "interval": rule.interval,
        "until": datetime.combine(until, datetime.max.time()),
    }
    if rule.frequency == "daily":
        freq = rrule.DAILY
    elif rule.frequency == "weekly":
        freq = rrule.WEEKLY
        days = sorted(set(rule.weekdays)) or [first.weekday()]
        if any(d < 0 or d > 6 for d in days):
            raise RecurrenceError("weekday out of range", "weekdays")
        options["byweekday"] = [_WEEKDAYS[d] for d in days]
    elif rule.frequency == "monthly_date":
        freq = rrule.MONTHLY
        options["bymonthday"] = first.day
    else:
        freq = rrule.MONTHLY
        options["byweekday"] = _WEEKDAYS[first.weekday()](nth_weekday_of(first))
    # Weekly on chosen days starts at the first chosen day on or after ``first``.
    dates = [d.date() for d in rrule.rrule(freq, **options)]
    if count is not None:
        dates = dates[:count]
    return dates
