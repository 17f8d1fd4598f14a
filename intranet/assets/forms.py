"""Forms of the asset register and loans. Field names are a contract (tests, imports)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from intranet.assets.services import CONDITION_LABELS, MANUAL_STATUSES, ORIGIN_LABELS, STATUS_LABELS


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class RupiahField(IntegerField):
    """Whole Rupiah; accepts ``1.250.000``, ``Rp1.250.000`` and ``1250000``."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0].replace("Rp", "").replace(".", "").replace(" ", "").strip()
            valuelist = [raw]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Give a whole number of Rupiah, e.g. 1.250.000.")) from error


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssetForm(FlaskForm):
    kode_barang = StringField(
        _l("Kode barang"),
        description=_l("7 levels, e.g. 1.3.2.05.01.04.001 (office storage)."),
        render_kw={
            "inputmode": "decimal",
            "autocomplete": "off",
            "placeholder": "1.3.2.05.01.04.001",
        },
    )
    register_no = StringField(
        _l("Register number"),
        description=_l("4 digits; leave empty for the next free number."),
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"},
    )
    name = StringField(_l("Name / kind"), validators=[Length(max=200)])
    brand_type = StringField(_l("Brand / type"), validators=[Length(max=200)])
    size = StringField(_l("Size / CC"), validators=[Length(max=100)])
    material = StringField(_l("Material"), validators=[Length(max=100)])
    year = IntegerField(
        _l("Year of acquisition"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    serial_no = StringField(_l("Serial / factory number"), validators=[Length(max=100)])
    chassis_no = StringField(_l("Chassis number"), validators=[Length(max=100)])
    engine_no = StringField(_l("Engine number"), validators=[Length(max=100)])
    plate_no = StringField(_l("Plate number"), validators=[Length(max=20)])
    bpkb_no = StringField(_l("BPKB number"), validators=[Length(max=50)])
    origin = SelectField(
        _l("Origin"),
        choices=[SelectChoice(k, v) for k, v in ORIGIN_LABELS.items()],
        validate_choice=False,
    )
    value = RupiahField(
        _l("Acquisition value (Rupiah)"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    condition = SelectField(
        _l("Condition"),
        choices=[SelectChoice(k, v) for k, v in CONDITION_LABELS.items()],
        validate_choice=False,
    )
    room_id = SelectField(_l("Room"), coerce=_optional_int, validate_choice=False)
    location_note = StringField(
        _l("Location outside the rooms"),
        description=_l('Only when no room is chosen, e.g. "Gudang belakang".'),
        validators=[Length(max=200)],
    )
    custodian_pillar_id = SelectField(_l("Custodian"), coerce=_optional_int, validate_choice=False)
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_LABELS[s]) for s in MANUAL_STATUSES],
        validate_choice=False,
    )
    status_on = DateField(_l("Status date"), validators=[Optional()], format="%Y-%m-%d")
    status_reason = StringField(
        _l("Status reason"),
        description=_l("For lost or written-off items: what happened, the decree number."),
        validators=[Length(max=1000)],
    )
    photo = FileField(_l("Photo"), description=_l("JPEG, PNG or WebP, at most 3 MB."))
    remove_photo = BooleanField(_l("Remove the photo"))
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])

    def set_choices(self, rooms, pillars) -> None:
        self.room_id.choices = [SelectChoice("", str(_l("— outside the rooms —")))] + [
            SelectChoice(r.id, r.name) for r in rooms
        ]
        self.custodian_pillar_id.choices = [
            SelectChoice("", str(_l("The office (secretariat)")))
        ] + [SelectChoice(p.id, f"{p.code} · {p.name}") for p in pillars]


class LoanForm(FlaskForm):
    asset_ids = MultiCheckboxField(_l("Items"), coerce=int, validate_choice=False)
    start_at = DateTimeLocalField(
        _l("From"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Give the start."))]
    )
    end_at = DateTimeLocalField(
        _l("Until"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Give the end."))]
    )
    purpose = TextAreaField(_l("Purpose"), validators=[Length(max=2000)])
    pillar_id = SelectField(_l("For pillar"), coerce=_optional_int, validate_choice=False)
