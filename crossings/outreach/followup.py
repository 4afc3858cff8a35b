"""Which outreach clients are due a follow-up, and why: the one rule behind the worker's home block and
the ``clients_due.csv`` attachment the encounter form looks codes up in on the phone.

Clients are anonymous (a UIC, never a name), and so is this list: the code, the reason, the date of the
contact that made it due, the site. Reasons, most urgent first:

- a **reactive** HIV test not yet followed by a completed referral to HIV treatment (WHO's consolidated
  HIV testing guidelines, 2019: a reactive result needs a confirmatory test and linkage to treatment);
- a **referral** made at the client's latest referral contact and not recorded as completed;
- an HIV **retest**: the last test was non-reactive and more than six months ago (the same guidelines
  advise retesting key populations at least yearly, every three to six months where the risk is high).

Only clients seen in the last year are listed (beyond that the programme counts them lost to follow-up,
and the phone need not carry them), at most ``LIMIT`` rows, most urgent and oldest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from crossings.accounts.models import User
from crossings.outreach.models import Client, Encounter, HivTest, Referral

SEEN_WITHIN = dt.timedelta(days=365)
RETEST_AFTER = dt.timedelta(days=182)
WORKER_SITES_WITHIN = dt.timedelta(days=90)
LIMIT = 2000  # rows on the phone: a CSV of this size loads in well under a second in ODK Collect


class Reason(models.TextChoices):
    # Declared most urgent first: the order of the list.
    REACTIVE = "reactive", _("Reactive HIV test: confirmatory test and treatment")
    REFERRAL = "referral", _("Referral not yet completed")
    RETEST = "retest", _("HIV test due again")


URGENCY = {reason: i for i, reason in enumerate(Reason)}


@dataclass(frozen=True)
class Due:
    uic: str
    reason: Reason
    since: dt.date  # the contact that made the client due
    site_id: int | None


def _worker_site_ids(organisation_id: int, worker: User, today: dt.date) -> set[int]:
    return set(
        Encounter.objects.filter(
            organisation_id=organisation_id, worker=worker, date__gte=today - WORKER_SITES_WITHIN
        )
        .exclude(site=None)
        .values_list("site_id", flat=True)
        .distinct()
    )


def due_clients(*, organisation_id: int, today: dt.date, worker: User | None = None) -> list[Due]:
    """The organisation's clients due a follow-up; for a worker, those last seen at the sites the worker
    has worked at in the last 90 days or last seen by the worker (the whole organisation's list for a
    worker with no encounters yet). One query."""
    contacts = Encounter.objects.filter(client=OuterRef("pk")).order_by("-date", "-id")
    tests = contacts.exclude(hiv_test=HivTest.NOT_DONE)
    referrals = contacts.exclude(referral=Referral.NONE)
    clients = Client.objects.filter(organisation_id=organisation_id, last_seen__gte=today - SEEN_WITHIN)
    clients = clients.annotate(
        last_site=Subquery(contacts.values("site_id")[:1]),
        last_worker=Subquery(contacts.values("worker_id")[:1]),
        test=Subquery(tests.values("hiv_test")[:1]),
        test_date=Subquery(tests.values("date")[:1]),
        referral_done=Subquery(referrals.values("referral_completed")[:1]),
        referral_date=Subquery(referrals.values("date")[:1]),
        treated=Exists(
            Encounter.objects.filter(
                client=OuterRef("pk"),
                referral=Referral.HIV_TREATMENT,
                referral_completed=True,
                date__gte=OuterRef("test_date"),
            )
        ),
    )
    if worker is not None:
        sites = _worker_site_ids(organisation_id, worker, today)
        if sites or Encounter.objects.filter(organisation_id=organisation_id, worker=worker).exists():
            clients = clients.filter(Q(last_site__in=sites) | Q(last_worker=worker.pk))
    rows = clients.filter(
        Q(test=HivTest.REACTIVE, treated=False)
        | Q(referral_done=False)
        | Q(test=HivTest.NON_REACTIVE, test_date__lt=today - RETEST_AFTER)
    ).values_list("uic", "test", "test_date", "treated", "referral_done", "referral_date", "last_site")
    due = [_due(*row) for row in rows]
    due.sort(key=lambda d: (URGENCY[d.reason], d.since, d.uic))
    return due[:LIMIT]


def _due(
    uic: str,
    test: str | None,
    test_date: dt.date | None,
    treated: bool,
    referral_done: bool | None,
    referral_date: dt.date | None,
    site_id: int | None,
) -> Due:
    if test == HivTest.REACTIVE and not treated and test_date is not None:
        return Due(uic, Reason.REACTIVE, test_date, site_id)
    if referral_done is False and referral_date is not None:
        return Due(uic, Reason.REFERRAL, referral_date, site_id)
    assert test_date is not None  # the query admits nothing else
    return Due(uic, Reason.RETEST, test_date, site_id)
