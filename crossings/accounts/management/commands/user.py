from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crossings.accounts.models import EnrolmentCode, Membership, Organisation, User
from crossings.accounts.roles import Role


def find_org(ref: str) -> Organisation:
    """An organisation by id or by exact (case-insensitive) name."""
    org = None
    if ref.isdigit():
        org = Organisation.objects.filter(pk=int(ref)).first()
    org = org or Organisation.objects.filter(name__iexact=ref).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("name", flat=True)) or "none yet"
        raise CommandError(f"No organisation {ref!r}. Known organisations: {known}.")
    return org


class Command(BaseCommand):
    help = (
        "Manage people who log in: `crossings user create --username U --org N --role R "
        "[--password-stdin]` (prompts for the password otherwise); `crossings user enrol U` prints a "
        "one-time code with which U sets up their authenticator app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a user with a role in an organisation.")
        create.add_argument("--username", required=True)
        create.add_argument("--org", required=True, help="Organisation id or name")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--email", default="")
        create.add_argument(
            "--staff", action="store_true", help="Django staff flag (org admins do not need it)"
        )
        create.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input"
        )
        add = sub.add_parser("add-role", help="Give an existing user a role in an organisation.")
        add.add_argument("--username", required=True)
        add.add_argument("--org", required=True)
        add.add_argument("--role", required=True, choices=Role.values)
        enrol = sub.add_parser(
            "enrol",
            help="Print a one-time set-up code with which the user enrols an authenticator app "
            "(ends their earlier unused codes).",
        )
        enrol.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "enrol":
            self._enrol(options["username"])
            return
        org = find_org(options["org"])
        if options["action"] == "add-role":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
            Membership.objects.get_or_create(user=user, organisation=org, role=options["role"])
            self.stdout.write(f"{user.username} is {options['role']} in {org.name}")
            return
        username = options["username"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user {username!r} already exists.")
        password = self._read_password(options["password_stdin"])
        candidate = User(username=username, email=options["email"])
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=options["email"], password=password, is_staff=options["staff"]
            )
            Membership.objects.create(user=user, organisation=org, role=options["role"])
        self.stdout.write(str(user.pk))

    def _enrol(self, username: str) -> None:
        from django.conf import settings

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        code, raw = EnrolmentCode.issue(user=user)
        self.stdout.write(raw)
        self.stderr.write(
            f"One-time set-up code for {user.username}, valid {settings.CROSSINGS_ENROLMENT_HOURS} hours "
            f"(until {code.expires_at:%Y-%m-%d %H:%M} UTC). Give it to them in person or by phone."
        )

    def _read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            if not sys.stdin.isatty():
                raise CommandError("No terminal to prompt for a password: use --password-stdin.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password must not be empty.")
        return password
