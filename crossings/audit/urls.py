"""The access log."""

from django.urls import path

from crossings.audit import views

urlpatterns = [
    path("audit/", views.access_log, name="access_log"),
]
