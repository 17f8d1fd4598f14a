"""Forms for booking requests, decisions and rooms. Field names are a contract."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intranet.core.forms import QuickSelect, TimeSelectField, time_grid

FREQUENCY_LABELS = {
    "": _l("Does not repeat"),
    "daily": _l("Every day"),
    "weekly": _l("Every week on the chosen days"),
    "monthly_date": _l("Every month on the same date"),
    "monthly_weekday": _l("Every month on the same weekday (e.g. 2nd Tuesday)"),
}
WEEKDAY_LABELS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
SCOPE_LABELS = {
    "one": _l("Only this occurrence"),
    "following": _l("This and the following occurrences"),
    "all": _l("All occurrences of the series"),
}


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BookingForm(FlaskForm):
    room_id = SelectField(
        _l("Room"),
        widget=QuickSelect(),
        coerce=_optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a room from the list."))],
    )
    date = DateField(
        _l("Date"), format="%Y-%m-%d", validators=[InputRequired(_l("Choose a date."))]
    )
    # 24-hour selects on the booking grid (no type=time: browsers show "10:00 AM").
    start = TimeSelectField(_l("Start"), validators=[InputRequired(_l("Choose a start time."))])
    end = TimeSelectField(_l("End"), validators=[InputRequired(_l("Choose an end time."))])
    title = StringField(
        _l("Meeting or event"),
        validators=[InputRequired(_l("Give the meeting or event a name.")), Length(max=200)],
    )
    purpose = TextAreaField(_l("Purpose and notes"), validators=[Optional(), Length(max=2000)])
    pillar_id = SelectField(
        _l("Pillar"),
        widget=QuickSelect(),
        coerce=_optional_int,
        validate_choice=False,
        description=_l("The calendar shows the pillar's colour."),
    )
    attendees = IntegerField(
        _l("Number of people"),
        default=1,
        validators=[InputRequired(_l("How many people attend?")), NumberRange(min=1, max=5000)],
    )
    phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=30)])
    override_reason = TextAreaField(
        _l("Reason to override the rules"),
        validators=[Optional(), Length(max=500)],
        description=_l("Front desk only: booking hours, length, notice or capacity."),
    )
    # Repeat (new bookings only)
    frequency = SelectField(
        _l("Repeat"),
        widget=QuickSelect(),
        choices=[SelectChoice(k, v) for k, v in FREQUENCY_LABELS.items()],
        default="",
    )
    interval = IntegerField(
        _l("Repeat every"),
        default=1,
        validators=[Optional(), NumberRange(min=1, max=12)],
    )
    weekdays = MultiCheckboxField(
        _l("On these days"),
        coerce=int,
        choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAY_LABELS)],
        validate_choice=True,
    )
    until = DateField(_l("Until"), format="%Y-%m-%d", validators=[Optional()])
    count = IntegerField(
        _l("Or number of times"), validators=[Optional(), NumberRange(min=1, max=366)]
    )
    skip = MultiCheckboxField(_l("Skip these dates"), coerce=str, validate_choice=False)
    confirm = HiddenField()
    # Series edits
    scope = SelectField(
        _l("Apply to"),
        choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
        default="one",
    )

    def set_choices(self, rooms: list, pillars: list, *, allow_no_pillar: bool) -> None:
        self.room_id.choices = [SelectChoice("", str(_l("— choose a room —")))] + [
            SelectChoice(r.id, f"{r.name} ({r.capacity})") for r in rooms
        ]
        first = [SelectChoice("", str(_l("— personal / no pillar —")))] if allow_no_pillar else []
        self.pillar_id.choices = first + [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in pillars
        ]


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    scope = SelectField(
        _l("Apply to"),
        choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
        default="one",
    )


class RoomForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the room's name.")), Length(max=100)]
    )
    location = StringField(_l("Location / floor"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(
        _l("Capacity (people)"),
        validators=[InputRequired(_l("How many people fit?")), NumberRange(min=1, max=5000)],
    )
    facilities = TextAreaField(
        _l("Facilities"),
        validators=[Optional(), Length(max=2000)],
        description=_l("E.g. projector, sound system, air conditioning, 40 chairs"),
    )
    colour = StringField(
        _l("Colour"), default="#1565c0", render_kw={"type": "color"}, validators=[InputRequired()]
    )
    opens_at = TimeSelectField(
        _l("Bookable from"), validators=[Optional()], description=_l("Empty: office hours")
    )
    closes_at = TimeSelectField(_l("Bookable until"), validators=[Optional()])

    def set_time_grid(self, step_minutes: int) -> None:
        whole_day = time_grid(time(0, 0), time(23, 45), step_minutes)
        blank = str(_l("— office hours —"))
        self.opens_at.set_grid(whole_day, blank)
        self.closes_at.set_grid(whole_day[1:], blank)

    photo = FileField(
        _l("Photo"),
        description=_l("JPEG, PNG or WebP, at most 3 MB. Leave empty to keep the current one."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    remove_photo = BooleanField(_l("Remove the photo"))
    needs_approval = BooleanField(_l("Bookings need the front desk's approval"), default=True)
    active = BooleanField(_l("Active (can be booked)"), default=True)
