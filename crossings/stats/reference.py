"""The built-in reference dataset: researched figures shipped with Crossings, with their sources.

The files live in ``crossings/stats/reference/`` (copied from the project's research folder) so a running
system never reads anything outside the package. Loading is an ordinary import of each file, so it is
idempotent and all or nothing like any other import.
"""

from __future__ import annotations

from pathlib import Path

from crossings.stats.importers import ImportReport, SourceInfo, import_file
from crossings.stats.models import SourceKind

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

TABLE_43D = SourceInfo(
    title="Yearbook of Immigration Statistics 2003, Table 43D",
    published="2004",
    publisher="U.S. Department of Homeland Security",
    url="",
    kind=SourceKind.OFFICIAL,
    note=(
        "Aliens removed by criminal status and region and country of nationality, fiscal years 1993–2003; "
        "as re-published in a public repository (flymperopoulos), where withheld cells appear as NA."
    ),
)


def load_reference() -> list[ImportReport]:
    return [
        import_file(REFERENCE_DIR / "Table43D.xls", source=TABLE_43D),
        # Each row of the tidy file names its own source (press, NGO and later DHS tables).
        import_file(REFERENCE_DIR / "figures.csv", source=None),
    ]
