"""Reads for the exchange: the feed of people another system (OSCaR, Primero, through an OpenFn job) may
receive for one organisation, and the inbound referrals waiting for its review.

Who is in the feed of organisation O (decided from people/sharing.py and the Consent model):

- the people O holds for whom O recorded a consent "to send the record to the organisation's linked
  case-management system" (scope ``exchange``) valid today: the linked system may be a government one
  (Cambodia's Primero), so holding a record is not enough; and
- the people held elsewhere that O may see through a live referral (Referral.live_q: accepted, its
  consent and every consent up the chain valid today) AND for whom a sharing consent naming O itself is
  valid today (recorded by the holder, not withdrawn, not expired).

The second condition is checked on its own, not inferred from the referral: an organisation that received
the record through a chain (holder → B → O) is in the feed only while a consent naming O is live, and the
feed of B never carries what only O was granted. Merged records are never in it.

What each entry carries beyond identity is the caller's own work (its services and residence codes) and
the referrals between it and others: never another organisation's notes, assessments or journey.
Every page read is written in the access log, one id per person (``log_people``, as an export)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from crossings.audit.reads import Reader, one_visible, read_one
from crossings.exchange.models import InboundReferral
from crossings.people.models import Consent, Person, PersonQuerySet, Referral
from crossings.people.selectors import log_people
from crossings.reception.models import Assessment, ServiceDelivery

if TYPE_CHECKING:
    from crossings.accounts.models import User


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def shared_people(organisation_id: int, *, day: dt.date | None = None) -> PersonQuerySet:
    """Who the exchange may carry for ``organisation_id`` today, unlogged (see the module's rule)."""
    live_referral = Referral.objects.filter(
        person_id=OuterRef("pk"), to_organisation_id=organisation_id
    ).filter(Referral.live_q(day=day))
    consent = Consent.objects.filter(
        person_id=OuterRef("pk"), scope=Consent.Scope.SHARE, shared_with_id=organisation_id
    ).filter(Consent.valid_q(day=day))
    sent_on = Consent.objects.filter(
        person_id=OuterRef("pk"), scope=Consent.Scope.EXCHANGE, organisation_id=organisation_id
    ).filter(Consent.valid_q(day=day))
    return Person.objects.filter(
        ((Q(organisation_id=organisation_id) & Exists(sent_on)) | (Exists(live_referral) & Exists(consent)))
        & Q(merged_into__isnull=True)
    )


def changed_since(people: PersonQuerySet, organisation_id: int, since: dt.date) -> PersonQuerySet:
    """Changed on or after ``since``: the record itself, a sharing consent naming the organisation (a person
    newly shared), a referral between it and another, its own assessment or service."""
    start = _start_of(since)
    consent = Consent.objects.filter(person_id=OuterRef("pk"), created_at__gte=start).filter(
        Q(shared_with_id=organisation_id) | Q(scope=Consent.Scope.EXCHANGE, organisation_id=organisation_id)
    )
    referral = (
        Referral.objects.filter(person_id=OuterRef("pk"))
        .filter(Q(to_organisation_id=organisation_id) | Q(from_organisation_id=organisation_id))
        .filter(Q(created_at__gte=start) | Q(decided_at__gte=start))
    )
    assessment = Assessment.objects.filter(
        person_id=OuterRef("pk"), organisation_id=organisation_id, created_at__gte=start
    )
    service = ServiceDelivery.objects.filter(
        person_id=OuterRef("pk"), organisation_id=organisation_id, date__gte=since
    )
    return people.filter(
        Q(updated_at__gte=start) | Exists(consent) | Exists(referral) | Exists(assessment) | Exists(service)
    )


def feed(organisation_id: int, since: dt.date) -> QuerySet[Person]:
    """The feed's rows, in a stable order for paging, with what each entry needs in a fixed number of
    queries (a page of 1 or of 200 costs the same)."""
    return (
        changed_since(shared_people(organisation_id), organisation_id, since)
        .order_by("pk")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=ServiceDelivery.objects.filter(organisation_id=organisation_id)
                .select_related("service")
                .order_by("date", "pk"),
                to_attr="exchange_services",
            ),
            Prefetch(
                "assessments",
                queryset=Assessment.objects.filter(organisation_id=organisation_id)
                .only("pk", "person_id", "version", "province", "district", "commune", "taken_on")
                .order_by("-version"),
                to_attr="exchange_assessments",
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.filter(
                    Q(to_organisation_id=organisation_id) | Q(from_organisation_id=organisation_id)
                ).order_by("-created_at", "-pk"),
                to_attr="exchange_referrals",
            ),
        )
    )


def log_feed(reader: Reader, people: list[Person], *, total: int) -> None:
    """A page of the feed left the system: every person on it is named in the access log."""
    log_people(reader, people, total=total, export=True, reason="exchange")


def pending_inbound(user: User) -> QuerySet[InboundReferral]:
    """Inbound referrals waiting for review at the user's organisations, unlogged (see log_inbound)."""
    return InboundReferral.objects.visible_to(user).filter(status=InboundReferral.Status.PENDING)


def inbound_access(user: User, inbound_id: object) -> InboundReferral:
    """One inbound referral of the user's organisations, without logging: for writes. 404 otherwise."""
    return one_visible(InboundReferral.objects.visible_to(user), inbound_id)


def inbound_for(reader: Reader, inbound_id: object) -> InboundReferral:
    """One inbound referral, read (names a person someone wants served): logged."""
    return read_one(reader, inbound_access(reader.user, inbound_id), reason="inbound referral")


def log_inbound(reader: Reader, rows: list[InboundReferral], *, total: int) -> None:
    from crossings.audit.reads import log_list

    log_list(reader, InboundReferral, [(r.pk, r.organisation_id) for r in rows], total=total, reason="list")
