"""A subscription (an organisation's URL and the events it wants), the outbox of deliveries, and the log
of every attempt. Nothing here holds personal data: a payload is ids and the event type, an attempt keeps
the HTTP status and the kind of failure, never the response body."""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crossings import outbox
from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedCharField
from crossings.events import Event


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Subscription(OrganisationScoped):
    """One URL of an organisation's own system and the events it is told about. Only the organisation's
    administrators (``Cap.ORG_MANAGE``) see and change it."""

    SCOPE_CAP: ClassVar[Cap] = Cap.ORG_MANAGE
    MAX_PER_ORGANISATION = 20

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("what it is for"), max_length=100, blank=True)
    events = models.JSONField(_("events"), default=list)
    # The signing key: encrypted at rest, shown once when the subscription is made.
    secret = EncryptedCharField(default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook subscription")

    def __str__(self) -> str:
        return f"webhook #{self.pk}"

    def wants(self, event: str) -> bool:
        return event in self.events

    @property
    def event_labels(self) -> list[str]:
        return [Event(e).label for e in self.events if e in Event._value2member_map_]


class Delivery(outbox.Row):
    """The outbox: one event for one subscription, sent by the task queue and retried. ``uuid`` is the
    delivery id receivers use to drop a repeat (a retry or a resend carries the same one)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not yet delivered")
        SENT = "sent", _("delivered")
        FAILED = "failed", _("failed")

    MAX_ATTEMPTS = 6

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField()  # ids and the event type only (crossings/events.py)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"delivery {self.uuid} ({self.status})"

    @property
    def event_label(self) -> str:
        return Event(self.event).label if self.event in Event._value2member_map_ else self.event


class Attempt(models.Model):
    """One try at sending a delivery: when, the HTTP status (if an answer came), the kind of failure."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook delivery attempt")

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
