"""The built-in reference dataset: researched figures shipped with Crossings, each with its publication
and address, loaded on every install by a data migration (``0005_builtin_reference_figures``) and again,
idempotently, by ``crossings stats load-reference``.

The files live in ``crossings/stats/reference/`` (copied from the project's research folder) so a running
system never reads anything outside the package:

- ``dhs_yearbook_removals_by_criminal_status_KH_LA_VN_fy1993_2008.csv``: the DHS Yearbook table "Aliens
  removed by criminal status and region and country of nationality" for Cambodia, Laos, Vietnam and all
  countries, from two editions (Yearbook 2003, Table 43D: FY1993–2003; Yearbook 2008, Table 37D:
  FY1999–2008). The 2008 edition revises FY1999–2003; both are kept, the later one is shown. ``NA`` in the
  re-published files is DHS's D (withheld) and stays withheld; ``-`` is zero.
- ``removals_by_citizenship_ice_annual_reports_fy2014_2024.csv``: ICE ERO annual reports, removals by
  country of citizenship, FY2014–2024. A country missing from a year's table has no row, not zero.
- ``figures.csv``: DHS Yearbook 2016 Table 41 (FY2016), press articles citing ICE (secondary), NGO
  counts, people under final orders.

Nothing is published for FY2009–2013 in these sources: those years stay a gap.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from crossings.stats import series as series_defs
from crossings.stats.importers import ImportReport, SourceInfo, import_file
from crossings.stats.models import SourceKind

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

DHS_CSV = "dhs_yearbook_removals_by_criminal_status_KH_LA_VN_fy1993_2008.csv"
ICE_CSV = "removals_by_citizenship_ice_annual_reports_fy2014_2024.csv"
TIDY_CSV = "figures.csv"

DHS = "U.S. Department of Homeland Security"
REPUBLISHED = "https://github.com/flymperopoulos/US-Immigration/tree/master/DHS/DHS_raw/removed"

# Which edition each re-published file is (the research file's source_file column).
DHS_EDITIONS = {
    "Table43D.xls": SourceInfo(
        title="Yearbook of Immigration Statistics 2003, Table 43D",
        published="2004",
        publisher=DHS,
        url=REPUBLISHED + "/Table43D.xls",
        kind=SourceKind.OFFICIAL,
        note=(
            "Aliens removed by criminal status and region and country of nationality, fiscal years "
            "1993–2003; as re-published in a public repository (flymperopoulos/US-Immigration), where "
            "withheld cells appear as NA."
        ),
        series=series_defs.DHS_YEARBOOK,
    ),
    "table37d_1.xls": SourceInfo(
        title="Yearbook of Immigration Statistics 2008, Table 37D",
        published="2009",
        publisher=DHS,
        url=REPUBLISHED + "/table37d_1.xls",
        kind=SourceKind.OFFICIAL,
        note=(
            "Aliens removed by criminal status and region and country of nationality, fiscal years "
            "1999–2008 (revises 1999–2003 of the 2003 edition); as re-published in a public repository "
            "(flymperopoulos/US-Immigration), where withheld cells appear as NA."
        ),
        series=series_defs.DHS_YEARBOOK,
    ),
}
DHS_COLUMNS = {"all_countries": "All countries", "cambodia": "Cambodia", "laos": "Laos", "vietnam": "Vietnam"}
BREAKDOWNS = {"Total": "total", "Criminal": "criminal", "Non-criminal": "non_criminal"}


def _dhs_editions() -> list[tuple[SourceInfo, bytes]]:
    """The research file as one tidy CSV per edition (withheld NA written D, so it stays withheld)."""
    out: dict[str, io.StringIO] = {}
    with (REFERENCE_DIR / DHS_CSV).open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            edition = row["source_file"].rsplit("/", 1)[-1]
            if edition not in DHS_EDITIONS:
                raise ValueError(f"{DHS_CSV}: unknown edition {row['source_file']!r}")
            buf = out.get(edition)
            if buf is None:
                buf = out[edition] = io.StringIO()
                buf.write("measure,country,year,breakdown,value\n")
            for column, country in DHS_COLUMNS.items():
                value = row[column].strip()
                value = "D" if value.upper() == "NA" else value
                buf.write(f"removals,{country},{row['fiscal_year']},{BREAKDOWNS[row['status']]},{value}\n")
    return [(DHS_EDITIONS[name], buf.getvalue().encode()) for name, buf in sorted(out.items())]


def load_reference(model_classes: tuple[Any, Any, Any] | None = None) -> list[ImportReport]:
    """Load every built-in file; idempotent (a second run finds every figure already there)."""
    extra: dict[str, Any] = {"model_classes": model_classes} if model_classes else {}
    reports = []
    for source, data in _dhs_editions():
        reports.append(
            import_file(f"{source.title}.csv", source=source, data=data, series=source.series, **extra)
        )
    reports.append(import_file(REFERENCE_DIR / ICE_CSV, source=None, series=series_defs.ICE_ERO, **extra))
    # Each row of the tidy file names its own source (press, NGO and the DHS 2016 table).
    reports.append(import_file(REFERENCE_DIR / TIDY_CSV, source=None, **extra))
    return reports
