"""Documented schemas of the workflow's tidy parquet outputs.

Each schema names every column with its dtype, unit and meaning, and the key
that must be unique. :func:`tradeimbalance.parquet.write_frame` validates a
frame against its schema before writing it; ``docs/data_dictionary.md`` is
generated from these definitions (``python -m tradeimbalance.docs``), and a
test checks that it is up to date. The per-year input–output tables have
their own (wide) layout, documented in :mod:`tradeimbalance.io.iotable`.
"""

from __future__ import annotations

import pandera.pandas as pa

ISO3 = pa.Check.str_matches(r"^[A-Z]{3}$")


def _iso3(description: str) -> pa.Column:
    return pa.Column(str, ISO3, description=description)


def _year() -> pa.Column:
    return pa.Column("int64", pa.Check.in_range(1900, 2100), description="calendar year")


def _float(description: str, nullable: bool = False, checks: list[pa.Check] | None = None) -> pa.Column:
    return pa.Column("float64", checks or [], nullable=nullable, description=description)


# --------------------------------------------------------------- value added
VA_ABSORBED = pa.DataFrameSchema(
    {
        "release": pa.Column(str, description="input–output release the flows come from (a key of config io_releases, e.g. wiod2016, wiod2013, wiod2016_flows, wiod_longrun)"),
        "year": _year(),
        "exporter": _iso3("country whose value added it is (origin; ROW = rest of the world)"),
        "importer": _iso3("country in whose final demand the value added is absorbed"),
        "va_absorbed": _float("value added of `exporter` absorbed in `importer`'s final demand, V̂BY summed over sectors; millions of current USD"),
    },
    unique=["release", "year", "exporter", "importer"],
    strict=True,
    name="va_absorbed",
    description="Bilateral value added absorbed, one file per release and year (data/processed/va_absorbed/<release>/<year>.parquet).",
)

TBI = pa.DataFrameSchema(
    {
        "iso3": _iso3("WIOD region (ISO 3166-1 alpha-3; ROW = rest of the world)"),
        "year": _year(),
        "tbi": _float("Trade Benefit Index: numerator / denominator, in [−1, 1]", checks=[pa.Check.in_range(-1.0, 1.0)]),
        "numerator": _float("va_exports − va_imports; millions of current USD"),
        "denominator": _float("va_exports + va_imports; millions of current USD"),
        "va_exports": _float("Σ_{j≠i} VA_abs[i, j]: own value added absorbed abroad (value-added exports); millions of current USD"),
        "va_imports": _float("Σ_{j≠i} VA_abs[j, i]: foreign value added absorbed at home (value-added imports); millions of current USD"),
        "va_domestic": _float("VA_abs[i, i]: own value added absorbed at home; millions of current USD"),
        "release": pa.Column(str, description="input–output release (a key of config io_releases)"),
        "value_added": pa.Column(str, description="value-added definition: primary_inputs (x − Σ Z) or basic_prices (WIOD 2016 VA row)"),
    },
    unique=["iso3", "year"],
    strict=True,
    name="tbi",
    description="TBI per region and year (data/processed/tbi.parquet). Stable contract: iso3, year, tbi.",
)

KWW_TERMS_SCHEMA = pa.DataFrameSchema(
    {
        "release": pa.Column(str, description="input–output release"),
        "year": _year(),
        "iso3": _iso3("exporting region"),
        "gross_exports": _float("model-consistent gross exports Σ_{s≠r}(A_rs X_s + Y_rs), X = BY1; millions of current USD"),
        "gross_exports_table": _float("gross exports from the table's own flows Σ_{s≠r}(Z_rs 1 + Y_rs); equals gross_exports up to the table's rounding"),
        "DVA_FIN": _float("KWW term 1: domestic VA in final-goods exports"),
        "DVA_INT": _float("KWW term 2: domestic VA in intermediate exports absorbed by the direct importer"),
        "DVA_INTrex": _float("KWW term 3: domestic VA in intermediate exports re-exported to and absorbed in third countries"),
        "RDV_FIN": _float("KWW term 4: domestic VA returning home in final imports"),
        "RDV_INT": _float("KWW term 5: domestic VA returning home in intermediate imports"),
        "DDC": _float("KWW term 6: domestic double counting"),
        "FVA_FIN": _float("KWW term 7: foreign VA in final-goods exports"),
        "FVA_INT": _float("KWW term 8: foreign VA in intermediate exports"),
        "FDC": _float("KWW term 9: foreign double counting"),
        "dva": _float("domestic value added in gross exports = terms 1–5; millions of current USD"),
        "vax": _float("value-added exports = terms 1–3 (= va_exports of the TBI); millions of current USD"),
        "adding_up_gap": _float("gross_exports − Σ of the nine terms (0 up to float error)"),
    },
    unique=["release", "year", "iso3"],
    strict=True,
    name="kww_terms",
    description="KWW (2014) decomposition of gross exports, per release, year and region (data/processed/kww/<release>/<year>_terms.parquet).",
)

DVA_BILATERAL = pa.DataFrameSchema(
    {
        "release": pa.Column(str, description="input–output release"),
        "year": _year(),
        "exporter": _iso3("exporting region"),
        "importer": _iso3("importing region"),
        "dva": _float("source-based domestic value added of `exporter` in its gross exports to `importer`, V_r L_rr E_rs (0 where exporter = importer); millions of current USD"),
    },
    unique=["release", "year", "exporter", "importer"],
    strict=True,
    name="dva_bilateral",
    description="Bilateral DVA in gross exports (data/processed/kww/<release>/<year>_dva.parquet); sums over importers to KWW terms 1–5.",
)

TBI_DVA = pa.DataFrameSchema(
    {
        "iso3": _iso3("WIOD region"),
        "year": _year(),
        "tbi_dva": _float("DVA-based Trade Benefit Index: (dva_exports − dva_imports) / (dva_exports + dva_imports)", checks=[pa.Check.in_range(-1.0, 1.0)]),
        "numerator": _float("dva_exports − dva_imports; millions of current USD"),
        "denominator": _float("dva_exports + dva_imports; millions of current USD"),
        "dva_exports": _float("Σ_{j≠i} DVA_ij: own domestic value added in gross exports (KWW terms 1–5)"),
        "dva_imports": _float("Σ_{j≠i} DVA_ji: partners' domestic value added in their gross exports to i"),
        "release": pa.Column(str, description="input–output release"),
        "value_added": pa.Column(str, description="value-added definition"),
    },
    unique=["iso3", "year"],
    strict=True,
    name="tbi_dva",
    description="DVA-based TBI per region and year (data/processed/tbi_dva.parquet).",
)

IDENTITY_CHECKS = pa.DataFrameSchema(
    {
        "release": pa.Column(str, description="input–output release"),
        "year": _year(),
        "iso3": _iso3("region"),
        "va_total": _float("country's total value added Σ_{s∈i} va_s; millions of current USD"),
        "va_absorbed_row_sum": _float("Σ_j VA_abs[i, j]"),
        "va_rel_gap": _float("va_absorbed_row_sum / va_total − 1", nullable=True),
        "va_rounding_part": _float("−Σ_{s∈i} v_s (B r)_s with r = x − Z1 − F1 the table's row-balance residual: the part of the gap due to the table's rounding"),
        "va_rel_gap_net": _float("|va_absorbed_row_sum − va_total − va_rounding_part| / |va_total|: the origin gap left once the rounding is accounted for (0 up to float error)", nullable=True),
        "final_demand_total": _float("country's total final demand Σ_s Y[s, j]"),
        "va_absorbed_col_sum": _float("Σ_i VA_abs[i, j]"),
        "fd_rel_gap": _float("va_absorbed_col_sum / final_demand_total − 1", nullable=True),
        "fd_zero_output_part": _float("−Σ_z (BY)[z, j] over zero-output sectors z: the part of the final-demand gap due to sectors that record sales but no output (0 in a consistent table)"),
        "fd_rel_gap_net": _float("|va_absorbed_col_sum − final_demand_total − fd_zero_output_part| / |final_demand_total|: the destination gap left once zero-output sales are accounted for (0 up to float error)", nullable=True),
    },
    unique=["release", "year", "iso3"],
    strict=True,
    name="identity_checks",
    description="Accounting identities of VA_abs per release, year and region (data/processed/va_absorbed/<release>/<year>_checks.parquet).",
)

TBI_VARIANTS = pa.DataFrameSchema(
    {
        "release": pa.Column(str, description="input–output release"),
        "year": _year(),
        "iso3": _iso3("WIOD region"),
        "variant": pa.Column(
            str,
            pa.Check.isin(["baseline", "no_row_partner", "fd_without_inventories", "va_basic_prices"]),
            description="TBI construction: baseline | no_row_partner (flows with ROW excluded) | fd_without_inventories | va_basic_prices (WIOD 2016 VA row)",
        ),
        "tbi": _float("TBI under this variant", checks=[pa.Check.in_range(-1.0, 1.0)]),
    },
    unique=["release", "year", "iso3", "variant"],
    strict=True,
    name="tbi_variants",
    description="Alternative TBI constructions per release and year (data/processed/va_absorbed/<release>/<year>_variants.parquet), compared with Table 1 in results/reports/table1_variants.md.",
)

CONTROL_DESCRIPTIONS = {
    "RQ": "regulatory quality, WGI estimate (about −2.5 to 2.5); 2001 linearly interpolated (controls.RQ.fill = linear)",
    "lnEXR": "ln exchange rate against the USD (PWT xr, national currency per USD)",
    "TFP": "TFP level at current PPPs, USA = 1 (PWT ctfp)",
    "INFR": "consumer-price inflation, % per year (WDI FP.CPI.TOTL.ZG)",
    "lnCK": "ln capital stock at current PPPs, mil. 2011 USD (PWT cn)",
    "lnGDP": "ln real GDP at constant national prices, mil. 2011 USD (PWT rgdpna)",
    "lnPOP": "ln population, millions (PWT pop)",
}


def panel_schema(outcomes: list[str], controls: list[str]) -> pa.DataFrameSchema:
    """Schema of the estimation panel for the configured outcomes and controls (``data/processed/panel.parquet``)."""
    cols: dict[str, pa.Column] = {
        "iso3": _iso3("country"),
        "year": _year(),
        "group": pa.Column(str, pa.Check.isin(["developed", "developing"]), description="developed | developing (config sample.developed)"),
        "TBI": _float("Trade Benefit Index (data/processed/tbi.parquet)", checks=[pa.Check.in_range(-1.0, 1.0)]),
        "TBI_DVA": _float("DVA-based TBI (data/processed/tbi_dva.parquet); missing for a release that cannot give it (a flows release)", checks=[pa.Check.in_range(-1.0, 1.0)], nullable=True),
        "L_TBI": _float("TBI of the previous period of the release (the 2SLS instrument): the previous year, or the previous benchmark year for a release of benchmark years; missing when that period was not computed", nullable=True),
    }
    for o in outcomes:
        cols[o] = _float(f"KOF Globalisation Index {o}, 0–100 (config kof_vintage)")
    for c in controls:
        cols[c] = _float(CONTROL_DESCRIPTIONS.get(c, f"control {c} (config controls.{c})"))
    cols["filled"] = pa.Column(str, description="controls interpolated in this row (';'-separated; empty if none)")
    return pa.DataFrameSchema(cols, unique=["iso3", "year"], strict=True, name="panel", description="Estimation panel, one row per retained country-year (data/processed/panel.parquet).")


PANEL = panel_schema(["KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"], list(CONTROL_DESCRIPTIONS))

SAMPLE_EXCLUSIONS = pa.DataFrameSchema(
    {
        "iso3": _iso3("candidate country"),
        "year": _year(),
        "reasons": pa.Column(str, description="every reason the country-year is not in the panel, ' | '-separated: excluded_country: <config reason>, no_tbi: …, no_tbi_dva: …, missing_<variable>"),
    },
    unique=["iso3", "year"],
    strict=True,
    name="sample_exclusions",
    description="Country-years of the candidate grid (config countries × first_year–last_year) left out of the panel, and why (data/processed/sample_exclusions.parquet).",
)

#: Every tidy schema, for the data dictionary.
ALL_SCHEMAS: list[pa.DataFrameSchema] = [VA_ABSORBED, IDENTITY_CHECKS, TBI, TBI_VARIANTS, KWW_TERMS_SCHEMA, DVA_BILATERAL, TBI_DVA, PANEL, SAMPLE_EXCLUSIONS]


def curve_estimates_schema(dimensions: list[str]) -> pa.DataFrameSchema:
    """Schema of the specification curve's estimates (``data/processed/specification_curve_estimates.parquet``): one row
    per distinct regression, the curve's ``dimensions`` first (``n/a`` where a choice cannot matter), in the curve's order.
    It does not depend on the configured KOF vintage: ``results/specification_curve.csv`` adds the configured marks."""
    cols: dict[str, pa.Column] = {d: pa.Column(str, description=f"the choice of dimension {d} (config specification_curve.dimensions)") for d in dimensions}
    cols.update({
        "stands_for": pa.Column(str, description="the grid's choices this regression stands for (the same estimation sample), '; '-separated"),
        "merged": pa.Column("int64", pa.Check.ge(1), description="how many grid specifications it counts for (1 + those merged into it)"),
        "coef": _float("TBI coefficient, two-way FE, country-clustered (nan: a rank-deficient design)", nullable=True),
        "se": _float("its clustered standard error", nullable=True),
        "pvalue": _float("two-sided p-value, Student t with G − 1 degrees of freedom", nullable=True),
        "ci_low": _float("95 % confidence interval, lower bound", nullable=True),
        "ci_high": _float("95 % confidence interval, upper bound", nullable=True),
        "nobs": pa.Column("int64", description="country-years"),
        "nclusters": pa.Column("int64", description="countries (clusters)"),
        "years": pa.Column(str, description="the release's sample years, e.g. 2000–2014"),
    })  # fmt: skip
    return pa.DataFrameSchema(
        cols, strict=True, name="specification_curve_estimates",
        description="The specification curve's estimates, one row per distinct regression (data/processed/specification_curve_estimates.parquet).",
    )  # fmt: skip
