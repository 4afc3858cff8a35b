"""Closing a case and withdrawing a consent ask first (issue 13, item 4); a closed case can be reopened,
on the page and through the API, and the history says who closed and who reopened it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.cases import services
from crossings.cases.models import Case
from crossings.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(person: Any, caseworker: Any) -> Case:
    return services.open_case(
        person=person, organisation_id=person.organisation_id, programme="legal_defence", owner=caseworker
    )


def api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_closing_a_case_asks_first_and_says_what_happens(case: Case, caseworker: Any, login: Any) -> None:
    client = login(caseworker)
    page = client.post(f"/cases/{case.pk}/close/", {"closure_reason": "relief_granted"})
    case.refresh_from_db()
    assert page.status_code == 200 and case.is_open  # nothing closed yet
    body = page.content.decode()
    assert "Close this case?" in body and "relief granted" in body and "can be reopened" in body
    assert 'name="closure_reason" value="relief_granted"' in body and 'name="confirmed" value="1"' in body
    client.post(f"/cases/{case.pk}/close/", {"closure_reason": "relief_granted", "confirmed": "1"})
    case.refresh_from_db()
    assert not case.is_open and case.closure_reason == "relief_granted"


def test_the_confirmation_is_in_khmer_for_a_khmer_reader(case: Case, caseworker: Any, login: Any) -> None:
    caseworker.language = "km"
    caseworker.save(update_fields=["language"])
    page = login(caseworker).post(f"/cases/{case.pk}/close/", {"closure_reason": "relief_granted"})
    assert "បិទករណីនេះឬ?" in page.content.decode()


def test_a_bad_reason_is_refused_before_asking(case: Case, caseworker: Any, login: Any) -> None:
    response = login(caseworker).post(
        f"/cases/{case.pk}/close/", {"closure_reason": "bored", "confirmed": "1"}
    )
    case.refresh_from_db()
    assert response.status_code == 302 and case.is_open


def test_a_closed_case_is_reopened_and_the_history_keeps_both(
    case: Case, caseworker: Any, login: Any, make_user: Any, advocacy: Any
) -> None:
    other = make_user(Role.SUPERVISOR, advocacy, username="sam")
    services.close_case(case=case, user=caseworker, reason="other")
    page = login(caseworker).get(f"/cases/{case.pk}/")
    assert b'data-testid="case-reopen"' in page.content
    login(other).post(f"/cases/{case.pk}/reopen/")
    case.refresh_from_db()
    assert case.is_open and case.closure_reason == ""
    history = list(case.history.order_by("history_date", "history_id"))
    assert [(h.closed_on is None, h.history_user) for h in history] == [
        (True, None),
        (False, caseworker),
        (True, other),
    ]
    assert history[-1].history_change_reason == "reopened"


def test_closing_twice_and_reopening_an_open_case_are_conflicts(case: Case, caseworker: Any) -> None:
    services.close_case(case=case, user=caseworker, reason="other")
    with pytest.raises(Conflict):
        services.close_case(case=case, user=caseworker, reason="other")
    services.reopen_case(case=case, user=caseworker)
    with pytest.raises(Conflict):
        services.reopen_case(case=case, user=caseworker)


def test_reopening_is_refused_while_another_case_of_the_programme_is_open(
    case: Case, caseworker: Any, person: Any
) -> None:
    services.close_case(case=case, user=caseworker, reason="other")
    newer = services.open_case(
        person=person, organisation_id=person.organisation_id, programme="legal_defence", owner=caseworker
    )
    with pytest.raises(Conflict, match=f"#{newer.pk}"):
        services.reopen_case(case=case, user=caseworker)


def test_the_api_reopens_and_answers_409_when_it_cannot(case: Case, caseworker: Any) -> None:
    client = api(caseworker)
    closed = client.post(
        f"/api/cases/{case.pk}/close",
        json.dumps({"closure_reason": "other"}),
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] is not None
    again = client.post(
        f"/api/cases/{case.pk}/close",
        json.dumps({"closure_reason": "other"}),
        content_type="application/json",
    )
    assert again.status_code == 409 and "already closed" in again.json()["detail"]
    reopened = client.post(f"/api/cases/{case.pk}/reopen")
    assert reopened.status_code == 200 and reopened.json()["closed_on"] is None
    assert client.post(f"/api/cases/{case.pk}/reopen").status_code == 409


def test_reopening_needs_the_right_to_edit_the_case(
    case: Case, caseworker: Any, login: Any, make_user: Any, make_org: Any
) -> None:
    services.close_case(case=case, user=caseworker, reason="other")
    stranger = make_user(Role.CASEWORKER, make_org("Elsewhere"), username="stranger")
    analyst = make_user(Role.ANALYST, case.organisation, username="ana")
    assert login(stranger).post(f"/cases/{case.pk}/reopen/").status_code == 404
    assert login(analyst).post(f"/cases/{case.pk}/reopen/").status_code == 403
    assert api(stranger).post(f"/api/cases/{case.pk}/reopen").status_code == 404
    case.refresh_from_db()
    assert not case.is_open


def test_withdrawing_a_consent_asks_first_and_says_it_cannot_be_undone(
    person: Any, caseworker: Any, login: Any, make_org: Any
) -> None:
    from crossings.people import sharing

    reception = make_org("Phnom Penh Reception")
    consent = sharing.record_consent(
        person=person, scope="share", shared_with=reception, given_on=dt.date.today(), user=caseworker
    )
    client = login(caseworker)
    page = client.post(f"/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert page.status_code == 200 and consent.withdrawn_on is None
    body = page.content.decode()
    assert "Phnom Penh Reception will no longer see the record" in body and "cannot be undone" in body
    client.post(f"/consents/{consent.pk}/withdraw/", {"confirmed": "1"})
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None


@pytest.fixture
def pending_referral(person: Any, caseworker: Any, make_org: Any) -> Any:
    from crossings.people import sharing

    reception = make_org("Phnom Penh Reception")
    sharing.record_consent(
        person=person, scope="share", shared_with=reception, given_on=dt.date.today(), user=caseworker
    )
    return sharing.refer(person=person, to_organisation=reception, purpose="arrival", user=caseworker)


def test_cancelling_a_referral_asks_first_and_sending_it_again_undoes_it(
    pending_referral: Any, caseworker: Any, login: Any
) -> None:
    from crossings.people import sharing

    client = login(caseworker)
    detail = client.get(f"/people/{pending_referral.person_id}/")
    assert b'data-testid="referral-cancel"' in detail.content
    page = client.post(f"/referrals/{pending_referral.pk}/cancel/")
    pending_referral.refresh_from_db()
    assert page.status_code == 200 and pending_referral.status == "pending"
    assert "Phnom Penh Reception will not see it" in page.content.decode()
    client.post(f"/referrals/{pending_referral.pk}/cancel/", {"confirmed": "1"})
    pending_referral.refresh_from_db()
    assert pending_referral.status == "cancelled" and pending_referral.decided_by == caseworker
    again = sharing.refer(
        person=pending_referral.person,
        to_organisation=pending_referral.to_organisation,
        purpose="arrival",
        user=caseworker,
    )
    assert again.status == "pending" and again.pk != pending_referral.pk


def test_only_the_sender_cancels_and_only_while_it_waits(
    pending_referral: Any, caseworker: Any, login: Any, make_user: Any
) -> None:
    receiver = make_user(Role.CASEWORKER, pending_referral.to_organisation, username="rith")
    assert (
        login(receiver).post(f"/referrals/{pending_referral.pk}/cancel/", {"confirmed": "1"}).status_code
        == 404
    )
    assert api(receiver).post(f"/api/referrals/{pending_referral.pk}/cancel").status_code == 404
    client = api(caseworker)
    cancelled = client.post(f"/api/referrals/{pending_referral.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/referrals/{pending_referral.pk}/cancel")
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
