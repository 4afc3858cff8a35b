from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.events import LABELS, Event


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Address (https://…)"),
        max_length=500,
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_("What is it for?"), max_length=100, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(str(e), LABELS[e]) for e in Event],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:  # an administrator of several organisations says which
            self.fields["organisation"] = forms.TypedChoiceField(
                label=_("Organisation"), choices=organisations, coerce=int
            )
