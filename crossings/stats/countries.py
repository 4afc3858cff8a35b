"""Countries and regions of nationality as the DHS tables name them, and how other spellings map to them.

Figures are stored under one canonical English name per area, so "Viet Nam", "VIETNAM" and "Vietnam 1"
(a footnote marker) are one series. A label that matches nothing is never dropped: the importer reports it
with the closest names (rapidfuzz), and the operator either fixes the file or passes ``--alias``.
"""

from __future__ import annotations

import re
import unicodedata

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
French Guiana|Guyana|Paraguay|Peru|Suriname|Uruguay|Venezuela
""".replace("\n", "|")
    .strip("|")
    .split("|")
)

KNOWN = COUNTRIES | REGIONS

# Other spellings seen in DHS, ICE and press tables -> canonical name (keys are normalised, see ``key``).
ALIASES = {
    "total": ALL_COUNTRIES,
    "all countries": ALL_COUNTRIES,
    "total all countries": ALL_COUNTRIES,
    "world": ALL_COUNTRIES,
    "kampuchea": "Cambodia",
    "democratic kampuchea": "Cambodia",
    "kingdom of cambodia": "Cambodia",
    "viet nam": "Vietnam",
    "lao pdr": "Laos",
    "lao people s democratic republic": "Laos",
    "myanmar": "Burma",
    "burma myanmar": "Burma",
    "china": "China, People's Republic",
    "china people s republic": "China, People's Republic",
    "south korea": "Korea, South",
    "north korea": "Korea, North",
    "czechia": "Czech Republic",
    "slovakia": "Slovak Republic",
    "north macedonia": "Macedonia",
    "eswatini": "Swaziland",
    "cabo verde": "Cape Verde",
    "ivory coast": "Cote d'Ivoire",
    "east timor": "Timor-Leste",
    "bahamas": "Bahamas, The",
    "gambia": "Gambia, The",
    "st kitts nevis": "St. Kitts-Nevis",
    "saint kitts and nevis": "St. Kitts-Nevis",
    "st lucia": "St. Lucia",
    "saint lucia": "St. Lucia",
    "st vincent and the grenadines": "St. Vincent and the Grenadines",
    "antigua and barbuda": "Antigua-Barbuda",
    "bosnia and herzegovina": "Bosnia-Herzegovina",
    "micronesia": "Micronesia, Federated States",
    "congo democratic republic": "Congo, Democratic Republic",
    "democratic republic of the congo": "Congo, Democratic Republic",
    "congo republic": "Congo, Republic",
    "unknown country": "Unknown",
    "other countries": "Other",
    "us": "United States",
    "usa": "United States",
}


def key(label: str) -> str:
    """Compare labels without case, accents, punctuation, footnote markers or doubled spaces."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
    text = re.sub(r"[\d*†‡]+\s*$", "", text.strip())  # "Cambodia 1", "Laos*"
    text = re.sub(r"[^a-z]+", " ", text.lower())
    return " ".join(text.split())


_BY_KEY = {key(name): name for name in KNOWN} | ALIASES


def canonical(label: str, extra_aliases: dict[str, str] | None = None) -> str | None:
    """The canonical name for ``label``, or None when it is not a known country or region."""
    k = key(label)
    if extra_aliases:
        for raw, target in extra_aliases.items():
            if key(raw) == k:
                return canonical(target) or target
    return _BY_KEY.get(k)


def suggestions(label: str, limit: int = 3) -> list[str]:
    """The closest known names, for a message such as 'Cambodja: did you mean Cambodia?'."""
    found = process.extract(key(label), list(_BY_KEY), scorer=fuzz.WRatio, limit=limit * 3)
    names: list[str] = []
    for match, score, _index in found:
        name = _BY_KEY[match]
        if score >= 75 and name not in names:
            names.append(name)
    return names[:limit]


def is_region(name: str) -> bool:
    return name in REGIONS
