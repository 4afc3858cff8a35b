"""The OpenRosa server ODK Collect talks to, under /openrosa/.

Endpoints (OpenRosa 1.0): ``formList`` (xformsList), form download, manifest and media, ``submission``
(HEAD -> 204, POST -> 201). Authentication is HTTP Digest (and Basic over HTTPS) against an
``OpenRosaCredential`` (auth.py); an unauthenticated request gets a 401 challenge, never a redirect to the
login page (responses.py)."""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.xmlutils import SimplerXMLGenerator

from crossings.outreach.models import XForm
from crossings.outreach.odk import forms_registry
from crossings.outreach.odk.ingest import ACCEPT_CONTENT_LENGTH, MAX_ATTACHMENT, receive
from crossings.outreach.odk.media import media_file
from crossings.outreach.odk.responses import (
    OpenRosaRequest,
    attrs,
    openrosa_message,
    openrosa_view,
    xml_response,
)


# ---------------------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------------------
def _form_urls(request: HttpRequest, form: XForm) -> dict[str, str]:
    kw = {"form_id": form.form_id, "version": form.version}
    return {
        "download": request.build_absolute_uri(reverse("openrosa_form_download", kwargs=kw)),
        "manifest": request.build_absolute_uri(reverse("openrosa_manifest", kwargs=kw)),
    }


@openrosa_view
def form_list(request: OpenRosaRequest) -> HttpResponse:
    forms = forms_registry.offered_forms(request.openrosa_org_id)
    wanted = request.GET.get("formID")
    if wanted:
        forms = [f for f in forms if f.form_id == wanted]

    def build(xml: SimplerXMLGenerator) -> None:
        xml.startElement("xforms", attrs(xmlns="http://openrosa.org/xforms/xformsList"))
        for form in forms:
            urls = _form_urls(request, form)
            xml.startElement("xform", attrs())
            xml.addQuickElement("formID", form.form_id)
            xml.addQuickElement("name", form.title)
            xml.addQuickElement("version", form.version)
            xml.addQuickElement("hash", f"md5:{form.md5}")
            xml.addQuickElement("downloadUrl", urls["download"])
            if form.media:
                xml.addQuickElement("manifestUrl", urls["manifest"])
            xml.endElement("xform")
        xml.endElement("xforms")

    return xml_response(build)


def _form(request: OpenRosaRequest, form_id: str, version: str) -> XForm:
    form = forms_registry.find_form(request.openrosa_org_id, form_id, version)
    if form is None:
        raise Http404
    return form


@openrosa_view
def form_download(request: OpenRosaRequest, form_id: str, version: str) -> HttpResponse:
    form = _form(request, form_id, version)
    return HttpResponse(form.xml.encode(), content_type="text/xml; charset=utf-8")


@openrosa_view
def manifest(request: OpenRosaRequest, form_id: str, version: str) -> HttpResponse:
    form = _form(request, form_id, version)

    def build(xml: SimplerXMLGenerator) -> None:
        xml.startElement("manifest", attrs(xmlns="http://openrosa.org/xforms/xformsManifest"))
        for name in form.media:
            data = media_file(request.openrosa_org_id, name, request.user)
            url = reverse("openrosa_media", kwargs={"form_id": form_id, "version": version, "filename": name})
            xml.startElement("mediaFile", attrs())
            xml.addQuickElement("filename", name)
            xml.addQuickElement("hash", "md5:" + hashlib.md5(data).hexdigest())  # noqa: S324
            xml.addQuickElement("downloadUrl", request.build_absolute_uri(url))
            xml.endElement("mediaFile")
        xml.endElement("manifest")

    return xml_response(build)


@openrosa_view
def media(request: OpenRosaRequest, form_id: str, version: str, filename: str) -> HttpResponse:
    form = _form(request, form_id, version)
    if filename not in form.media:
        raise Http404
    return HttpResponse(
        media_file(request.openrosa_org_id, filename, request.user), content_type="text/csv; charset=utf-8"
    )


@openrosa_view
def submission(request: OpenRosaRequest) -> HttpResponse:
    if request.method == "HEAD":
        return HttpResponse(status=204)
    if request.method != "POST":
        response = openrosa_message("Use POST to send a form.", status=405)
        response["Allow"] = "HEAD, POST"
        return response
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > ACCEPT_CONTENT_LENGTH + 64 * 1024:
        return openrosa_message("The submission is too large.", status=413)
    xml_file = request.FILES.get("xml_submission_file")
    if xml_file is None:
        return openrosa_message("No xml_submission_file in the request.", status=400)
    attachments = [f for key, items in request.FILES.lists() if key != "xml_submission_file" for f in items]
    for f in attachments:
        if (f.size or 0) > MAX_ATTACHMENT:
            return openrosa_message(
                f"The attachment {f.name} is {f.size} bytes; the limit is {MAX_ATTACHMENT} bytes.", status=413
            )
    outcome = receive(
        organisation_id=request.openrosa_org_id, user=request.user, raw=xml_file.read(), files=attachments
    )
    response = openrosa_message(outcome.message, status=outcome.status, nature=outcome.nature)
    if outcome.status in (201, 202):
        response["Location"] = request.build_absolute_uri(request.path)
    return response
