"""Donor / annual reports per organisation and period, as PDF (WeasyPrint, Khmer font embedded) or XLSX.

Making a report runs as a background task (Django's task interface, the ``django-tasks`` backport): the
request only records a ``Report`` and enqueues it; the task writes its progress on the row, which the
report page polls. With no task backend configured the backport runs tasks immediately, which suits a
laptop; production configures a database-backed worker (docs/statistics.md).

A report leaves the organisation, so it holds aggregates only, with small cells suppressed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tasks import task

from crossings import pdf
from crossings.accounts.models import Organisation, User
from crossings.accounts.roles import Cap
from crossings.stats import charts, lineage, programme
from crossings.stats.models import Report

log = logging.getLogger(__name__)


class ReportError(ValueError):
    pass


def organisations_for(user: User) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=user.scope.orgs_with(Cap.STATS_VIEW)).order_by("name"))


def request_report(
    *, user: User, organisation_id: int, start: dt.date, end: dt.date, language: str, fmt: str
) -> Report:
    if not user.scope.can(Cap.STATS_VIEW, organisation_id):
        raise ReportError(_("Choose one of your organisations."))
    if end < start:
        raise ReportError(_("The end of the period is before its start."))
    if language not in dict(settings.LANGUAGES):
        raise ReportError(_("Choose English or Khmer."))
    if fmt not in Report.Format.values:
        raise ReportError(_("Choose PDF or XLSX."))
    report = Report.objects.create(
        organisation_id=organisation_id,
        requested_by=user,
        period_start=start,
        period_end=end,
        language=language,
        format=fmt,
    )
    # Enqueue once the row is committed, so a worker in another process can see it.
    transaction.on_commit(lambda: make_report.enqueue(report.pk))
    return report


@task()
def make_report(report_id: int) -> None:
    build(report_id)


def _progress(report: Report, percent: int, state: str = Report.State.RUNNING) -> None:
    report.progress, report.state = percent, state
    Report.objects.filter(pk=report.pk).update(progress=percent, state=state)


def build(report_id: int) -> Report:
    report = Report.objects.select_related("organisation", "requested_by").get(pk=report_id)
    _progress(report, 5)
    try:
        with translation.override(report.language):
            context = _context(report)
            _progress(report, 50)
            content = render_pdf(context) if report.format == Report.Format.PDF else render_xlsx(context)
    except Exception as exc:  # the report page must say it failed rather than spin for ever
        log.exception("report %s failed", report_id)
        Report.objects.filter(pk=report.pk).update(
            state=Report.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:500], finished_at=timezone.now()
        )
        raise
    Report.objects.filter(pk=report.pk).update(
        content=content, state=Report.State.DONE, progress=100, finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report


def _context(report: Report) -> dict[str, Any]:
    user = report.requested_by
    if user is None or not user.scope.can(Cap.STATS_VIEW, report.organisation_id):
        raise ReportError("the requester no longer holds STATS_VIEW in this organisation")
    stats = programme.compute(
        user, start=report.period_start, end=report.period_end, org_ids=[report.organisation_id]
    )
    cambodia = lineage.removals("Cambodia")
    removal_title = _("Removals of Cambodians from the US, by fiscal year")
    return {
        "report": report,
        "organisation": report.organisation,
        "stats": stats,
        "threshold": programme.THRESHOLD,
        "cambodia": cambodia,
        "span_rows": [(year, cambodia.row(year)) for year in cambodia.span],
        "removal_sources": cambodia.publications,
        "removals_img": charts.for_pdf(charts.removals_chart(cambodia, removal_title))
        if cambodia.rows
        else "",
        "removal_title": removal_title,
        "generated": timezone.localtime(),
        "score_tables": [
            (_("All arrivals, per follow-up"), stats.scores_by_month, "table-scores-month"),
            (_("Per year of arrival"), stats.scores_by_cohort, "table-scores-cohort"),
        ],
    }


def render_pdf(context: dict[str, Any]) -> bytes:
    return pdf.render("stats/report_pdf.html", context)


def _programme_more_xlsx(sheet: Any, stats: programme.ProgrammeStats, bold: Any) -> None:
    """Services delivered, follow-up scores and outreach indicators, suppressed as on the page."""
    hidden = _("fewer than 5")

    def heading(*cells: Any) -> None:
        sheet.append(list(cells))
        for c in sheet[sheet.max_row]:
            c.font = bold

    sheet.append([])
    heading(_("Services delivered per year"))
    heading(
        _("Service"),
        _("Year"),
        _("Times delivered"),
        pgettext("column of counts", "People"),
        _("Total cost (USD)"),
    )
    for c in stats.services:
        if c.suppressed:
            sheet.append([c.service, c.year, hidden, hidden, hidden])
        else:
            sheet.append([c.service, c.year, c.deliveries, c.people, float(c.cost or 0)])
    sheet.append([])
    heading(_("Reintegration scores at follow-up"))
    names = [_("Economic"), _("Social"), _("Psychosocial"), _("Overall")]
    heading(
        _("Year of arrival"),
        _("Months after arrival"),
        *[part for name in names for part in (name, pgettext("column of counts", "People"))],
    )
    for cell in [*stats.scores_by_month, *stats.scores_by_cohort]:
        values: list[Any] = [cell.cohort if cell.cohort is not None else _("All"), cell.months]
        for s in cell.ordered:
            values += [hidden, hidden] if s.suppressed else [s.mean, s.people]
        sheet.append(values)
    if stats.outreach:
        sheet.append([])
        heading(_("Outreach indicators"), stats.outreach.start.isoformat(), stats.outreach.end.isoformat())
        for i in stats.outreach.indicators:
            sheet.append([i.label, hidden if i.suppressed else i.value])


def render_xlsx(context: dict[str, Any]) -> bytes:
    from openpyxl.styles import Font

    from crossings import exports

    book = exports.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Programme")[:31]
    bold = Font(bold=True)
    report: Report = context["report"]
    sheet.append([str(context["organisation"].name)])
    sheet.append([_("Period"), report.period_start.isoformat(), report.period_end.isoformat()])
    sheet.append([_("Cells below %(n)s are suppressed.") % {"n": context["threshold"]}])
    for table in context["stats"].tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for row in table.rows:
            sheet.append([row.label, row.count if not row.suppressed else _("fewer than 5")])
    _programme_more_xlsx(sheet, context["stats"], bold)
    official = book.create_sheet(_("Official figures")[:31])
    official.append(
        [_("Fiscal year"), _("Series"), _("Total"), _("Criminal"), _("Non-criminal"), _("Source")]
    )
    official.append(
        [
            "#date+year+fiscal",
            "#meta+series",
            "#affected+removed+total",
            "#affected+removed+criminal",
            "#affected+removed+noncriminal",
            "#meta+source",
        ]
    )
    for cell in official[1]:
        cell.font = bold
    # One row per year and series: the DHS Yearbook and ICE counts are never merged.
    for row in lineage.removal_rows("Cambodia"):
        official.append([row[k] for k in ("year", "series", "total", "criminal", "non_criminal", "source")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
