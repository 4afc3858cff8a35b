from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossings.people.forms import DateInput
from crossings.reminders.models import Channel, Contact, ReminderSettings


class OptInForm(forms.Form):
    """The person agrees to reminders: how, where, in which language, and how much the message may say."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    address = forms.CharField(
        label=_("Number, Telegram chat id or e-mail"),
        max_length=254,
        help_text=_("SMS: the phone number with country code, e.g. +85512345678."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=Contact.Language.choices, initial=Contact.Language.KHMER
    )
    detail = forms.ChoiceField(
        label=_("What the message may say"),
        choices=Contact.Detail.choices,
        initial=Contact.Detail.PLAIN,
        widget=forms.RadioSelect,
    )
    given_on = forms.DateField(label=_("Consent given on"), widget=DateInput())
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class SettingsForm(forms.ModelForm):
    """The administrator's page. The tokens are typed into fields of their own, never filled in: blank keeps
    the stored one."""

    # https unless typed otherwise (Django 6's default already)
    sms_base_url = forms.URLField(label=_("SMS gateway address"), max_length=200, assume_scheme="https")
    telegram_base_url = forms.URLField(
        label=_("Telegram Bot API address"), max_length=200, assume_scheme="https"
    )
    sms_token_new = forms.CharField(
        label=_("SMS gateway token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted, never shown. Leave blank to keep the one saved."),
    )
    telegram_token_new = forms.CharField(
        label=_("Telegram bot token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted, never shown. Leave blank to keep the one saved."),
    )

    # each token beside its channel's other settings
    field_order = [
        *ReminderSettings.EDITABLE_FIELDS[: ReminderSettings.EDITABLE_FIELDS.index("sms_from") + 1],
        "sms_token_new",
        *ReminderSettings.EDITABLE_FIELDS[ReminderSettings.EDITABLE_FIELDS.index("sms_from") + 1 :],
        "telegram_token_new",
    ]

    class Meta:
        model = ReminderSettings
        fields = list(ReminderSettings.EDITABLE_FIELDS)
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
