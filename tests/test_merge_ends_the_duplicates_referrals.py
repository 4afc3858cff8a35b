"""A merge used to move the duplicate's accepted referral onto the survivor, so the receiving organisation
started seeing the survivor's own journey and contact, which no consent covered. The duplicate's referrals
now end with the merge, with the reason; the holder refers the survivor again if the person wants."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from crossings.accounts.roles import Role
from crossings.people import services, sharing
from crossings.people.models import Person, Referral


@pytest.mark.django_db
def test_the_receiver_of_the_duplicate_does_not_see_the_survivor(
    advocacy: Any, reception: Any, caseworker: Any, make_user: Any
) -> None:
    receiver = make_user(Role.CASEWORKER, reception)
    survivor = services.create_person(
        organisation_id=advocacy.pk, user=caseworker, data={"family_name": "Chhun", "contact": "private"}
    )
    duplicate = services.create_person(
        organisation_id=advocacy.pk, user=caseworker, data={"family_name": "Chun"}
    )
    sharing.record_consent(
        person=duplicate, user=caseworker, scope="share", shared_with=reception, given_on=timezone.localdate()
    )
    referral = sharing.refer(person=duplicate, to_organisation=reception, purpose="x", user=caseworker)
    sharing.accept_referral(referral=referral, user=receiver)
    assert Person.objects.visible_to(receiver).filter(pk=duplicate.pk).exists()

    services.merge_people(survivor=survivor, duplicate=duplicate, user=make_user(Role.SUPERVISOR, advocacy))

    assert not Person.objects.visible_to(receiver).exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CANCELLED and referral.person_id == survivor.pk
    assert f"#{survivor.pk}" in referral.decline_reason
    assert referral.history.first().status == "cancelled"  # the change is in the history
