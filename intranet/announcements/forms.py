"""Forms of the board. The posting form's field names are a contract (issue #9)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intranet.core.formatting import office_zone

ALL = "all"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class AnnouncementForm(FlaskForm):
    # Rules (required fields, lengths, dates) are checked by the service, all at once.
    title = StringField(_l("Title"), render_kw={"maxlength": 200, "autocomplete": "off"})
    body = TextAreaField(
        _l("Text"),
        description=_l("Markdown: **bold**, *italic*, lists with '-', links as [text](https://…)."),
        render_kw={"rows": 10},
    )
    category = SelectField(_l("Category"), coerce=_optional_int, validate_choice=False)
    audience = MultiCheckboxField(_l("For"), validate_choice=False)
    pinned = BooleanField(_l("Pin to the top of the board"))
    publish_at = DateTimeLocalField(
        _l("Publish at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Empty: now."),
    )
    expires_at = DateTimeLocalField(
        _l("Expires at"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Empty: stays on the board. After expiry it moves to the archive."),
    )
    requires_ack = BooleanField(_l('Ask readers to confirm ("Saya sudah membaca")'))
    link = SelectField(_l("Invitation to"), validate_choice=False)
    attachments = MultipleFileField(
        _l("Attachments"),
        description=_l("PDF, images (JPEG, PNG, WebP) or office documents; several at once."),
    )
    remove_attachments = MultiCheckboxField(_l("Remove"), coerce=int, validate_choice=False)

    def set_choices(self, categories, pillars, link_groups) -> None:
        self.category.choices = [("", _l("Choose a category"))] + [
            (c.id, c.name) for c in categories
        ]
        self.audience.choices = [(ALL, _l("Everyone"))] + [
            (str(p.id), f"{p.code} – {p.name}") for p in pillars
        ]
        self.link.choices = [("", _l("No linked event"))] + [
            (value, f"{label}: {text}") for label, options in link_groups for value, text in options
        ]

    @staticmethod
    def to_local_input(value: datetime | None) -> datetime | None:
        return value.astimezone(office_zone()).replace(tzinfo=None) if value else None

    @staticmethod
    def to_utc(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=office_zone()) if value else None


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": 60})
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)])
    urgent = BooleanField(_l("Urgent (highlighted on the board)"))
    active = BooleanField(_l("In use"), default=True)
