"""Property: whatever any organisation tries — recording consents, referring, passing on, accepting,
withdrawing, in any order — no organisation but the holder ever sees a section that a live consent recorded
by the holder and naming that organisation does not grant, nor more than the organisation that passed the
record to it held."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from crossings.accounts.models import Membership, Organisation, User
from crossings.accounts.roles import OrgKind, Role
from crossings.people import sharing
from crossings.people.access import ALWAYS, access_for
from crossings.people.models import Consent, Person, Referral

ORGS = "ABCD"  # A holds the record
SECTIONS = list(Consent.Section.values)

action = st.one_of(
    st.tuples(
        st.just("consent"), st.sampled_from(ORGS), st.sampled_from(ORGS), st.sets(st.sampled_from(SECTIONS))
    ),
    st.tuples(st.just("refer"), st.sampled_from(ORGS), st.sampled_from(ORGS), st.none()),
    st.tuples(st.just("pass"), st.sampled_from(ORGS), st.sampled_from(ORGS), st.none()),  # refer, then accept
    st.tuples(st.just("accept"), st.sampled_from(ORGS), st.none(), st.none()),
    st.tuples(st.just("withdraw"), st.sampled_from(ORGS), st.integers(0, 5), st.none()),
    # the record passed along a path from the holder: A → first → second …
    st.tuples(st.just("chain"), st.just("A"), st.permutations("BCD"), st.integers(1, 3)),
)
# The holder's own consents come first, so that most sequences build chains worth checking.
holder_consents = st.lists(
    st.tuples(st.just("consent"), st.just("A"), st.sampled_from("BCD"), st.sets(st.sampled_from(SECTIONS))),
    min_size=1,
    max_size=3,
)


class ConsentChains(TestCase):
    def setUp(self) -> None:
        self.orgs = {
            k: Organisation.objects.create(name=f"{k} org", kind=OrgKind.RECEPTION, country="KH")
            for k in ORGS
        }
        self.users = {}
        for key, org in self.orgs.items():
            user = User.objects.create_user(username=f"u-{key}")
            Membership.objects.create(user=user, organisation=org, role=Role.CASEWORKER)
            self.users[key] = user
        self.person = Person.objects.create(organisation=self.orgs["A"], family_name="Keo", contact="x")

    def fresh(self, key: str) -> User:
        return User.objects.get(pk=self.users[key].pk)

    def act(self, kind: str, who: str, other: Any, extra: Any) -> None:
        user = self.fresh(who)
        person = Person.objects.get(pk=self.person.pk)
        try:
            if kind == "consent":
                sharing.record_consent(
                    person=person,
                    user=user,
                    scope="share",
                    shared_with=self.orgs[other],
                    sections=sorted(extra),
                    given_on=timezone.localdate(),
                )
            elif kind in ("refer", "pass"):
                referral = sharing.refer(
                    person=person, to_organisation=self.orgs[other], purpose="x", user=user
                )
                if kind == "pass":
                    sharing.accept_referral(referral=referral, user=self.fresh(other))
            elif kind == "chain":
                path = ["A", *list(other)[:extra]]
                for sender, receiver in itertools.pairwise(path):
                    self.act("pass", sender, receiver, None)
            elif kind == "accept":
                for referral in Referral.objects.filter(to_organisation=self.orgs[who], status="pending"):
                    sharing.accept_referral(referral=referral, user=user)
            elif kind == "withdraw":
                consents = list(
                    Consent.objects.filter(person=person, withdrawn_on__isnull=True).order_by("pk")
                )
                if consents:
                    sharing.withdraw_consent(consent=consents[other % len(consents)], user=user)
        except (PermissionDenied, ValidationError, sharing.ConsentMissing, ValueError):
            pass  # a refusal is a fine outcome; what matters is what is visible afterwards

    def check(self) -> None:
        person = Person.objects.get(pk=self.person.pk)
        day = timezone.localdate()
        for key in "BCD":
            access = access_for(self.fresh(key), person)
            if access is None:
                continue
            granted = {
                s
                for c in Consent.objects.filter(
                    person=person, shared_with=self.orgs[key], organisation=self.orgs["A"], scope="share"
                )
                if c.is_valid_on(day)
                for s in c.sections
            }
            assert access.sections - ALWAYS <= granted, (key, access.sections, granted)
            # and never more than the organisation it came from held
            for referral in Referral.objects.filter(to_organisation=self.orgs[key]).filter(Referral.live_q()):
                sender = next(k for k, o in self.orgs.items() if o.pk == referral.from_organisation_id)
                if sender != "A":
                    held = access_for(self.fresh(sender), person)
                    assert held is not None, "a live onward referral from an organisation that lost access"
                    assert set(referral.sections) <= held.sections

    @settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(holder_consents, st.lists(action, min_size=1, max_size=12))
    def test_no_sequence_of_actions_widens_what_the_holder_granted(
        self, first: list[Any], actions: list[Any]
    ) -> None:
        for act in [*first, *actions]:
            self.act(*act)
            self.check()


@pytest.mark.django_db
def test_the_strategy_reaches_onward_referrals() -> None:
    """The property above is only worth something if random sequences build chains: one built by hand."""
    case = ConsentChains()
    case.setUp()
    for step in [
        ("consent", "A", "B", {"journey", "contact"}),
        ("consent", "A", "C", {"journey"}),
        ("refer", "A", "B", None),
        ("accept", "B", None, None),
        ("refer", "B", "C", None),
        ("accept", "C", None, None),
    ]:
        case.act(*step)
    assert Referral.objects.filter(basis__isnull=False).filter(Referral.live_q()).count() == 1
    case.check()
