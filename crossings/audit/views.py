from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import AccessLog
from crossings.audit.reads import Reader, log_list


@requires(Cap.AUDIT_VIEW)
def access_log(request: AuthedRequest) -> HttpResponse:
    """The organisation's access log, read-only. The searches it quotes may name people, so reading a page
    of it is itself written down."""
    entries = AccessLog.objects.visible_to(request.user).select_related("user", "organisation")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    log_list(
        Reader.of(request),
        AccessLog,
        [(e.pk, e.organisation_id) for e in page.object_list],
        total=page.paginator.count,
        reason="access log",
    )
    return render(request, "audit/access_log.html", {"page": page})
