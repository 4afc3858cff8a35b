"""The legal page's Bonds block, drawn by the bonds app: the legal app shows detentions without knowing what
a bond is (no import from legal up to bonds)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from crossings.bonds.forms import BondForm
from crossings.bonds.models import Bond

register = template.Library()


@register.inclusion_tag("bonds/_bonds_of_person.html", takes_context=True)
def bonds_of(context: dict[str, Any], person: Any, detentions: list[Any], can_edit: bool) -> dict[str, Any]:
    """The bonds of ``person``'s detentions the user may see (one query), and, where the user may edit,
    the form to record the bond of the current detention if it has none yet."""
    request = context["request"]
    bonds = list(Bond.objects.visible_to(request.user).filter(person=person).select_related("detention"))
    with_bond = {b.detention_id for b in bonds}
    current = next((d for d in detentions if d.ended_on is None and d.pk not in with_bond), None)
    form = None
    if can_edit and current is not None:
        form = BondForm(prefix="bond", initial={"detention": current.pk, "posted_on": timezone.localdate()})
    return {
        "bonds": bonds,
        "current": current,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }
