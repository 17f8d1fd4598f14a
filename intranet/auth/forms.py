"""Forms for login, profile and the administration of users and pillars."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from intranet.auth.services import ROLE_LABELS


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again."))],
        render_kw={"autocomplete": "new-password"},
    )


class ContactForm(FlaskForm):
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address."))]
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=30)],
        description=_l("Filled in on your bookings so the front desk can reach you."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
    )
    next = HiddenField()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(value, str(label)) for value, label in ROLE_LABELS.items()]


def _pillar_id(value: str | int | None) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter a username.")), Length(max=64)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
        description=_l("Lower-case letters, digits, dot, dash or underscore, e.g. budi.santoso"),
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address."))]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    role = SelectField(_l("Role"), choices=_role_choices)
    pillar_id = SelectField(_l("Pillar"), coerce=_pillar_id, validate_choice=False)
    active = BooleanField(_l("Active (may log in)"), default=True)
    password = PasswordField(
        _l("Initial password"),
        validators=[InputRequired(_l("Give the person an initial password."))],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 8 characters. Give it to the person; they can change it."),
    )

    def set_pillar_choices(self, pillars: list) -> None:
        self.pillar_id.choices = [SelectChoice("", str(_l("— no pillar —")))] + [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in pillars
        ]


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )


class PillarForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter a code.")), Length(max=20)],
        description=_l("Short name in capitals, e.g. TKSK"),
    )
    name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=200)]
    )
    description = TextAreaField(_l("What they do"), validators=[Optional(), Length(max=1000)])
    colour = StringField(
        _l("Colour"),
        validators=[DataRequired(_l("Choose a colour."))],
        render_kw={"type": "color", "list": "pillar-palette"},
        default="#1565c0",
        description=_l("The pillar's colour on the calendar; a new pillar gets an unused one."),
    )
    keep_colour = BooleanField(_l("Keep this colour even if it looks like another pillar's"))
    active = BooleanField(_l("Active"), default=True)
