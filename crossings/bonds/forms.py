from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.bonds.models import Bond, Contribution
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


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Bond.Status.choices)
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


class ReceiptForm(forms.Form):
    receipt = forms.FileField(label=_("Receipt (PDF or photo)"))
