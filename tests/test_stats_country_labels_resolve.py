"""Country names as publishers write them: every label of every table layout the project knows resolves
(ISO names through pycountry, DHS spellings, historical and publisher variants), regions and totals are
flagged as regions, and a label that matches nothing is refused with suggestions and nothing is written."""

import csv
from pathlib import Path

import pytest
import xlrd

from crossings.stats import countries
from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Figure, Publication

REFERENCE = Path(countries.__file__).resolve().parent / "reference"

# The spellings editions of the DHS, ICE and press tables use, and what each is stored under.
VARIANTS = {
    "Saint Kitts-Nevis": "St. Kitts-Nevis",
    "St- Kitts-Nevis": "St. Kitts-Nevis",
    "Saint Kitts and Nevis": "St. Kitts-Nevis",
    "Saint Vincent and the Grenadines": "St. Vincent and the Grenadines",
    "St. Vincent & the Grenadines": "St. Vincent and the Grenadines",
    "Saint Lucia": "St. Lucia",
    "Czechoslovakia, former": "Czechoslovakia",
    "Soviet Union, former": "Soviet Union",
    "USSR": "Soviet Union",
    "Yugoslavia, former": "Yugoslavia",
    "Serbia and Montenegro": "Serbia and Montenegro",
    "Serbia and Montenegro, former": "Serbia and Montenegro",
    "Bahamas, The": "Bahamas, The",
    "The Bahamas": "Bahamas, The",
    "Bahamas": "Bahamas, The",
    "Gambia": "Gambia, The",
    "Korea, South": "Korea, South",
    "South Korea": "Korea, South",
    "Korea, Republic of": "Korea, South",
    "Republic of Korea": "Korea, South",
    "Korea (South)": "Korea, South",
    "Korea, North": "Korea, North",
    "Burma": "Burma",
    "Myanmar": "Burma",
    "Burma (Myanmar)": "Burma",
    "Viet Nam": "Vietnam",
    "VIETNAM": "Vietnam",
    "Lao People's Democratic Republic": "Laos",
    "Kampuchea": "Cambodia",
    " Cambodia 1": "Cambodia",
    "China, People's Republic": "China, People's Republic",
    "China": "China, People's Republic",
    "Türkiye": "Turkey",
    "Czechia": "Czech Republic",
    "Côte d'Ivoire": "Cote d'Ivoire",
    "Congo, The Democratic Republic of the": "Congo, Democratic Republic",
    "Zaire": "Congo, Democratic Republic",
    "Iran, Islamic Republic of": "Iran",
    "Syrian Arab Republic": "Syria",
    "Russian Federation": "Russia",
    "Trinidad & Tobago": "Trinidad and Tobago",
    "Micronesia, Federated States of": "Micronesia, Federated States",
    "Total": countries.ALL_COUNTRIES,
    "All countries": countries.ALL_COUNTRIES,
    "Unknown": "Unknown",
}


def table43d_labels():
    sheet = xlrd.open_workbook(str(REFERENCE / "Table43D.xls")).sheet_by_index(0)
    return [str(v).strip() for v in sheet.row_values(0)[2:] if str(v).strip()]


def csv_labels(name, column):
    with (REFERENCE / name).open(newline="") as fh:
        return {row[column] for row in csv.DictReader(fh)}


def single_year_labels():
    from tests.test_stats_single_year_table_is_imported import ROWS

    return [r[0] for r in ROWS[4:11] if r[0]]


def test_every_label_of_every_known_layout_resolves():
    labels = {
        *table43d_labels(),
        *single_year_labels(),
        *csv_labels("figures.csv", "country"),
        *csv_labels("removals_by_citizenship_ice_annual_reports_fy2014_2024.csv", "country"),
        *csv_labels("cambodia_removals_other_years_press_and_dhs.csv", "country"),
    }
    assert len(labels) > 200
    unresolved = [label for label in sorted(labels) if countries.canonical(label) is None]
    assert not unresolved


@pytest.mark.parametrize(("label", "name"), sorted(VARIANTS.items()))
def test_publisher_and_historical_spellings_resolve(label, name):
    assert countries.canonical(label) == name


def test_every_iso_country_and_former_country_resolves_through_pycountry():
    import pycountry

    for item in [*pycountry.countries, *pycountry.historic_countries]:
        for attr in ("name", "official_name", "common_name"):
            if getattr(item, attr, None):
                assert countries.canonical(getattr(item, attr)), (item, attr)


def test_regions_and_totals_are_regions_and_countries_are_not():
    assert countries.is_region(countries.canonical("Total"))
    assert countries.is_region(countries.canonical("Asia"))
    assert not countries.is_region(countries.canonical("Saint Lucia"))


@pytest.mark.django_db
def test_an_unknown_label_is_refused_with_suggestions_and_nothing_is_written(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "measure,country,year,breakdown,value\n"
        "removals,Cambodia,2016,total,72\n"
        "removals,Cambodja,2016,total,72\n"
        "removals,Saint Kitts-Nevis,2016,total,3\n"
    )
    before = (Figure.objects.count(), Publication.objects.count())
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SourceInfo(title="A table", published="2017"))
    text = "\n".join(exc.value.report.lines())
    assert "unknown country or region 'Cambodja'; did you mean Cambodia" in text
    assert "Saint Kitts" not in text  # the publisher spelling is not a problem
    assert (Figure.objects.count(), Publication.objects.count()) == before
