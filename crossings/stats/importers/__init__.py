"""Importers for published tables: detect the layout, parse every cell, check, then write all or nothing.

Layouts tried, in order (each says why it does not fit, and the error lists every reason):

- ``dhs-wide``: the DHS Yearbook "Aliens removed by criminal status and region and country of
  nationality" across several years: one row per year and breakdown (Total / Criminal / Non-criminal),
  one column per region and country. Found by content, not position: the breakdown column is the one full
  of Total/Criminal/Non-criminal labels, the year column the one full of years, the header the nearest full
  row above; title rows, column order, spelling and spacing of labels may differ between editions.
- ``dhs-single-year``: one year of the same table: one row per country, Total / Criminal / Non-criminal
  columns (any order, footnote markers allowed), thousands separators, footnote rows under the table. The
  year comes from the title ("Fiscal year 2016") or from ``--year``.
- ``ice-citizenship``: the ICE ERO annual report's "Removals by country of citizenship": a "Country of
  citizenship" column and one column per fiscal year ("FY2016", "FY 2017", "2018"), or a single count
  column ("Removals") with the year in the title or ``--year``. Totals only. A blank cell means the
  country is not in that year's table: no figure, not zero.
- ``tidy-csv``: ``measure,country,year,breakdown,value[,source,published,…]`` for everything else.

Cell markers: ``D`` and ``NA`` (the re-published DHS files write NA where DHS wrote D) are *withheld*;
``-`` is zero; ``X`` and blank are *not available*. In a tidy CSV, ``NA`` and blank mean not available.

One module per layout, the shared records and cell reading in ``common``, the import in ``pipeline``.
"""

from crossings.stats.importers.common import (
    ImportFailed,
    ImportReport,
    LayoutMismatch,
    Parsed,
    Problem,
    SourceInfo,
    read_grids,
)
from crossings.stats.importers.pipeline import import_file, known_series

__all__ = [
    "ImportFailed",
    "ImportReport",
    "LayoutMismatch",
    "Parsed",
    "Problem",
    "SourceInfo",
    "import_file",
    "known_series",
    "read_grids",
]
