from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.stats import lineage
from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Measure, SourceKind, YearKind
from crossings.stats.reference import load_reference


class Command(BaseCommand):
    help = (
        "Official statistics: `crossings stats import FILE --source … --published …`, "
        "`crossings stats load-reference`, "
        "`crossings stats removals --country Cambodia [--format csv|json]`, "
        "`crossings stats average --country Cambodia --from 2001 --to 2010`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="Import a table (.xls, .xlsx, .csv): all or nothing, with a report."
        )
        imp.add_argument("file")
        imp.add_argument("--source", default="", help="table or title, e.g. 'DHS Yearbook 2003, Table 43D'")
        imp.add_argument("--published", default="", help="publication date: YYYY, YYYY-MM or YYYY-MM-DD")
        imp.add_argument("--publisher", default="")
        imp.add_argument("--url", default="")
        imp.add_argument("--kind", default=SourceKind.OFFICIAL, choices=SourceKind.values)
        imp.add_argument("--measure", default=Measure.REMOVALS, choices=Measure.values)
        imp.add_argument("--year-kind", default=YearKind.FISCAL, choices=YearKind.values)
        imp.add_argument(
            "--year", type=int, help="the year of a single-year table whose title does not say it"
        )
        imp.add_argument(
            "--alias", action="append", default=[], metavar="LABEL=COUNTRY", help="map a label to a country"
        )
        imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        sub.add_parser(
            "chart-css", help="Rewrite static/stats/charts.css from pygal's CSS (after a pygal upgrade)."
        )
        sub.add_parser("load-reference", help="Load the built-in reference figures with their sources.")
        imp.add_argument(
            "--series",
            default=None,
            help="the series the table belongs to (dhs-yearbook-removals, ice-ero-annual-removals, press, "
            "ngo, official-other); inferred from the layout and source when not given",
        )
        rem = sub.add_parser(
            "removals",
            help="Print removals, one row per fiscal year and series: "
            "year,series,total,criminal,non_criminal,source,url,differs",
        )
        rem.add_argument("--country", required=True)
        rem.add_argument("--format", default="csv", choices=["csv", "json"])
        avg = sub.add_parser(
            "average", help="Average removals per year over a range, saying how many years had data"
        )
        avg.add_argument("--country", required=True)
        avg.add_argument("--from", dest="start", type=int, required=True)
        avg.add_argument("--to", dest="end", type=int, required=True)
        avg.add_argument("--series", default=None, help="the series to average (default: the default one)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "load-reference":
            try:
                reports = load_reference()
            except ImportFailed as exc:
                raise CommandError("\n".join(exc.report.lines())) from exc
            for report in reports:
                self.stdout.write("\n".join(report.lines()))
        elif action == "chart-css":
            from crossings.stats import charts

            charts.CSS_FILE.write_text(charts.stylesheet())
            self.stdout.write(f"wrote {charts.CSS_FILE}")
        elif action == "removals":
            self._removals(options["country"], options["format"])
        elif action == "average":
            agg = lineage.average(
                _country(options["country"]), options["start"], options["end"], slug=options["series"]
            )
            self.stdout.write(agg.sentence)

    def _import(self, options: dict[str, Any]) -> None:
        aliases: dict[str, str] = {}
        for item in options["alias"]:
            label, sep, target = item.partition("=")
            if not sep:
                raise CommandError(f"--alias takes LABEL=COUNTRY, not {item!r}")
            aliases[label] = target
        source = None
        if options["source"] or options["published"]:
            if not (options["source"] and options["published"]):
                raise CommandError("Give both --source and --published.")
            source = SourceInfo(
                title=options["source"],
                published=options["published"],
                publisher=options["publisher"],
                url=options["url"],
                kind=options["kind"],
            )
            try:
                source.published_on  # noqa: B018 - validates the date text
            except ValueError as exc:
                raise CommandError(f"--published {options['published']!r} has no year.") from exc
        try:
            report = import_file(
                options["file"],
                source=source,
                measure=options["measure"],
                year_kind=options["year_kind"],
                year=options["year"],
                aliases=aliases,
                dry_run=options["dry_run"],
                series=options["series"],
            )
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {options['file']}") from exc
        except ImportFailed as exc:
            raise CommandError("\n".join(exc.report.lines())) from exc
        self.stdout.write("\n".join(report.lines()))
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")

    def _removals(self, country: str, fmt: str) -> None:
        from django.conf import settings
        from django.utils import translation

        # The same text whatever language the calling process last used (the 'differs' note).
        with translation.override(settings.LANGUAGE_CODE):
            rows = lineage.removal_rows(_country(country))
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        from crossings import exports

        writer = exports.csv_dict_writer(self.stdout, REMOVAL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row[k] is None else row[k] for k in REMOVAL_COLUMNS})


REMOVAL_COLUMNS = ("year", "series", "total", "criminal", "non_criminal", "source", "url", "differs")


def _country(label: str) -> str:
    from crossings.stats import countries

    name = countries.canonical(label)
    if name is None:
        hint = countries.suggestions(label)
        raise CommandError(
            f"Unknown country {label!r}" + (f"; did you mean {' or '.join(hint)}?" if hint else ".")
        )
    return name
