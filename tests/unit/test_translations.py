"""The translation catalogs: complete, clean, consistent with the code, and in use.

Every UI string marked in the code must be translated in both catalogs (Indonesian
first, English second). After adding or changing a string, run
``make extract-messages``, translate the new entries, then ``make translations``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "intranet" / "translations"
LANGUAGES = ("id", "en")
PLURAL_FORMS = {"id": (1, "0"), "en": (2, "(n != 1)")}
HOW_TO_FIX = (
    "run `make extract-messages`, translate the new entries in "
    "intranet/translations/*/LC_MESSAGES/messages.po, then `make translations`"
)

# A printf-style conversion (``%(name)s``, ``%d``, ``%%`` ...). Jinja's new-style gettext
# applies ``%`` to every template string, so a literal percent sign is ``%%`` everywhere.
PLACEHOLDER_RE = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load_po(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def translations(catalog: Catalog) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {forms(m.id): forms(m.string) for m in catalog if m.id}


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER_RE.findall(text))


def entries(catalog: Catalog):
    return [m for m in catalog if m.id]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages in the code now, extracted exactly as ``make extract-messages`` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    command = (
        [str(pybabel)] if pybabel.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    )
    command += [
        "--quiet", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--sort-output", "-o", str(pot), ".",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    with pot.open("rb") as f:
        return read_po(f)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ui_string_is_in_the_catalog(extracted, lang):
    catalog = load_po(lang)
    missing = [key(m) for m in entries(extracted) if catalog.get(m.id, m.context) is None]
    assert not missing, (
        f"{len(missing)} UI string(s) missing from {po_path(lang).relative_to(ROOT)}; "
        f"{HOW_TO_FIX}:\n" + "\n".join(f"  {msgid!r}" for msgid in missing)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_entries_match_the_code(extracted, lang):
    catalog = load_po(lang)
    wrong = [
        key(m)
        for m in entries(extracted)
        if (found := catalog.get(m.id, m.context)) is not None and found.id != m.id
    ]
    assert not wrong, f"singular/plural differs from the code; {HOW_TO_FIX}:\n" + "\n".join(
        f"  {msgid!r}" for msgid in wrong
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_fuzzy_or_untranslated_entries(lang):
    catalog = load_po(lang)
    assert not catalog.fuzzy, f"the header of the {lang} catalog is marked fuzzy"
    plural_forms = (catalog.num_plurals, catalog.plural_expr)
    assert plural_forms == PLURAL_FORMS[lang], f"wrong Plural-Forms header in the {lang} catalog"
    problems = []
    for message in entries(catalog):
        strings = forms(message.string)
        if message.fuzzy:
            problems.append(f"  fuzzy: {key(message)!r}")
        if len(strings) != (catalog.num_plurals if message.pluralizable else 1) or not all(
            s.strip() for s in strings
        ):
            problems.append(f"  untranslated: {key(message)!r}")
    assert not problems, f"entries to finish in {po_path(lang).relative_to(ROOT)}:\n" + "\n".join(
        problems
    )


class AnyValue(dict):
    """A mapping with a value for every name, to try out ``%(name)s`` formatting."""

    def __missing__(self, name):
        return 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    catalog = load_po(lang)
    wrong = []
    for message in entries(catalog):
        expected = placeholders(forms(message.id)[-1])
        for string in forms(message.string):
            if placeholders(string) != expected or "%" in PLACEHOLDER_RE.sub("", string):
                wrong.append(f"  {key(message)!r} → {string!r}")
            elif all(p.startswith("%(") or p == "%%" for p in expected):
                try:
                    string % AnyValue()
                except (TypeError, ValueError) as error:
                    wrong.append(f"  {key(message)!r} → {string!r} ({error})")
    assert not wrong, (
        f"placeholders differ from the msgid in {po_path(lang).relative_to(ROOT)} "
        "(a literal % is written %%):\n" + "\n".join(wrong)
    )
    errors = [f"  {key(m)!r}: {e}" for m, errs in catalog.check() for e in errs]
    assert not errors, f"Babel's checks fail in the {lang} catalog:\n" + "\n".join(errors)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_is_up_to_date(lang):
    mo = po_path(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing; run `make translations`"
    with mo.open("rb") as f:
        compiled = translations(read_mo(f))
    source = translations(load_po(lang))
    stale = sorted(msgid[0] for msgid, string in source.items() if compiled.get(msgid) != string)
    assert not stale, f"{mo.relative_to(ROOT)} is out of date; run `make translations`:\n" + (
        "\n".join(f"  {msgid!r}" for msgid in stale)
    )


def test_the_app_uses_the_compiled_catalogs(client):
    indonesian = client.get("/login", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert '<html lang="id">' in indonesian
    assert "<h1>Masuk</h1>" in indonesian and "Log in" not in indonesian
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "<h1>Log in</h1>" in english and "Masuk" not in english
