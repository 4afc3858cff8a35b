"""Long work (reports) goes through Django's task interface. With the database backend used by the demo and
production, requesting a report only queues it; `crossings db_worker` then builds it, and the report page
shows its progress meanwhile."""

import datetime as dt

import pytest
from django.core.management import call_command

from crossings.accounts.roles import Role
from crossings.stats.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_backend(settings):
    # django-tasks re-reads TASKS when the setting changes (and again when the test restores it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_report_is_queued_then_built_by_the_worker(database_backend, make_user, reception, login):
    from django_tasks_db.models import DBTaskResult

    analyst = make_user(Role.ANALYST, reception)
    client = login(analyst)
    response = client.post(
        "/stats/reports/",
        {
            "organisation": reception.pk,
            "start": "2026-01-01",
            "end": str(dt.date.today()),
            "language": "km",
            "format": "xlsx",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and report.state == Report.State.QUEUED
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.progress == 100 and report.content
    assert client.get(f"/stats/reports/{report.pk}/download/").status_code == 200
