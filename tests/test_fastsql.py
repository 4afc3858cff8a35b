"""crossings.fastsql writes and reads rows exactly as the ORM does (same values back, on SQLite and
PostgreSQL), with SQL built once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crossings import fastsql
from crossings.accounts.models import User
from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Client, Encounter, Site, StockMovement, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Outreach (fastsql)", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Callable[..., Any], org: Any) -> User:
    return make_user(Role.OUTREACH_WORKER, org)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_then_fetch_gives_what_the_orm_reads(org: Any, worker: User) -> None:
    client = Client.objects.create(
        organisation=org, uic="DASO0207031985", first_seen=dt.date(2025, 1, 2), last_seen=dt.date(2025, 1, 2)
    )
    encounter = Encounter(
        organisation=org,
        client=client,
        worker=worker,
        date=dt.date(2025, 1, 2),
        district="Daun Penh",
        needles_syringes=20,
        referral="ost",
        referral_completed=True,
        source="odk",
    )
    fastsql.insert([encounter])
    assert encounter.pk is not None and not encounter._state.adding
    assert encounter.created_at is not None  # auto_now_add ran as in save()

    via_orm = Encounter.objects.get(pk=encounter.pk)
    fetched = fastsql.fetch(Encounter, id=encounter.pk)
    assert fetched is not None
    assert _fields(fetched) == _fields(via_orm)
    assert fetched.referral_completed is True and isinstance(fetched.date, dt.date)


def test_binary_values_and_foreign_keys_round_trip(org: Any, worker: User) -> None:
    submission = Submission(
        organisation=org,
        instance_id="uuid:1",
        xml=b"<data>\x00\xff</data>",
        sha256="0" * 64,
        status=Submission.Status.FAILED,
        reason="kept",
        submitted_by=worker,
    )
    fastsql.insert([submission])
    stored = Submission.objects.get(pk=submission.pk)
    assert bytes(stored.xml) == b"<data>\x00\xff</data>"
    assert (stored.submitted_by_id, stored.received_at) == (worker.pk, submission.received_at)


def test_several_rows_in_one_statement_get_their_own_ids(org: Any, worker: User) -> None:
    site = Site.objects.create(organisation=org, name="Drop-in")
    rows = [
        StockMovement(
            organisation=org,
            site=site,
            item=item,
            kind="received",
            quantity=q,
            date=dt.date(2025, 1, 1),
            recorded_by=worker,
        )
        for item, q in [("condoms", 100), ("naloxone", 5), ("swabs", 300)]
    ]
    with CaptureQueriesContext(connection) as queries:
        fastsql.insert(rows)
    assert len(queries) == 1
    assert {r.pk: r.quantity for r in rows} == dict(StockMovement.objects.values_list("id", "quantity"))


def test_fetch_by_attname_with_only_some_columns_defers_the_rest(org: Any, worker: User) -> None:
    submission = Submission.objects.create(
        organisation=org,
        instance_id="uuid:2",
        xml=b"<x/>",
        sha256="a" * 64,
        status="parsed",
        submitted_by=worker,
    )
    found = fastsql.fetch(Submission, only=("sha256", "status"), organisation_id=org.pk, instance_id="uuid:2")
    assert found is not None and found.pk == submission.pk
    assert found.get_deferred_fields() >= {"xml", "reason"}
    assert found.sha256 == "a" * 64
    assert fastsql.fetch(Submission, organisation_id=org.pk, instance_id="uuid:none") is None


def test_fetch_with_a_boolean_condition(worker: User) -> None:
    assert fastsql.fetch(User, username=worker.username, is_active=True) == worker
    User.objects.filter(pk=worker.pk).update(is_active=False)
    assert fastsql.fetch(User, username=worker.username, is_active=True) is None


def test_misuse_is_refused_rather_than_silently_wrong(worker: User) -> None:
    with pytest.raises(AssertionError, match="IS NULL"):
        fastsql.fetch(Submission, encounter_id=None)
    with pytest.raises(AssertionError, match="not columns"):
        fastsql.fetch(Submission, only=("sha", "status"), id=1)
