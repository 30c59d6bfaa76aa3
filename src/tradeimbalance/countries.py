"""Country codes: recoding the legacy codes used by the raw sources to ISO 3166-1 alpha-3.

The World Bank (WGI, WDI), KOF and the WIOD 2013 release still use some
pre-standard codes (Romania is ``ROM``, not ``ROU``). Every reader passes its
codes through :func:`classify_code`, which returns the ISO3 code and the kind
of entity, and raises on a code it does not know, so that a new vintage with a
new non-standard code stops the workflow instead of silently losing a country.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pycountry

#: Legacy or source-specific codes and their ISO 3166-1 alpha-3 equivalents.
LEGACY_TO_ISO3: dict[str, str] = {
    "ROM": "ROU",  # Romania (KOF, WGI, WIOD 2013)
    "ADO": "AND",  # Andorra (KOF, WGI)
    "TMP": "TLS",  # Timor-Leste (KOF, WGI)
    "WBG": "PSE",  # West Bank and Gaza (KOF, WGI)
    "ZAR": "COD",  # Congo, Dem. Rep. (KOF, WGI)
    "IMY": "IMN",  # Isle of Man (KOF 2018)
    "KSV": "XKX",  # Kosovo (WGI); XKX is the user-assigned code used by the World Bank
}

#: Codes for entities that have no ISO 3166-1 code but are real territories.
TERRITORIES: dict[str, str] = {
    "XKX": "Kosovo",
    "CHI": "Channel Islands",
}

#: World Bank regional and income aggregates (KOF and WDI carry them as rows).
WORLD_BANK_AGGREGATES: frozenset[str] = frozenset(
    """AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB
    IDX INX LAC LCN LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA
    SSF SST TEA TEC TLA TMN TSA TSS UMC WLD""".split()
)

#: The rest-of-the-world region of the world input-output tables.
REST_OF_WORLD = "ROW"

#: Codes the WIOD releases use for regions, mapped to the codes used here.
WIOD_TO_ISO3: dict[str, str] = {"ROM": "ROU", "RoW": REST_OF_WORLD, "ROW": REST_OF_WORLD, "xROW": REST_OF_WORLD}

Kind = Literal["country", "historic", "territory", "aggregate"]


@dataclass(frozen=True)
class CodeInfo:
    """The standardised code of one entity and what kind of entity it is."""

    iso3: str
    kind: Kind


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _historic_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.historic_countries)


def classify_code(code: str) -> CodeInfo | None:
    """Standardise a source's country code.

    Returns ``None`` for a code that is neither ISO 3166-1, a known legacy
    code, a known territory nor a World Bank aggregate; callers turn that into
    an :class:`~tradeimbalance.errors.InputError` naming the file and row.
    """
    code = code.strip()
    iso3 = LEGACY_TO_ISO3.get(code, code)
    if iso3 in _iso3_codes():
        return CodeInfo(iso3, "country")
    if iso3 in TERRITORIES:
        return CodeInfo(iso3, "territory")
    if iso3 in WORLD_BANK_AGGREGATES:
        return CodeInfo(iso3, "aggregate")
    if iso3 in _historic_codes():
        return CodeInfo(iso3, "historic")
    return None


def wiod_region_code(code: str) -> str:
    """Standardise a WIOD region code (``ROM`` → ``ROU``, ``RoW`` → ``ROW``)."""
    code = code.strip()
    return WIOD_TO_ISO3.get(code, code)
