"""Immigration bonds: one per detention, who paid into it, and where the money is. A bond follows the
scoping of the person's legal file: the organisation that holds the detention holds the bond."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.scoping import OrganisationScoped
from crossings.idempotency import key_once
from crossings.people.models import private_upload


class Bond(OrganisationScoped):
    HIDES_MERGED = True

    class Status(models.TextChoices):
        POSTED = "posted", _("posted")
        ACTIVE = "active", _("active")
        BREACHED = "breached", _("breached")
        BEING_RETURNED = "being_returned", _("being returned")
        RETURNED = "returned", _("returned")

    # The only moves a bond makes; anything else is a Conflict (409).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        "posted": ("active",),
        "active": ("breached", "being_returned"),
        "being_returned": ("returned",),
        "breached": (),
        "returned": (),
    }

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    detention = models.OneToOneField("legal.Detention", on_delete=models.PROTECT, related_name="bond")
    amount = models.DecimalField(
        _("amount (USD)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    obligor = models.CharField(_("obligor"), max_length=200, help_text=_("Who signed the bond with ICE"))
    posted_on = models.DateField(_("posted on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.POSTED)
    receipt = models.FileField(_("receipt"), upload_to=private_upload, blank=True)
    receipt_name = models.CharField(max_length=255, blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    recovery_task = models.OneToOneField(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-posted_on", "-id"]
        verbose_name = _("bond")
        verbose_name_plural = _("bonds")

    def __str__(self) -> str:
        return f"bond #{self.pk}"

    def may_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class Contribution(OrganisationScoped):
    HIDES_MERGED = False

    class Source(models.TextChoices):
        OWN = "own", _("our organisation")
        FAMILY = "family", _("family")
        BOND_FUND = "bond_fund", _("bond fund")
        OTHER = "other", _("other")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    bond = models.ForeignKey(Bond, on_delete=models.CASCADE, related_name="contributions")
    amount = models.DecimalField(
        _("amount (USD)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OWN)
    from_whom = models.CharField(_("from whom"), max_length=200, blank=True)
    given_on = models.DateField(_("date"))
    # The form's submission token or the API's Idempotency-Key: money sent twice is counted once.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # True on the record crossings.idempotency.replay_or_record returns for a request sent again: read by
    # the answer, not a field.
    replayed = False
    history = HistoricalRecords(excluded_fields=["idempotency_key"])

    class Meta:
        ordering = ["given_on", "id"]
        constraints = [key_once(within="bond", name="contribution_idempotency_key_once")]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return f"{self.amount} {self.source}"
