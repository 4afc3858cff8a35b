"""Reminders: the delivery log, a person's reminders, the organisation's settings (docs/reminders.md)."""

from django.urls import path

from crossings.reminders import views

urlpatterns = [
    path("reminders/", views.reminder_log, name="reminder_log"),
    path("reminders/<int:reminder_id>/resend/", views.reminder_resend, name="reminder_resend"),
    path("reminders/settings/", views.reminder_settings, name="reminder_settings"),
    path("people/<int:person_id>/reminders/", views.person_reminders, name="person_reminders"),
]
