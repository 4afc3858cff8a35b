"""Demo mode used Django's console mail backend, which printed rapid-response alerts (a detained person's
name and facility) on the server's standard output, i.e. its log. The demo now writes mail to a private
outbox in var/ (directory 0700, files 0600) and nothing personal reaches stdout, stderr or the log."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys

import pytest

from crossings.accounts.models import Membership
from crossings.accounts.roles import Role
from crossings.legal import services


def test_demo_mode_uses_the_private_outbox_in_var(tmp_path):
    env = dict(os.environ, CROSSINGS_MODE="demo", CROSSINGS_VAR_DIR=str(tmp_path))
    env.pop("CROSSINGS_EMAIL_BACKEND", None)
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND); print(s.EMAIL_FILE_PATH)"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            f"'crossings.settings'); django.setup(); {code}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["crossings.mail.PrivateOutboxBackend", str(tmp_path / "outbox")]


@pytest.mark.django_db
def test_a_rapid_response_alert_lands_in_the_outbox_and_nowhere_in_the_log(
    settings,
    tmp_path,
    person,
    advocacy,
    caseworker,
    make_user,
    capfd,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "crossings.mail.PrivateOutboxBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    responder = make_user(Role.LEGAL_ADVOCATE, advocacy, username="responder", email="r@example.org")
    Membership.objects.filter(user=responder).update(is_responder=True)
    with caplog.at_level("DEBUG"), django_capture_on_commit_callbacks(execute=True):
        services.mark_detained(
            person=person,
            organisation_id=advocacy.pk,
            facility="Tacoma ICE Processing Center",
            date=dt.date(2025, 6, 1),
            user=caseworker,
        )
    outbox = tmp_path / "outbox"
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    files = list(outbox.iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert b"Tacoma" in files[0].read_bytes()
    printed = capfd.readouterr()
    for secret in ("Tacoma", "SOK", "Dara"):
        assert secret not in printed.out and secret not in printed.err
        assert secret not in caplog.text


def test_an_outbox_directory_made_by_someone_else_is_closed_to_others(settings, tmp_path):
    from django.core.mail import EmailMessage

    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o755)
    outbox.chmod(0o755)
    settings.EMAIL_BACKEND = "crossings.mail.PrivateOutboxBackend"
    settings.EMAIL_FILE_PATH = outbox
    EmailMessage("s", "b", "a@example.org", ["b@example.org"]).send()
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
