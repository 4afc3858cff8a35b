from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crossings import uploads
from crossings.accounts.models import Organisation
from crossings.formtools import choice_field
from crossings.gazetteer_fields import add_place_fields
from crossings.people.forms import DateInput
from crossings.reception import manifest, score
from crossings.reception.models import Arrival, Assessment, Goal, Packet, Service, ServiceDelivery


class BatchForm(forms.Form):
    flight = forms.CharField(label=_("Flight"), max_length=50)
    date = forms.DateField(label=_("Arrival date"), widget=DateInput())
    expected = forms.IntegerField(label=_("Number expected"), min_value=0, required=False)


def _manifest_label() -> str:
    return gettext("Manifest (CSV or XLSX, up to %(size)s MB)") % {
        "size": uploads.limit_label(uploads.MANIFEST)
    }


class ManifestUploadForm(forms.Form):
    file = forms.FileField(label=lazy(_manifest_label, str)())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        uploads.check_size(upload, uploads.MANIFEST)  # before anything reads it
        return upload


class MappingForm(forms.Form):
    """One choice per field: which column of the file holds it."""

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, int | None],
        date_order: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —"))] + [
            (str(i), h or f"#{i + 1}") for i, h in enumerate(headers)
        ]
        for name, (label, required, _spellings) in manifest.FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial="" if mapping.get(name) is None else str(mapping[name]),
            )
            self.fields[name].widget.attrs["data-required"] = "1" if required else "0"

        self.fields["date_order"] = forms.ChoiceField(
            label=_("Dates such as 03/04/1980 in this file"),
            choices=[
                ("", _("as the file shows (month first, US order, when it cannot tell)")),
                (manifest.MONTH_FIRST, _("month first: 03/04/1980 is 4 March 1980")),
                (manifest.DAY_FIRST, _("day first: 03/04/1980 is 3 April 1980")),
            ],
            required=False,
            initial=date_order,
        )

    def mapping(self) -> dict[str, int | None]:
        return {
            name: (int(v) if v not in ("", None) else None)
            for name, v in self.cleaned_data.items()
            if name in manifest.FIELDS
        }


class ChecklistForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the version the user read

    class Meta:
        model = Arrival
        fields = list(Arrival.CHECKLIST_FIELDS)


# What the intake asks in the person's own words: written in a box of a few lines.
ASSESSMENT_TEXTS = (
    "work_skills",
    "health",
    "mental_health",
    "substance_use",
    "family_cambodia",
    "family_us",
    "safety_risks",
)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "taken_on",
            "housing",
            "has_id_card",
            "has_family_book",
            "has_birth_certificate",
            "khmer_level",
            *ASSESSMENT_TEXTS,
        ]
        widgets = {
            "taken_on": DateInput(),
            **{f: forms.Textarea(attrs={"rows": 2}) for f in ASSESSMENT_TEXTS},
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # pick lists of the official codes, each following the one above
        add_place_fields(self, district_required=False)
        self.order_fields(["taken_on", "housing", *Assessment.PLACES])


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "dimension", "target_on"]
        widgets = {"target_on": DateInput()}


class ServiceDeliveryForm(forms.ModelForm):
    class Meta:
        model = ServiceDelivery
        fields = ["service", "date", "provider", "cost", "outcome"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "service").queryset = Service.objects.filter(
            organisation_id=organisation_id, active=True
        )
        choice_field(self, "provider").queryset = Organisation.objects.exclude(pk=organisation_id)


SCALE = [("", "—")] + [(str(i), str(i)) for i in range(score.SCALE_MAX + 1)]


class FollowUpForm(forms.Form):
    submission = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"].initial = uuid.uuid4()
        for dimension, items in score.QUESTIONS.items():
            for item, question in items.items():
                self.fields[f"{dimension}.{item}"] = forms.TypedChoiceField(
                    label=question,
                    choices=SCALE,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )

    def answers(self) -> dict[str, int | None]:
        return {k: v for k, v in self.cleaned_data.items() if k != "submission"}

    def dimensions(self) -> list[tuple[str, list[Any]]]:
        return [(d, [self[f"{d}.{i}"] for i in items]) for d, items in score.QUESTIONS.items()]


class BreakGlassForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to see this now?"), max_length=300)


class PacketForm(forms.ModelForm):
    """The pre-arrival packet as the advocate fills it (reception.handover.prepare_packet decides what the
    consent lets it carry)."""

    to_organisation = forms.ModelChoiceField(
        label=_("Reception organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents the person carries"),
        choices=Packet.Document.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Packet
        fields = ["to_organisation", *Packet.CONTENT]
        widgets = {
            "expected_on": DateInput(),
            "health_needs": forms.Textarea(attrs={"rows": 2}),
            "medication": forms.Textarea(attrs={"rows": 2}),
            "contacts_cambodia": forms.Textarea(attrs={"rows": 2}),
            "us_family": forms.Textarea(attrs={"rows": 2}),
            "belongings": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "to_organisation").queryset = organisations
        self.fields["expected_on"].required = True


class PacketAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("receive", _("Receive")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason for declining"), max_length=500, required=False)
