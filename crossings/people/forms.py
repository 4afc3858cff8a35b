from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossings import uploads
from crossings.accounts.keep import submission_field
from crossings.accounts.models import Organisation
from crossings.formtools import choice_field
from crossings.people.models import Consent, FamilyMember, JourneyEvent, Person, Referral
from crossings.uploads import validate_upload


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonForm(forms.ModelForm):
    aliases = forms.CharField(
        label=_("Other names or spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, e.g. the spelling on a US document."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = submission_field()  # registering: sent twice, registered once
    not_a_duplicate = forms.BooleanField(
        label=_("I checked: this is not one of the people listed above"), required=False
    )

    class Meta:
        model = Person
        # the photo is a file upload: the web form sends it, the JSON API does not
        fields = [*Person.EDITABLE_FIELDS, "photo"]
        widgets = {
            "birth_date": DateInput(),
            "us_arrival_date": DateInput(),
            "name_km": forms.TextInput(attrs={"lang": "km"}),
            "contact": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            validate_upload(photo, allowed={"image/jpeg", "image/png", "image/webp"}, limits=uploads.PHOTO)
        return photo

    def alias_list(self) -> list[str]:
        return [
            line.strip() for line in (self.cleaned_data.get("aliases") or "").splitlines() if line.strip()
        ]


class EventForm(forms.ModelForm):
    class Meta:
        model = JourneyEvent
        fields = ["kind", "date", "place", "flight", "in_custody", "note"]
        widgets = {"date": DateInput()}


class ConsentForm(forms.ModelForm):
    sections = forms.MultipleChoiceField(
        label=_("What may be shared"),
        choices=Consent.Section.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Names, sex, date and place of birth are always shared with a sharing consent."),
    )

    class Meta:
        model = Consent
        fields = ["scope", "shared_with", "sections", "given_on", "expires_on", "form"]
        widgets = {"given_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args: Any, exclude_org: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()
        # A sharing consent names another organisation: the holder's own is not offered.
        others = Organisation.objects.exclude(pk=exclude_org) if exclude_org else Organisation.objects.all()
        choice_field(self, "shared_with").queryset = others.order_by("name")
        # A consent to reminders is recorded with its channel and number, on the person's reminders page.
        scope = self.fields["scope"]
        scope.choices = [c for c in scope.choices if c[0] != Consent.Scope.REMINDERS]  # type: ignore[attr-defined]

    def clean_form(self) -> Any:
        upload = self.cleaned_data.get("form")
        if upload and hasattr(upload, "content_type"):
            validate_upload(upload)
        return upload


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("Refer to"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Referral.Kind.choices, initial=Referral.Kind.REFERRAL)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    submission = submission_field()

    def __init__(
        self, *args: Any, exclude_orgs: set[int] | frozenset[int] = frozenset(), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Neither the referring organisation nor the holder (who sees the whole record already) is offered.
        qs = Organisation.objects.exclude(pk__in=exclude_orgs).order_by("name")
        choice_field(self, "to_organisation").queryset = qs


class AliasForm(forms.Form):
    name = forms.CharField(label=_("Other name or spelling"), max_length=200)
    note = forms.CharField(label=_("Where it is used"), max_length=200, required=False)


class FamilyForm(forms.ModelForm):
    class Meta:
        model = FamilyMember
        fields = list(FamilyMember.FIELDS)
        widgets = {"contact": forms.TextInput()}


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(label=_("Number of the duplicate record"), min_value=1)
    reason = forms.CharField(
        label=_("Why these are the same person"), widget=forms.Textarea(attrs={"rows": 2})
    )
