"""Languages: Indonesian first, English second."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2.ext import _make_new_gettext, _make_new_ngettext

from intranet.extensions import babel

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    return current_app.config["OFFICE_TIMEZONE"]


def bound_gettext() -> dict[str, Any]:
    """The templates' ``_()`` and ``ngettext()`` bound to this render's catalog.

    Flask-Babel installs callables that look the catalog up again on every call (half
    of a ``_()``'s cost; a list page calls it hundreds of times). Made per render, so a
    template rendered under ``force_locale`` (feeds, e-mails, certificates) gets that
    language. Same behaviour as the installed ones: Jinja's "newstyle" wrappers escape
    the ``%(name)s`` values and format them.
    """
    translations = get_translations()
    return {
        "gettext": _make_new_gettext(translations.ugettext),
        "ngettext": _make_new_ngettext(translations.ungettext),
    }


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.context_processor(bound_gettext)
