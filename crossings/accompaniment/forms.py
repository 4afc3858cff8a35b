from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.accompaniment.models import MAX_VOLUNTEERS, Accompaniment


def _submission_token() -> str:
    return uuid.uuid4().hex


class OpenForm(forms.ModelForm):
    # "check_in:12" or "hearing:34": the event, posted from the staff page's row.
    event = forms.RegexField(
        label=_("Check-in or hearing"), regex=r"^(check_in|hearing):\d{1,18}$", widget=forms.HiddenInput
    )

    def offer(self, choices: list[tuple[str, str]]) -> None:
        """On the staff page: pick the event from the coming ones, rather than a hidden value."""
        self.fields["event"].widget = forms.Select(choices=choices)

    class Meta:
        model = Accompaniment
        fields = Accompaniment.OPEN_FIELDS
        widgets = {
            "meets_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "cap": forms.NumberInput(attrs={"min": 1, "max": MAX_VOLUNTEERS}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class SignUpForm(forms.Form):
    # A new token each time the page is shown: a double click or a retry signs up once.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=_submission_token
    )
