"""Reader for precomputed bilateral value-added flows: origin × destination of final absorption × year.

A *flows* release (config ``io_releases.<name>.kind: flows``) brings value added already traced to the country whose
final demand absorbs it — what ``V̂BY`` gives for a pair of countries — instead of a world input–output table. It is
how the package reads:

* the WIOD 2016 flows computed with Stata's ``icio`` (``wiod2016_flows``: ``icio, exporter(i) destination(all)
  return(dva)``, whose ``importer`` column is the destination of absorption, not the direct importer);
* OECD TiVA's domestic value added in foreign final demand (FFD_DVA), or a user's own ``icio`` output.

The file is CSV, Stata ``.dta`` or parquet (by its suffix). Its columns are named in config
(``columns: {origin, destination, year, value}``). The reader checks that every one of them is present, that every
(origin, destination, year) appears once, that every value is a non-negative number, that every code is one of the
release's regions (``regions``) and that each year has every pair; it names the file, row and column otherwise.

What a flows source cannot give is reported, not computed (:data:`NOT_AVAILABLE`): the TBI is exactly the one the
table releases give (only the off-diagonal flows enter it), but nothing that needs the table itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..countries import wiod_region_code
from ..errors import InputError
from ..release import BASIC_PRICES, DVA, IDENTITIES, INVENTORIES

#: What a flows release cannot provide, with the reason (:class:`tradeimbalance.release.Release` asks for it; logged by
#: the release's job, listed in the report).
NOT_AVAILABLE: dict[str, str] = {
    DVA: "needs the domestic value added in gross exports (the KWW decomposition of a full input–output table); bilateral flows by destination of absorption do not contain it",
    INVENTORIES: "needs final demand by category to re-solve V̂BY without the inventories column",
    BASIC_PRICES: "needs the table's value-added row; the flows come with the value-added definition of whoever computed them",
    IDENTITIES: "has no table: gross output, intermediate and final use are not in the flows",
}

ROLES = ("origin", "destination", "year", "value")


def _read_any(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, "", "file not found")
    try:
        if suffix == ".dta":
            return pd.read_stata(path, convert_categoricals=False)
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
    except Exception as exc:  # a corrupt file of any of the three formats
        raise InputError(path, "", f"not a readable {suffix} file ({type(exc).__name__}: {exc})") from exc
    raise InputError(path, "file name", f"unknown format {suffix!r}: a flows file is .csv, .dta or .parquet")


def read_va_flows(path: str | Path, columns: Mapping[str, str], regions: Sequence[str], years: Sequence[int] | None = None, release: str = "flows") -> pd.DataFrame:
    """The flows file as the stacked ``va_absorbed`` layout (:data:`tradeimbalance.schemas.VA_ABSORBED`).

    ``columns``: role (``origin``, ``destination``, ``year``, ``value``) → the file's column name.
    ``regions``: the codes the file may hold (ISO3; the rest of the world ``ROW``, WIOD's ``RoW`` recoded).
    ``years``: the years to return (every one must be in the file); all the file's years when ``None``.
    Rows are in (year, origin, destination) order, origins and destinations in the order of ``regions``.
    """
    path = Path(path)
    lacking_roles = [r for r in ROLES if r not in columns]
    if lacking_roles:
        raise ValueError(f"flows columns: no column named for {lacking_roles} (config io_releases.{release}.columns)")
    raw = _read_any(path)
    absent = [f"{columns[r]!r} ({r})" for r in ROLES if columns[r] not in raw.columns]
    if absent:
        raise InputError(path, "columns", f"lacks the column(s) {', '.join(absent)}; it has {', '.join(map(str, raw.columns))}")
    line = np.arange(len(raw)) + (2 if path.suffix.lower() == ".csv" else 1)  # file line (CSV: after the header) or row number

    def where(i: int, role: str) -> str:
        return f"{'line' if path.suffix.lower() == '.csv' else 'row'} {int(line[i])}, column {columns[role]!r}"

    out = pd.DataFrame()
    for role in ("origin", "destination"):
        codes = raw[columns[role]].astype(str).map(wiod_region_code)
        unknown = ~codes.isin(list(regions))
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise InputError(path, where(i, role), f"unknown country code {raw[columns[role]].iloc[i]!r}: not among the release's regions (config io_releases.{release}.regions)")
        out[role] = codes.to_numpy()
    for role in ("year", "value"):
        values = pd.to_numeric(raw[columns[role]], errors="coerce")
        bad = values.isna() | ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, where(i, role), f"value {raw[columns[role]].iloc[i]!r} is not a number")
        out[role] = values.to_numpy()
    negative = out["value"] < 0
    if negative.any():
        i = int(np.flatnonzero(negative.to_numpy())[0])
        raise InputError(path, where(i, "value"), f"negative value {float(out['value'].iloc[i])!r}: value added absorbed cannot be negative ({int(negative.sum())} row(s))")
    if (out["year"] != out["year"].round()).any():
        i = int(np.flatnonzero((out["year"] != out["year"].round()).to_numpy())[0])
        raise InputError(path, where(i, "year"), f"year {raw[columns['year']].iloc[i]!r} is not a whole number")
    out["year"] = out["year"].astype("int64")
    dup = out.duplicated(["origin", "destination", "year"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        r = out.iloc[i]
        first = int(np.flatnonzero(((out["origin"] == r["origin"]) & (out["destination"] == r["destination"]) & (out["year"] == r["year"])).to_numpy())[0])
        raise InputError(path, f"{'line' if path.suffix.lower() == '.csv' else 'row'} {int(line[i])}", f"duplicate ({r['origin']}, {r['destination']}, {r['year']}): already at {'line' if path.suffix.lower() == '.csv' else 'row'} {int(line[first])}")
    present = sorted(out["year"].unique())
    if years is not None:
        lacking_years = sorted(set(years) - set(present))
        if lacking_years:
            raise InputError(path, f"column {columns['year']!r}", f"no rows for year(s) {lacking_years} (config io_releases.{release}.years); the file has {present}")
        out = out[out["year"].isin(list(years))]
    order = {c: i for i, c in enumerate(regions)}
    frames = []
    for year, g in out.groupby("year", sort=True):
        full = pd.MultiIndex.from_product([list(regions), list(regions)], names=["origin", "destination"])
        got = g.set_index(["origin", "destination"])["value"]
        lacking_pairs = full.difference(got.index)
        if len(lacking_pairs):
            raise InputError(path, f"year {year}", f"{len(lacking_pairs)} origin–destination pair(s) missing, e.g. {list(lacking_pairs[:3])}: every pair of the release's regions is needed")
        g = g.assign(o=g["origin"].map(order), d=g["destination"].map(order)).sort_values(["o", "d"])
        frames.append(pd.DataFrame({"release": release, "year": np.int64(year), "exporter": g["origin"].to_numpy(), "importer": g["destination"].to_numpy(), "va_absorbed": g["value"].to_numpy(dtype=np.float64)}))
    return pd.concat(frames, ignore_index=True)


__all__ = ["read_va_flows", "NOT_AVAILABLE"]
