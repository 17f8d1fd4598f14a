"""WTForms' own messages speak the app's languages (WTForms ships no Indonesian)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import InputRequired, Length, NumberRange

CATALOGS = Path(__file__).resolve().parents[2] / "intranet" / "translations"


def _wtforms_msgids() -> list[str]:
    with (Path(messages_path()) / "wtforms.pot").open("rb") as handle:
        return [m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_wtforms_message_is_in_our_catalogs(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = [msgid for msgid in _wtforms_msgids() if msgid not in translated]
    assert not missing, f"add to intranet/core/form_messages.py: {missing}"


class _Sample(FlaskForm):
    class Meta:
        csrf = False

    people = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=5000)])
    name = StringField(validators=[Length(max=3)])


@pytest.mark.parametrize(
    ("lang", "number", "length"),
    [
        ("id", "Angka harus antara 1 dan 5000.", "Paling banyak 3 karakter."),
        ("en", "Number must be between 1 and 5000.", "At most 3 characters."),
    ],
)
def test_any_form_gets_them_in_the_readers_language(app, lang, number, length):
    with app.test_request_context(method="POST", data={"people": "9999", "name": "panjang"}):
        app.preprocess_request()  # the hook that hands WTForms the app's catalogs
        with force_locale(lang):
            form = _Sample()
            assert not form.validate()
            assert form.people.errors == [number]
            assert form.name.errors == [length]
