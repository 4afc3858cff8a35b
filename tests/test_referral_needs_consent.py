"""A referral crosses to another organisation only with the person's consent, and only as far as the
consent goes; withdrawing it takes the record back."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.audit.models import AccessLog
from crossings.cases import services as cases
from crossings.people import sharing
from crossings.people.models import Consent, Person, Referral


def today() -> dt.date:
    """Asked when used, not when the file is imported: a run may cross midnight."""
    return timezone.localdate()


@pytest.fixture
def receiver(make_user, reception):
    return make_user(Role.CASEWORKER, reception, username="rith")


def consent(person, org, to, **kw):
    """Recorded by a caseworker of ``org``, the organisation holding the record."""
    from crossings.accounts.models import Membership, User

    recorder = User.objects.filter(memberships__organisation=org, memberships__role="caseworker").first()
    if recorder is None:
        recorder = User.objects.create_user(username=f"recorder-{org.pk}")
        Membership.objects.create(user=recorder, organisation=org, role="caseworker")
    return sharing.record_consent(
        person=person,
        user=recorder,
        scope="share",
        shared_with=to,
        given_on=kw.pop("given_on", today()),
        **kw,
    )


@pytest.mark.django_db
def test_a_referral_without_consent_is_refused_naming_the_missing_consent(
    person, advocacy, reception, caseworker
):
    with pytest.raises(sharing.ConsentMissing) as exc:
        sharing.refer(
            person=person,
            to_organisation=reception,
            purpose="arrival support",
            user=caseworker,
        )
    assert "No consent to share this person's record with Reception (test)" in str(exc.value)
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_expired_and_withdrawn_consents_are_named(person, advocacy, reception, caseworker):
    old = consent(
        person,
        advocacy,
        reception,
        given_on=today() - dt.timedelta(days=400),
        expires_on=today() - dt.timedelta(days=35),
    )
    with pytest.raises(sharing.ConsentMissing, match=f"expired on {old.expires_on}"):
        sharing.refer(
            person=person,
            to_organisation=reception,
            purpose="x",
            user=caseworker,
        )
    fresh = consent(person, advocacy, reception)
    sharing.withdraw_consent(consent=fresh, user=caseworker)
    with pytest.raises(sharing.ConsentMissing, match="was withdrawn on"):
        sharing.refer(
            person=person,
            to_organisation=reception,
            purpose="x",
            user=caseworker,
        )


@pytest.mark.django_db
def test_consent_for_another_organisation_does_not_cover_this_one(
    person, advocacy, reception, make_org, caseworker
):
    consent(person, advocacy, make_org("Some other NGO", "reception", "KH"))
    with pytest.raises(sharing.ConsentMissing):
        sharing.refer(
            person=person,
            to_organisation=reception,
            purpose="x",
            user=caseworker,
        )


@pytest.mark.django_db
def test_accepting_makes_the_person_visible_limited_to_the_consent(
    person, advocacy, reception, caseworker, receiver, login
):
    person.contact = "+1 206 555 0100"
    person.save()
    consent(person, advocacy, reception, sections=["journey"])
    referral = sharing.refer(
        person=person,
        to_organisation=reception,
        purpose="meet the flight",
        user=caseworker,
    )
    client = login(receiver)
    assert client.get(f"/people/{person.pk}/").status_code == 404  # pending: not yet visible
    assert client.post(f"/referrals/{referral.pk}/accept/").status_code == 302
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "SOK Dara" in page
    assert "555 0100" not in page  # contact details were not in the consent
    assert "012-345-678" not in page  # nor the A-number
    assert AccessLog.objects.filter(user=receiver, object_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_withdrawing_consent_takes_visibility_away(person, advocacy, reception, caseworker, receiver, login):
    c = consent(person, advocacy, reception)
    referral = sharing.refer(
        person=person,
        to_organisation=reception,
        purpose="x",
        user=caseworker,
    )
    sharing.accept_referral(referral=referral, user=receiver)
    assert Person.objects.visible_to(receiver).filter(pk=person.pk).exists()
    page = login(caseworker).post(f"/consents/{c.pk}/withdraw/")
    assert page.status_code == 200 and b"confirm-yes" in page.content  # asked first: nothing withdrawn yet
    assert Person.objects.visible_to(receiver).filter(pk=person.pk).exists()
    login(caseworker).post(f"/consents/{c.pk}/withdraw/", {"confirmed": "1"})
    assert not Person.objects.visible_to(receiver).filter(pk=person.pk).exists()
    assert login(receiver).get(f"/people/{person.pk}/").status_code == 404
    c.refresh_from_db()
    withdrawn = c.withdrawn_on  # the day the server stamped, not the day this file was imported
    assert withdrawn is not None and (timezone.localdate() - withdrawn).days in (0, 1)
    assert [h.withdrawn_on for h in c.history.order_by("history_date", "history_id")] == [None, withdrawn]


@pytest.mark.django_db
def test_only_the_receiving_organisation_answers(person, advocacy, reception, caseworker, receiver, login):
    consent(person, advocacy, reception)
    referral = sharing.refer(
        person=person,
        to_organisation=reception,
        purpose="x",
        user=caseworker,
    )
    assert login(caseworker).post(f"/referrals/{referral.pk}/accept/").status_code == 404
    referral.refresh_from_db()
    assert referral.status == "pending"


@pytest.mark.django_db
def test_the_api_answers_409_with_the_reason(person, caseworker, reception):
    _t, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        f"/api/people/{person.pk}/referrals",
        {"to_organisation": reception.pk, "purpose": "arrival"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "No consent to share" in response.json()["detail"]
    client.post(
        f"/api/people/{person.pk}/consents",
        {"scope": "share", "shared_with": reception.pk, "given_on": str(today())},
        content_type="application/json",
    )
    response = client.post(
        f"/api/people/{person.pk}/referrals",
        {"to_organisation": reception.pk, "purpose": "arrival"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"


@pytest.mark.django_db
def test_a_transfer_closes_the_case_and_opens_one_at_the_receiver(
    person, advocacy, reception, caseworker, receiver
):
    from crossings.cases.models import Case

    case = Case.objects.create(organisation=advocacy, person=person, programme="reception", owner=caseworker)
    consent(person, advocacy, reception)
    referral = sharing.refer(
        person=person,
        to_organisation=reception,
        purpose="x",
        user=caseworker,
        kind="transfer",
        case=case,
    )
    # accepting goes through cases: the people side alone changes the holder, not the case
    cases.accept_referral(referral=referral, user=receiver)
    case.refresh_from_db()
    assert case.closure_reason == "transferred"
    assert Case.objects.filter(organisation=reception, person=person, owner=receiver).exists()


@pytest.mark.django_db
def test_consent_validation_messages(person, advocacy, caseworker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        sharing.record_consent(
            person=person,
            user=caseworker,
            scope="share",
            given_on=today(),
            expires_on=today(),
        )
    assert set(exc.value.message_dict) == {"shared_with", "expires_on"}
    assert not Consent.objects.exists()
