from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.calls.models import Call
from crossings.people.forms import DateInput


def _submission_token() -> str:
    return uuid.uuid4().hex


class CallForm(forms.ModelForm):
    # A new token each time the form is shown: the same call sent twice (a double click, a retry after an
    # error) is recorded once (services.take_call).
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=_submission_token
    )

    class Meta:
        model = Call
        fields = Call.INTAKE_FIELDS
        widgets = {
            "whereabouts": forms.Textarea(attrs={"rows": 2}),
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "callback_number": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }


class LinkForm(forms.Form):
    person = forms.IntegerField(label=_("Person"), min_value=1, max_value=10**17, widget=forms.HiddenInput)


class RapidResponseForm(forms.Form):
    verified = forms.BooleanField(
        label=_("I have verified who is held and where (called back, checked the ICE locator or the lawyer)"),
        required=True,
    )
    facility = forms.CharField(label=_("Detention facility"), max_length=200)
    date = forms.DateField(label=_("Detained on"), widget=DateInput())
