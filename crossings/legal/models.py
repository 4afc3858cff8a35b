from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings import outbox
from crossings.accounts.credentials import HashedSecret
from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedTextField
from crossings.idempotency import key_once

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


class Proceeding(OrganisationScoped):
    HIDES_MERGED = True

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="proceedings")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    court = models.CharField(
        _("immigration court"), max_length=200, help_text=_("e.g. Seattle Immigration Court")
    )
    opened_on = models.DateField(_("notice to appear served on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")

    def __str__(self) -> str:
        return f"{self.court} #{self.pk}"


class CourtEvent(models.Model):
    class Kind(models.TextChoices):
        NTA = "nta", _("notice to appear")
        HEARING = "hearing", _("hearing")
        IJ_DECISION = "ij_decision", _("immigration judge decision")
        BIA_APPEAL = "bia_appeal", _("appeal filed with the BIA")
        BIA_DECISION = "bia_decision", _("BIA decision")
        MOTION_REOPEN = "motion_reopen", _("motion to reopen filed")
        MOTION_RECONSIDER = "motion_reconsider", _("motion to reconsider filed")
        MOTION_DECIDED = "motion_decided", _("motion decided")
        PETITION_FOR_REVIEW = "petition_for_review", _("petition for review filed (court of appeals)")
        PFR_DECIDED = "pfr_decided", _("court of appeals decision")
        STAY_REQUESTED = "stay_requested", _("stay of removal requested")
        STAY_DECIDED = "stay_decided", _("stay of removal decided")

    class Outcome(models.TextChoices):
        NONE = "", _("—")
        REMOVAL_ORDERED = "removal_ordered", _("removal ordered")
        RELIEF_GRANTED = "relief_granted", _("relief granted")
        TERMINATED = "terminated", _("proceedings terminated")
        DISMISSED = "dismissed", _("appeal dismissed (removal order stands)")
        SUSTAINED = "sustained", _("appeal sustained")
        REMANDED = "remanded", _("remanded")
        GRANTED = "granted", _("granted")
        DENIED = "denied", _("denied")

    # Which events follow which: a decision on an appeal needs the appeal first, and so on.
    REQUIRES: dict[str, tuple[str, ...]] = {
        "bia_appeal": ("ij_decision",),
        "bia_decision": ("bia_appeal",),
        "motion_decided": ("motion_reopen", "motion_reconsider"),
        "pfr_decided": ("petition_for_review",),
        "stay_decided": ("stay_requested",),
        "petition_for_review": ("bia_decision",),
    }

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    oral = models.BooleanField(_("oral decision"), default=True)
    in_absentia = models.BooleanField(_("in absentia"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    journey_event = models.ForeignKey(
        "people.JourneyEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The optimistic edit check (crossings/conflicts.py): two advocates correcting the same date.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("court event")
        verbose_name_plural = _("court events")

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.outcome}"


class Deadline(OrganisationScoped):
    HIDES_MERGED = True

    class State(models.TextChoices):
        OPEN = "open", _("open")
        MET = "met", _("met")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="deadlines")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    trigger = models.ForeignKey(CourtEvent, on_delete=models.CASCADE, related_name="deadlines")
    rule_code = models.CharField(max_length=40)
    action = models.CharField(_("action"), max_length=200)
    citation = models.CharField(_("citation"), max_length=200)
    note = models.TextField(blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)  # null: no time limit
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    task = models.OneToOneField(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="deadline"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["trigger", "rule_code"], name="deadline_once_per_rule")
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.rule_code} {self.due_on}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.state == self.State.OPEN and self.due_on is not None and self.due_on < timezone.localdate()
        )


class Conviction(OrganisationScoped):
    """Criminal history, kept only to screen for post-conviction relief. Encrypted, and visible only to
    legal advocates and supervisors of the organisation. The system draws no legal conclusion from it."""

    SCOPE_CAP = Cap.CONVICTIONS_VIEW
    HIDES_MERGED = True

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="convictions")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    court = EncryptedTextField(_("court"))
    case_number = EncryptedTextField(_("case number"), blank=True, null=True)
    offence = EncryptedTextField(_("offence"))
    statute = EncryptedTextField(_("statute"), blank=True, null=True)
    convicted_on = models.DateField(_("date of conviction"), null=True, blank=True)
    sentence = EncryptedTextField(_("sentence"), blank=True, null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["convicted_on", "id"]
        verbose_name = _("conviction")
        verbose_name_plural = _("convictions")

    def __str__(self) -> str:
        return f"conviction #{self.pk}"


class Detention(OrganisationScoped):
    HIDES_MERGED = True

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="detentions")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    facility = models.CharField(_("facility"), max_length=200)
    started_on = models.DateField(_("detained on"))
    ended_on = models.DateField(_("released or moved on"), null=True, blank=True)
    transferred_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("detention")
        verbose_name_plural = _("detentions")

    def __str__(self) -> str:
        return f"{self.facility} {self.started_on}"


class CheckIn(OrganisationScoped):
    HIDES_MERGED = True

    class Outcome(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        ATTENDED = "attended", _("attended")
        MISSED = "missed", _("missed")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="check_ins")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    office = models.CharField(_("ICE office"), max_length=200)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SCHEDULED
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.date} {self.office}"


class TravelDocumentStep(models.Model):
    """Steps toward the Cambodian travel document ICE needs for a removal (2002 repatriation agreement)."""

    class Step(models.TextChoices):
        REQUESTED = "requested", _("requested by ICE")
        INTERVIEW = "interview", _("consular interview")
        ISSUED = "issued", _("issued")
        EXPIRED = "expired", _("expired")

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="travel_document_steps"
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    date = models.DateField(_("date"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("travel document step")

    def __str__(self) -> str:
        return f"{self.step} {self.date}"


class RapidResponse(OrganisationScoped):
    """Opened when someone is marked detained: shown as a banner to the organisation until resolved."""

    HIDES_MERGED = True

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    detention = models.ForeignKey(Detention, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified = models.PositiveIntegerField(default=0)  # responders the alert reached (Notification rows sent)
    # The form's submission token or the API's Idempotency-Key: a retried "mark detained" returns this
    # response instead of recording a second detention.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    # True on the record crossings.idempotency.replay_or_record returns for a request sent again: read by
    # the answer, not a field.
    replayed = False

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("rapid response")
        constraints = [key_once(within="organisation", name="rapid_response_once_per_key")]

    def __str__(self) -> str:
        return f"rapid response #{self.pk}"


class Notification(outbox.Row):
    """The outbox: one e-mail to one recipient, sent by the task queue (``crossings db_worker``) and retried,
    never from the request that caused it. The text is built when it is sent; ``last_error`` names the
    kind of failure only (an exception class, an SMTP code), never an address or a name."""

    class Kind(models.TextChoices):
        RAPID_RESPONSE = "rapid_response", _("rapid response alert")
        INTERVIEW_ROUND = "interview_round", _("consular interview round alert")

    class Status(models.TextChoices):
        PENDING = "pending", _("not yet sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rapid_response = models.ForeignKey(
        RapidResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # An interview-round alert: the consular-interview step that brought the organisation to the threshold.
    interview_step = models.ForeignKey(
        TravelDocumentStep, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(
                fields=["rapid_response", "recipient"], name="notification_once_per_rapid_response"
            ),
            models.UniqueConstraint(
                fields=["interview_step", "recipient"], name="notification_once_per_interview_round"
            ),
        ]

    def __str__(self) -> str:
        return f"notification #{self.pk} ({self.status})"


class CalendarFeed(HashedSecret):
    """A secret, revocable iCalendar URL (only its SHA-256 is stored: crossings/accounts/credentials.py)."""

    class Scope(models.TextChoices):
        MINE = "mine", _("my deadlines and check-ins")
        ORGANISATION = "organisation", _("my organisation's deadlines and check-ins")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    scope = models.CharField(_("what"), max_length=20, choices=Scope.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"feed #{self.pk} ({self.scope})"

    @classmethod
    def issue(cls, *, user: AbstractBaseUser, scope: str) -> tuple[CalendarFeed, str]:
        # Typed by Django's base user class: accounts' models import this module (to revoke a user's
        # feeds), so it does not import theirs.
        secret = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, scope=scope, digest=cls.digest_of(secret)), secret
