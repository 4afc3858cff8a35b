from __future__ import annotations

import uuid
from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.bonds.models import Bond, Contribution
from crossings.formtools import choices_field
from crossings.people.forms import DateInput


class BondForm(forms.Form):
    detention = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**17)
    amount = forms.DecimalField(label=_("Amount (USD)"), max_digits=10, decimal_places=2, min_value=0.01)
    obligor = forms.CharField(label=_("Obligor"), max_length=200)
    posted_on = forms.DateField(label=_("Posted on"), widget=DateInput())


class ContributionForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (USD)"), max_digits=10, decimal_places=2, min_value=0.01)
    source = forms.ChoiceField(label=_("Source"), choices=Contribution.Source.choices)
    from_whom = forms.CharField(label=_("From whom"), max_length=200, required=False)
    given_on = forms.DateField(label=_("Date"), widget=DateInput())
    # A new token each time the form is shown: money sent twice is counted once.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=lambda: uuid.uuid4().hex
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Bond.Status.choices)
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)

    def offer_only(self, statuses: Iterable[str]) -> StatusForm:
        """Offer only the moves the bond may make (the service refuses any other with a 409)."""
        offered = [(value, label) for value, label in Bond.Status.choices if value in statuses]
        choices_field(self, "status").choices = offered
        return self


class ReceiptForm(forms.Form):
    receipt = forms.FileField(label=_("Receipt (PDF, JPEG or PNG, up to 10 MB)"))
