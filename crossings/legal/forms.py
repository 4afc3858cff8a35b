from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from crossings.legal.models import CheckIn, CourtEvent, Deadline, TravelDocumentStep
from crossings.people.forms import DateInput


class ProceedingForm(forms.Form):
    court = forms.CharField(label=_("Immigration court"), max_length=200)
    opened_on = forms.DateField(label=_("Notice to appear served on"), required=False, widget=DateInput())


class CourtEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=CourtEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CourtEvent.Outcome.choices, required=False)
    oral = forms.BooleanField(label=_("Oral decision"), required=False, initial=True)
    in_absentia = forms.BooleanField(label=_("In absentia"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CorrectDateForm(forms.Form):
    date = forms.DateField(label=_("Correct date"), widget=DateInput())
    reason = forms.CharField(label=_("Why the date changes"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the version the page showed


class ResolveDeadlineForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Mark as"),
        choices=[(Deadline.State.MET, _("met")), (Deadline.State.NOT_APPLICABLE, _("not applicable"))],
    )
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


def _submission_token() -> str:
    return uuid.uuid4().hex


class DetainForm(forms.Form):
    facility = forms.CharField(label=_("Detention facility"), max_length=200)
    date = forms.DateField(label=_("Detained on"), widget=DateInput())
    # A new token each time the form is shown: sending the same form twice (a retry after an error, a
    # double click) records one detention (services.mark_detained).
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=_submission_token
    )


class ReleaseForm(forms.Form):
    date = forms.DateField(label=_("Released on"), widget=DateInput())
    on_supervision = forms.BooleanField(
        label=_("Released on an order of supervision"), required=False, initial=True
    )


class CheckInForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    office = forms.CharField(label=_("ICE office"), max_length=200)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CheckIn.Outcome.choices)


class ConvictionForm(forms.Form):
    court = forms.CharField(label=_("Court"), max_length=200)
    case_number = forms.CharField(label=_("Case number"), max_length=100, required=False)
    offence = forms.CharField(label=_("Offence"), max_length=300)
    statute = forms.CharField(label=_("Statute"), max_length=200, required=False)
    convicted_on = forms.DateField(label=_("Date of conviction"), required=False, widget=DateInput())
    sentence = forms.CharField(label=_("Sentence"), max_length=300, required=False)
    flags = forms.MultipleChoiceField(
        label=_("Ask an attorney to review"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("post_conviction_relief", _("possible post-conviction relief")),
            ("pardon", _("pardon application")),
            ("expungement", _("expungement")),
        ],
    )


class CalendarFeedForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Feed of"),
        choices=[
            ("mine", _("my deadlines and check-ins")),
            ("organisation", _("my organisation's deadlines and check-ins")),
        ],
    )


class RevokeFeedForm(forms.Form):
    """Which feed to revoke: a row id, validated like any other input (a typo or probe is a 400, never a
    server error, and no number too large for the column reaches the database)."""

    revoke = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class TravelDocumentForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=TravelDocumentStep.Step.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    expires_on = forms.DateField(label=_("Document expires on"), required=False, widget=DateInput())
