"""The encounter form on the web through ODK Web Forms: the drop-in centre fills the very XForm the phones
get, rendered in the browser by ODK's own engine, and the instance goes through the same ``receive`` as a
phone's submission (stored as sent, names read once and blanked, the same checks and messages).

Signed in with the web session (not the phone's ODK password): the page, the form, its two attachments
and the submission are four thin views over what the OpenRosa server already has. Web Forms does not
encrypt: an organisation whose form is encrypted is told to use ODK Collect or the plain web form.

Web Forms injects its stylesheet and inline styles from JavaScript and embeds its fonts and its XPath
parser (WebAssembly) as data: URLs, so this one page allows inline styles, data: fonts and connections,
and WebAssembly compilation; scripts stay same-origin (the import map carries the page's nonce)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from csp.constants import NONCE, UNSAFE_INLINE, WASM_UNSAFE_EVAL
from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.outreach.models import XForm
from crossings.outreach.odk import forms_registry
from crossings.outreach.odk.ingest import ACCEPT_CONTENT_LENGTH, receive
from crossings.outreach.odk.media import media_file
from crossings.outreach.odk.xlsforms import ENCOUNTER_FORM_ID

WEB_FORMS_CSP = {
    "script-src": [NONCE, WASM_UNSAFE_EVAL],
    "style-src": [UNSAFE_INLINE],
    "font-src": ["data:"],
    "connect-src": ["data:"],
}


def _org(request: AuthedRequest) -> int:
    return request.user.scope.acting_organisation(Cap.OUTREACH_USE)


def _form(organisation_id: int) -> XForm:
    for form in forms_registry.offered_forms(organisation_id):
        if form.form_id == ENCOUNTER_FORM_ID:
            return form
    raise Http404


@requires(Cap.OUTREACH_USE)
@require_GET
def _page(request: AuthedRequest) -> HttpResponse:
    form = _form(_org(request))
    return render(request, "outreach/odk_web_form.html", {"xform": form})


# The policy wraps the checked view (csp_update is typed for plain requests; the rule is still found
# through __wrapped__).
page = csp_update(WEB_FORMS_CSP)(cast("Callable[[HttpRequest], HttpResponse]", _page))


@requires(Cap.OUTREACH_USE)
@require_GET
def form_xml(request: AuthedRequest) -> HttpResponse:
    form = _form(_org(request))
    if form.encrypted:
        raise Http404
    return HttpResponse(in_readers_language(form.xml), content_type="text/xml; charset=utf-8")


def in_readers_language(xml: str) -> str:
    """The form opens in the reader's language: Web Forms starts in the form's default translation, so a
    Khmer reader gets the form with Khmer made the default (the phones choose theirs in Collect)."""
    if translation.get_language() != "km" or 'lang="Khmer (km)"' not in xml:
        return xml
    xml = xml.replace(
        '<translation lang="English (en)" default="true()">', '<translation lang="English (en)">'
    )
    return xml.replace('<translation lang="Khmer (km)">', '<translation lang="Khmer (km)" default="true()">')


@requires(Cap.OUTREACH_USE)
@require_GET
def media(request: AuthedRequest, filename: str) -> HttpResponse:
    org = _org(request)
    if filename not in _form(org).media:
        raise Http404
    data = media_file(org, filename, request.user)
    return HttpResponse(data, content_type="text/csv; charset=utf-8")


@requires(Cap.OUTREACH_USE)
@require_POST
def submission(request: AuthedRequest) -> JsonResponse:
    """The instance Web Forms serialised, as ``xml_submission_file`` (CSRF-checked like every web POST)."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > ACCEPT_CONTENT_LENGTH:
        return JsonResponse({"status": 413, "message": _("The form is too large to send.")}, status=413)
    xml_file = request.FILES.get("xml_submission_file")
    if xml_file is None:
        return JsonResponse({"status": 400, "message": _("Nothing was sent: fill in the form.")}, status=400)
    outcome = receive(organisation_id=_org(request), user=request.user, raw=xml_file.read(), files=[])
    if outcome.status == 201:
        message = _("Encounter recorded at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")}
    elif outcome.status == 202:
        message = _("This form was already received: nothing was recorded twice.")
    else:
        message = _("The encounter could not be recorded: %(reason)s") % {"reason": outcome.message}
    return JsonResponse({"status": outcome.status, "message": message}, status=outcome.status)
