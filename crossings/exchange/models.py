"""A referral proposed by another system (OSCaR, Primero, an OpenFn job) to an organisation here: held for
review, never a person until a caseworker matches it to one or accepts it into a new record. What the sender
wrote (names, the reason) is as sensitive as a person's file and comes from outside, so it is encrypted at
rest; nothing of it is searched in the database (the matcher runs on it at review)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedCharField, EncryptedTextField
from crossings.idempotency import key_once


class InboundReferral(OrganisationScoped):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        MATCHED = "matched", _("matched to a person")
        ACCEPTED = "accepted", _("accepted as a new person")
        DECLINED = "declined", _("declined")

    # Reviewed by those who register people (the same as answering a referral).
    SCOPE_CAP = Cap.PEOPLE_EDIT

    # The receiving organisation: the caller's own.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    global_id = models.UUIDField(_("global id"), null=True, blank=True)
    given_name = EncryptedCharField(_("given name"), blank=True, default="")
    family_name = EncryptedCharField(_("family name"), blank=True, default="")
    name_km = EncryptedCharField(_("full name in Khmer script"), blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    reason = EncryptedTextField(_("reason for the referral"), blank=True, default="")
    from_organisation_name = models.CharField(_("from organisation"), max_length=200)
    from_system = models.CharField(_("from system"), max_length=100, blank=True, default="")
    # The sender's own id for the referral: with the Idempotency-Key, what makes a replay the same record.
    sender_reference = models.CharField(max_length=100, blank=True, default="")
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # True on the record crossings.idempotency.replay_or_record returns for a request sent again: read by
    # the answer, not a field.
    replayed = False
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True, default="")
    history = HistoricalRecords(excluded_fields=["idempotency_key"])

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            key_once(within="organisation", name="inbound_referral_key_once"),
            models.UniqueConstraint(
                fields=["organisation", "from_system", "sender_reference"],
                condition=~models.Q(sender_reference=""),
                name="inbound_referral_reference_once",
            ),
        ]
        verbose_name = _("inbound referral")
        verbose_name_plural = _("inbound referrals")

    def __str__(self) -> str:
        return f"inbound #{self.pk} ({self.status})"

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in (self.family_name.upper(), self.given_name) if p)
        return latin or self.name_km or f"#{self.pk}"
