"""What a reminder says, built when it is sent, in the recipient's language.

To the person: short sentences a phone can read aloud, naming only what they opted into. By default
(``Contact.Detail.PLAIN``) "an appointment", the date, and the organisation's name and phone: never the case,
the court, an A-number or a name, because a phone is seen by others. With ``KIND`` the kind of appointment
too. To staff (a deadline, by e-mail): the person's initials, the action due, the date and a link.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from crossings.legal.notifications import absolute_url, initials
from crossings.reminders.models import Contact, Reminder, ReminderSettings


def spoken_date(day: dt.date) -> str:
    """ "Thursday 12 March" / "ព្រហស្បតិ៍ 12 មិនា": the weekday and the month in words, ASCII digits."""
    return formats.date_format(day, "l j F")


def person_text(*, kind: str, day: dt.date, detail: str, config: ReminderSettings, language: str) -> str:
    with translation.override(language or "km"):
        date = spoken_date(day)
        org = config.name_in_messages()
        if detail == Contact.Detail.KIND and kind == Reminder.Kind.CHECK_IN:
            first = _("Reminder: you have an ICE check-in on %(date)s.") % {"date": date}
        elif detail == Contact.Detail.KIND and kind == Reminder.Kind.HEARING:
            first = _("Reminder: you have a hearing at the immigration court on %(date)s.") % {"date": date}
        elif detail == Contact.Detail.KIND and kind == Reminder.Kind.FOLLOW_UP:
            first = _("Reminder: %(org)s will see you for a follow-up visit on %(date)s.") % {
                "org": org,
                "date": date,
            }
        else:
            first = _("Reminder: you have an appointment on %(date)s.") % {"date": date}
        if config.phone.strip():
            second = _("Questions? Call %(org)s at %(phone)s.") % {"org": org, "phone": config.phone.strip()}
        else:
            second = _("Questions? Call %(org)s.") % {"org": org}
    return f"{first} {second}"


def person_subject(*, config: ReminderSettings, language: str) -> str:
    """An e-mail's subject: as plain as the text."""
    with translation.override(language or "km"):
        return _("Reminder from %(org)s") % {"org": config.name_in_messages()}


def staff_text(*, reminder: Reminder, action: str, language: str) -> tuple[str, str]:
    with translation.override(language or "en"):
        date = formats.date_format(reminder.event_on, "Y-m-d")
        subject = _("Deadline on %(date)s") % {"date": date}
        who = initials(reminder.person) or "—"
        lines = [
            _("A legal deadline is due on %(date)s for a person on your caseload (%(initials)s): %(action)s.")
            % {"date": date, "initials": who, "action": action},
            "",
            _("Open the person's legal page: %(url)s")
            % {"url": absolute_url(reverse("person_legal", args=[reminder.person_id]))},
        ]
    return subject, "\n".join(lines)
