"""Forms of the training agenda. Field names are a contract (services name them in errors)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from intranet.bookings.forms import MultiCheckboxField


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class TrainingForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Give the training a title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Markdown: **bold**, *italic*, lists with -, links [text](https://…)."),
    )
    organiser_pillar_id = SelectField(
        _l("Organising pillar"), coerce=_optional_int, validate_choice=False
    )
    for_all_pillars = BooleanField(_l("Open to every pillar"), default=True)
    target_ids = MultiCheckboxField(
        _l("Or only for these pillars"), coerce=int, validate_choice=False
    )
    facilitators = TextAreaField(
        _l("Facilitators"),
        validators=[Optional(), Length(max=2000)],
        description=_l("One a line: name — institution."),
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[InputRequired(_l("How many seats?")), NumberRange(min=1, max=5000)],
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Empty: open from publishing until the last session ends."),
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(
        _l("Contact phone / WhatsApp"), validators=[Optional(), Length(max=30)]
    )
    certificate_threshold = IntegerField(
        _l("Sessions needed for a certificate"),
        default=1,
        validators=[InputRequired(_l("How many sessions?")), NumberRange(min=1, max=100)],
    )

    def set_choices(self, organisers: list, pillars: list) -> None:
        self.organiser_pillar_id.choices = [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in organisers
        ]
        self.target_ids.choices = [SelectChoice(p.id, p.code) for p in pillars]


class SessionForm(FlaskForm):
    day = DateField(_l("Date"), format="%Y-%m-%d", validators=[InputRequired(_l("Choose a date."))])
    start = TimeField(
        _l("Start"),
        format="%H:%M",
        validators=[InputRequired(_l("Choose a start time."))],
        render_kw={"step": 900},
    )
    end = TimeField(
        _l("End"),
        format="%H:%M",
        validators=[InputRequired(_l("Choose an end time."))],
        render_kw={"step": 900},
    )
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    room_id = SelectField(_l("Room of the office"), coerce=_optional_int, validate_choice=False)
    place = StringField(
        _l("Or a place outside the office"),
        validators=[Optional(), Length(max=300)],
        description=_l("E.g. Aula Kantor Camat Baiturrahman, Jl. T. Umar No. 5"),
    )

    def set_rooms(self, rooms: list) -> None:
        self.room_id.choices = [SelectChoice("", str(_l("— outside the office —")))] + [
            SelectChoice(r.id, f"{r.name} ({r.capacity})") for r in rooms
        ]


class GuestForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[InputRequired(_l("Enter the participant's name.")), Length(max=200)]
    )
    pillar_id = SelectField(_l("Pillar"), coerce=_optional_int, validate_choice=False)
    organisation = StringField(
        _l("Or organisation"),
        validators=[Optional(), Length(max=200)],
        description=_l("E.g. Kantor Camat Kuta Alam, a village office, an LKS."),
    )
    phone = StringField(
        _l("Phone / WhatsApp"),
        validators=[Optional(), Length(max=30)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    origin = StringField(
        _l("From (kecamatan / kabupaten)"), validators=[Optional(), Length(max=200)]
    )
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Never write national ID numbers (NIK) here."),
    )
    confirm_duplicate = HiddenField()
    override_window = BooleanField(_l("Register although registration is not open"))

    def set_pillars(self, pillars: list) -> None:
        self.pillar_id.choices = [SelectChoice("", str(_l("— none / other —")))] + [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in pillars
        ]


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(
        _l("Minutes (notulen)"),
        validators=[Optional(), Length(max=50_000)],
        description=_l("Markdown: what was covered, agreements, follow-ups."),
    )


class MaterialsForm(FlaskForm):
    files = MultipleFileField(
        _l("Files"),
        description=_l("PDF, office documents or images; at most 10 MB each."),
    )
