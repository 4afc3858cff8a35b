from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crossings.accounts.roles import Cap
from crossings.accounts.rules import requires
from crossings.audit.models import AccessLog


@requires(Cap.AUDIT_VIEW)
def access_log(request: HttpRequest) -> HttpResponse:
    """The organisation's access log, read-only. Reading it is not logged: it holds no personal data."""
    entries = AccessLog.objects.visible_to(request.user).select_related("user", "organisation")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "audit/access_log.html", {"page": page})
