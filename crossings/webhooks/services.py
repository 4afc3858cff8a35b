"""Writes: make a subscription, pause or resume it, resend a delivery. Keyword-only, one transaction each;
the caller has already reached the subscription through ``selectors`` (so it is the user's own
organisation's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.errors import Conflict, Refused
from crossings.events import Event
from crossings.webhooks import delivery, targets
from crossings.webhooks.models import Delivery, Subscription

if TYPE_CHECKING:
    from crossings.accounts.models import User


@transaction.atomic
def create_subscription(
    *, user: User, organisation_id: int, url: str, events: Sequence[str], description: str = ""
) -> Subscription:
    """A new subscription; its ``secret`` is readable on the returned object, to be shown once."""
    if not user.scope.can(Cap.ORG_MANAGE, organisation_id):
        raise Refused(_("Only an administrator of the organisation manages its webhooks."))
    chosen = [e for e in Event if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise Refused(_("Choose at least one event."), field="events")
    url = targets.check(url)
    if (
        Subscription.objects.filter(organisation_id=organisation_id).count()
        >= Subscription.MAX_PER_ORGANISATION
    ):
        raise Conflict(
            _("An organisation has at most %(n)s webhooks.") % {"n": Subscription.MAX_PER_ORGANISATION}
        )
    subscription = Subscription(
        organisation_id=organisation_id,
        url=url,
        events=[str(e) for e in chosen],
        description=description.strip(),
        created_by=user,
    )
    subscription.full_clean(exclude=["organisation", "created_by", "secret"])
    subscription.save()
    return subscription


@transaction.atomic
def set_active(*, subscription: Subscription, active: bool, user: User) -> Subscription:
    """Pause (nothing is sent, new events are not queued) or resume it; resuming sends what waits."""
    subscription.active = active
    subscription.save(update_fields=["active"])
    if active:
        waiting = list(
            Delivery.objects.filter(subscription=subscription, status=Delivery.Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        transaction.on_commit(lambda: delivery.enqueue(waiting))
    return subscription


@transaction.atomic
def resend(*, delivery_row: Delivery, user: User) -> Delivery:
    """Send the same event again (same delivery id, fresh timestamp and signature), whether it failed or
    was delivered and the receiver lost it. The attempts start again; the log keeps the old ones."""
    if not delivery_row.subscription.active:
        raise Conflict(_("This webhook is paused; resume it first."))
    Delivery.objects.filter(pk=delivery_row.pk).update(status=Delivery.Status.PENDING, attempts=0)
    pk = delivery_row.pk
    transaction.on_commit(lambda: delivery.enqueue([pk]))
    delivery_row.refresh_from_db()
    return delivery_row
