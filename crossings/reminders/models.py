"""Reminders: an organisation's channel settings, the person's consent to reminders with its channel and
number, and the outbox of reminders with their delivery status.

What a reminder says is built when it is sent (``texts``), in the recipient's language, and names nothing
the person did not opt into: by default only "an appointment", a date and the organisation's phone. Nothing
here keeps a message body, and ``last_error`` keeps the kind of failure only (docs/reminders.md).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crossings import outbox
from crossings.accounts.roles import Cap
from crossings.accounts.scoping import OrganisationScoped
from crossings.crypto import EncryptedCharField

MAX_OFFSETS = 4
MAX_DAYS_BEFORE = 30


def parse_days_before(value: str) -> list[int]:
    """ "3,1" -> [3, 1]: the days before an event a reminder goes, largest first, each once."""
    try:
        days = sorted({int(part) for part in value.replace(" ", "").split(",") if part}, reverse=True)
    except ValueError as exc:
        raise ValidationError(_("Give whole numbers of days separated by commas, e.g. 3,1.")) from exc
    if not days or len(days) > MAX_OFFSETS or any(d < 0 or d > MAX_DAYS_BEFORE for d in days):
        raise ValidationError(
            _("Give one to %(n)s numbers of days between 0 and %(max)s, e.g. 3,1.")
            % {"n": MAX_OFFSETS, "max": MAX_DAYS_BEFORE}
        )
    return days


def validate_days_before(value: str) -> None:
    parse_days_before(value)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("Unknown time zone: give a name such as Asia/Phnom_Penh or America/Los_Angeles.")
        ) from exc


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")
    EMAIL = "email", _("e-mail")


class ReminderSettings(OrganisationScoped):
    """How an organisation sends reminders: the name and phone its messages give, its quiet hours in its
    time zone, how many days before an event, and its channels. Secrets (the SMS gateway's token, the
    Telegram bot's token) are encrypted at rest and never shown back. Only its administrators see it."""

    SCOPE_CAP: ClassVar[Cap] = Cap.ORG_MANAGE

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="reminder_settings"
    )
    sender_name = models.CharField(
        _("name in the messages"),
        max_length=60,
        blank=True,
        help_text=_("Short, as the person knows you. Blank: the organisation's name."),
    )
    phone = models.CharField(_("phone number in the messages"), max_length=30, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=50, default="Asia/Phnom_Penh", validators=[validate_time_zone]
    )
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(7, 0))
    days_before = models.CharField(
        _("days before the event"),
        max_length=20,
        default="3,1",
        validators=[validate_days_before],
        help_text=_("e.g. 3,1: three days before and the day before. 0 is the day itself."),
    )
    staff_deadlines = models.BooleanField(_("remind staff of legal deadlines by e-mail"), default=True)
    email_enabled = models.BooleanField(_("e-mail"), default=True)
    sms_enabled = models.BooleanField(_("SMS"), default=False)
    sms_base_url = models.URLField(_("SMS gateway address"), max_length=200, default="https://api.twilio.com")
    sms_account = models.CharField(_("SMS gateway account id"), max_length=64, blank=True)
    sms_token = EncryptedCharField(_("SMS gateway token"), blank=True, default="")
    sms_from = models.CharField(_("SMS sender number or name"), max_length=32, blank=True)
    telegram_enabled = models.BooleanField(_("Telegram"), default=False)
    telegram_base_url = models.URLField(
        _("Telegram Bot API address"), max_length=200, default="https://api.telegram.org"
    )
    telegram_token = EncryptedCharField(_("Telegram bot token"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who changed what, and when; never the tokens (even encrypted, a copy in the history is a copy).
    history = HistoricalRecords(excluded_fields=["sms_token", "telegram_token", "updated_at"])

    # What an administrator types on the settings page (the two tokens are typed apart: blank keeps them).
    EDITABLE_FIELDS = (
        "sender_name",
        "phone",
        "time_zone",
        "quiet_start",
        "quiet_end",
        "days_before",
        "staff_deadlines",
        "email_enabled",
        "sms_enabled",
        "sms_base_url",
        "sms_account",
        "sms_from",
        "telegram_enabled",
        "telegram_base_url",
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"reminder settings of {self.organisation_id}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def offsets(self) -> list[int]:
        return parse_days_before(self.days_before)

    def name_in_messages(self) -> str:
        return self.sender_name.strip() or self.organisation.name

    def enabled(self, channel: str) -> bool:
        return bool(
            {
                Channel.EMAIL: self.email_enabled,
                Channel.SMS: self.sms_enabled and self.sms_account and self.sms_token,
                Channel.TELEGRAM: self.telegram_enabled and self.telegram_token,
            }.get(Channel(channel), False)
        )


class Contact(models.Model):
    """Where the person's reminders go, kept beside the consent they gave to reminders (scope
    ``reminders``): withdrawing that consent stops every reminder, even one already queued. The number,
    chat id or address is encrypted at rest."""

    class Language(models.TextChoices):
        KHMER = "km", _("Khmer")
        ENGLISH = "en", _("English")

    class Detail(models.TextChoices):
        PLAIN = "plain", _("only 'an appointment', the date and your phone number")
        KIND = "kind", _("also the kind: ICE check-in, hearing, follow-up visit")

    consent = models.OneToOneField(
        "people.Consent", on_delete=models.CASCADE, related_name="reminder_contact"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = EncryptedCharField(
        _("number, chat id or e-mail"),
        help_text=_("SMS: the phone number with country code, e.g. +85512345678."),
    )
    language = models.CharField(
        _("language of the messages"), max_length=2, choices=Language.choices, default=Language.KHMER
    )
    detail = models.CharField(
        _("what the message may say"), max_length=10, choices=Detail.choices, default=Detail.PLAIN
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reminder contact")

    def __str__(self) -> str:
        return f"reminder contact #{self.pk} ({self.channel})"


class Reminder(OrganisationScoped, outbox.Row):
    """The outbox: one reminder of one event to one recipient (the person, through a ``Contact``, or a
    member of staff), ``days_before`` the event. The database holds one per event, date, offset and
    recipient, so the scheduler can run any number of times (an event moved to another date is a new
    appointment and is reminded again). Sent by the task queue, retried with back-off; the text is
    built when it is sent and never stored."""

    HIDES_MERGED = True

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("ICE check-in")
        HEARING = "hearing", _("hearing")
        FOLLOW_UP = "follow_up", _("follow-up visit")
        DEADLINE = "deadline", _("legal deadline")

    class Status(models.TextChoices):
        PENDING = "pending", _("not yet sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Because(models.TextChoices):
        NONE = "", ""
        CONSENT = "consent", _("consent withdrawn")
        EVENT = "event", _("no longer due")
        CHANNEL = "channel", _("channel turned off")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event_id = models.PositiveBigIntegerField()
    event_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    cancelled_because = models.CharField(max_length=10, choices=Because.choices, blank=True, default="")
    # When it may be tried next: out of the quiet hours, after the back-off of a failed try.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reminder")
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False, user__isnull=True)
                | Q(contact__isnull=True, user__isnull=False),
                name="reminder_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["kind", "event_id", "event_on", "days_before", "contact"],
                condition=Q(contact__isnull=False),
                name="reminder_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "event_id", "event_on", "days_before", "user"],
                condition=Q(user__isnull=False),
                name="reminder_once_per_staff",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-id"], name="reminder_log"),
            models.Index(fields=["status", "next_attempt_at"], name="reminder_waiting"),
        ]

    def __str__(self) -> str:
        return f"reminder #{self.pk} ({self.status})"

    @property
    def to_staff(self) -> bool:
        return self.user_id is not None

    @property
    def state_label(self) -> str:
        if self.status == self.Status.CANCELLED and self.cancelled_because:
            return f"{self.get_status_display()}: {self.get_cancelled_because_display()}"
        return str(self.get_status_display())
