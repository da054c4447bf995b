"""Countries by ISO 3166-1 alpha-2 code, accepting the names people actually type.

The database stores the two-letter code; everything a person sees is the short common name.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry

# Names in everyday use that ISO spells differently (ISO: "Russian Federation", "Korea, Republic of").
_COMMON_NAMES: dict[str, str] = {
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "czech republic": "CZ",
    "czechia": "CZ",
    "turkey": "TR",
    "turkiye": "TR",
    "taiwan": "TW",
    "palestine": "PS",
    "brunei": "BN",
    "macau": "MO",
    "macao": "MO",
    "hong kong": "HK",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "usa": "US",
    "us": "US",
    "u.s.": "US",
    "united states of america": "US",
    "america": "US",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "congo-kinshasa": "CD",
    "republic of the congo": "CG",
    "congo-brazzaville": "CG",
    "kyrgyz republic": "KG",
    "micronesia": "FM",
    "the netherlands": "NL",
    "holland": "NL",
    "vatican": "VA",
    "east timor": "TL",
    "p.r. china": "CN",
    "pr china": "CN",
    "people's republic of china": "CN",
    "mainland china": "CN",
}

# Short names for display where ISO's name is formal or awkward.
_DISPLAY_NAMES: dict[str, str] = {
    "RU": "Russia",
    "KR": "South Korea",
    "KP": "North Korea",
    "IR": "Iran",
    "SY": "Syria",
    "VN": "Vietnam",
    "LA": "Laos",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "TW": "Taiwan",
    "PS": "Palestine",
    "BN": "Brunei",
    "CD": "DR Congo",
    "FM": "Micronesia",
    "VA": "Vatican City",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index.setdefault(_fold(value), country.alpha_2)
    index.update(_COMMON_NAMES)
    return index


@cache
def country_code(text: str) -> str:
    """The alpha-2 code for a code or name such as "ar", "ARG", "Argentina" or "South Korea".

    Raises ValueError with a message fit for the user when the text names no country.
    """
    code = _index().get(_fold(text))
    if code is None:
        raise ValueError(f"'{text.strip()}' is not a country name or ISO code")
    return code


def country_name(code: str | None) -> str:
    """The short display name of a code; the code itself if it is unknown, '' for none."""
    if not code:
        return ""
    if code in _DISPLAY_NAMES:
        return _DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@cache
def all_countries() -> list[tuple[str, str]]:
    """(code, display name) for every country, sorted by name: for pickers and drop-downs."""
    return sorted(
        ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
        key=lambda pair: _fold(pair[1]),
    )
