"""Countries and regions of nationality as publishers write them, and the one name each is stored under.

Figures are stored under one canonical English name per area (the DHS Yearbook spelling, so the series of
older editions stay one series), and a label in a file is resolved in this order (docs/statistics.md):

1. ``ALIASES``: the small table of publisher and historical spellings below ("Burma", "Korea, South",
   "Bahamas, The", "Czechoslovakia, former", "Serbia and Montenegro", ...), and the ``--alias`` options;
2. the DHS names themselves (``COUNTRIES``, ``REGIONS``);
3. ISO 3166 through pycountry: each country's ISO name, official name and common name ("Korea, Republic
   of", "Republic of Korea", "South Korea"), and the former countries of ISO 3166-3 ("USSR, Union of
   Soviet Socialist Republics"). A country DHS also lists is stored under the DHS name.

Before matching, a label is normalised (``key``): case, accents, punctuation, footnote markers and
doubled spaces do not count; "Saint" and "St." are the same word; "&" is "and"; a trailing ", former" or
a leading or trailing "The" is dropped, and "Korea, South" also matches "South Korea". Regions and totals
("Total", "Asia", "Unknown") are recognised and flagged as regions. A label that matches nothing is never
dropped: the importer refuses the file, names the label and the closest names (rapidfuzz), and the
operator fixes the file or passes ``--alias``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

ALL_COUNTRIES = "All countries"

# Names the pages show (translated); figures are stored under the English name.
LABELS = {
    "Cambodia": gettext_lazy("Cambodia"),
    "Laos": gettext_lazy("Laos"),
    "Vietnam": gettext_lazy("Vietnam"),
}

# Regions and other groupings the tables show beside countries. Stored like countries, flagged as regions.
REGIONS = frozenset(
    {
        ALL_COUNTRIES,
        "Africa",
        "Asia",
        "Caribbean",
        "Central America",
        "Europe",
        "North America",
        "Oceania",
        "South America",
        "Middle East",
        "Other",
        "Unknown",
    }
)

COUNTRIES = frozenset(
    """
Albania|Andorra|Armenia|Austria|Azerbaijan|Belarus|Belgium|Bosnia-Herzegovina|Bulgaria|Croatia|Czech Republic
Czechoslovakia|Denmark|Estonia|Finland|France|Georgia|Germany|Greece|Hungary|Iceland|Ireland|Italy|Kazakhstan
Kyrgyzstan|Latvia|Lithuania|Luxembourg|Macedonia|Malta|Moldova|Monaco|Montenegro|Netherlands|Norway|Poland
Portugal|Romania|Russia|Serbia|Serbia and Montenegro|Slovak Republic|Slovenia|Soviet Union|Spain|Sweden
Switzerland|Tajikistan|Turkmenistan|Ukraine|United Kingdom|Uzbekistan|Kosovo|Liechtenstein|San Marino
Afghanistan|Bahrain|Bangladesh|Bhutan|Brunei|Burma|Cambodia|China, People's Republic|Cyprus|Hong Kong|India
Indonesia|Iran|Iraq|Israel|Japan|Jordan|Korea|Korea, North|Korea, South|Kuwait|Laos|Lebanon|Macau|Malaysia
Maldives|Mongolia|Nepal|Oman|Pakistan|Philippines|Qatar|Saudi Arabia|Singapore|Sri Lanka|Syria|Taiwan
Thailand|Timor-Leste|Turkey|United Arab Emirates|Vietnam|Yemen|Algeria|Angola|Benin|Botswana|Burkina Faso
Burundi|Cameroon|Cape Verde|Central African Republic|Chad|Comoros|Congo, Democratic Republic|Congo, Republic
Cote d'Ivoire|Djibouti|Egypt|Equatorial Guinea|Eritrea|Ethiopia|Gabon|Gambia, The|Ghana|Guinea|Guinea-Bissau
Kenya|Lesotho|Liberia|Libya|Madagascar|Malawi|Mali|Mauritania|Mauritius|Morocco|Mozambique|Namibia|Niger
Nigeria|Rwanda|Sao Tome and Principe|Senegal|Seychelles|Sierra Leone|Somalia|South Africa|South Sudan|Sudan
Swaziland|Tanzania|Togo|Tunisia|Uganda|Zambia|Zimbabwe|Australia|Cook Island|Fiji|French Polynesia|Kiribati
Marshall Islands|Micronesia, Federated States|Nauru|New Caledonia|New Zealand|Palau|Papua New Guinea|Samoa
Solomon Islands|Tonga|Tuvalu|Vanuatu|Canada|Mexico|United States|Anguilla|Antigua-Barbuda|Aruba|Bahamas, The
Barbados|Bermuda|British Virgin Islands|Cayman Islands|Cuba|Curacao|Dominica|Dominican Republic|Grenada
Guadeloupe|Haiti|Jamaica|Martinique|Montserrat|Netherlands Antilles|Puerto Rico|St. Kitts-Nevis|St. Lucia
St. Vincent and the Grenadines|Trinidad and Tobago|Turks and Caicos Islands|Belize|Costa Rica|El Salvador
Guatemala|Honduras|Nicaragua|Panama|Argentina|Bolivia|Brazil|Chile|Colombia|Ecuador|Falkland Islands
French Guiana|Guyana|Paraguay|Peru|Suriname|Uruguay|Venezuela|Yugoslavia|German Democratic Republic
""".replace("\n", "|")
    .strip("|")
    .split("|")
)

KNOWN = COUNTRIES | REGIONS

# Publisher and historical spellings -> canonical name (keys are normalised, see ``key``). Only what the
# generic rules and pycountry do not already find: a new spelling in a new edition goes here, with a test.
ALIASES = {
    # totals
    "total": ALL_COUNTRIES,
    "all countries": ALL_COUNTRIES,
    "total all countries": ALL_COUNTRIES,
    "all countries total": ALL_COUNTRIES,
    "grand total": ALL_COUNTRIES,
    "total removals": ALL_COUNTRIES,
    "world": ALL_COUNTRIES,
    "unknown country": "Unknown",
    "not specified": "Unknown",
    "not reported": "Unknown",
    "other countries": "Other",
    "all other countries": "Other",
    # Cambodia, Laos, Vietnam as the press and older tables write them
    "kampuchea": "Cambodia",
    "democratic kampuchea": "Cambodia",
    "kingdom of cambodia": "Cambodia",
    "viet nam": "Vietnam",
    "lao pdr": "Laos",
    "lao people s democratic republic": "Laos",
    "viet nam democratic republic of": "Vietnam",
    # names DHS keeps although the country renamed itself
    "myanmar": "Burma",
    "burma myanmar": "Burma",
    "china": "China, People's Republic",
    "china mainland": "China, People's Republic",
    "czechia": "Czech Republic",
    "slovakia": "Slovak Republic",
    "north macedonia": "Macedonia",
    "macedonia former yugoslav republic of": "Macedonia",
    "eswatini": "Swaziland",
    "cabo verde": "Cape Verde",
    "ivory coast": "Cote d'Ivoire",
    "turkiye": "Turkey",
    "russian federation": "Russia",
    "east timor": "Timor-Leste",
    "micronesia": "Micronesia, Federated States",
    "cook islands": "Cook Island",
    "brunei darussalam": "Brunei",
    "macao": "Macau",
    # ", The" and "St." forms
    "bahamas": "Bahamas, The",
    "gambia": "Gambia, The",
    "st kitts and nevis": "St. Kitts-Nevis",
    "antigua and barbuda": "Antigua-Barbuda",
    "bosnia and herzegovina": "Bosnia-Herzegovina",
    "congo democratic republic of the": "Congo, Democratic Republic",
    "democratic republic of the congo": "Congo, Democratic Republic",
    "democratic republic of congo": "Congo, Democratic Republic",
    "congo kinshasa": "Congo, Democratic Republic",
    "zaire": "Congo, Democratic Republic",
    "congo brazzaville": "Congo, Republic",
    "congo": "Congo, Republic",
    "republic of the congo": "Congo, Republic",
    # states that no longer exist, as DHS names them (", former" is dropped by ``key``)
    "ussr": "Soviet Union",
    "u s s r": "Soviet Union",
    "union of soviet socialist republics": "Soviet Union",
    "czechoslovak socialist republic": "Czechoslovakia",
    "serbia montenegro": "Serbia and Montenegro",
    "yugoslavia federal republic of": "Yugoslavia",
    "east germany": "German Democratic Republic",
    "us": "United States",
    "usa": "United States",
}

# pycountry's ISO 3166-1 countries whose names differ from the DHS spelling and that the aliases above do
# not reach (alpha-2 code -> DHS name).
ISO_TO_DHS = {
    "KR": "Korea, South",
    "KP": "Korea, North",
    "CN": "China, People's Republic",
    "CD": "Congo, Democratic Republic",
    "CG": "Congo, Republic",
    "FK": "Falkland Islands",
    "MM": "Burma",
    "TR": "Turkey",
    "RU": "Russia",
    "MO": "Macau",
    "FM": "Micronesia, Federated States",
    "VC": "St. Vincent and the Grenadines",
    "LC": "St. Lucia",
    "KN": "St. Kitts-Nevis",
}
# ISO 3166-3 (former countries) -> DHS name; the others keep the ISO name before its first comma.
HISTORIC_TO_DHS = {
    "BUR": "Burma",
    "CSK": "Czechoslovakia",
    "SCG": "Serbia and Montenegro",
    "SUN": "Soviet Union",
    "TMP": "Timor-Leste",
    "VDR": "Vietnam",
    "YUG": "Yugoslavia",
    "ZAR": "Congo, Democratic Republic",
    "DDR": "German Democratic Republic",
    "ANT": "Netherlands Antilles",
}


_WORDS = {"saint": "st", "ste": "st", "rep": "republic", "dem": "democratic"}


def key(label: str) -> str:
    """Compare labels without case, accents, punctuation, footnote markers or doubled spaces; "Saint" is
    "St", "&" is "and", and a trailing "former" or a leading or trailing "the" does not count."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    text = re.sub(r"[\d*†‡]+\s*$", "", text.strip())  # "Cambodia 1", "Laos*"
    text = text.replace("&", " and ")
    words = [_WORDS.get(w, w) for w in re.sub(r"[^a-z]+", " ", text.lower()).split()]
    if words[-1:] == ["former"] or words[:1] == ["former"]:
        words = words[:-1] if words[-1:] == ["former"] else words[1:]
    if words[:1] == ["the"]:
        words = words[1:]
    if words[-1:] == ["the"]:
        words = words[:-1]
    return " ".join(words)


def _swapped(label: str) -> str | None:
    """ "Korea, South" -> "South Korea"; "Korea, Republic of" -> "Republic of Korea" (one comma only)."""
    head, sep, tail = str(label).partition(",")
    if not sep or "," in tail:
        return None
    return key(f"{tail} {head}")


def _iso_names(item: object) -> list[str]:
    return [n for n in (getattr(item, a, None) for a in ("name", "official_name", "common_name")) if n]


@cache
def _index() -> dict[str, str]:
    """Every known spelling (normalised) -> canonical name. Lowest priority first, so later entries win."""
    dhs = {key(name): name for name in KNOWN}
    found: dict[str, str] = {}
    for item in pycountry.historic_countries:
        old: str = HISTORIC_TO_DHS.get(item.alpha_3) or dhs.get(key(item.name)) or item.name.split(",")[0]
        for name in _iso_names(item):
            found[key(name)] = old
            found[key(name.split(",")[0])] = old
    for item in pycountry.countries:
        names = _iso_names(item)
        target: str = (
            ISO_TO_DHS.get(item.alpha_2)
            or next((dhs[key(n)] for n in names if key(n) in dhs), None)
            or next((ALIASES[key(n)] for n in names if key(n) in ALIASES), None)
            or getattr(item, "common_name", None)
            or item.name
        )
        for name in names:
            found[key(name)] = target
            swapped = _swapped(name)
            if swapped:
                found[swapped] = target
    found |= dhs
    for name in KNOWN:
        swapped = _swapped(name)
        if swapped and swapped not in dhs:
            found[swapped] = name
    found |= ALIASES
    found.pop("", None)
    return found


def canonical(label: str, extra_aliases: dict[str, str] | None = None) -> str | None:
    """The canonical name for ``label``, or None when it is not a known country or region."""
    k = key(label)
    if extra_aliases:
        for raw, target in extra_aliases.items():
            if key(raw) == k:
                return canonical(target) or target
    index = _index()
    if k in index:
        return index[k]
    swapped = _swapped(label)
    return index.get(swapped) if swapped else None


def suggestions(label: str, limit: int = 3) -> list[str]:
    """The closest known names, for a message such as 'Cambodja: did you mean Cambodia?'."""
    index = _index()
    found = process.extract(key(label), list(index), scorer=fuzz.WRatio, limit=limit * 3)
    names: list[str] = []
    for match, score, _position in found:
        name = index[match]
        if score >= 75 and name not in names:
            names.append(name)
    return names[:limit]


def is_region(name: str) -> bool:
    return name in REGIONS


def all_names() -> set[str]:
    """Every canonical name a label can resolve to."""
    return set(_index().values())
