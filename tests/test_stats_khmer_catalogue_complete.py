"""The stats app keeps its own Khmer catalogue (crossings/stats/locale): every string has a translation and
the compiled file matches. makemessages puts the app's strings there, not in the project catalogue."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import crossings.stats

APP = Path(crossings.stats.__file__).parent
CATALOGUE = APP / "locale" / "km" / "LC_MESSAGES"


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (Debian package gettext)")
    copy = tmp_path / "stats"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "reference"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["km"], no_obsolete=True, no_location=True, verbosity=0)
    return polib.pofile(str(copy / "locale" / "km" / "LC_MESSAGES" / "django.po"))


def test_every_stats_string_has_a_khmer_translation(fresh):
    missing = [e.msgid for e in fresh if not e.translated()]
    assert not missing, missing[:20]


def test_the_compiled_stats_catalogue_matches_the_source():
    source = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE / "django.po")) if e.translated()}
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    assert compiled == source
    assert all(any("\u1780" <= ch <= "\u17ff" for ch in text) for text in source.values())
