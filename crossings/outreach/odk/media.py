"""The media files a served form names, generated per organisation and per worker at each request."""

from __future__ import annotations

import csv
import io

from django.http import Http404
from django.utils import timezone, translation

from crossings.accounts.models import User
from crossings.outreach import followup
from crossings.outreach.models import Site
from crossings.outreach.odk.xlsforms import CLIENTS_DUE_CSV, SITES_CSV


def media_file(organisation_id: int, name: str, worker: User) -> bytes:
    """Media a form needs, generated for the organisation and the worker's phone at each request, so its
    hash in the manifest changes, and Collect fetches it again, whenever the list changes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if name == SITES_CSV:
        writer.writerow(["name", "label"])
        for site_id, site_name in Site.objects.filter(organisation_id=organisation_id).values_list(
            "id", "name"
        ):
            writer.writerow([f"site{site_id}", site_name])
    elif name == CLIENTS_DUE_CSV:
        # Looked up by code with pulldata(): the code, why, since when, in both languages; never a name.
        writer.writerow(["name", "reason", "reason_en", "reason_km", "since"])
        due = followup.due_clients(organisation_id=organisation_id, worker=worker, today=timezone.localdate())
        labels = {lang: _reason_labels(lang) for lang in ("en", "km")}
        for d in due:
            writer.writerow([d.uic, d.reason.value, labels["en"][d.reason], labels["km"][d.reason], d.since])
    else:
        raise Http404
    return out.getvalue().encode()


def _reason_labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {reason: str(reason.label) for reason in followup.Reason}
