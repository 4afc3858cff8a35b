"""Reminders of appointments to the person (SMS, Telegram, e-mail) and of deadlines to staff
(docs/reminders.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "crossings.reminders"
    label = "reminders"
    verbose_name = _("Reminders")
