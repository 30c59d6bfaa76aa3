"""Assembling the country-year estimation panel: TBI, KOF outcomes and controls.

The panel is built on the grid *candidate countries × sample years* (config
``countries`` × ``first_year``–``last_year``). A country-year enters the panel
only when every variable the paper's regressions use is present; every other
cell of the grid is written to the exclusion log with all its reasons, so that
nothing leaves the sample silently:

* ``excluded_country``: the configuration leaves the country out (the reason
  given in ``sample.excluded_countries`` is copied);
* ``no_tbi``: the input–output release does not cover the country or the year
  (e.g. WIOD 2013 has no CHE, HRV, NOR and ends in 2011);
* ``missing_<variable>``: the outcome or control is missing in its source.

Controls are configured as ``name → {source, variable, transform, fill}``
(:class:`ControlSpec`). The sources are the tidy tables of the readers: PWT
columns, WGI indicators (the ``estimate`` field) and WDI indicators. A control
with ``fill: linear`` has the interior gaps of its source series filled by
linear interpolation between the neighbouring published years (WGI was
biennial before 2002: no 1997, 1999, 2001); the filled cells are flagged in
the panel and counted in the log. Other controls are never filled: a missing
value excludes the country-year, with the reason logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..release import previous_years

log = logging.getLogger(__name__)

SOURCES = ("pwt", "wgi", "wdi")
TRANSFORMS = ("none", "log")
GAP_RULES = ("linear", "none")
#: Order of the controls in the paper's tables.
PAPER_CONTROL_ORDER = ("RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP")


@dataclass(frozen=True)
class ControlSpec:
    """Where a control variable comes from and how it is transformed."""

    name: str
    source: str
    variable: str
    transform: str = "none"
    fill: str = "none"  # interior-gap rule: none | linear

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"control {self.name}: source {self.source!r} is not one of {SOURCES}")
        if self.transform not in TRANSFORMS:
            raise ValueError(f"control {self.name}: transform {self.transform!r} is not one of {TRANSFORMS}")
        if self.fill not in GAP_RULES:
            raise ValueError(f"control {self.name}: fill {self.fill!r} is not one of {GAP_RULES}")

    @classmethod
    def from_config(cls, controls: Mapping[str, Mapping[str, str]]) -> list[ControlSpec]:
        """Build the specs from the ``controls`` mapping of the workflow configuration."""
        specs = []
        for name, spec in controls.items():
            missing = {"source", "variable"} - set(spec)
            if missing:
                raise ValueError(f"config controls.{name}: missing key(s) {sorted(missing)}")
            specs.append(cls(name, spec["source"], spec["variable"], spec.get("transform", "none"), spec.get("fill", "none")))
        return specs


def source_series(sources: Mapping[str, pd.DataFrame], spec: ControlSpec) -> pd.Series:
    """The raw series of one control: float values indexed by (iso3, year), every year the source has."""
    frame = sources[spec.source]
    if spec.source == "pwt":
        if spec.variable not in frame.columns:
            raise ValueError(f"control {spec.name}: PWT has no column {spec.variable!r}")
        series = frame.set_index(["iso3", "year"])[spec.variable]
    else:
        field = "estimate" if spec.source == "wgi" else "value"
        rows = frame[frame["indicator"] == spec.variable]
        if rows.empty:
            raise ValueError(f"control {spec.name}: {spec.source.upper()} has no indicator {spec.variable!r} (it has {sorted(frame['indicator'].unique())})")
        series = rows.set_index(["iso3", "year"])[field]
    return series.astype("float64").sort_index()


def fill_interior_gaps(series: pd.Series, first_year: int, last_year: int, rule: str) -> tuple[pd.Series, pd.Series]:
    """Put a (iso3, year) series on the full year grid and fill interior gaps.

    Returns the series on every year ``first_year``–``last_year`` for each
    country in it, and a boolean series marking the filled cells. With
    ``rule="linear"`` a missing year lying between two published years of the
    same country is linearly interpolated between them (the neighbours may lie
    outside the sample years); leading and trailing gaps stay missing.
    """
    if rule not in GAP_RULES:
        raise ValueError(f"fill={rule!r}: expected one of {GAP_RULES}")
    wide = series.unstack("year")
    all_years = range(min(int(wide.columns.min()), first_year), max(int(wide.columns.max()), last_year) + 1)
    wide = wide.reindex(columns=list(all_years))
    filled = wide.interpolate(axis=1, method="index", limit_area="inside") if rule == "linear" else wide
    flags = wide.isna() & filled.notna()
    keep = list(range(first_year, last_year + 1))
    out = filled[keep].stack(future_stack=True).rename(series.name)
    return out, flags[keep].stack(future_stack=True)


def control_values(sources: Mapping[str, pd.DataFrame], spec: ControlSpec, first_year: int, last_year: int, countries: Sequence[str]) -> pd.DataFrame:
    """One control for ``countries`` on the sample years: columns iso3, year, <name>, <name>_filled."""
    raw = source_series(sources, spec)
    raw = raw[raw.index.get_level_values("iso3").isin(list(countries))]
    values, flags = fill_interior_gaps(raw, first_year, last_year, spec.fill)
    if spec.transform == "log":
        bad = values[values <= 0]
        if len(bad):
            (iso3, year), value = next(iter(bad.items()))
            raise ValueError(f"control {spec.name} = log({spec.source}.{spec.variable}): non-positive value {value} for {iso3} {year}")
        values = np.log(values)
    out = pd.DataFrame({spec.name: values, f"{spec.name}_filled": flags}).reset_index()
    return out.rename(columns={"level_0": "iso3", "level_1": "year"})


def assemble_panel(
    tbi: pd.DataFrame,
    tbi_dva: pd.DataFrame,
    kof: pd.DataFrame,
    sources: Mapping[str, pd.DataFrame],
    *,
    countries: Sequence[str],
    first_year: int,
    last_year: int,
    kof_vintage: str,
    outcomes: Sequence[str],
    controls: Sequence[ControlSpec],
    excluded_countries: Mapping[str, str],
    developed: Sequence[str],
    control_cache: dict[tuple[object, ...], pd.DataFrame] | None = None,
    years: Sequence[int] | None = None,
    periods: Sequence[int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the estimation panel and the log of excluded country-years.

    Parameters
    ----------
    tbi, tbi_dva:
        The TBI and DVA-based TBI panels (``iso3``, ``year``, ``tbi`` / ``tbi_dva``). ``tbi_dva`` is ``None`` for a
        release that cannot give it (a flows release): ``TBI_DVA`` is then missing and excludes no country-year.
    kof:
        The long KOF panel of all vintages; the rows of ``kof_vintage`` are used.
    sources:
        Tidy source tables keyed ``pwt``, ``wgi``, ``wdi``.
    countries, first_year, last_year:
        The candidate grid.
    outcomes:
        KOF columns used as dependent variables.
    controls:
        Control specifications, in table order.
    excluded_countries:
        Countries left out by configuration → reason.
    developed:
        Developed countries; every other sample country is ``developing``.
    years:
        The sample years (default every year ``first_year``–``last_year``): a release of benchmark years
        (e.g. 2002, 2005, …) has its panel on those years only.
    periods:
        The release's time axis (every year it covers; :attr:`tradeimbalance.release.Release.years`): ``L_TBI`` is the
        TBI of the previous one of these years (the previous benchmark year for a release of benchmark years). Default:
        the previous calendar year.
    control_cache:
        Optional dict in which each control's series (:func:`control_values`) is kept, keyed by its
        specification and the grid, for callers that assemble many panels from the same sources.

    Returns
    -------
    panel, exclusions
        ``panel``: one row per retained country-year with ``iso3, year, group,
        TBI, TBI_DVA, L_TBI`` (TBI of the previous period, missing when that period
        was not computed), the outcomes, the controls and ``filled`` (names of
        the controls interpolated in that row, ``;``-separated).
        ``exclusions``: ``iso3, year, reasons`` for every other cell of the grid.
    """
    unknown = sorted(set(excluded_countries) - set(countries))
    if unknown:
        raise ValueError(f"sample.excluded_countries {unknown} are not among the candidate countries")
    unknown = sorted(set(developed) - set(countries))
    if unknown:
        raise ValueError(f"sample.developed {unknown} are not among the candidate countries")
    if kof_vintage not in set(kof["vintage"].unique()):
        raise ValueError(f"kof_vintage={kof_vintage!r} is not in the KOF panel (vintages: {sorted(kof['vintage'].unique())})")
    years = list(years) if years is not None else list(range(first_year, last_year + 1))
    grid = pd.MultiIndex.from_product([list(countries), years], names=["iso3", "year"]).to_frame(index=False)

    t = tbi.set_index(["iso3", "year"])["tbi"]
    lag = t.copy()
    if periods is None:
        lag.index = lag.index.set_levels(lag.index.levels[1] + 1, level="year")
    else:  # the TBI of period p is the lag of the next period of the axis
        following = {b: a for a, b in previous_years(periods).items()}
        lag = lag[lag.index.get_level_values("year").isin(list(following))]
        lag.index = pd.MultiIndex.from_arrays([lag.index.get_level_values("iso3"), lag.index.get_level_values("year").map(following)], names=["iso3", "year"])
    grid = grid.join(t.rename("TBI"), on=["iso3", "year"])
    if tbi_dva is None:
        grid["TBI_DVA"] = np.nan
    else:
        grid = grid.join(tbi_dva.set_index(["iso3", "year"])["tbi_dva"].rename("TBI_DVA"), on=["iso3", "year"])
    grid = grid.join(lag.rename("L_TBI"), on=["iso3", "year"])
    k = kof[kof["vintage"] == kof_vintage].set_index(["iso3", "year"])[list(outcomes)]
    grid = grid.join(k, on=["iso3", "year"])
    names = [c.name for c in controls]
    if control_cache is None:
        control_cache = {}
    # All controls on the grid in one frame (each control's series computed once, the set joined once), kept in
    # the cache for the next panel with the same controls and grid.
    grid_key = ("all_controls", tuple(controls), first_year, last_year, tuple(countries), tuple(years))
    if grid_key not in control_cache:
        on_grid = grid[["iso3", "year"]].copy()
        for spec in controls:
            key = (spec, first_year, last_year, tuple(countries))
            if key not in control_cache:
                control_cache[key] = control_values(sources, spec, first_year, last_year, countries)
            on_grid = on_grid.merge(control_cache[key], on=["iso3", "year"], how="left")
            on_grid[f"{spec.name}_filled"] = on_grid[f"{spec.name}_filled"].fillna(False).astype(bool)
        control_cache[grid_key] = on_grid
    joined = control_cache[grid_key]
    if len(joined) != len(grid) or not (joined["iso3"].to_numpy() == grid["iso3"].to_numpy()).all() or not (joined["year"].to_numpy() == grid["year"].to_numpy()).all():
        raise AssertionError("control grid out of step with the panel grid")  # both are countries × years in the same order
    grid = pd.concat([grid, joined.drop(columns=["iso3", "year"]).set_index(grid.index)], axis=1)

    # Each country-year's reasons to be left out, in this order: the configured exclusion, the TBI, the DVA-based TBI,
    # then each outcome and control that is missing. One column of texts per reason ("" where it does not apply).
    io_regions, io_years = set(tbi["iso3"]), set(tbi["year"])
    iso3 = grid["iso3"].to_numpy(dtype=object)
    no_tbi = grid["TBI"].isna().to_numpy()
    parts = [
        np.array([f"excluded_country: {excluded_countries[c]}" if c in excluded_countries else "" for c in iso3], dtype=object),
        np.where(
            no_tbi,
            np.where(~grid["iso3"].isin(list(io_regions)).to_numpy(), "no_tbi: country not in the input–output release",
                     np.where(~grid["year"].isin(list(io_years)).to_numpy(), "no_tbi: year not covered by the input–output release", "no_tbi: TBI missing")),
            "",
        ).astype(object),
        np.where(grid["TBI_DVA"].isna().to_numpy() & ~no_tbi, "no_tbi_dva: DVA-based TBI missing", "").astype(object) if tbi_dva is not None else None,
        *[np.where(grid[col].isna().to_numpy(), f"missing_{col}", "").astype(object) for col in [*outcomes, *names]],
    ]  # fmt: skip
    grid["reasons"] = [" | ".join(r for r in row if r) for row in zip(*(p for p in parts if p is not None))]
    excluded = grid["reasons"] != ""
    exclusions = grid.loc[excluded, ["iso3", "year", "reasons"]].reset_index(drop=True)

    panel = grid.loc[~excluded].copy()
    panel["group"] = np.where(panel["iso3"].isin(developed), "developed", "developing")
    flag_cols = [f"{n}_filled" for n in names]
    panel["filled"] = [";".join(n for n, f in zip(names, flags) if f) for flags in zip(*(panel[c].to_numpy(dtype=bool) for c in flag_cols))] if names else ""
    panel = panel[["iso3", "year", "group", "TBI", "TBI_DVA", "L_TBI", *outcomes, *names, "filled"]]
    panel = panel.sort_values(["iso3", "year"]).reset_index(drop=True)
    log.info(
        "panel: %d country-years, %d countries (%d developed, %d developing), years %s–%s; %d country-years excluded",
        len(panel),
        panel["iso3"].nunique(),
        panel.loc[panel["group"] == "developed", "iso3"].nunique(),
        panel.loc[panel["group"] == "developing", "iso3"].nunique(),
        panel["year"].min(),
        panel["year"].max(),
        len(exclusions),
    )
    return panel, exclusions


def exclusion_summary(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Count excluded country-years by reason (one reason category per row)."""
    if exclusions.empty:
        return pd.DataFrame({"reason": pd.Series(dtype=str), "country_years": pd.Series(dtype="int64"), "countries": pd.Series(dtype=str)})
    exploded = exclusions.assign(reason=exclusions["reasons"].str.split(" | ", regex=False)).explode("reason")
    exploded["reason"] = exploded["reason"].str.split(":").str[0]
    out = exploded.groupby("reason").agg(country_years=("year", "size"), countries=("iso3", lambda s: " ".join(sorted(set(s)))))
    return out.reset_index()


@dataclass(frozen=True)
class SampleDesign:
    """Everything that defines the estimation sample except the KOF vintage (config ``countries``, ``sample``, ``controls`` …)."""

    countries: Sequence[str]
    first_year: int
    last_year: int
    outcomes: Sequence[str]
    controls: Sequence[ControlSpec]
    excluded_countries: Mapping[str, str]
    developed: Sequence[str]
    #: The sample years, when not every year first_year–last_year (a release of benchmark years); None: all of them.
    years: Sequence[int] | None = None
    #: The release's time axis (its years): the previous period of a year is the previous one of these; None: the previous year.
    periods: Sequence[int] | None = None

    @classmethod
    def from_config(cls, design: Mapping[str, object]) -> SampleDesign:
        """From the ``design`` mapping the workflow passes (keys as the fields; ``controls`` as in the config)."""
        d = dict(design)
        return cls(
            countries=list(d["countries"]),  # type: ignore[call-overload]
            first_year=int(d["first_year"]),  # type: ignore[call-overload]
            last_year=int(d["last_year"]),  # type: ignore[call-overload]
            outcomes=list(d["outcomes"]),  # type: ignore[call-overload]
            controls=ControlSpec.from_config(d["controls"]),  # type: ignore[arg-type]
            excluded_countries=dict(d["excluded_countries"]),  # type: ignore[call-overload]
            developed=list(d["developed"]),  # type: ignore[call-overload]
            years=[int(y) for y in d["years"]] if d.get("years") is not None else None,  # type: ignore[union-attr]
            periods=[int(y) for y in d["periods"]] if d.get("periods") is not None else None,  # type: ignore[union-attr]
        )

    @property
    def control_names(self) -> list[str]:
        return [c.name for c in self.controls]

    def with_control(self, name: str, variable: str) -> SampleDesign:
        """The same design with control ``name`` read from another ``variable`` of its source."""
        if name not in self.control_names:
            raise ValueError(f"no control named {name!r} (controls: {self.control_names})")
        swapped = [replace(c, variable=variable) if c.name == name else c for c in self.controls]
        return replace(self, controls=swapped)

    def assemble(
        self,
        tbi: pd.DataFrame,
        tbi_dva: pd.DataFrame,
        kof: pd.DataFrame,
        sources: Mapping[str, pd.DataFrame],
        kof_vintage: str,
        control_cache: dict[tuple[object, ...], pd.DataFrame] | None = None,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """:func:`assemble_panel` under this design."""
        return assemble_panel(
            tbi, tbi_dva, kof, sources, countries=self.countries, first_year=self.first_year, last_year=self.last_year,
            kof_vintage=kof_vintage, outcomes=self.outcomes, controls=self.controls,
            excluded_countries=self.excluded_countries, developed=self.developed, control_cache=control_cache, years=self.years,
            periods=self.periods,
        )  # fmt: skip
