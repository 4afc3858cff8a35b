"""Every user-visible string has a Khmer translation, and the compiled catalogue matches the source one.

Strings are extracted afresh from a copy of the code (Django's makemessages, GNU gettext), so a new string
without a translation fails here even if nobody re-ran `make messages`."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import crossings

SOURCE = Path(crossings.__file__).parent
CATALOGUE = SOURCE / "locale" / "km" / "LC_MESSAGES"


@pytest.fixture
def fresh_catalogue(tmp_path, settings, monkeypatch) -> polib.POFile:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail(
                "GNU gettext (xgettext) is missing in CI; .ci/run installs the Debian package gettext"
            )
        pytest.skip("GNU gettext is not installed (Debian package gettext)")
    copy = tmp_path / "crossings"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["km"], no_obsolete=True, no_location=True, verbosity=0)
    return polib.pofile(str(copy / "locale" / "km" / "LC_MESSAGES" / "django.po"))


def test_every_ui_string_has_a_khmer_translation(fresh_catalogue):
    missing = [e.msgid for e in fresh_catalogue if not e.translated()]
    assert not missing, (
        f"{len(missing)} strings have no Khmer translation (run `make messages`): {missing[:20]}"
    )


def test_the_committed_catalogue_has_no_stale_or_fuzzy_entries(fresh_catalogue):
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    assert {e.msgid for e in committed if not e.obsolete} == {e.msgid for e in fresh_catalogue}
    assert not committed.fuzzy_entries()


def test_the_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(CATALOGUE / "django.po")) if e.translated()
    }
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    assert compiled == source, "django.mo is out of date: run `make messages`"


def test_khmer_translations_are_in_khmer_script():
    for entry in polib.pofile(str(CATALOGUE / "django.po")):
        if entry.translated():
            text = entry.msgstr or " ".join(entry.msgstr_plural.values())
            assert any("\u1780" <= ch <= "\u17ff" for ch in text), f"not Khmer: {entry.msgid!r}"
