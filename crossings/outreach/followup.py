"""Which outreach clients are due a follow-up, and why: the one rule behind the worker's home block and
the ``clients_due.csv`` attachment the encounter form looks codes up in on the phone.

Clients are anonymous (a UIC, never a name), and so is this list: the code, the reason, the date of the
contact that made it due. Reasons, most urgent first:

- a **reactive** HIV test not yet followed by a completed referral to HIV treatment (WHO's consolidated
  HIV testing guidelines, 2019: a reactive result needs a confirmatory test and linkage to treatment);
- a **referral** made at the client's latest referral contact and not recorded as completed;
- an HIV **retest**: the last test was non-reactive and more than six months ago (the same guidelines
  advise retesting key populations at least yearly, every three to six months where the risk is high).

The facts the rule reads are kept on the client (``refresh``, at each recorded encounter), so the list is
one read of the clients table, not a scan of their encounters. Only clients seen in the last year are
listed (beyond that the programme counts them lost to follow-up, and the phone need not carry them), at
most ``LIMIT`` rows, most urgent and oldest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from crossings.accounts.models import User
from crossings.outreach.models import Client, Encounter, HivTest, Referral

SEEN_WITHIN = dt.timedelta(days=365)
RETEST_AFTER = dt.timedelta(days=182)
WORKER_SITES_WITHIN = dt.timedelta(days=90)
LIMIT = 2000  # rows on the phone: a CSV of this size loads in well under a second in ODK Collect
FACTS = ("last_site_id", "last_worker_id", "last_test", "last_test_on", "treated_on", "open_referral_on")


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


def facts(encounters: Iterable[tuple[int | None, int, str, str, bool, dt.date]]) -> dict[str, object]:
    """The client's follow-up facts from their encounters (site, worker, HIV test, referral, completed,
    date), oldest first: where and by whom last seen, the last test and its date, the last completed
    referral to HIV treatment, and the date of the latest referral if it is not completed."""
    found: dict[str, object] = dict.fromkeys(FACTS)
    found["last_test"] = ""
    for site_id, worker_id, test, referral, completed, date in encounters:
        found["last_site_id"], found["last_worker_id"] = site_id, worker_id
        if test != HivTest.NOT_DONE:
            found["last_test"], found["last_test_on"] = test, date
        if referral != Referral.NONE:
            found["open_referral_on"] = None if completed else date
            if completed and referral == Referral.HIV_TREATMENT:
                found["treated_on"] = date
    return found


def refresh(client_ids: Iterable[int], *, batch: int = 2000) -> None:
    """Recompute the follow-up facts of these clients from their encounters (after any encounter is
    recorded, replaced or moved to another client): one read and one bulk update per batch."""
    ids = sorted(set(client_ids))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rows = (
            Encounter.objects.filter(client_id__in=chunk)
            .order_by("client_id", "date", "id")
            .values_list(
                "client_id", "site_id", "worker_id", "hiv_test", "referral", "referral_completed", "date"
            )
        )
        clients = []
        seen = set()
        for client_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
            clients.append(Client(pk=client_id, **facts(r[1:] for r in group)))
            seen.add(client_id)
        clients += [Client(pk=pk, **facts([])) for pk in chunk if pk not in seen]
        Client.objects.bulk_update(clients, FACTS, batch_size=500)


def _worker_site_ids(organisation_id: int, worker: User, today: dt.date) -> set[int]:
    return set(
        Encounter.objects.filter(
            organisation_id=organisation_id, worker=worker, date__gte=today - WORKER_SITES_WITHIN
        )
        .exclude(site=None)
        .order_by()
        .values_list("site_id", flat=True)
        .distinct()
    )


def _due_rows(organisation_id: int, today: dt.date, worker: User | None) -> Any:  # annotated QuerySet
    """The clients due, each annotated with its most urgent reason and the date that made it due."""
    clients = Client.objects.filter(organisation_id=organisation_id, last_seen__gte=today - SEEN_WITHIN)
    if worker is not None:
        sites = _worker_site_ids(organisation_id, worker, today)
        if sites or Encounter.objects.filter(organisation_id=organisation_id, worker=worker).exists():
            clients = clients.filter(Q(last_site_id__in=sites) | Q(last_worker=worker))
    reactive = Q(last_test=HivTest.REACTIVE) & (Q(treated_on=None) | Q(treated_on__lt=F("last_test_on")))
    referral = Q(open_referral_on__isnull=False)
    retest = Q(last_test=HivTest.NON_REACTIVE, last_test_on__lt=today - RETEST_AFTER)
    return clients.filter(reactive | referral | retest).annotate(
        reason=Case(
            When(reactive, then=Value(Reason.REACTIVE.value)),
            When(referral, then=Value(Reason.REFERRAL.value)),
            default=Value(Reason.RETEST.value),
        ),
        urgency=Case(When(reactive, then=Value(0)), When(referral, then=Value(1)), default=Value(2)),
        since=Case(When(reactive | ~referral, then=F("last_test_on")), default=F("open_referral_on")),
    )


def due_clients(
    *, organisation_id: int, today: dt.date, worker: User | None = None, limit: int = LIMIT
) -> list[Due]:
    """The organisation's clients due a follow-up, most urgent and oldest first; for a worker, those last
    seen at the sites the worker has worked at in the last 90 days or last seen by the worker (the whole
    organisation's list for a worker with no encounters yet). One query (three for a worker)."""
    rows = _due_rows(organisation_id, today, worker).order_by("urgency", "since", "uic")[:limit]
    return [
        Due(uic, Reason(reason), since) for uic, reason, since in rows.values_list("uic", "reason", "since")
    ]


def count_due(*, organisation_id: int, today: dt.date, worker: User | None = None) -> int:
    return _due_rows(organisation_id, today, worker).count()
