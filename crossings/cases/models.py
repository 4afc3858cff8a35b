from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped, Scope, ScopedQuerySet
from crossings.crypto import EncryptedTextField
from crossings.people.models import private_upload


class Case(OrganisationScoped):
    """One organisation's work with one person in one programme. Cases are never shared by a referral:
    the receiving organisation opens its own."""

    HIDES_MERGED = True

    class Programme(models.TextChoices):
        LEGAL_DEFENCE = "legal_defence", _("legal defence")
        RECEPTION = "reception", _("reception")
        REINTEGRATION = "reintegration", _("reintegration")

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", _("goals met")
        TRANSFERRED = "transferred", _("transferred to another organisation")
        LOST_CONTACT = "lost_contact", _("lost contact")
        PERSON_DECLINED = "person_declined", _("the person no longer wants services")
        RELIEF_GRANTED = "relief_granted", _("relief granted")
        REMOVED = "removed", _("removed from the US")
        DECEASED = "deceased", _("deceased")
        OTHER = "other", _("other")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    programme = models.CharField(_("programme"), max_length=20, choices=Programme.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.get_programme_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def close(self, *, reason: str, on: Any = None) -> None:
        self.closed_on = on or timezone.localdate()
        self.closure_reason = reason
        self.save(update_fields=["closed_on", "closure_reason"])


class TaskQuerySet(ScopedQuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True, not_applicable=False)

    def overdue(self, today: Any = None) -> TaskQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assigned to"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    resolution_note = models.CharField(_("why"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        return models.Q(case__organisation_id__in=scope.orgs_with(Cap.PEOPLE_VIEW))

    @property
    def is_overdue(self) -> bool:
        return (
            self.done_at is None
            and not self.not_applicable
            and bool(self.due_on and self.due_on < timezone.localdate())
        )


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"note #{self.pk}"


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=private_upload)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title
