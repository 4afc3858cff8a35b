"""The ops commands: exit 0 and a useful line on success, a clear message and non-zero exit on failure."""

import os
import subprocess
import sys

import pytest

from crossings.accounts.models import Membership, Organisation, User
from crossings.people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str, stdin: str = "", db_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CROSSINGS_MODE="test", DATABASE_URL=db_url)
    return subprocess.run(
        [sys.executable, "-m", "crossings.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path}/ops.sqlite3"
    assert run("migrate", "-v0", db_url=url).returncode == 0
    return url


def test_org_user_token_commands_work_end_to_end(db_url):
    created = run("org", "create", "--name", "Khmer Advocates", "--kind", "advocacy", db_url=db_url)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().isdigit()
    user = run(
        "user",
        "create",
        "--username",
        "sokha",
        "--org",
        "Khmer Advocates",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="long enough passphrase 2026\n",
        db_url=db_url,
    )
    assert user.returncode == 0, user.stderr
    token = run("token", "create", "--username", "sokha", db_url=db_url)
    assert token.returncode == 0 and token.stdout.strip().startswith("cx_")


def test_user_create_refuses_a_weak_password_and_an_unknown_org(db_url):
    run("org", "create", "--name", "Org", "--kind", "reception", db_url=db_url)
    weak = run(
        "user",
        "create",
        "--username",
        "u",
        "--org",
        "Org",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="123\n",
        db_url=db_url,
    )
    assert weak.returncode != 0 and "Password refused" in weak.stderr
    unknown = run(
        "user",
        "create",
        "--username",
        "u",
        "--org",
        "Nope",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="long enough passphrase 2026\n",
        db_url=db_url,
    )
    assert unknown.returncode != 0 and "No organisation 'Nope'" in unknown.stderr
    assert "Known organisations: Org" in unknown.stderr


def test_org_create_refuses_a_bad_kind_and_a_duplicate(db_url):
    assert run("org", "create", "--name", "X", "--kind", "bank", db_url=db_url).returncode != 0
    assert run("org", "create", "--name", "X", "--kind", "research", db_url=db_url).returncode == 0
    dup = run("org", "create", "--name", "x", "--kind", "research", db_url=db_url)
    assert dup.returncode != 0 and "already exists" in dup.stderr


def test_every_ops_command_has_help(db_url):
    commands = ("org", "user", "token", "demo", "backup", "restore", "rotate-keys", "encrypt-files")
    for command in (*commands, "generate-field-key"):
        result = run(command, "--help", db_url=db_url)
        assert result.returncode == 0 and "usage:" in result.stdout, command


def test_token_create_for_an_unknown_user_fails(db_url):
    result = run("token", "create", "--username", "ghost", db_url=db_url)
    assert result.returncode != 0 and "No user 'ghost'" in result.stderr


def test_demo_loads_once_and_a_second_run_destroys_nothing(db_url):
    first = run("demo", db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert "demo-supervisor" in first.stdout and "TOTP secret" in first.stdout
    second = run("demo", db_url=db_url)
    assert second.returncode == 0
    # Secrets are reused, not replaced: the newcomer's authenticator keeps working.
    assert [line for line in first.stdout.splitlines() if "TOTP" in line] == [
        line for line in second.stdout.splitlines() if "TOTP" in line
    ]


def test_demo_data_in_the_django_test_database_is_complete():
    from django.core.management import call_command

    call_command("demo", "--quiet")
    call_command("demo", "--quiet")
    assert Organisation.objects.count() == 3
    assert {m.role for m in Membership.objects.all()} == {
        "org_admin",
        "supervisor",
        "caseworker",
        "legal_advocate",
        "outreach_worker",
        "analyst",
        "volunteer",
    }
    assert User.objects.filter(username__startswith="demo-").count() == 8
    assert Person.objects.count() == 6
    # Every module has something to show: a journey, a pending referral, a flight, an outreach site, figures.
    from crossings.outreach.models import Site
    from crossings.people.models import Referral
    from crossings.reception.models import ArrivalBatch
    from crossings.stats.models import Figure

    assert Person.objects.filter(status="under_supervision").exists()
    # Dara's referral, and the one Sreymom's pre-arrival packet travels with
    assert Referral.objects.filter(status="pending").count() == 2
    assert ArrivalBatch.objects.get().arrivals.filter(received=True).count() == 1
    from crossings.bonds.models import Bond
    from crossings.calls.models import Call
    from crossings.reception.models import Packet

    assert Packet.objects.filter(status="sent").count() == 1
    assert Call.objects.get().rapid_response is not None
    assert sum(c.amount for c in Bond.objects.get().contributions.all()) == 5000
    assert Site.objects.exists() and Figure.objects.exists()
