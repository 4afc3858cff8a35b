"""The quarterly donor report as XLSX: indicators for the quarter and per month, small counts suppressed
(it leaves the organisation), in English or Khmer, with the indicator definitions and their sources."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from crossings.outreach import indicators
from crossings.outreach.indicators import Period
from crossings.outreach.models import AgeBand, Encounter, KeyPopulation, Referral, Sex


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


def quarterly_xlsx(encounters: QuerySet[Encounter], period: Period, *, language: str = "en") -> bytes:
    with translation.override(language if language in ("en", "km") else "en"):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "Quarter"
        bold = Font(bold=True)
        ws.append([_("Harm-reduction outreach: quarterly report")])
        ws["A1"].font = bold
        ws.append([_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"])
        ws.append([_("Counts from 1 to 4 are shown as <5 to protect clients.")])
        ws.append([])
        quarter = indicators.compute(encounters, period)
        months = [Period.month(m.year, m.month) for m in period.months()]
        monthly = [indicators.compute(encounters, p) for p in months]
        ws.append([_("Indicator"), _("Quarter"), *[p.start.strftime("%Y-%m") for p in months]])
        for cell in ws[ws.max_row]:
            cell.font = bold
        month_rows = [dict(_rows(m)) for m in monthly]
        for label, value in _rows(quarter):
            ws.append([label, value, *[mr.get(label, "") for mr in month_rows]])
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
