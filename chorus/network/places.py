"""Countries and their names in the five languages, and which region of the network each is in.

Country codes and translated names come from pycountry (ISO 3166-1 and the iso-codes
translations). The regional grouping follows the UN M49 geoscheme, adjusted to the network's five
regions: Central Asia, the Caucasus, Cyprus and Turkey belong to Europe (as the network's region
"Europe, including Eastern Europe and Central Asia" does); the rest of Western Asia and Oceania to
Asia and the Pacific; Belize, Guyana and Suriname to the Caribbean, as the Caribbean Sex Work
Coalition counts them. Antarctica has no region and is left out.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils import translation

from chorus.core.models import Region

REGION_COUNTRIES: dict[str, str] = {
    Region.AFRICA: (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY "
        "MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW "
        "IO TF"
    ),
    Region.ASIA_PACIFIC: (
        "AF BD BT IN MV NP PK LK IR CN HK MO JP KP KR MN TW BN KH ID LA MY MM PH SG TH TL VN "
        "BH IQ IL JO KW LB OM PS QA SA SY AE YE "
        "AU NZ FJ PG SB VU NC PF WS TO KI FM MH NR PW TV CK NU TK WF AS GU MP PN NF CX CC HM UM"
    ),
    Region.EUROPE: (
        "AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE LV LI LT LU "
        "MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB AX "
        "KZ KG TJ TM UZ AM AZ GE CY TR"
    ),
    Region.LATIN_AMERICA: ("MX GT SV HN NI CR PA AR BO BR CL CO EC FK GF PY PE UY VE GS BV"),
    Region.NORTH_AMERICA_CARIBBEAN: (
        "US CA BM GL PM AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC "
        "SX TT TC VI BZ GY SR"
    ),
}

# Django language code -> iso-codes catalogue language.
_ISO_CODES_LANGUAGE = {"fr": "fr", "es": "es", "ru": "ru", "zh-hans": "zh_CN"}


@lru_cache(maxsize=1)
def region_of_country() -> dict[str, str]:
    mapping = {}
    for region, codes in REGION_COUNTRIES.items():
        for code in codes.split():
            mapping[code] = str(region)
    return mapping


@lru_cache(maxsize=8)
def _catalogue(language: str):
    iso_language = _ISO_CODES_LANGUAGE.get(language)
    if not iso_language:
        return gettext.NullTranslations()
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[iso_language], fallback=True
    )


@lru_cache(maxsize=2048)
def _name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    translated = _catalogue(language).gettext(country.name)
    return english if language == "en" or translated == country.name else translated


def country_name(code: str, language: str | None = None) -> str:
    """Return the country's name in the given (or the active) language."""
    return _name(code, language or translation.get_language() or "en")


def lookup_country(text: str) -> str | None:
    """Return the ISO code for a code or an English name, or None when nothing matches."""
    text = text.strip()
    if not text:
        return None
    if len(text) == 2 and text.upper() in region_of_country():
        return text.upper()
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return country.alpha_2 if country.alpha_2 in region_of_country() else None
