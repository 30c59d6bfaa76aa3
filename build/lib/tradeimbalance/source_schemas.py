"""Documented schemas of the frames the tabular-source readers return.

One schema per reader in :mod:`tradeimbalance.readers` (KOF, PWT, WGI, WDI)
and one for the KOF coverage report: every column with its dtype, unit and
meaning, and the key that must be unique. The readers' tests validate their
output against these; they follow the style of :mod:`tradeimbalance.schemas`.
"""

from __future__ import annotations

from typing import get_args

import pandera.pandas as pa

from .countries import Kind
from .schemas import _float, _iso3, _year

KINDS: list[str] = list(get_args(Kind))


def _kind() -> pa.Column:
    return pa.Column(
        str,
        pa.Check.isin(KINDS),
        description="entity kind from countries.classify_code: country (ISO 3166-1), historic (former country, e.g. ANT), "
        "territory (no ISO code: XKX Kosovo, CHI Channel Islands) or aggregate (World Bank region or income group)",
    )


def _text(description: str, nullable: bool = False, required: bool = True) -> pa.Column:
    return pa.Column(str, nullable=nullable, required=required, description=description)


# ---------------------------------------------------------------------- KOF
#: Dimensions of the KOF index (column infix) and their meaning.
_KOF_DIMENSIONS: dict[str, str] = {
    "": "overall globalisation",
    "Ec": "economic globalisation",
    "Tr": "trade globalisation",
    "Fi": "financial globalisation",
    "So": "social globalisation",
    "Ip": "interpersonal globalisation",
    "In": "informational globalisation",
    "Cu": "cultural globalisation",
    "Po": "political globalisation",
}
_KOF_PARTS: dict[str, str] = {"": "combined de facto and de jure", "df": "de facto", "dj": "de jure"}
#: KOF values may exceed 100 by float rounding (100.00002 in the 2019 file).
_KOF_RANGE = pa.Check.in_range(0.0, 100.001)


def _kof_columns() -> dict[str, pa.Column]:
    return {
        f"KOF{dim}GI{part}": _float(
            f"KOF Globalisation Index, {what}, {how}; index on KOF's 1–100 scale (higher = more globalised); "
            "NaN where the vintage does not publish the column or the country-year",
            nullable=True,
            checks=[_KOF_RANGE],
        )
        for dim, what in _KOF_DIMENSIONS.items()
        for part, how in _KOF_PARTS.items()
    }


KOF_PANEL = pa.DataFrameSchema(
    {
        "iso3": _iso3("standardised code (ISO 3166-1 alpha-3; legacy codes such as ROM recoded; World Bank aggregate codes)"),
        "kind": _kind(),
        "country": _text("country or aggregate name as written in the file"),
        "year": _year(),
        "vintage": _text("KOF release the row comes from, as given to read_kof (e.g. 2018, 2018_2, 2019 … 2025)"),
        **_kof_columns(),
    },
    unique=["vintage", "iso3", "year"],
    strict=True,
    name="kof_panel",
    description="KOF Globalisation Index (Gygli et al. 2019), one row per vintage, country and year (tradeimbalance.readers.kof.read_kof).",
)

KOF_COVERAGE = pa.DataFrameSchema(
    {
        "vintage": _text("KOF release"),
        "iso3": _iso3("requested country (ISO 3166-1 alpha-3)"),
        "n_years_expected": pa.Column("int64", pa.Check.ge(1), description="number of years requested (last_year − first_year + 1); count"),
        "n_years_complete": pa.Column(
            "int64", pa.Check.ge(0), description="years in the requested span with every required KOF column non-missing; count"
        ),
        "missing_years": _text("years of the span that are not complete, as ranges (e.g. '2000-2014', '2000, 2003-2005'); '' when none"),
        "status": pa.Column(
            str,
            pa.Check.isin(["complete", "partial", "absent"]),
            description="complete (all years complete), partial (some) or absent (none: empty rows or no rows)",
        ),
    },
    checks=[pa.Check(lambda df: df["n_years_complete"] <= df["n_years_expected"], name="complete_le_expected")],
    unique=["vintage", "iso3"],
    strict=True,
    name="kof_coverage",
    description="Coverage of the requested countries by each KOF vintage over a span of years (tradeimbalance.readers.kof.kof_coverage).",
)

# ---------------------------------------------------------------------- PWT
_USD = "millions of 2011 US dollars"
#: PWT 9.1 numeric variables and their definitions (PWT 9.1 user guide).
PWT_NUMERIC: dict[str, str] = {
    "rgdpe": f"expenditure-side real GDP at chained PPPs; {_USD}",
    "rgdpo": f"output-side real GDP at chained PPPs; {_USD}",
    "pop": "population; millions",
    "emp": "number of persons engaged; millions",
    "avh": "average annual hours worked by persons engaged; hours",
    "hc": "human capital index, based on years of schooling and returns to education; index",
    "ccon": f"real consumption of households and government at current PPPs; {_USD}",
    "cda": f"real domestic absorption (consumption plus investment) at current PPPs; {_USD}",
    "cgdpe": f"expenditure-side real GDP at current PPPs; {_USD}",
    "cgdpo": f"output-side real GDP at current PPPs; {_USD}",
    "cn": f"capital stock at current PPPs; {_USD}",
    "ck": "capital services levels at current PPPs; index, USA = 1",
    "ctfp": "TFP level at current PPPs; index, USA = 1",
    "cwtfp": "welfare-relevant TFP level at current PPPs; index, USA = 1",
    "rgdpna": f"real GDP at constant 2011 national prices; {_USD}",
    "rconna": f"real consumption at constant 2011 national prices; {_USD}",
    "rdana": f"real domestic absorption at constant 2011 national prices; {_USD}",
    "rnna": f"capital stock at constant 2011 national prices; {_USD}",
    "rkna": "capital services at constant 2011 national prices; index, 2011 = 1",
    "rtfpna": "TFP at constant national prices; index, 2011 = 1",
    "rwtfpna": "welfare-relevant TFP at constant national prices; index, 2011 = 1",
    "labsh": "share of labour compensation in GDP at current national prices; fraction",
    "irr": "real internal rate of return; fraction per year",
    "delta": "average depreciation rate of the capital stock; fraction per year",
    "xr": "exchange rate, market or estimated; national currency units per US dollar",
    "pl_con": "price level of ccon (PPP / exchange rate); price level of USA GDPo in 2011 = 1",
    "pl_da": "price level of cda (PPP / exchange rate); price level of USA GDPo in 2011 = 1",
    "pl_gdpo": "price level of cgdpo (PPP / exchange rate); price level of USA GDPo in 2011 = 1",
    "cor_exp": "correlation between the expenditure shares of the country and the USA (benchmark observations only); correlation",
    "statcap": "statistical capacity indicator (World Bank; developing countries only); score 0–100",
    "csh_c": "share of household consumption in cgdpo at current PPPs; fraction",
    "csh_i": "share of gross capital formation in cgdpo at current PPPs; fraction",
    "csh_g": "share of government consumption in cgdpo at current PPPs; fraction",
    "csh_x": "share of merchandise exports in cgdpo at current PPPs; fraction",
    "csh_m": "share of merchandise imports in cgdpo at current PPPs; fraction (negative)",
    "csh_r": "share of residual trade and GDP statistical discrepancy in cgdpo at current PPPs; fraction",
    "pl_c": "price level of household consumption; price level of USA GDPo in 2011 = 1",
    "pl_i": "price level of capital formation; price level of USA GDPo in 2011 = 1",
    "pl_g": "price level of government consumption; price level of USA GDPo in 2011 = 1",
    "pl_x": "price level of exports; price level of USA GDPo in 2011 = 1",
    "pl_m": "price level of imports; price level of USA GDPo in 2011 = 1",
    "pl_n": "price level of the capital stock; price level of USA in 2011 = 1",
    "pl_k": "price level of the capital services; price level of USA = 1",
}
#: PWT 9.1 indicator variables (kept as their value labels).
PWT_FLAGS: dict[str, str] = {
    "i_cig": "whether relative prices of consumption, investment and government are Extrapolated, Benchmark or Interpolated; label",
    "i_xm": "whether relative prices of exports and imports are Extrapolated, Benchmark or Interpolated; label",
    "i_xr": "whether the exchange rate is Market-based or Estimated; label",
    "i_outlier": "whether the observation on pl_gdpe or pl_gdpo is Regular or an Outlier; label",
    "i_irr": "whether irr is Regular, biased by a Low capital share, at its Lower bound or an Outlier; label",
}
#: Variables the paper's controls may use (read_pwt requires them).
_PWT_CONTROLS = frozenset({"rgdpna", "rgdpo", "cgdpo", "pop", "ck", "rnna", "cn", "ctfp", "rtfpna", "xr", "pl_con", "pl_gdpo"})


def _pwt_number(name: str, description: str) -> pa.Column:
    """A PWT numeric variable: required when the paper's controls may use it, missing values allowed."""
    return pa.Column("float64", nullable=True, required=name in _PWT_CONTROLS, description=description)


PWT = pa.DataFrameSchema(
    {
        "iso3": _iso3("country (ISO 3166-1 alpha-3)"),
        "country": _text("country name as in the file"),
        "currency_unit": _text("national currency of the country"),
        "year": _year(),
        **{name: _pwt_number(name, d) for name, d in PWT_NUMERIC.items()},
        **{name: _text(d, nullable=True, required=False) for name, d in PWT_FLAGS.items()},
    },
    unique=["iso3", "year"],
    strict=True,
    name="pwt",
    description="Penn World Table 9.1 (Feenstra, Inklaar & Timmer 2015), one row per country and year (tradeimbalance.readers.pwt.read_pwt).",
)

# ---------------------------------------------------------------------- WGI
def _percentile(description: str) -> pa.Column:
    return _float(description, nullable=True, checks=[pa.Check.in_range(0, 100)])


WGI = pa.DataFrameSchema(
    {
        "iso3": _iso3("standardised code (ISO 3166-1 alpha-3; ROM→ROU, ZAR→COD, KSV→XKX …)"),
        "kind": _kind(),
        "country": _text("country or territory name as in the file"),
        "indicator": pa.Column(
            str,
            pa.Check.isin(["VA", "PV", "GE", "RQ", "RL", "CC"]),
            description="VA voice and accountability, PV political stability and absence of violence/terrorism, "
            "GE government effectiveness, RQ regulatory quality, RL rule of law, CC control of corruption",
        ),
        "year": _year(),
        "estimate": _float(
            "estimate of governance; units of a standard normal distribution, about −2.5 (weak) to 2.5 (strong)", nullable=True
        ),
        "stderr": _float("standard error of the estimate; same units as estimate", nullable=True, checks=[pa.Check.ge(0)]),
        "num_sources": _float("number of data sources the estimate is based on; count", nullable=True, checks=[pa.Check.ge(0)]),
        "rank": _percentile("percentile rank among all countries; 0 (lowest) to 100 (highest)"),
        "rank_lower": _percentile("lower bound of the 90% confidence interval for governance; percentile rank, 0–100"),
        "rank_upper": _percentile("upper bound of the 90% confidence interval for governance; percentile rank, 0–100"),
    },
    unique=["indicator", "iso3", "year"],
    strict=True,
    name="wgi",
    description="Worldwide Governance Indicators (2023 update), one row per indicator, country and published year "
    "(1996, 1998, 2000, 2002–2022; no 1997, 1999, 2001) (tradeimbalance.readers.wgi.read_wgi).",
)

# ---------------------------------------------------------------------- WDI
WDI = pa.DataFrameSchema(
    {
        "iso3": _iso3("economy code (ISO 3166-1 alpha-3, XKX, CHI, or a World Bank aggregate code)"),
        "kind": _kind(),
        "country": _text("economy or aggregate name as in the file"),
        "year": _year(),
        "value": _float(
            "value of the indicator in the indicator's own unit (FP.CPI.TOTL.ZG: consumer-price inflation, percent per year); NaN where missing",
            nullable=True,
        ),
        "indicator": _text("World Bank indicator code (e.g. FP.CPI.TOTL.ZG)"),
    },
    unique=["indicator", "iso3", "year"],
    strict=True,
    name="wdi",
    description="One World Development Indicators series, one row per economy and year (tradeimbalance.readers.wdi.read_wdi).",
)

#: Every schema of this module, for the data dictionary.
SOURCE_SCHEMAS: list[pa.DataFrameSchema] = [KOF_PANEL, KOF_COVERAGE, PWT, WGI, WDI]

__all__ = ["KOF_COVERAGE", "KOF_PANEL", "PWT", "SOURCE_SCHEMAS", "WDI", "WGI"]
