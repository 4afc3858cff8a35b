import datetime as dt
import uuid

import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.cases.models import Task
from crossings.errors import Refused
from crossings.people.models import Person
from crossings.reception import score, services
from crossings.reception.models import Arrival, ArrivalBatch, FollowUp

ALL_FOUR = {f"{d}.{i}": 4 for d, items in score.QUESTIONS.items() for i in items}


@pytest.fixture
def officer(make_user, reception):
    return make_user(Role.CASEWORKER, reception, username="rith")


@pytest.fixture
def arrival(reception, officer):
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 1, 31), created_by=officer
    )
    person = Person.objects.create(organisation=reception, family_name="Ouk", given_name="Sreymom")
    return Arrival.objects.create(batch=batch, person=person)


def test_scores_match_hand_computed_examples():
    assert score.compute(ALL_FOUR) == score.Scores(1.0, 1.0, 1.0, 1.0)
    answers = {
        "economic.income": 2,
        "economic.work": 0,
        "economic.debt": 4,
        "economic.food": 2,
        "social.housing": 3,
        "social.documents": 1,
        "psychosocial.wellbeing": 1,
    }
    s = score.compute(answers)
    assert s.economic == 0.5  # (0.5 + 0 + 1 + 0.5) / 4
    assert s.social == 0.5  # (0.75 + 0.25) / 2: unanswered items do not count
    assert s.psychosocial == 0.25
    assert s.overall == 0.417  # (0.5 + 0.5 + 0.25) / 3
    assert score.compute({}) == score.Scores(None, None, None, None)


def test_weights_are_configuration(settings):
    settings.REINTEGRATION_WEIGHTS = {"dimensions": {"economic": 2.0}, "economic": {"work": 3.0}}
    s = score.compute({"economic.income": 4, "economic.work": 0, "social.housing": 4})
    assert s.economic == 0.25  # (1*1 + 0*3) / 4
    assert s.overall == 0.5  # (0.25*2 + 1*1) / 3


def test_an_answer_out_of_range_is_refused():
    with pytest.raises(Refused, match="0–4"):
        score.compute({"economic.income": 7})


@pytest.mark.django_db
def test_receiving_the_person_records_the_journey_and_schedules_follow_ups(arrival, officer):
    services.update_checklist(arrival=arrival, user=officer, received=True, released_to="family")
    person = arrival.person
    person.refresh_from_db()
    assert person.status == "arrived"
    assert list(person.events.values_list("kind", flat=True)) == ["removed", "arrived"]
    due = list(FollowUp.objects.filter(arrival=arrival).values_list("months", "due_on"))
    # 31 January + 1 month is 28 February (calendar months, clamped to the month's end)
    assert due == [
        (1, dt.date(2026, 2, 28)),
        (3, dt.date(2026, 4, 30)),
        (6, dt.date(2026, 7, 31)),
        (12, dt.date(2027, 1, 31)),
    ]
    assert Task.objects.filter(title="1-month follow-up", assignee=officer).exists()
    services.update_checklist(
        arrival=arrival, user=officer, housing=True
    )  # ticking more schedules nothing new
    assert FollowUp.objects.count() == 4


@pytest.mark.django_db
def test_follow_up_months_are_configurable(arrival, officer, settings):
    settings.RECEPTION_FOLLOW_UP_MONTHS = [2, 24]
    services.update_checklist(arrival=arrival, user=officer, received=True)
    assert list(FollowUp.objects.values_list("months", flat=True)) == [2, 24]


@pytest.mark.django_db
def test_a_follow_up_sent_twice_from_two_phones_is_stored_once(arrival, officer):
    services.update_checklist(arrival=arrival, user=officer, received=True)
    follow_up = FollowUp.objects.get(months=1)
    _t, raw = ApiToken.issue(user=officer)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"submission": str(uuid.uuid4()), "answers": ALL_FOUR}
    first = client.post(f"/api/reception/follow-ups/{follow_up.pk}", body, content_type="application/json")
    versions = follow_up.history.count()
    retry = client.post(f"/api/reception/follow-ups/{follow_up.pk}", body, content_type="application/json")
    assert first.status_code == retry.status_code == 200
    assert retry.json()["overall"] == 1.0
    other = client.post(
        f"/api/reception/follow-ups/{follow_up.pk}",
        {"submission": str(uuid.uuid4()), "answers": {}},
        content_type="application/json",
    )
    assert other.status_code == 409 and "already recorded" in other.json()["detail"]
    assert follow_up.history.count() == versions  # the retry changed nothing
    follow_up.refresh_from_db()
    assert follow_up.task.done_at is not None


@pytest.mark.django_db
def test_ticking_received_on_the_arrival_day_screen_schedules_the_follow_ups(arrival, officer, login):
    response = login(officer).post(
        f"/reception/arrivals/{arrival.pk}/", {"received": "on", "released_to": "ngo", "version": 1}
    )
    assert response.status_code == 302
    assert FollowUp.objects.filter(arrival=arrival).count() == 4


@pytest.mark.django_db
def test_a_follow_up_with_no_answers_is_refused_and_stays_open(arrival, officer, login):
    services.update_checklist(arrival=arrival, user=officer, received=True)
    follow_up = FollowUp.objects.get(months=1)
    client = login(officer)
    response = client.post(f"/reception/follow-ups/{follow_up.pk}/", {"submission": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.recorded_on is None and follow_up.task.done_at is None
    # one answer is enough: a question not asked is left blank
    response = client.post(
        f"/reception/follow-ups/{follow_up.pk}/",
        {"submission": str(uuid.uuid4()), "social.housing": "3"},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.answers == {"social.housing": 3} and follow_up.overall == 0.75


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "message"),
    [({}, "Answer at least one question"), ({"economic.salary": 2}, "Unknown question: economic.salary")],
)
def test_the_api_refuses_an_empty_or_unknown_survey(arrival, officer, answers, message):
    services.update_checklist(arrival=arrival, user=officer, received=True)
    follow_up = FollowUp.objects.get(months=1)
    _t, raw = ApiToken.issue(user=officer)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/reception/follow-ups/{follow_up.pk}",
        {"submission": str(uuid.uuid4()), "answers": answers},
        content_type="application/json",
    )
    assert response.status_code == 422 and message in str(response.json())
    follow_up.refresh_from_db()
    assert follow_up.recorded_on is None


@pytest.mark.django_db
def test_an_unknown_question_is_refused_even_when_left_blank(arrival, officer):
    services.update_checklist(arrival=arrival, user=officer, received=True)
    follow_up = FollowUp.objects.get(months=1)
    with pytest.raises(Refused, match=r"Unknown question: economic\.salary"):
        services.record_follow_up(
            follow_up=follow_up,
            answers={"economic.salary": None, "social.housing": 2},
            submission=uuid.uuid4(),
            user=officer,
        )
