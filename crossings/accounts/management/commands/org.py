from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.accounts.models import Organisation
from crossings.accounts.roles import OrgKind


class Command(BaseCommand):
    help = (
        "Manage organisations: `crossings org create --name N --kind K [--country CC]`, `crossings org list`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organisation and print its id.")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=OrgKind.values)
        create.add_argument(
            "--country", default="", help="ISO 3166 two-letter code (default: US for advocacy, KH otherwise)"
        )
        sub.add_parser("list", help="List organisations as id<TAB>kind<TAB>country<TAB>name.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organisation.objects.all():
                self.stdout.write(f"{org.pk}\t{org.kind}\t{org.country}\t{org.name}")
            return
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.")
        if Organisation.objects.filter(name__iexact=name).exists():
            raise CommandError(f"An organisation named {name!r} already exists.")
        country = (options["country"] or ("US" if options["kind"] == OrgKind.ADVOCACY else "KH")).upper()
        if len(country) != 2 or not country.isalpha():
            raise CommandError(f"--country must be a two-letter code such as US or KH, not {country!r}.")
        org = Organisation.objects.create(name=name, kind=options["kind"], country=country)
        self.stdout.write(str(org.pk))
