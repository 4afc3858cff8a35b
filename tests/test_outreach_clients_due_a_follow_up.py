"""Clients due a follow-up (crossings.outreach.followup): the rule, the worker's sites, and the anonymous
``clients_due.csv`` the encounter form looks codes up in on the phone, refreshed whenever the list changes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.encounters import EncounterData, record_encounter
from crossings.outreach.followup import Reason, due_clients, refresh
from crossings.outreach.models import Client as OutreachClient
from crossings.outreach.models import Encounter, HivTest, Referral, Site
from crossings.outreach.odk.auth import set_credential
from crossings.outreach.odk.xlsforms import CLIENTS_DUE_CSV, ENCOUNTER_FORM_ID, ENCOUNTER_VERSION
from tests.test_openrosa_exchange import ODK_PASSWORD, basic

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)
UICS = {  # mother's, father's first letters, birth order, birth date: codes, not names
    "a": "DASO0207031985",
    "b": "SRVI0112111990",
    "c": "KAPH0305051988",
    "d": "MOCH0109091979",
}
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Outreach (follow-up)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> Any:
    user = make_user(Role.OUTREACH_WORKER, org, username="vanna")
    set_credential(user=user, organisation=org, password=ODK_PASSWORD, by=None)
    return user


@pytest.fixture
def sites(org: Any) -> tuple[Site, Site]:
    return (
        Site.objects.create(organisation=org, name="Drop-in Boeung Keng Kang", district="1201"),
        Site.objects.create(organisation=org, name="Hot spot Russey Keo", district="1211"),
    )


def meet(org: Any, worker: Any, uic: str, days_ago: int, site: Site | None = None, **values: Any) -> None:
    data = EncounterData(uic=uic, date=TODAY - dt.timedelta(days=days_ago), district="1201", province="12")
    for name, value in values.items():
        setattr(data, name, value)
    data.site_id = site.pk if site else None
    assert not data.check()
    record_encounter(organisation_id=org.pk, worker=worker, data=data, check_collisions=False, warn=False)


def reasons(org: Any, worker: Any = None) -> dict[str, Reason]:
    return {d.uic: d.reason for d in due_clients(organisation_id=org.pk, worker=worker, today=TODAY)}


def test_each_reason_and_what_clears_it(org: Any, worker: Any) -> None:
    meet(org, worker, UICS["a"], 20, hiv_test=HivTest.REACTIVE)
    meet(org, worker, UICS["b"], 10, referral=Referral.OST)
    meet(org, worker, UICS["c"], 200, hiv_test=HivTest.NON_REACTIVE)
    meet(
        org,
        worker,
        UICS["d"],
        30,
        hiv_test=HivTest.NON_REACTIVE,
        referral=Referral.TB,
        referral_completed=True,
    )

    assert reasons(org) == {UICS["a"]: Reason.REACTIVE, UICS["b"]: Reason.REFERRAL, UICS["c"]: Reason.RETEST}

    # Linked to treatment after the reactive test; the referral completed at a later contact; tested again.
    meet(org, worker, UICS["a"], 5, referral=Referral.HIV_TREATMENT, referral_completed=True)
    meet(org, worker, UICS["b"], 3, referral=Referral.OST, referral_completed=True)
    meet(org, worker, UICS["c"], 1, hiv_test=HivTest.NON_REACTIVE)
    assert reasons(org) == {}


def test_the_most_urgent_reason_wins_and_the_list_is_ordered_by_urgency_then_age(
    org: Any, worker: Any
) -> None:
    meet(org, worker, UICS["a"], 40, hiv_test=HivTest.REACTIVE, referral=Referral.SHELTER)
    meet(org, worker, UICS["b"], 50, referral=Referral.OST)
    meet(org, worker, UICS["c"], 300, hiv_test=HivTest.NON_REACTIVE)
    meet(org, worker, UICS["d"], 15, referral=Referral.DETOX)

    listed = due_clients(organisation_id=org.pk, today=TODAY)

    assert [(d.uic, d.reason) for d in listed] == [
        (UICS["a"], Reason.REACTIVE),
        (UICS["b"], Reason.REFERRAL),
        (UICS["d"], Reason.REFERRAL),
        (UICS["c"], Reason.RETEST),
    ]
    assert listed[0].since == TODAY - dt.timedelta(days=40)


def test_a_client_not_seen_for_a_year_is_no_longer_listed(org: Any, worker: Any) -> None:
    meet(org, worker, UICS["a"], 400, hiv_test=HivTest.REACTIVE)
    meet(org, worker, UICS["b"], 364, hiv_test=HivTest.REACTIVE)
    assert set(reasons(org)) == {UICS["b"]}


def test_a_worker_sees_the_clients_of_their_sites_and_their_own(
    org: Any, worker: Any, sites: tuple[Site, Site], make_user: Callable[..., Any]
) -> None:
    mine, theirs = sites
    colleague = make_user(Role.OUTREACH_WORKER, org, username="sokha")
    newcomer = make_user(Role.OUTREACH_WORKER, org, username="dara")
    meet(org, worker, UICS["d"], 60, site=mine, referral=Referral.TB)  # the worker works at `mine`
    meet(org, colleague, UICS["a"], 10, site=mine, referral=Referral.OST)
    meet(org, colleague, UICS["b"], 10, site=theirs, referral=Referral.OST)
    meet(org, worker, UICS["c"], 10, site=None, referral=Referral.OST)  # the worker's own client

    assert set(reasons(org, worker)) == {UICS["a"], UICS["c"], UICS["d"]}
    # both sites are the colleague's; the worker's own client met nowhere in particular is not
    assert set(reasons(org, colleague)) == {UICS["a"], UICS["b"], UICS["d"]}
    assert set(reasons(org, newcomer)) == set(UICS.values())  # nothing yet: the whole list


def test_another_organisations_clients_never_appear(
    org: Any, worker: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    other = make_org("Other outreach", OrgKind.OUTREACH, "KH")
    meet(other, make_user(Role.OUTREACH_WORKER, other), UICS["a"], 5, referral=Referral.OST)
    assert reasons(org, worker) == {}


def test_the_list_is_one_query(org: Any, worker: Any) -> None:
    for i, uic in enumerate(UICS.values()):
        meet(org, worker, uic, 10 + i, referral=Referral.OST)
    with CaptureQueriesContext(connection) as queries:
        due_clients(organisation_id=org.pk, today=TODAY)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        due_clients(organisation_id=org.pk, worker=worker, today=TODAY)
    assert len(queries) <= 3  # the worker's sites, whether they have any encounter, the list


def media_url(client: HttpClient) -> tuple[str, str]:
    response = client.get(f"/openrosa/forms/{ENCOUNTER_FORM_ID}/{ENCOUNTER_VERSION}/manifest", **basic())
    assert response.status_code == 200
    for file in SafeET.fromstring(response.content).iter(f"{MANIFEST}mediaFile"):
        if file.findtext(f"{MANIFEST}filename") == CLIENTS_DUE_CSV:
            url = file.findtext(f"{MANIFEST}downloadUrl") or ""
            return re.sub(r"^https?://[^/]+", "", url), file.findtext(f"{MANIFEST}hash") or ""
    raise AssertionError(f"{CLIENTS_DUE_CSV} is not in the manifest")


def test_the_phone_gets_an_anonymous_list_in_both_languages_refreshed_when_it_changes(
    client: HttpClient, org: Any, worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    meet(org, worker, UICS["a"], 20, hiv_test=HivTest.REACTIVE, hot_spot="Behind the Olympic market")
    url, first_hash = media_url(client)

    response = client.get(url, **basic())

    assert response.status_code == 200
    body = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows == [
        {
            "name": UICS["a"],
            "reason": "reactive",
            "reason_en": "Reactive HIV test: confirmatory test and treatment",
            "reason_km": rows[0]["reason_km"],
            "since": str(TODAY - dt.timedelta(days=20)),
        }
    ]
    assert re.search("[\u1780-\u17ff]", rows[0]["reason_km"])  # Khmer, not English again
    assert "Olympic" not in body and "vanna" not in body  # no free text, no worker

    meet(org, worker, UICS["b"], 1, referral=Referral.OST)
    _, second_hash = media_url(client)
    assert second_hash != first_hash  # Collect fetches the list again
    assert UICS["b"] in client.get(url, **basic()).content.decode()


def test_the_list_is_refused_without_credentials(client: HttpClient, org: Any, worker: Any) -> None:
    url = f"/openrosa/forms/{ENCOUNTER_FORM_ID}/{ENCOUNTER_VERSION}/media/{CLIENTS_DUE_CSV}"
    assert client.get(url).status_code == 401


def test_an_edit_that_changes_the_code_moves_the_follow_up_to_the_new_client(org: Any, worker: Any) -> None:
    meet(org, worker, UICS["a"], 5, referral=Referral.OST)
    encounter = Encounter.objects.get()
    data = EncounterData(uic=UICS["b"], date=encounter.date, district="1201", province="12")
    data.referral = Referral.OST
    assert not data.check()

    record_encounter(
        organisation_id=org.pk, worker=worker, data=data, replace=encounter, check_collisions=False
    )

    assert reasons(org) == {UICS["b"]: Reason.REFERRAL}  # the first code's client has no encounter left


def test_refresh_rebuilds_the_facts_from_the_encounters(org: Any, worker: Any) -> None:
    """What the migration and the benchmark do for encounters written past the service."""
    meet(org, worker, UICS["a"], 20, hiv_test=HivTest.REACTIVE)
    OutreachClient.objects.update(last_test="", last_test_on=None)
    assert reasons(org) == {}
    refresh(OutreachClient.objects.values_list("pk", flat=True))
    assert reasons(org) == {UICS["a"]: Reason.REACTIVE}
