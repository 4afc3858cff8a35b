"""Only the organisation that holds a record records or withdraws the person's consents; an onward referral
carries at most what its sender holds; withdrawing a consent ends the access it gave, and the access passed
on from it. (Hostile review, finding 1: a receiver widened and rerouted A's consent.)"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from crossings.accounts.models import ApiToken, Organisation, User
from crossings.accounts.roles import OrgKind, Role
from crossings.people import sharing
from crossings.people.access import access_for
from crossings.people.models import Consent, Person, Referral


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def world(make_org: Any, make_user: Any) -> dict[str, Any]:
    """A (advocates, holding the record), B (reception) and C (a health partner), one caseworker each."""
    a = make_org("A advocates", OrgKind.ADVOCACY, "US")
    b = make_org("B reception", OrgKind.RECEPTION, "KH")
    c = make_org("C health", OrgKind.RECEPTION, "KH")
    d = make_org("D shelter", OrgKind.RECEPTION, "KH")
    users = {
        name: make_user(Role.CASEWORKER, org, username=f"cw-{name}")
        for name, org in zip("abcd", (a, b, c, d), strict=True)
    }
    person = Person.objects.create(
        organisation=a,
        family_name="Sok",
        given_name="Dara",
        a_number="A-012-345-678",
        contact="+1 206 555 0100",
    )
    return {"a": a, "b": b, "c": c, "d": d, "users": users, "person": person}


def consent(world: dict[str, Any], to: Organisation, sections: list[str]) -> Consent:
    return sharing.record_consent(
        person=world["person"],
        user=world["users"]["a"],
        scope="share",
        shared_with=to,
        sections=sections,
        given_on=today(),
    )


def hand_over(world: dict[str, Any], sender: str, receiver: str, kind: str = "referral") -> Referral:
    referral = sharing.refer(
        person=world["person"],
        to_organisation=world[receiver],
        purpose="x",
        user=world["users"][sender],
        kind=kind,
    )
    return sharing.accept_referral(referral=referral, user=world["users"][receiver])


def sections(world: dict[str, Any], who: str) -> frozenset[str] | None:
    user = User.objects.get(pk=world["users"][who].pk)  # a fresh scope
    access = access_for(user, Person.objects.get(pk=world["person"].pk))
    return None if access is None else access.sections


def api(user: User) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.django_db
def test_the_hostile_review_scenario_gives_c_nothing_b_did_not_hold(world: dict[str, Any]) -> None:
    consent(world, world["b"], ["identifiers"])
    consent(world, world["c"], ["contact", "journey", "photo"])
    hand_over(world, "a", "b")
    b_api = api(world["users"]["b"])
    # B may not record its own sharing consent naming C …
    response = b_api.post(
        f"/api/people/{world['person'].pk}/consents",
        json.dumps(
            {
                "scope": "share",
                "shared_with": world["c"].pk,
                "sections": ["contact", "journey"],
                "given_on": str(today()),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "holds this record" in response.json()["detail"]
    # … but it may pass the record on under A's consent naming C: carrying only what B itself holds.
    referral = hand_over(world, "b", "c")
    assert referral.sections == [] and referral.basis is not None
    assert sections(world, "c") == {"identity", "cases"}
    body = api(world["users"]["c"]).get(f"/api/people/{world['person'].pk}").json()
    assert body["contact"] is None and body["events"] is None and body["a_number"] is None
    assert body["status"] is None


@pytest.mark.django_db
def test_a_receiver_can_neither_record_nor_withdraw_consent(world: dict[str, Any], login: Any) -> None:
    given = consent(world, world["b"], ["journey"])
    hand_over(world, "a", "b")
    client = login(world["users"]["b"])
    response = client.post(
        f"/people/{world['person'].pk}/consents/",
        {"scope": "share", "shared_with": world["c"].pk, "sections": ["journey"], "given_on": str(today())},
    )
    assert response.status_code == 403
    assert client.post(f"/consents/{given.pk}/withdraw/").status_code == 403
    given.refresh_from_db()
    assert given.withdrawn_on is None
    assert Consent.objects.count() == 1
    with pytest.raises(PermissionDenied):
        sharing.withdraw_consent(consent=given, user=world["users"]["b"])


@pytest.mark.django_db
def test_withdrawing_the_first_consent_ends_every_access_passed_on_from_it(world: dict[str, Any]) -> None:
    to_b = consent(world, world["b"], ["journey", "contact"])
    consent(world, world["c"], ["journey", "contact"])
    consent(world, world["d"], ["journey"])
    hand_over(world, "a", "b")
    hand_over(world, "b", "c")
    hand_over(world, "c", "d")
    assert sections(world, "c") == {"identity", "cases", "journey", "contact"}
    assert sections(world, "d") == {"identity", "cases", "journey"}
    sharing.withdraw_consent(consent=to_b, user=world["users"]["a"])
    assert sections(world, "b") is None
    assert sections(world, "c") is None
    assert sections(world, "d") is None
    assert not Person.objects.visible_to(User.objects.get(pk=world["users"]["d"].pk)).exists()


@pytest.mark.django_db
def test_an_expired_consent_up_the_chain_ends_the_access_below_it(world: dict[str, Any]) -> None:
    to_b = consent(world, world["b"], ["journey"])
    consent(world, world["c"], ["journey"])
    hand_over(world, "a", "b")
    hand_over(world, "b", "c")
    Consent.objects.filter(pk=to_b.pk).update(
        given_on=today() - dt.timedelta(days=30), expires_on=today() - dt.timedelta(days=1)
    )
    assert sections(world, "c") is None


@pytest.mark.django_db
def test_a_referral_accepted_after_its_sender_lost_access_is_refused(world: dict[str, Any]) -> None:
    to_b = consent(world, world["b"], ["journey"])
    consent(world, world["c"], ["journey"])
    hand_over(world, "a", "b")
    pending = sharing.refer(
        person=world["person"], to_organisation=world["c"], purpose="x", user=world["users"]["b"]
    )
    sharing.withdraw_consent(consent=to_b, user=world["users"]["a"])
    with pytest.raises(sharing.ConsentMissing, match="no longer has access"):
        sharing.accept_referral(referral=pending, user=world["users"]["c"])
    assert sections(world, "c") is None


@pytest.mark.django_db
def test_a_record_is_passed_on_at_most_three_times(
    world: dict[str, Any], make_org: Any, make_user: Any
) -> None:
    e = make_org("E clinic", OrgKind.RECEPTION, "KH")
    world["e"], world["users"]["e"] = e, make_user(Role.CASEWORKER, e, username="cw-e")
    for org in ("b", "c", "d", "e"):
        consent(world, world[org], ["journey"])
    hand_over(world, "a", "b")
    hand_over(world, "b", "c")
    hand_over(world, "c", "d")
    with pytest.raises(sharing.ConsentMissing, match="passed on 3 times"):
        sharing.refer(person=world["person"], to_organisation=e, purpose="x", user=world["users"]["d"])


@pytest.mark.django_db
def test_only_the_holder_transfers_and_the_receiver_then_holds_the_record(world: dict[str, Any]) -> None:
    consent(world, world["b"], ["journey"])
    consent(world, world["c"], ["journey"])
    hand_over(world, "a", "b")
    with pytest.raises(PermissionDenied):
        sharing.refer(
            person=world["person"],
            to_organisation=world["c"],
            purpose="x",
            user=world["users"]["b"],
            kind="transfer",
        )
    hand_over(world, "a", "c", kind="transfer")
    world["person"].refresh_from_db()
    assert world["person"].organisation_id == world["c"].pk
    assert sections(world, "c") == access_for(world["users"]["c"], world["person"]).sections  # type: ignore[union-attr]
    assert "contact" in (sections(world, "c") or ())  # the holder sees everything
    assert sections(world, "a") is None  # the former holder keeps its cases, not the record
    # The new holder now records the consents, and may withdraw one the former holder recorded.
    old = Consent.objects.get(shared_with=world["b"])
    sharing.withdraw_consent(consent=old, user=world["users"]["c"])
    assert sections(world, "b") is None


@pytest.mark.django_db
def test_the_consent_form_does_not_offer_the_holders_own_organisation(
    world: dict[str, Any], login: Any
) -> None:
    page = login(world["users"]["a"]).get(f"/people/{world['person'].pk}/").content.decode()
    form = page[page.index('name="shared_with"') :]
    form = form[: form.index("</select>")]
    assert "A advocates" not in form and "B reception" in form
    refused = login(world["users"]["a"]).post(
        f"/people/{world['person'].pk}/consents/",
        {"scope": "share", "shared_with": world["a"].pk, "given_on": str(today())},
    )
    assert refused.status_code == 302
    assert not Consent.objects.exists()
