"""The catalogs hold every string of the code and templates, translated into Arabic and French.

The strings are extracted again (`make i18n-extract`, the same command developers run)
into a temporary file: a string added to a template or to the code without running
`make i18n-update` and translating it fails here, naming the string.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
TRANSLATED = ("ar", "fr")
LANGUAGES = ("ar", "fr", "en")

#: One xdist worker runs this module, so the strings are extracted once (`extracted`).
pytestmark = pytest.mark.xdist_group("i18n-catalogs")


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _po(language: str) -> Catalog:
    return _read_po(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)


def _ids(catalog: Catalog) -> set:
    return {message.id for message in catalog if message.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    if shutil.which("make") is None:
        pytest.fail("make is needed to extract the strings (apt-get install make)")
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        ["make", "--no-print-directory", "-s", "i18n-extract", f"POT={pot}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return _read_po(pot)


def test_the_template_holds_every_string_of_the_code_and_templates(extracted: Catalog) -> None:
    committed = _ids(_read_po(TRANSLATIONS / "messages.pot"))
    missing = sorted(map(str, _ids(extracted) - committed))
    stale = sorted(map(str, committed - _ids(extracted)))
    assert not missing, f"run `make i18n-update` and translate: {missing}"
    assert not stale, f"run `make i18n-update` to drop: {stale}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_has_exactly_the_strings_of_the_code(extracted: Catalog, language: str):
    catalog = _po(language)
    assert sorted(map(str, _ids(extracted) - _ids(catalog))) == []
    assert sorted(map(str, _ids(catalog) - _ids(extracted))) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_into_arabic_and_french(language: str) -> None:
    """English too: each msgid maps to itself (`make i18n-update` fills it), because an
    empty plural entry would show as nothing."""
    catalog = _po(language)
    untranslated = [
        message.id
        for message in catalog
        if message.id and (message.fuzzy or not _every_form_filled(message))
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_messages_have_every_form_of_the_language(language: str) -> None:
    """Arabic has six plural forms (zero, one, two, few, many, other)."""
    catalog = _po(language)
    assert catalog.num_plurals == {"ar": 6, "fr": 3}[language]
    for message in catalog:
        if message.pluralizable:
            assert len(message.string) == catalog.num_plurals, message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english(language: str) -> None:
    catalog = _po(language)
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in catalog.check()
        if errors
    ]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_its_source(language: str) -> None:
    """The app reads the .mo files (`make translations` writes them; they are committed so
    that a checkout runs as it is): they must say what the .po files say."""
    directory = TRANSLATIONS / language / "LC_MESSAGES"
    with (directory / "messages.mo").open("rb") as handle:
        compiled = {_key(message.id): _key(message.string) for message in read_mo(handle)}
    compiled.pop("", None)
    source = {
        _key(message.id): _key(message.string)
        for message in _po(language)
        if message.id and not message.fuzzy and _every_form_filled(message)
    }
    assert compiled == source, "run `make translations`"


def test_the_app_reads_the_catalogs_it_is_configured_with(app) -> None:
    for language in TRANSLATED:
        translations = gettext.translation(
            "messages", app.config["BABEL_TRANSLATION_DIRECTORIES"], [language]
        )
        assert translations.gettext("Your cart") != "Your cart"


def _key(value: str | list | tuple) -> str | tuple:
    return value if isinstance(value, str) else tuple(value)


def _every_form_filled(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)
