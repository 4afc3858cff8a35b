import datetime as dt

import pytest

from crossings.cases.models import Case, Task


@pytest.mark.django_db
def test_overdue_view_per_user_and_per_organisation(person, advocacy, caseworker, supervisor, login):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    yesterday = dt.date.today() - dt.timedelta(days=1)
    Task.objects.create(
        case=case, title="File the BIA appeal", due_on=yesterday, assignee=caseworker, created_by=caseworker
    )
    Task.objects.create(
        case=case, title="Call the family", due_on=yesterday, assignee=supervisor, created_by=caseworker
    )
    Task.objects.create(
        case=case,
        title="Not yet due",
        due_on=dt.date.today() + dt.timedelta(days=3),
        assignee=caseworker,
        created_by=caseworker,
    )
    done = Task.objects.create(
        case=case, title="Done already", due_on=yesterday, assignee=caseworker, created_by=caseworker
    )
    login(caseworker).post(f"/tasks/{done.pk}/resolve/", {"outcome": "done"})
    mine = login(caseworker).get("/tasks/overdue/").content.decode()
    assert "File the BIA appeal" in mine and "Call the family" not in mine
    assert "Not yet due" not in mine and "Done already" not in mine
    org = login(supervisor).get("/tasks/overdue/?who=org").content.decode()
    assert "File the BIA appeal" in org and "Call the family" in org


@pytest.mark.django_db
def test_not_applicable_needs_a_reason(person, advocacy, caseworker, login):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    task = Task.objects.create(case=case, title="x", created_by=caseworker)
    login(caseworker).post(f"/tasks/{task.pk}/resolve/", {"outcome": "not_applicable"})
    task.refresh_from_db()
    assert not task.not_applicable
    login(caseworker).post(
        f"/tasks/{task.pk}/resolve/", {"outcome": "not_applicable", "note": "relief granted"}
    )
    task.refresh_from_db()
    assert task.not_applicable and task.resolution_note == "relief granted"
