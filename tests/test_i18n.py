"""The gettext catalogues: complete in Dutch and English, and in step with the code."""

from __future__ import annotations

import gettext
import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

SOURCE = Path(settings.BASE_DIR)  # src/balie
LOCALE = SOURCE / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
DOMAINS = ["django", "djangojs"]


def _catalogue(directory: Path, language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(directory / language / "LC_MESSAGES" / f"{domain}.po"))


def _msgids(catalogue: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


def _texts(entry) -> list[str]:
    """An entry's translations: one, or one per plural form."""
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(language, domain):
    catalogue = _catalogue(LOCALE, language, domain)

    assert len(catalogue) > 0
    untranslated = [entry.msgid for entry in catalogue if not all(map(str.strip, _texts(entry)))]
    fuzzy = [entry.msgid for entry in catalogue if entry.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert catalogue.metadata["Language"] == language


@pytest.mark.parametrize("domain", DOMAINS)
def test_dutch_and_english_have_the_same_texts(domain):
    dutch, english = (_msgids(_catalogue(LOCALE, language, domain)) for language in ("nl", "en"))

    assert dutch == english


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_survive_translation(domain):
    placeholder = re.compile(r"%\(\w+\)s")
    for language in LANGUAGES:
        for entry in _catalogue(LOCALE, language, domain):
            for text in _texts(entry):
                found = sorted(placeholder.findall(text))
                assert found == sorted(placeholder.findall(entry.msgid)), (language, entry.msgid)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """What Django's makemessages finds in a copy of src/balie (needs GNU xgettext)."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is missing; .ci/run installs it")
        pytest.skip("GNU gettext (xgettext) is missing: apt-get install gettext")
    copy = tmp_path_factory.mktemp("extract") / "balie"
    shutil.copytree(
        SOURCE, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.mo", "*.pyc")
    )
    locale = copy / "locale"
    locale.mkdir()
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[locale]):
            for domain in DOMAINS:
                call_command("makemessages", locale=["nl"], domain=domain, verbosity=0)
    finally:
        os.chdir(cwd)
    return locale


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogues_are_in_step_with_the_code(extracted, domain):
    in_code = _msgids(_catalogue(extracted, "nl", domain))
    in_catalogue = _msgids(_catalogue(LOCALE, "nl", domain))

    assert sorted(in_code - in_catalogue, key=str) == [], "run `make messages` and translate"
    assert sorted(in_catalogue - in_code, key=str) == [], "run `make messages` (stale texts)"


def test_compilemessages_writes_a_catalogue_gettext_reads(tmp_path):
    po = tmp_path / "django.po"
    shutil.copy(LOCALE / "nl" / "LC_MESSAGES" / "django.po", po)

    call_command("compilemessages", str(po))

    with open(tmp_path / "django.mo", "rb") as compiled:
        dutch = gettext.GNUTranslations(compiled)
    assert dutch.gettext("Send") == "Versturen"
    assert dutch.pgettext("resident chat", "Edit") == "Wijzigen"


def test_no_hand_made_language_tables_are_left():
    table = re.compile(r"""\{\s*["']nl["']\s*:""")
    offenders = [
        str(path.relative_to(SOURCE))
        for pattern in ("*.py", "*.js", "*.html")
        for path in (SOURCE / "web").rglob(pattern)
        if table.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
