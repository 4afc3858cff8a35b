"""Writes: a person opts in to reminders (a consent, with its channel and number), an administrator sets
the organisation's channels, staff resend a reminder. Keyword-only, one transaction each.

Opting in goes through ``people.sharing.record_consent``, so the same rule holds as for every consent:
only the holding organisation records it, and only a role that may change the record. Opting out is
withdrawing that consent (``people.sharing.withdraw_consent``, the person page's or the API's "withdraw"):
nothing is sent after it, even a reminder already queued (checked again when it is sent).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.people import sharing
from crossings.people.models import Consent, Person
from crossings.reminders import delivery
from crossings.reminders.models import Channel, Contact, Reminder, ReminderSettings
from crossings.webhooks import targets

if TYPE_CHECKING:
    from crossings.accounts.models import User

PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")  # E.164: + country code and number
CHAT_ID = re.compile(r"^-?[0-9]{1,20}$")  # a Telegram chat id is a number


def clean_address(channel: str, address: str) -> str:
    value = re.sub(r"[\s().-]", "", address) if channel != Channel.EMAIL else address.strip()
    if channel == Channel.SMS and not PHONE.match(value):
        raise Refused(_("Give the phone number with its country code, e.g. +85512345678."), field="address")
    if channel == Channel.TELEGRAM and not CHAT_ID.match(value):
        raise Refused(
            _("Give the Telegram chat id (a number the organisation's bot shows the person)."),
            field="address",
        )
    if channel == Channel.EMAIL:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise Refused(_("Give a valid e-mail address."), field="address") from exc
    return value


@transaction.atomic
def opt_in(
    *,
    person: Person,
    user: User,
    channel: str,
    address: str,
    language: str = Contact.Language.KHMER,
    detail: str = Contact.Detail.PLAIN,
    given_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> Contact:
    """The person agrees to reminders by ``channel`` at ``address``: a consent (scope ``reminders``) and its
    contact. Refused for another organisation's record or a role that may only read it (403), for a
    channel the organisation has not set up, or an address that is not one (422)."""
    if channel not in Channel.values:
        raise Refused(_("Choose SMS, Telegram or e-mail."), field="channel")
    if language not in Contact.Language.values:
        raise Refused(_("Choose Khmer or English."), field="language")
    if detail not in Contact.Detail.values:
        raise Refused(_("Choose what the message may say."), field="detail")
    value = clean_address(channel, address)
    consent = sharing.record_consent(
        person=person,
        user=user,
        scope=Consent.Scope.REMINDERS,
        given_on=given_on or timezone.localdate(),
        expires_on=expires_on,
    )
    config = ReminderSettings.objects.filter(organisation_id=consent.organisation_id).first()
    if config is None or not config.enabled(channel):
        raise Conflict(
            _(
                "Your organisation has not set up %(channel)s reminders yet: its administrator does, on the "
                "reminder settings page."
            )
            % {"channel": Channel(channel).label},
            field="channel",
        )
    return Contact.objects.create(
        consent=consent, channel=channel, address=value, language=language, detail=detail
    )


@transaction.atomic
def save_settings(
    *,
    user: User,
    organisation_id: int,
    data: dict[str, Any],
    sms_token: str = "",
    telegram_token: str = "",
) -> ReminderSettings:
    """The organisation's reminder settings. A token left blank keeps the one stored; the gateways'
    addresses are checked like webhook addresses (no private network in production)."""
    if not user.scope.can(Cap.ORG_MANAGE, organisation_id):
        raise PermissionDenied(_("Only an administrator of the organisation sets up its reminders."))
    config = ReminderSettings.objects.select_for_update().filter(
        organisation_id=organisation_id
    ).first() or ReminderSettings(organisation_id=organisation_id)
    for name in ReminderSettings.EDITABLE_FIELDS:
        if name in data:
            setattr(config, name, data[name])
    for field in ("sms_base_url", "telegram_base_url"):
        try:
            setattr(config, field, targets.check(getattr(config, field)))
        except Refused as exc:
            raise Refused(exc.message, field=field) from exc
    if sms_token.strip():
        config.sms_token = sms_token.strip()
    if telegram_token.strip():
        config.telegram_token = telegram_token.strip()
    config.updated_by = user
    config.full_clean(exclude=["organisation", "updated_by"])
    written_by(config, user)
    config.save()
    return config


@transaction.atomic
def resend(*, reminder: Reminder, user: User) -> Reminder:
    """Try again now, whether it failed, was cancelled or was sent and lost. The consent, the event and the
    quiet hours are checked again when it goes."""
    if not user.scope.can(Cap.PEOPLE_EDIT, reminder.organisation_id):
        raise PermissionDenied(_("Your role may read this record but not change it."))
    if reminder.contact_id is not None and not delivery.consent_still_valid(reminder, timezone.localdate()):
        raise Conflict(_("The person withdrew their consent to reminders: nothing is sent."))
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.PENDING, attempts=0, cancelled_because="", next_attempt_at=timezone.now()
    )
    pk = reminder.pk
    transaction.on_commit(lambda: delivery.enqueue([pk]))
    reminder.refresh_from_db()
    return reminder
