"""Django's own messages (form and model validation, password rules, file uploads) are shown in Khmer on a
Khmer page. Django's Khmer catalogue has about a third of them; crossings/locale_django has the rest. The
messages are collected from Django itself, so a Django upgrade that adds or rewords one fails here, naming
it, instead of showing English to a Khmer reader."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

import crossings

KHMER = re.compile("[\u1780-\u17ff]")
CATALOGUE = Path(crossings.__file__).parent / "locale_django" / "km" / "LC_MESSAGES"
ARGS = {
    "limit_value": 3,
    "show_value": 1,
    "max": 2,
    "length": 4,
    "num": 2,
    "min_length": 8,
    "value": "x",
    "offset": 0,
    "valid_value1": 3,
    "valid_value2": 6,
}


def subclasses(base: type) -> list[type]:
    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def shown(message: Any) -> str:
    """The text as a page shows it: a plural message needs its number first."""
    try:
        return str(message % ARGS)
    except (TypeError, KeyError, ValueError):
        return str(message)


def django_messages() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for base in (forms.Field, models.Field):
        for cls in subclasses(base):
            if not cls.__module__.startswith("django."):
                continue
            for klass in cls.__mro__:
                for key, message in getattr(klass, "default_error_messages", {}).items():
                    messages[f"{klass.__name__}.{key}"] = message
    for name, cls in inspect.getmembers(validators, inspect.isclass):
        if isinstance(getattr(cls, "message", None), Promise):
            messages[f"{name}.message"] = cls.message
        if isinstance(getattr(cls, "messages", None), dict):
            for key, message in cls.messages.items():
                messages[f"{name}.{key}"] = message
    for form in (auth_forms.AuthenticationForm, auth_forms.SetPasswordForm, auth_forms.PasswordChangeForm):
        for klass in form.__mro__:
            for key, message in getattr(klass, "error_messages", {}).items():
                messages[f"{klass.__name__}.{key}"] = message
    user = get_user_model()(username="sokdara")
    # A password validator writes its error when it runs, in the language of that moment: run it then.
    weak = {
        password_validation.MinimumLengthValidator: "a1",
        password_validation.UserAttributeSimilarityValidator: "sokdara",
        password_validation.CommonPasswordValidator: "password",
        password_validation.NumericPasswordValidator: "12345678",
    }
    for cls, password in weak.items():
        validator = cls()
        messages[f"{cls.__name__}.help"] = validator.get_help_text
        messages[f"{cls.__name__}.error"] = lambda v=validator, p=password: refusal(v, p, user)
    return messages


def refusal(validator: Any, password: str, user: Any) -> str:
    try:
        validator.validate(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    raise AssertionError(f"{validator} accepted {password!r}")


def text(message: Any) -> str:
    return message() if callable(message) else shown(message)


def test_every_django_message_a_page_can_show_is_in_khmer() -> None:
    messages = django_messages()
    assert len(messages) > 60, sorted(messages)
    with translation.override("km"):
        english_left = {k: text(m) for k, m in messages.items() if not KHMER.search(text(m))}
    assert not english_left, english_left


def test_django_messages_in_english_stay_english() -> None:
    with translation.override("en"):
        assert str(forms.Field.default_error_messages["required"]) == "This field is required."


@pytest.mark.django_db
def test_a_khmer_form_error_from_django_is_khmer_and_the_delete_button_is_spelt_right() -> None:
    class Visit(forms.Form):
        on = forms.DateField()
        kind = forms.ChoiceField(choices=[("a", "A")])

    with translation.override("km"):
        form = Visit(data={"on": "31/02/2026", "kind": "z"})
        assert not form.is_valid()
        assert form.errors["on"] == ["សូមបញ្ចូលកាលបរិច្ឆេទដែលត្រឹមត្រូវ។"]
        assert "ជម្រើសដែលត្រឹមត្រូវ" in form.errors["kind"][0]
        assert translation.gettext("Delete") == "លុប"  # Django's own Khmer has លប់


def test_the_compiled_django_catalogue_matches_the_source() -> None:
    source = {e.msgid: e.msgstr or e.msgstr_plural[0] for e in polib.pofile(str(CATALOGUE / "django.po"))}
    compiled = {e.msgid: e.msgstr or e.msgstr_plural[0] for e in polib.mofile(str(CATALOGUE / "django.mo"))}
    compiled.pop("", None)
    assert compiled == source
