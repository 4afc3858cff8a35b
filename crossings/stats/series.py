"""The built-in series: which publication a figure belongs to, and which series a page shows first.

A series is one publisher's one table across its editions (or the press, or NGO counts). Revisions replace
a figure only within its series; where two series give different figures for one year, the pages show
both and say why (they count differently), never an average. ``infer`` puts an imported publication in a
series when the operator does not name one (``--series``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crossings.stats.kinds import Measure, SourceKind

DHS_YEARBOOK = "dhs-yearbook-removals"
ICE_ERO = "ice-ero-annual-removals"
PRESS = "press"
NGO = "ngo"
OTHER_OFFICIAL = "official-other"


@dataclass(frozen=True)
class SeriesDef:
    slug: str
    name: Promise
    short: Promise
    publisher: str
    table: str
    kind: str
    counting: Promise
    rank: int

    def fields(self) -> dict[str, Any]:
        return {
            "name": str(self.name),
            "publisher": self.publisher,
            "table": self.table,
            "kind": self.kind,
            "counting": str(self.counting),
            "rank": self.rank,
        }


BUILT_IN: dict[str, SeriesDef] = {
    s.slug: s
    for s in (
        SeriesDef(
            DHS_YEARBOOK,
            _("DHS Yearbook — aliens removed by criminal status and country of nationality"),
            _("DHS Yearbook"),
            "U.S. Department of Homeland Security",
            "Yearbook of Immigration Statistics: aliens removed by criminal status and region and country "
            "of nationality (Table 43D in 2003, 37D in 2008, 41 from 2016)",
            SourceKind.OFFICIAL,
            _(
                "All removals by DHS (ICE and CBP together) in the fiscal year, counted by the Office of "
                "Immigration Statistics when each yearbook was made; later editions revise earlier years."
            ),
            10,
        ),
        SeriesDef(
            ICE_ERO,
            _("ICE ERO annual report — removals by country of citizenship"),
            _("ICE annual report"),
            "U.S. Immigration and Customs Enforcement",
            "ICE Enforcement and Removal Operations annual report: removals by country of citizenship",
            SourceKind.OFFICIAL,
            _(
                "Removals carried out by ICE only (not CBP), counted at ICE's end-of-year data cut; a "
                "country missing from a year's table has no figure, not zero."
            ),
            20,
        ),
        SeriesDef(
            OTHER_OFFICIAL,
            _("Other official tables"),
            _("Other official"),
            "",
            "",
            SourceKind.OFFICIAL,
            _("Official tables outside the series above; each publication says what it counts."),
            30,
        ),
        SeriesDef(
            PRESS,
            _("Press articles citing ICE or DHS (secondary)"),
            _("Press (secondary)"),
            "",
            "",
            SourceKind.PRESS,
            _("Figures quoted in news articles, usually from ICE: secondary, check the agency's own table."),
            40,
        ),
        SeriesDef(
            NGO,
            _("NGO counts (secondary)"),
            _("NGO (secondary)"),
            "",
            "",
            SourceKind.NGO,
            _("Counts kept by organisations receiving deportees in Cambodia, by date, not by fiscal year."),
            50,
        ),
    )
}

# The series a page, the API and the CLI show first for a measure; the others are shown beside it.
DEFAULT_SERIES: dict[str, str] = {Measure.REMOVALS: DHS_YEARBOOK}

_ICE = re.compile(r"\b(ice|ero)\b|immigration and customs enforcement", re.IGNORECASE)


def infer(*, kind: str, publisher: str, title: str, layout: str = "") -> str:
    """The series of a publication nobody named one for: press and NGO by kind; ICE by its name or the
    ICE layout; the DHS Yearbook by a DHS layout or 'Yearbook' in the title; else other official tables."""
    if kind == SourceKind.PRESS:
        return PRESS
    if kind == SourceKind.NGO:
        return NGO
    text = f"{publisher} {title}"
    if layout.startswith("ice") or _ICE.search(text):
        return ICE_ERO
    if layout.startswith("dhs") or "yearbook" in text.lower():
        return DHS_YEARBOOK
    return OTHER_OFFICIAL
