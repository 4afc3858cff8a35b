from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Manage API tokens: `crossings token create --username U [--name N]` prints a new token once; "
        "`crossings token list --username U`; `crossings token revoke --username U --hint cx_abc1234`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown once, stored hashed).")
        create.add_argument("--username", required=True)
        create.add_argument("--name", default="")
        listing = sub.add_parser("list", help="List a user's tokens.")
        listing.add_argument("--username", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by the first characters it was listed with.")
        revoke.add_argument("--username", required=True)
        revoke.add_argument("--hint", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if options["action"] == "create":
            _token, raw = ApiToken.issue(user=user, name=options["name"])
            self.stdout.write(raw)
        elif options["action"] == "list":
            for t in ApiToken.objects.filter(user=user):
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                self.stdout.write(f"{t.hint}\t{t.created_at:%Y-%m-%d}\t{state}\t{t.name}")
        else:
            tokens = list(
                ApiToken.objects.filter(user=user, hint__startswith=options["hint"], revoked_at=None)
            )
            if len(tokens) != 1:
                raise CommandError(
                    f"{len(tokens)} active tokens match {options['hint']!r}; give a longer hint."
                )
            tokens[0].revoke()
            self.stdout.write(f"revoked {tokens[0].hint}")
