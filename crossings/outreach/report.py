"""The quarterly donor report as XLSX or PDF: indicators for the quarter and per month, small counts
suppressed (it leaves the organisation), in English or Khmer, with the indicator definitions and their
sources. Both formats are built from the same table (``quarterly_table``); the PDF is rendered with
WeasyPrint and the bundled Noto Sans Khmer font, as the stats app does."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from crossings import exports, pdf
from crossings.outreach import indicators
from crossings.outreach.indicators import Period
from crossings.outreach.models import AgeBand, Encounter, KeyPopulation, Referral, Sex

# The font the stats app embeds too (crossings/stats/reports.py): one Khmer face for every PDF.


def _rows(ind: indicators.Indicators) -> list[tuple[str, Any]]:
    d = indicators.shared(ind)
    rows: list[tuple[str, Any]] = [
        (_("Clients reached"), d["clients_reached"]),
        (_("Encounters"), d["encounters"]),
        (_("People who inject drugs reached"), d["pwid_reached"]),
        (_("PWID given needles and syringes (HIV.IND.8, programme level)"), d["pwid_given_needles"]),
        (_("Needles and syringes distributed"), d["needles_syringes"]),
        (_("Needles and syringes per PWID per year (HIV.IND.10)"), d["needles_per_pwid_year"]),
        (_("Target per PWID per year"), d["nsp_target"]),
        (_("Share of PWID given needles every month (HIV.IND.9)"), d["regular_access_share"]),
        (_("Share of clients reached every month"), d["reached_monthly_share"]),
        (_("Condoms distributed"), d["condoms"]),
        (_("Naloxone distributed"), d["naloxone"]),
        (_("HIV tests"), d["hiv_tests"]),
        (_("HIV tests reactive"), d["hiv_reactive"]),
        (_("Referrals made"), d["referrals_made"]),
        (_("Referrals completed"), d["referrals_completed"]),
        (_("OST referrals made"), d["ost_referrals"]),
        (_("OST referrals completed"), d["ost_referrals_completed"]),
    ]
    for key, label_map in (
        ("by_key_population", dict(KeyPopulation.choices)),
        ("by_sex", dict(Sex.choices)),
        ("by_age_band", dict(AgeBand.choices)),
    ):
        for value, n in d[key].items():
            rows.append((f"{_('Clients reached')}: {label_map.get(value, value)}", n))
    referral_labels = dict(Referral.choices)
    for kind, counts in d["referrals_by_type"].items():
        rows.append((f"{_('Referrals made')}: {referral_labels.get(kind, kind)}", counts["made"]))
    return rows


@dataclass
class QuarterlyTable:
    period: Period
    months: list[str]  # YYYY-MM
    rows: list[tuple[str, Any, list[Any]]]  # label, quarter value, one value per month


def _language(language: str) -> str:
    return language if language in ("en", "km") else "en"


def quarterly_table(encounters: QuerySet[Encounter], period: Period) -> QuarterlyTable:
    """The report's one table in the active language: suppressed (shared) values for the quarter and
    each of its months."""
    quarter = indicators.compute(encounters, period)
    months = [Period.month(m.year, m.month) for m in period.months()]
    month_rows = [dict(_rows(indicators.compute(encounters, p))) for p in months]
    return QuarterlyTable(
        period=period,
        months=[p.start.strftime("%Y-%m") for p in months],
        rows=[(label, value, [mr.get(label, "") for mr in month_rows]) for label, value in _rows(quarter)],
    )


def quarterly_xlsx(encounters: QuerySet[Encounter], period: Period, *, language: str = "en") -> bytes:
    with translation.override(_language(language)):
        wb = exports.workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Quarter"
        bold = Font(bold=True)
        ws.append([_("Harm-reduction outreach: quarterly report")])
        ws["A1"].font = bold
        ws.append([_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"])
        ws.append([_("Counts from 1 to 4 are shown as <5 to protect clients.")])
        ws.append([])
        table = quarterly_table(encounters, period)
        ws.append([_("Indicator"), _("Quarter"), *table.months])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for label, value, per_month in table.rows:
            ws.append([label, value, *per_month])
        ws.column_dimensions["A"].width = 60
        defs = wb.create_sheet("Definitions")
        rows = indicators.definitions()
        if rows:
            defs.append(list(rows[0].keys()))
            for row in rows:
                defs.append(list(row.values()))
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def quarterly_pdf(
    encounters: QuerySet[Encounter], period: Period, *, language: str = "en", organisation: str = ""
) -> bytes:
    """The same content as the XLSX, as a PDF with the Khmer font embedded."""
    lang = _language(language)
    with translation.override(lang):
        definitions = indicators.definitions()
        return pdf.render(
            "outreach/donor_report_pdf.html",
            {
                "lang": lang,
                "organisation": organisation,
                "period": period,
                "table": quarterly_table(encounters, period),
                "definition_columns": list(definitions[0].keys()) if definitions else [],
                "definitions": [list(row.values()) for row in definitions],
            },
        )
