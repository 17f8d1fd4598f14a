"""Form helpers shared by every feature."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select, html_params

from intranet.core.formatting import time_separator
from intranet.core.services import ServiceError


class EmptyForm(FlaskForm):
    """Button-only POSTs (acknowledge, cancel, check in…): just the CSRF token."""


def apply_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's error(s) next to their fields, or above the form."""
    for field_name, message in error.all():
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            if message not in form.form_errors:
                form.form_errors.append(message)
        elif message not in field.errors:
            field.errors = [*list(field.errors), message]


def parse_hhmm(value: object) -> time | None:
    """``"09:30"`` (or a time) → a time; empty → None; anything else → ValueError."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, time):
        return value
    return datetime.strptime(str(value), "%H:%M").time()


def time_grid(first: time, last: time, step_minutes: int) -> list[time]:
    """The times from ``first`` to ``last`` (both included) every ``step_minutes``."""
    day = date(2000, 1, 3)
    moment, end = datetime.combine(day, first), datetime.combine(day, last)
    times = []
    while moment <= end and moment.date() == day:
        times.append(moment.time())
        moment += timedelta(minutes=step_minutes)
    return times


class QuickSelect(Select):
    """WTForms' select, its plain options written directly: ``html_params`` for each
    option made a form with a few lists cost more than the rest of the page."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return Select.render_option.__func__(cls, choice, **kwargs)
        value = str(choice.value)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or value)
        return Markup(f'<option value="{escape(value)}"{selected}>{label}</option>')  # noqa: S704


class _TimeSelect:
    """The select of a :class:`TimeSelectField`, written directly: a day of 15-minute
    options would cost the page more through WTForms' general option widget."""

    def __call__(self, field: TimeSelectField, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        chosen = field.data.strftime("%H:%M") if isinstance(field.data, time) else ""
        options = [
            f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>'
            for value, label in field.options
        ]
        # Safe: values and labels are digits and separators, the blank label is escaped,
        # html_params escapes the attributes.
        return Markup(  # noqa: S704
            f"<select {html_params(name=field.name, **kwargs)}>{''.join(options)}</select>"
        )


class TimeSelectField(SelectField):
    """A time of day chosen from a grid, shown the office's way ("09.00", 24 hours)
    whatever the browser's language; the submitted value is ``HH:MM``.

    The view sets the grid (:meth:`set_grid`); a value off the grid (an old booking,
    a link) is kept as an extra option so nothing is lost, and the rules flag it.
    """

    widget = _TimeSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", [])
        super().__init__(label, validators, coerce=parse_hhmm, validate_choice=False, **kwargs)
        self.options: list[tuple[str, str]] = []

    def set_grid(self, times: list[time], blank: str = "") -> None:
        chosen = self.data if isinstance(self.data, time) else None
        if chosen is not None and chosen not in times:
            times = sorted([*times, chosen])
        separator = time_separator()
        self.options = [("", str(escape(blank)))] + [
            (f"{t:%H:%M}", f"{t.hour:02d}{separator}{t.minute:02d}") for t in times
        ]
        self.choices = [SelectChoice(value, label) for value, label in self.options]
