"""Reads: the subscriptions an organisation administrator may see, and a subscription's delivery log.
None of it is personal data (ids and event types), so nothing is written to the access log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from crossings.webhooks.models import Attempt, Delivery, Subscription

if TYPE_CHECKING:
    from crossings.accounts.models import User


def subscriptions_for(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.visible_to(user).select_related("organisation")


def subscription_for(user: User, subscription_id: int) -> Subscription:
    """404, not 403, for another organisation's: its existence is not told."""
    return get_object_or_404(subscriptions_for(user), pk=subscription_id)


def delivery_for(user: User, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.select_related("subscription").filter(
            subscription__in=Subscription.objects.visible_to(user)
        ),
        pk=delivery_id,
    )


def delivery_log(subscription: Subscription) -> QuerySet[Delivery]:
    """Newest first, each with its attempts: two queries for any page of it."""
    return subscription.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("id"))
    ).order_by("-id")
