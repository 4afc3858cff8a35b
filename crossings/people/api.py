from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import requires
from crossings.audit.models import AccessLog, record_access
from crossings.people.models import Person

router = Router(tags=["people"])


class PersonSummary(Schema):
    id: int
    display_name: str


class PersonOut(Schema):
    id: int
    organisation_id: int
    given_name: str
    family_name: str
    name_km: str
    sex: str
    birth_date: date | None
    birth_date_precision: str
    version: int


@router.get("", response=list[PersonSummary], summary="People visible to the caller")
@requires(Cap.PEOPLE_VIEW)
@paginate(PageNumberPagination, page_size=50)
def list_people(request: HttpRequest) -> list[PersonSummary]:
    return [
        PersonSummary(id=p.pk, display_name=p.display_name)
        for p in Person.objects.visible_to(request.user).only("id", "given_name", "family_name", "name_km")
    ]


@router.get("/{person_id}", response=PersonOut, summary="One person (the read is logged)")
@requires(Cap.PEOPLE_VIEW)
def get_person(request: HttpRequest, person_id: int) -> Person:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_id)
    record_access(
        request,
        user=request.user,
        obj=person,
        organisation_id=person.organisation_id,
        action=AccessLog.Action.API,
    )
    return person
