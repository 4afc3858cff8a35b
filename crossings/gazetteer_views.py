"""The options of a place pick list, for the district and commune selects that follow the one above them
(htmx swaps them in; without JavaScript the form still works: see crossings.gazetteer_fields)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crossings import gazetteer
from crossings.accounts.rules import login_only
from crossings.gazetteer_fields import place_choices


@login_only
@require_GET
def place_options(request: HttpRequest, level: str) -> HttpResponse:
    """``<option>``\\ s of the districts of ``?province=`` or the communes of ``?district=``."""
    above = {"district": "province", "commune": "district"}.get(level)
    if above is None:
        raise Http404
    # htmx sends the select under its own name: prefixed ("assessment-province") when a page has several forms
    sent = [str(v) for k, v in request.GET.items() if k == above or k.endswith(f"-{above}")]
    parent = (sent[0] if sent else "")[: gazetteer.MAX_INPUT]
    groups = [
        (label, options) if isinstance(options, list) else (None, [(value, options)])
        for value, options in place_choices(level, parent)
        for label in [value]
    ]
    return render(request, "place_options.html", {"groups": groups})
