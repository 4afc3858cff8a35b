"""Official figures with their lineage.

A ``Publication`` is one release of one table (or one press article, or one NGO count). A ``Figure`` is
one cell of it. Agencies revise their tables, so the same cell (measure, area, year, breakdown) may be
published several times: every version is kept, and ``lineage.current`` picks the one to show (see
docs/statistics.md). Nothing here is ever interpolated: a year nobody published is simply absent, and a
cell the publisher withheld is stored as withheld, not as zero or as a guess.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crossings.accounts.scoping import Scope, ScopedQuerySet
from crossings.stats.kinds import Measure, SourceKind

# When two kinds disagree about one cell, the official table is shown; press and NGO figures stay visible
# as other versions. Lower rank wins.
KIND_RANK = {SourceKind.OFFICIAL: 0, SourceKind.PRESS: 1, SourceKind.NGO: 2}


class Breakdown(models.TextChoices):
    TOTAL = "total", _("total")
    CRIMINAL = "criminal", _("criminal")
    NON_CRIMINAL = "non_criminal", _("non-criminal")


class YearKind(models.TextChoices):
    FISCAL = "fiscal", _("fiscal year")
    CALENDAR = "calendar", _("calendar year")
    # A stock counted on a day (people under final orders): ``year`` is the year of ``as_of``.
    AS_OF = "as_of", _("as of a date")


class Status(models.TextChoices):
    REPORTED = "reported", _("reported")
    WITHHELD = "withheld", _("withheld by the publisher")
    NOT_AVAILABLE = "not_available", _("not available")


class Qualifier(models.TextChoices):
    EXACT = "", _("exact")
    ABOUT = "about", _("about")
    MORE_THAN = "more_than", _("more than")


class Series(models.Model):
    """A family of publications counting the same thing the same way: one publisher's one table across its
    editions ("DHS Yearbook — aliens removed by country of nationality", "ICE ERO annual report —
    removals by country of citizenship"), or the press, or NGO counts. A later edition revises a figure
    within its series only; two series never replace each other, because they count by different rules
    (``counting`` says how). The built-in series are listed with the series rules (the ``series`` module)."""

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("series"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    table = models.CharField(_("table family"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    counting = models.TextField(_("what is counted, and how"), blank=True)
    # Order on pages; the default series of a measure is in series.DEFAULT_SERIES.
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["rank", "slug"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the page's language for a built-in series, else as stored."""
        from crossings.stats.series import BUILT_IN

        known = BUILT_IN.get(self.slug)
        return str(known.name) if known else self.name

    @property
    def short_label(self) -> str:
        from crossings.stats.series import BUILT_IN

        known = BUILT_IN.get(self.slug)
        return str(known.short) if known else self.name

    @property
    def counting_label(self) -> str:
        from crossings.stats.series import BUILT_IN

        known = BUILT_IN.get(self.slug)
        return str(known.counting) if known else self.counting

    @property
    def is_secondary(self) -> bool:
        return self.kind != SourceKind.OFFICIAL


class Publication(models.Model):
    """One release of a table, article or count: where a figure comes from."""

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="publications", verbose_name=_("series")
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    title = models.CharField(_("table or title"), max_length=300)
    published_on = models.DateField(_("published"))
    # What the source said about its date ("2004", "2019-07", "c. 2016-17"): shown as given.
    published_label = models.CharField(_("published (as given)"), max_length=50)
    url = models.CharField(_("address"), max_length=500, blank=True)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    # SHA-256 of the imported file (or of the normalised rows for built-in data): re-importing the same
    # file finds this publication again instead of making a second one.
    fingerprint = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    layout = models.CharField(_("layout detected"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["publisher", "title", "published_on", "fingerprint"], name="stats_publication_once"
            )
        ]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        who = f"{self.publisher}, " if self.publisher and self.publisher not in self.title else ""
        return f"{who}{self.title} ({self.published_label})"


class Figure(models.Model):
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="figures")
    measure = models.CharField(_("measure"), max_length=30, choices=Measure.choices)
    country = models.CharField(_("country or region"), max_length=100)
    is_region = models.BooleanField(default=False)
    year = models.PositiveSmallIntegerField(_("year"))
    year_kind = models.CharField(_("year kind"), max_length=10, choices=YearKind.choices)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    breakdown = models.CharField(_("breakdown"), max_length=15, choices=Breakdown.choices)
    value = models.PositiveIntegerField(_("value"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.REPORTED)
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, blank=True, default=""
    )
    # The cell exactly as published ("NA", "   -", "1,234", "more than 1,900"), for anyone checking us.
    original = models.CharField(_("as published"), max_length=100, blank=True)
    location = models.CharField(_("where in the file"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["measure", "country", "year", "breakdown"]
        verbose_name = _("official figure")
        verbose_name_plural = _("official figures")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "measure", "country", "year", "year_kind", "breakdown"],
                name="stats_figure_once_per_publication",
            ),
            models.CheckConstraint(
                condition=models.Q(status="reported", value__isnull=False)
                | models.Q(~models.Q(status="reported"), value__isnull=True),
                name="stats_figure_value_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["measure", "country", "year"], name="stats_figure_series")]

    def __str__(self) -> str:
        return f"{self.measure} {self.country} {self.year} {self.breakdown}: {self.display_value}"

    @property
    def cell(self) -> tuple[str, str, int, str, str]:
        return (self.measure, self.country, self.year, self.year_kind, self.breakdown)

    @property
    def display_value(self) -> str:
        if self.status == Status.WITHHELD:
            return str(_("withheld"))
        if self.status == Status.NOT_AVAILABLE or self.value is None:
            return str(_("not available"))
        signs: dict[str, str] = {Qualifier.ABOUT: "~", Qualifier.MORE_THAN: ">"}
        prefix = signs.get(self.qualifier, "")
        return f"{prefix}{self.value:,}"


class ReportQuerySet(ScopedQuerySet):
    pass


class Report(models.Model):
    """A donor / annual report being made in the background, and then the files it produced."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    error = models.TextField(blank=True)
    content = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"report {self.pk} ({self.format}, {self.language})"

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        from crossings.accounts.roles import Cap

        return models.Q(organisation_id__in=scope.orgs_with(Cap.STATS_VIEW))

    @property
    def filename(self) -> str:
        period = f"{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}"
        return f"crossings-report-{period}-{self.language}.{self.format}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


def parse_published(text: str) -> dt.date:
    """'2004', '2019-07', '2019-07-15', 'c. 2016-17', 'as of 2010-09 (article date)' -> a date to sort by
    (the first day of the period the text names). Raises ValueError when no year is found."""
    import re

    match = re.search(r"(19|20)\d\d(?:-(\d\d)(?:-(\d\d))?)?", text)
    if not match:
        raise ValueError(f"no year in {text!r}")
    year = int(match.group(0)[:4])
    month = int(match.group(2)) if match.group(2) and 1 <= int(match.group(2)) <= 12 else 1
    day = int(match.group(3)) if match.group(3) else 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 1)
