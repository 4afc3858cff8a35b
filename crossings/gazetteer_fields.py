"""Province / district / commune pick lists on a Django form, stored as the official codes
(crossings.gazetteer). The district list follows the province chosen and the commune list the district,
through htmx; with no province chosen the districts are grouped by province, so a page without
JavaScript can still be filled in."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossings import gazetteer
from crossings.errors import Refused

Choices = list[tuple[str, Any]]


def _is(level: str, code: str) -> bool:
    found = gazetteer.place(code)
    return found is not None and found.level == level


def place_choices(level: str, parent: str) -> Choices:
    """The choices of one select: the provinces; the districts of ``parent`` (all, grouped by province,
    when no province is chosen); the communes of ``parent`` (none until a district is chosen)."""
    blank: Choices = [("", _("— choose —"))]
    if level == "province":
        return blank + gazetteer.choices("province")
    if level == "district":
        if _is("province", parent):
            return blank + gazetteer.choices("district", parent)
        return blank + [
            (province.name, gazetteer.choices("district", province.code))
            for province in gazetteer.children("province")
        ]
    if _is("district", parent):
        return blank + gazetteer.choices("commune", parent)
    return blank


class PlaceField(forms.ChoiceField):
    """A pick list of one level that also takes a name (either script) or a code posted by a script or an
    older page, read by crossings.gazetteer; whether it lies in the place above is checked with the rest
    of the record (``read_places``)."""

    def __init__(self, *, level: gazetteer.Level, **kwargs: Any):
        super().__init__(**kwargs)
        self.level = level

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        try:
            return gazetteer.read_place(self.level, text)
        except Refused as exc:
            raise forms.ValidationError(exc.message_dict[self.level][0], code="invalid_choice") from None

    def valid_value(self, value: Any) -> bool:
        found = gazetteer.place(str(value))
        return found is not None and found.level == self.level


LABELS = {
    "province": gettext_lazy("Province"),
    "district": gettext_lazy("District"),
    "commune": gettext_lazy("Commune"),
}


def add_place_fields(form: forms.BaseForm, *, district_required: bool = True) -> None:
    """Give ``form`` the ``province``, ``district`` and ``commune`` selects, their lists chosen by what was
    posted (or the initial values), each one reloading the list below it when it changes."""
    data: Any = form.data if form.is_bound else form.initial

    def value(name: str) -> str:
        raw = data.get(form.add_prefix(name) if form.is_bound else name, "") or ""
        return str(raw)[: gazetteer.MAX_INPUT]

    province, district = value("province"), value("district")
    known = gazetteer.place(district)
    if not province and known is not None and known.level == "district":
        province = known.parent
    below = {"province": "district", "district": "commune"}
    parents = {"province": "", "district": province, "commune": district}
    names: tuple[gazetteer.Level, ...] = ("province", "district", "commune")
    for name in names:
        attrs: dict[str, str] = {"data-place": name}
        if name in below:
            child = below[name]
            attrs.update(
                {
                    "hx-get": reverse("place_options", args=[child]),
                    "hx-target": f"#{str(form.auto_id) % form.add_prefix(child)}",
                    "hx-trigger": "change",
                    "hx-swap": "innerHTML",
                }
            )
        form.fields[name] = PlaceField(
            level=name,
            label=LABELS[name],
            choices=place_choices(name, parents[name]),
            required=district_required and name == "district",
            widget=forms.Select(attrs=attrs),
        )


register = template.Library()


@register.filter
def place(code: str) -> str:
    """``{{ encounter.district|place }}``: the name of a place code in the reader's language."""
    return gazetteer.name(code)
