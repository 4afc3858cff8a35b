"""US family (issue 16 item 7): relatives as records (relationship, US citizen or not, under 18, contact),
and the custody and child-support follow-ups they need turned into tasks when the removal is recorded,
through whichever door — once, for the organisation holding the record, in the case owner's language."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.cases.family import CUSTODY_DAYS, SUPPORT_DAYS
from crossings.cases.models import Case, Task
from crossings.people import journey, services, sharing
from crossings.people.models import FamilyMember
from crossings.reception import services as reception_services
from crossings.reception.models import Arrival, ArrivalBatch

REMOVED_ON = dt.date(2026, 11, 2)


def child(person, user, **extra):
    data = {
        "name": "Lina Sok",
        "relationship": "daughter",
        "location": "us",
        "us_citizen": "yes",
        "minor": True,
        "custody_follow_up": True,
        "child_support_follow_up": True,
    }
    data.update(extra)
    return services.add_family_member(person=person, user=user, data=data)


def remove(person, user, org_id):
    journey.record_event(
        person=person, kind="final_order", date=dt.date(2025, 1, 1), user=user, organisation_id=org_id
    )
    return journey.record_event(
        person=person, kind="removed", date=REMOVED_ON, user=user, organisation_id=org_id
    )


def test_a_removal_opens_the_custody_and_child_support_tasks_once(person, caseworker, advocacy):
    child(person, caseworker)
    services.add_family_member(
        person=person, user=caseworker, data={"name": "Sok Chea", "relationship": "brother", "location": "us"}
    )
    assert not Task.objects.exists()
    removal = remove(person, caseworker, advocacy.pk)
    tasks = {t.title: t for t in Task.objects.all()}
    assert len(tasks) == 2
    custody = next(t for title, t in tasks.items() if title.startswith("Custody of Lina Sok (daughter)"))
    support = next(t for title, t in tasks.items() if title.startswith("Child support for Lina Sok"))
    assert custody.due_on == REMOVED_ON + dt.timedelta(days=CUSTODY_DAYS)
    assert support.due_on == REMOVED_ON + dt.timedelta(days=SUPPORT_DAYS)
    assert (
        custody.case.organisation_id == advocacy.pk and custody.case.programme == Case.Programme.LEGAL_DEFENCE
    )
    assert custody.assignee == caseworker
    # the same removal told again (a retried request, a second door) opens nothing more
    from crossings import events

    events.emit(
        events.Event.PERSON_REMOVED,
        organisation_ids=[advocacy.pk],
        person_id=person.pk,
        journey_event_id=removal.pk,
    )
    assert Task.objects.count() == 2


def test_no_follow_up_marked_means_no_task(person, caseworker, advocacy):
    child(person, caseworker, custody_follow_up=False, child_support_follow_up=False)
    remove(person, caseworker, advocacy.pk)
    assert not Task.objects.exists()


def test_the_tasks_go_to_an_open_case_of_the_holder(person, caseworker, advocacy):
    case = Case.objects.create(organisation=advocacy, person=person, programme="reception", owner=caseworker)
    child(person, caseworker, child_support_follow_up=False)
    remove(person, caseworker, advocacy.pk)
    assert list(Task.objects.values_list("case_id", flat=True)) == [case.pk]


def test_the_reception_door_opens_them_too(person, caseworker, advocacy, reception, make_user):
    """The reception's arrival day records the removal if no one had: the tasks land with the holder."""
    officer = make_user(Role.CASEWORKER, reception)
    child(person, caseworker, custody_follow_up=False)
    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        sections=["journey"],
        given_on=REMOVED_ON,
    )
    referral = sharing.refer(
        person=person, to_organisation=reception, purpose="meet the flight", user=caseworker
    )
    sharing.accept_referral(referral=referral, user=officer)
    journey.record_event(
        person=person,
        kind="final_order",
        date=dt.date(2025, 1, 1),
        user=caseworker,
        organisation_id=advocacy.pk,
    )
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="KH-1", date=REMOVED_ON, created_by=officer
    )
    arrival = Arrival.objects.create(batch=batch, person=person)
    reception_services.update_checklist(arrival=arrival, user=officer, received=True)
    [task] = Task.objects.filter(title__startswith="Child support")  # beside the reception's follow-ups
    assert task.case.organisation_id == advocacy.pk
    assert task.assignee == caseworker  # someone of the holding organisation, not the reception officer


def test_the_task_is_written_in_the_case_owners_language(person, caseworker, advocacy):
    caseworker.language = "km"
    caseworker.save()
    child(person, caseworker, child_support_follow_up=False)
    remove(person, caseworker, advocacy.pk)
    [task] = Task.objects.all()
    assert "Lina Sok" in task.title and "Custody" not in task.title


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"minor": False}, "custody_follow_up"),  # custody is for a child
        ({"location": "cambodia", "custody_follow_up": False}, "child_support_follow_up"),
        ({"location": "elsewhere"}, "custody_follow_up"),
    ],
)
def test_follow_ups_that_make_no_sense_are_refused_by_field(person, caseworker, extra, field):
    with pytest.raises(ValidationError) as refused:
        child(person, caseworker, **extra)
    assert field in refused.value.message_dict
    assert not FamilyMember.objects.exists()


def test_only_who_may_write_family_adds_a_relative(person, caseworker, reception, make_user):
    officer = make_user(Role.CASEWORKER, reception)
    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        sections=["journey"],
        given_on=REMOVED_ON,
    )
    referral = sharing.refer(person=person, to_organisation=reception, purpose="x", user=caseworker)
    sharing.accept_referral(referral=referral, user=officer)
    with pytest.raises(PermissionDenied, match="contact details and family"):
        child(person, officer)


def test_the_page_adds_and_shows_a_us_family_member(person, caseworker, login):
    client = login(caseworker)
    response = client.post(
        f"/people/{person.pk}/family/",
        {
            "name": "Lina Sok",
            "relationship": "daughter",
            "location": "us",
            "us_citizen": "yes",
            "minor": "on",
            "custody_follow_up": "on",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Family member added." in body and "custody to settle after removal" in body
    refused = client.post(
        f"/people/{person.pk}/family/",
        {"name": "Sok Chea", "relationship": "brother", "location": "us", "custody_follow_up": "on"},
        follow=True,
    )
    assert "Custody is settled for a child under 18." in refused.content.decode()
    assert FamilyMember.objects.count() == 1


def test_the_api_adds_and_lists_family_with_the_same_rules(person, caseworker, reception, make_user):
    _token, raw = ApiToken.issue(user=caseworker)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    from django.test import Client

    client = Client(**headers)
    body = {
        "name": "Lina Sok",
        "relationship": "daughter",
        "location": "us",
        "us_citizen": "yes",
        "minor": True,
    }
    created = client.post(
        f"/api/people/{person.pk}/family", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["us_citizen"] == "yes" and created.json()["minor"] is True
    bad = dict(body, minor=False, custody_follow_up=True)
    refused = client.post(f"/api/people/{person.pk}/family", json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422 and "under 18" in refused.content.decode()
    listed = client.get(f"/api/people/{person.pk}/family")
    assert [m["name"] for m in listed.json()] == ["Lina Sok"]
    # a receiver without the contact section reads no family
    officer = make_user(Role.CASEWORKER, reception)
    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        sections=["journey"],
        given_on=REMOVED_ON,
    )
    sharing.accept_referral(
        referral=sharing.refer(person=person, to_organisation=reception, purpose="x", user=caseworker),
        user=officer,
    )
    _t, other = ApiToken.issue(user=officer)
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {other}").get(f"/api/people/{person.pk}/family").status_code == 403
    )


def test_the_web_form_and_the_api_edit_the_same_family_fields():
    from crossings.people.api import FamilyIn
    from crossings.people.forms import FamilyForm

    assert set(FamilyForm.base_fields) == set(FamilyMember.FIELDS) == set(FamilyIn.model_fields)
