from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crossings.accounts.roles import Cap
from crossings.accounts.rules import requires
from crossings.audit.models import record_access
from crossings.people.models import Person


@requires(Cap.PEOPLE_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    people = Person.objects.visible_to(request.user).select_related("organisation")
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "people/person_list.html", {"page": page})


@requires(Cap.PEOPLE_VIEW)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("organisation"), pk=person_id
    )
    record_access(request, user=request.user, obj=person, organisation_id=person.organisation_id)
    return render(request, "people/person_detail.html", {"person": person})
