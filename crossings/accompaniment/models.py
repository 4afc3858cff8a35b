"""Accompaniment: volunteers who go with a person to an ICE check-in or a hearing.

Staff open one check-in or hearing for accompaniment (how many volunteers are wanted, where to meet, a note);
volunteers of the same organisation sign up and withdraw. A volunteer holds the least access of any role
(``Cap.ACCOMPANY``, no ``people.view``): what they read of an event is declared once here,
``Accompaniment.VOLUNTEER_FIELDS``, and the person appears in it only as initials and the language to speak
with them, copied onto this record when it is opened, so a volunteer's read never touches the person's file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings import outbox
from crossings.accounts.roles import Cap
from crossings.accounts.scoping import Scope, ScopedQuerySet

MAX_VOLUNTEERS = 20


class Accompaniment(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        KHMER = "km", _("Khmer")
        BOTH = "en_km", _("English or Khmer")
        OTHER = "other", _("other language")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # Exactly one of the two: the event volunteers go to.
    check_in = models.OneToOneField(
        "legal.CheckIn", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    court_event = models.OneToOneField(
        "legal.CourtEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cap = models.PositiveSmallIntegerField(_("volunteers wanted"), default=2)
    meets_at = models.TimeField(_("meeting time"))
    meeting_point = models.CharField(_("meeting point"), max_length=200)
    note = models.CharField(
        _("note for volunteers"),
        max_length=500,
        blank=True,
        help_text=_("Volunteers read this. Nothing about the case: what to bring, who to ask for."),
    )
    # What volunteers see of the person, copied when the event is opened (initials, not a name).
    initials = models.CharField(_("initials"), max_length=12, blank=True)
    language = models.CharField(
        _("language to speak with them"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    # What staff type when they open an event, declared once: the form and the API schema derive from it.
    OPEN_FIELDS = ("cap", "meets_at", "meeting_point", "note", "language")
    # Everything a volunteer's page, API answer and e-mail may say about an event, and nothing else.
    VOLUNTEER_FIELDS = ("id", "date", "meets_at", "kind", "place", "meeting_point", "note", "initials")

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        constraints = [
            models.CheckConstraint(
                condition=Q(check_in__isnull=True, court_event__isnull=False)
                | Q(check_in__isnull=False, court_event__isnull=True),
                name="accompaniment_one_event",
            ),
            models.CheckConstraint(
                condition=Q(cap__gte=1, cap__lte=MAX_VOLUNTEERS), name="accompaniment_cap_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"accompaniment #{self.pk}"

    @classmethod
    def scope_filter(cls, scope: Scope) -> Q:
        """Staff (``people.view``) see every accompaniment of their organisations; a volunteer sees, in the
        organisations where they volunteer, the ones still open and the ones they signed up for. Never an
        event of another organisation, and not once the person was merged away."""
        staff = Q(organisation_id__in=scope.orgs_with(Cap.PEOPLE_VIEW))
        mine = Exists(
            Signup.objects.filter(accompaniment=OuterRef("pk"), volunteer_id=scope.user_id, withdrawn_at=None)
        )
        volunteer = Q(organisation_id__in=scope.orgs_with(Cap.ACCOMPANY)) & (Q(closed_at=None) | Q(mine))
        return (staff | volunteer) & Q(person__merged_into__isnull=True)

    @property
    def spaces_left(self) -> int:
        """Places still free (``taken`` is annotated by the selectors, counted in the same query)."""
        return max(self.cap - int(getattr(self, "taken", 0)), 0)

    @property
    def kind(self) -> str:
        return "check_in" if self.check_in_id else "hearing"

    @property
    def kind_label(self) -> str:
        return str(_("ICE check-in")) if self.check_in_id else str(_("hearing"))

    @property
    def date(self) -> dt.date:
        event: Any = self.check_in or self.court_event
        return event.date

    @property
    def place(self) -> str:
        """The field office of a check-in, the immigration court of a hearing."""
        if self.check_in is not None:
            return self.check_in.office
        assert self.court_event is not None
        return self.court_event.proceeding.court


class Signup(models.Model):
    """One volunteer on one event. Withdrawing keeps the row (``withdrawn_at``) so the place is free and the
    history says who came and went; signing up again uses the same row."""

    accompaniment = models.ForeignKey(Accompaniment, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_up_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The form's submission token or the API's Idempotency-Key of the last sign-up: a retry of it after the
    # volunteer withdrew does not sign them up again. (A page shows one token for all its buttons, so the key
    # counts for this event only.)
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # True on the record crossings.idempotency.replay_or_record returns for a request sent again: read by
    # the answer, not a field.
    replayed = False
    history = HistoricalRecords(excluded_fields=["idempotency_key"])

    class Meta:
        ordering = ["signed_up_at", "id"]
        verbose_name = _("sign-up")
        constraints = [
            # One row per volunteer and event: a replay finds it (with its key, if it was withdrawn since).
            models.UniqueConstraint(fields=["accompaniment", "volunteer"], name="signup_once_per_volunteer"),
        ]

    def __str__(self) -> str:
        return f"sign-up #{self.pk}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class Reminder(outbox.Row):
    """The outbox row of the e-mail a volunteer gets the day before: one per sign-up (the database says so),
    sent by the task queue and retried like every outbox (crossings/outbox.py). The text is built when it is
    sent; ``last_error`` keeps the kind of failure only."""

    class Status(models.TextChoices):
        PENDING = "pending", _("not yet sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent: withdrawn")

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="reminder")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["id"]
        verbose_name = _("reminder")

    def __str__(self) -> str:
        return f"reminder #{self.pk} ({self.status})"
