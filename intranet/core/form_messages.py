"""WTForms' built-in messages, spoken in the app's own catalogs.

WTForms ships no Indonesian catalog, so its default messages ("Number must be between
1 and 5000.") would stay English in an Indonesian form. Every form asks the app's
catalogs instead (:func:`init_app`); the messages are listed here for extraction.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_translations


def N_(message: str) -> str:
    return message


def ngettext(singular: str, plural: str, n: int = 2) -> str:  # extraction marker
    return singular if n == 1 else plural


WTFORMS_MESSAGES = (
    N_("Invalid field name '%s'."),
    N_("Field must be equal to %(other_name)s."),
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
    ),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid IP address."),
    N_("Invalid Mac address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
    N_("Invalid CSRF Token."),
    N_("CSRF token missing."),
    N_("CSRF failed."),
    N_("CSRF token expired."),
    N_("Invalid Choice: could not coerce."),
    N_("Choices cannot be None."),
    N_("Not a valid choice."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid week value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
)


class _AppCatalog:
    """What Flask-WTF asks for WTForms' messages: the request's own catalog, looked up
    only when a message is needed (most requests validate no form)."""

    def ugettext(self, message: str) -> str:
        return get_translations().ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_CATALOG = _AppCatalog()


def init_app(app: Flask) -> None:
    @app.before_request
    def _forms_speak_the_app_catalog() -> None:
        # Flask-WTF's translation hook (flask_wtf.i18n) reads this per request.
        request.wtforms_translations = _CATALOG
