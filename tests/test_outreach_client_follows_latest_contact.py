"""A client is described by their most recent contact, whatever order the contacts arrive in: ODK Collect
sends forms days late and out of order, so a late-arriving older encounter must not overwrite a newer one."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossings.accounts.roles import OrgKind, Role
from crossings.gazetteer import read_place
from crossings.outreach.encounters import EncounterData, age_band, record_encounter
from crossings.outreach.models import Client, Encounter, KeyPopulation, Sex

pytestmark = pytest.mark.django_db
UIC = "DASO0207031985"
BORN = dt.date(1985, 3, 7)


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Outreach (order)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org)


contacts = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2026, 1, 1)),
        st.sampled_from(["male", "female", "unknown"]),
        st.sampled_from(KeyPopulation.values),
        st.sampled_from(["Chamkar Mon", "Daun Penh", "Meanchey"]),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda c: c[0],
)


def _record(org: Any, worker: Any, contact: tuple[dt.date, str, str, str]) -> None:
    day, sex, key_population, district = contact
    data = EncounterData(uic=UIC, date=day, district=district, sex=sex, key_population=key_population)
    assert not data.check()
    record_encounter(organisation_id=org.pk, worker=worker, data=data, check_collisions=False, warn=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contacts, st.randoms(use_true_random=False))
def test_any_arrival_order_gives_the_description_of_the_latest_contact(
    org: Any, worker: Any, given: list[tuple[dt.date, str, str, str]], rnd: random.Random
) -> None:
    Encounter.objects.filter(organisation=org).delete()
    Client.objects.filter(organisation=org).delete()
    arrival = list(given)
    rnd.shuffle(arrival)
    for contact in arrival:
        _record(org, worker, contact)

    client = Client.objects.get(organisation=org, uic=UIC)
    latest = max(given)
    assert (client.first_seen, client.last_seen) == (min(given)[0], latest[0])
    # the district as its official code (crossings.gazetteer), whatever spelling the contact used
    assert (client.key_population, client.district) == (latest[2], read_place("district", latest[3]))
    assert client.age_band == age_band(BORN, latest[0])
    known = {c[1] for c in given} - {Sex.UNKNOWN}
    assert client.sex in known if known else client.sex == Sex.UNKNOWN
    assert Encounter.objects.filter(client=client).count() == len(given)


def test_in_date_order_the_latest_known_sex_wins_and_unknown_never_erases_it(org: Any, worker: Any) -> None:
    for day, sex in [
        (dt.date(2025, 1, 1), "male"),
        (dt.date(2025, 2, 1), "female"),
        (dt.date(2025, 3, 1), "unknown"),
    ]:
        _record(org, worker, (day, sex, "pwid", "Daun Penh"))
    assert Client.objects.get(uic=UIC).sex == "female"


def test_an_older_contact_arriving_late_only_widens_first_seen(org: Any, worker: Any) -> None:
    _record(org, worker, (dt.date(2025, 6, 1), "female", "pwid", "Meanchey"))
    _record(org, worker, (dt.date(2024, 1, 1), "male", "pwud", "Daun Penh"))
    client = Client.objects.get(uic=UIC)
    assert (client.sex, client.key_population, client.district) == ("female", "pwid", "1206")
    assert (client.first_seen, client.last_seen) == (dt.date(2024, 1, 1), dt.date(2025, 6, 1))
