from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.roles import Cap
from crossings.accounts.scoping import Scope, ScopedQuerySet
from crossings.crypto import EncryptedCharField, blind_index


class PersonQuerySet(ScopedQuerySet):
    def with_a_number(self, value: str) -> PersonQuerySet:
        """Exact A-number match through the keyed hash, under every configured key (rotation-safe)."""
        normalised = Person.normalise_a_number(value)
        if not normalised:
            return self.none()
        return self.filter(a_number_index__in=blind_index(normalised, all_keys=True))


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("unknown")

    class DatePrecision(models.TextChoices):
        EXACT = "exact", _("exact")
        MONTH = "month", _("month")
        YEAR = "year", _("year")
        ESTIMATED = "estimated", _("estimated")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("registered by"),
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    name_km = models.CharField(_("full name in Khmer script"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    a_number = EncryptedCharField(_("A-number"), blank=True, null=True)
    a_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["a_number_index"])

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.a_number_index = self.a_number_digest(self.a_number)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in (self.family_name.upper(), self.given_name) if p)
        return latin or self.name_km or f"#{self.pk}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        return models.Q(organisation_id__in=scope.orgs_with(Cap.PEOPLE_VIEW))

    @staticmethod
    def normalise_a_number(value: str) -> str:
        """A-numbers are written A-012-345-678, A12345678, 012 345 678…: compare the nine digits."""
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits.zfill(9) if digits else ""

    @classmethod
    def a_number_digest(cls, value: str | None) -> str:
        normalised = cls.normalise_a_number(value or "")
        return str(blind_index(normalised)) if normalised else ""

    @classmethod
    def recompute_blind_indexes(cls) -> None:
        """After a key rotation: re-derive every keyed hash with the new first key."""
        for person in cls.objects.filter(a_number__isnull=False).only("pk", "a_number").iterator():
            cls.objects.filter(pk=person.pk).update(a_number_index=cls.a_number_digest(person.a_number))
