"""The room finder: "15 people, tomorrow 10.00–12.00" → the rooms free then, one tap
from a prefilled booking form."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from intranet.bookings import finder, rooms_bp
from intranet.core.db import utcnow
from intranet.core.formatting import local_today, time_separator, to_local
from intranet.core.rendering import render


def time_choices(first: time = time(6, 0), last: time = time(22, 0)) -> list[tuple[str, str]]:
    """Times on the booking grid in the office's 24-hour form, whatever the browser."""
    step = current_app.config["BOOKING_SLOT_MINUTES"]
    minutes = range(first.hour * 60 + first.minute, last.hour * 60 + last.minute + 1, step)
    sep = time_separator()
    return [(f"{m // 60:02d}:{m % 60:02d}", f"{m // 60:02d}{sep}{m % 60:02d}") for m in minutes]


class FinderForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): it changes nothing

    date = DateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
    start = SelectField(_l("From"), validators=[InputRequired(_l("Choose a start time."))])
    end = SelectField(_l("Until"), validators=[InputRequired(_l("Choose an end time."))])
    people = IntegerField(
        _l("People"),
        validators=[
            Optional(),
            NumberRange(1, 5000, _l("Enter a number from %(min)s to %(max)s.")),
        ],
    )

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The end must be after the start."))


def _defaults(form: FinderForm) -> None:
    """Today's next full hour for an hour (tomorrow 09.00 once the day is over)."""
    now = to_local(utcnow())
    day, hour = local_today(), now.hour + 1
    if hour >= 17:
        day, hour = day + timedelta(days=1), 9
    hour = max(hour, 8)
    form.date.data = day
    form.start.data = f"{hour:02d}:00"
    form.end.data = f"{hour + 1:02d}:00"


@rooms_bp.app_template_global()
def booking_suggestions(form, booking=None, availability=None) -> finder.Suggestions:
    """For a booking form whose time clashes: other free times here, other rooms then
    (``availability``: the strip's day of the same room, whose bookings are reused)."""
    busy = None
    if availability is not None and (availability.room.id, availability.day) == (
        form.room_id.data,
        form.date.data,
    ):
        busy = [(s.booking.start_at, s.booking.end_at) for s in availability.segments]
    return finder.suggest(
        form.room_id.data,
        form.date.data,
        form.start.data,
        form.end.data,
        form.attendees.data or 1,
        exclude_ids=(booking.id,) if booking else (),
        busy=busy,
    )


@rooms_bp.route("/find")
@login_required
def find():
    form = FinderForm(request.args)
    form.start.choices = form.end.choices = time_choices()
    rooms = None
    if not request.args:
        _defaults(form)
    elif form.validate():
        start = datetime.strptime(form.start.data, "%H:%M").time()
        end = datetime.strptime(form.end.data, "%H:%M").time()
        people = form.people.data or 1
        rooms = [
            (
                room,
                url_for(
                    "bookings.new",
                    room_id=room.id,
                    date=form.date.data.isoformat(),
                    start=form.start.data,
                    end=form.end.data,
                    attendees=people,
                ),
            )
            for room in finder.free_rooms(form.date.data, start, end, people)
        ]
    return render(
        "rooms/find.html",
        "rooms/_find_results.html",
        target="finder",
        form=form,
        rooms=rooms,
    )
