"""Django forms for the drop-in centre: the same questions as the ODK form, in English and Khmer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossings.formtools import choice_field
from crossings.gazetteer_fields import add_place_fields
from crossings.outreach import uic as uic_rules
from crossings.outreach.encounters import EncounterData
from crossings.outreach.models import HivTest, Item, KeyPopulation, Referral, Sex, Site, StockMovement


class EncounterForm(forms.Form):
    date = forms.DateField(label=_("Date of the encounter"), widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelChoiceField(
        label=_("Stock drawn from (site)"), queryset=Site.objects.none(), required=False
    )
    # province, district and commune: official pick lists, added in __init__ (crossings.gazetteer_fields)
    hot_spot = forms.CharField(label=_("Hot spot (if any)"), max_length=100, required=False)
    uic = forms.CharField(
        label=_("Client code (UIC), if the client knows it"),
        max_length=32,
        required=False,
        help_text=_("Otherwise fill in the four questions below; the code is made from them."),
    )
    mother_name = forms.CharField(
        label=_("Mother's first name"),
        max_length=60,
        required=False,
        help_text=_("Khmer or Latin letters. Only its first letters are kept."),
    )
    father_name = forms.CharField(
        label=_("Father's first name"),
        max_length=60,
        required=False,
        help_text=_("Khmer or Latin letters. Only its first letters are kept."),
    )
    birth_order = forms.IntegerField(
        label=_("Birth order (99 if not known)"), min_value=1, max_value=99, required=False
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    # No choice is made for the worker: a pre-selected first option counted every unset encounter as a
    # person who injects drugs and inflated the needles-per-PWID indicator.
    key_population = forms.ChoiceField(
        label=_("Key population"), choices=[("", _("— choose —")), *KeyPopulation.choices]
    )
    needles_syringes = forms.IntegerField(label=_("Needles and syringes given"), min_value=0, initial=0)
    condoms = forms.IntegerField(label=_("Condoms given"), min_value=0, initial=0)
    naloxone = forms.IntegerField(label=_("Naloxone given"), min_value=0, initial=0)
    swabs = forms.IntegerField(label=_("Alcohol swabs given"), min_value=0, initial=0)
    hiv_test = forms.ChoiceField(label=_("HIV test"), choices=HivTest.choices)
    referral = forms.ChoiceField(label=_("Referral"), choices=Referral.choices, required=False)
    referral_completed = forms.BooleanField(label=_("Referral completed"), required=False)
    different_client = forms.BooleanField(
        label=_("I checked: this is a different client from the similar codes shown"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "site").queryset = Site.objects.filter(organisation_id=organisation_id)
        self.fields["date"].initial = timezone.localdate
        add_place_fields(self)
        # the pick lists come right after the site, where the typed fields were
        self.order_fields(["date", "site", "province", "district", "commune"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Report every unusable fact at once, next to its field, even when another field already failed.
        today = data.get("date") or timezone.localdate()
        if data.get("uic"):
            try:
                data["uic"] = uic_rules.validate_uic(data["uic"], today=today)
            except uic_rules.UICError as exc:
                self.add_error("uic", exc.errors["uic"])
        elif "uic" not in self.errors:
            try:
                data["uic"] = uic_rules.build_uic(
                    mother_name=data.get("mother_name") or "",
                    father_name=data.get("father_name") or "",
                    birth_order=data.get("birth_order"),
                    birth_date=data.get("birth_date"),
                    today=today,
                )
            except uic_rules.UICError as exc:
                for name, message in exc.errors.items():
                    if name not in self.errors:
                        self.add_error(name, message)
        return data

    def encounter_data(self) -> EncounterData:
        d = self.cleaned_data
        return EncounterData(
            uic=d["uic"],
            date=d["date"],
            province=d["province"],
            district=d["district"],
            commune=d["commune"],
            hot_spot=d["hot_spot"],
            site_id=d["site"].pk if d["site"] else None,
            sex=d["sex"],
            key_population=d["key_population"],
            needles_syringes=d["needles_syringes"],
            condoms=d["condoms"],
            naloxone=d["naloxone"],
            swabs=d["swabs"],
            hiv_test=d["hiv_test"],
            referral=d["referral"] or "",
            referral_completed=d["referral_completed"],
        )


class MovementForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    item = forms.ChoiceField(label=_("Item"), choices=Item.choices)
    kind = forms.ChoiceField(
        label=_("Movement"), choices=[c for c in StockMovement.Kind.choices if c[0] != "distributed"]
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "site").queryset = Site.objects.filter(organisation_id=organisation_id)
        self.fields["date"].initial = timezone.localdate
