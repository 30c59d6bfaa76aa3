"""Reader for the OECD Inter-Country Input–Output (ICIO) tables, through ``pymrio.parse_oecd``.

The OECD ships each edition as one CSV per year (``ICIO2016_2003.csv``, ``ICIO2018_2010.CSV``, ``ICIO2021_2018.csv``,
``ICIO2023_2020.csv`` …), often packed in archives of several years. pymrio's parser reads the 2016, 2018, 2021 and
2023 layouts and merges the split regions (China's ``CN1``/``CN2`` rows into ``CHN``, Mexico's ``MX1``/``MX2`` into
``MEX``); this module does not parse the file a second time. It turns pymrio's ``IOSystem`` into an
:class:`~tradeimbalance.io.iotable.IOTable` and checks what the workflow relies on:

* **Regions**: the OECD codes are ISO 3166-1 alpha-3 already; ``ROW`` (the rest of the world) is put last, the
  others in alphabetical order (pymrio's); a table without ``ROW`` (a cut of an edition) is read with a warning. With ``regions`` given (config ``io_releases.<edition>.regions``) a table
  lacking a region, or holding another, is refused. Every region must have the same sectors.
* **Final demand** by destination country and category: households (``HFCE`` → ``CONS_h``), non-profit institutions
  (``NPISH``/``NPS`` → ``CONS_np``), government (``GGFC`` → ``CONS_g``), gross fixed capital formation (``GFCF``),
  changes in inventories (``INVNT``/``INV`` → ``INVEN``) and direct purchases abroad (``DPABR``, 2018's ``P33``,
  2016's ``DIRP`` → ``DPABR``). A category a country lacks is zero (logged). The 2016 edition's statistical
  discrepancy column ``DISC`` belongs to no country: it is left out of final demand and its size logged.
* **Gross output** is ``Z1 + F1`` (pymrio drops the table's ``OUT``/``TOTAL`` column and row), so the row identity
  holds exactly and value added ``x − Σ_i Z_ij`` counts every primary input of a sector plus, in the 2016 edition,
  its share of the discrepancy.
* **Primary inputs** (by using sector): value added ``VA``/``VALU`` → ``PI_VA``; taxes less subsidies on intermediate
  products ``TLS`` or the 2018 edition's ``<ISO3>_TAXSUB`` rows (summed) → ``PI_TXSP``; the 2016 edition's combined
  ``VA+TAXSUB`` → ``PI_VA_TXSP``.

A layout pymrio does not recognise (no country-sector rows, final-demand columns of unknown categories, no value-added
row) and a non-numeric cell stop with an :class:`~tradeimbalance.errors.InputError` naming the file and, for a cell,
its row and column. A year inside an archive (``.zip``) is extracted to a temporary folder first: the member whose
name ends in ``<year>.csv`` (any case).
"""

from __future__ import annotations

import logging
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io.iotable import IOTable
from ..provenance import file_digest

log = logging.getLogger(__name__)

RELEASE = "oecd_icio"
#: Final-demand categories of the IOTable, in order.
FD_CATEGORIES: tuple[str, ...] = ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN", "DPABR")
#: The editions' category labels → the IOTable's.
FD_LABELS: dict[str, str] = {
    "HFCE": "CONS_h", "NPISH": "CONS_np", "NPS": "CONS_np", "GGFC": "CONS_g", "GFCF": "GFCF",
    "INVNT": "INVEN", "INV": "INVEN", "DPABR": "DPABR", "P33": "DPABR", "DIRP": "DPABR",
}  # fmt: skip
#: Columns that belong to no country (pymrio labels them region ``ALL``).
NO_COUNTRY = "ALL"
_REGION = re.compile(r"^[A-Z]{3}$")


def _member(archive: Path, year: int) -> str:
    with zipfile.ZipFile(archive) as z:
        names = [n for n in z.namelist() if re.search(rf"(^|[^0-9]){year}\.csv$", n, flags=re.I)]
    if len(names) != 1:
        raise InputError(archive, "archive members", f"expected one CSV for {year} (a name ending in {year}.csv), found {names or 'none'}")
    return names[0]


def _non_numeric_cell(path: Path) -> tuple[str, str, object] | None:
    """The first cell of the body that is not a number: (row label, column label, value). Only for the message."""
    raw = pd.read_csv(path, index_col=0, dtype=str)
    for col in raw.columns:
        values = raw[col]
        bad = pd.to_numeric(values, errors="coerce").isna() & values.notna()
        if bad.any():
            row = values.index[bad.to_numpy()][0]
            return str(row), str(col), values[row]
    return None


def _parse(path: Path, source: Path):  # noqa: ANN202 - pymrio's IOSystem
    import pymrio

    try:
        return pymrio.parse_oecd(path)
    except (ValueError, TypeError) as exc:
        cell = _non_numeric_cell(path)
        if cell is not None:
            raise InputError(source, f"row {cell[0]!r}, column {cell[1]!r}", f"value {cell[2]!r} is not a number") from exc
        raise InputError(source, "", f"pymrio.parse_oecd does not recognise the layout ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pymrio's ParserError, KeyError … on a file of another layout
        raise InputError(source, "", f"pymrio.parse_oecd does not recognise the layout ({type(exc).__name__}: {exc})") from exc


def read_oecd_icio(path: str | Path, year: int | None = None, regions: Sequence[str] | None = None) -> IOTable:
    """Read one year of an OECD ICIO edition (a CSV, or the archive holding it) into an :class:`IOTable`.

    ``year``: the year to read (taken from the file name when omitted); ``regions``: the edition's regions (ISO3,
    ``ROW`` last), checked when given. The release name is the workflow's (config key of the edition).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", "file not found")
    if year is None:
        found = re.findall(r"(\d{4})", path.stem)
        if not found:
            raise InputError(path, "file name", "cannot tell the year: expected a name like ICIO2023_2020.csv")
        year = int(found[-1])
    if path.suffix.lower() == ".zip":
        member = _member(path, year)
        with tempfile.TemporaryDirectory(prefix="icio_") as tmp:
            with zipfile.ZipFile(path) as z:
                target = Path(tmp) / Path(member).name
                target.write_bytes(z.read(member))
            io = _parse(target, path)
    else:
        io = _parse(path, path)
    return _to_table(io, path, int(year), regions)


def _to_table(io, path: Path, year: int, regions: Sequence[str] | None) -> IOTable:  # noqa: ANN001 - pymrio's IOSystem
    z_frame, y_frame = io.Z, io.Y
    if not isinstance(z_frame.index, pd.MultiIndex) or z_frame.index.nlevels != 2 or len(z_frame) == 0:
        raise InputError(path, "rows", "pymrio does not recognise the layout: no <country>_<sector> rows")
    found = list(dict.fromkeys(z_frame.index.get_level_values(0)))
    bad = [r for r in found if not _REGION.match(str(r))]
    if bad:
        raise InputError(path, "rows", f"pymrio does not recognise the layout: region codes {bad[:5]} are not ISO 3166-1 alpha-3 (ROW for the rest of the world)")
    if "ROW" not in found:  # every edition has it; a cut of one (pymrio's layout samples) may not
        log.warning("%s: no rest-of-the-world rows (ROW_<sector>): the world is the %d regions listed", path.name, len(found))
    countries = (*sorted(r for r in found if r != "ROW"), *(["ROW"] if "ROW" in found else []))
    if regions is not None:
        lacking, extra = sorted(set(regions) - set(countries)), sorted(set(countries) - set(regions))
        if lacking or extra:
            raise InputError(path, "rows", f"regions differ from the edition's (config io_releases.<edition>.regions): lacking {lacking}, not expected {extra}")
    sectors = tuple(dict.fromkeys(z_frame.index.get_level_values(1)[z_frame.index.get_level_values(0) == countries[0]]))
    labels = pd.MultiIndex.from_tuples([(c, s) for c in countries for s in sectors])
    if len(z_frame) != len(labels) or not labels.isin(z_frame.index).all():
        missing = [f"{c}_{s}" for c, s in labels[~labels.isin(z_frame.index)][:3]]
        raise InputError(path, "rows", f"every region must have the same {len(sectors)} sectors; missing e.g. {missing}")
    strange = [f"{a}_{b}" for a, b in z_frame.columns if (a, b) not in set(labels)]
    if strange:
        raise InputError(path, "columns", f"pymrio does not recognise the layout: columns {strange[:4]} are neither country-sectors of the rows nor final demand ({', '.join(FD_LABELS)})")
    Z = z_frame.reindex(index=labels, columns=labels).to_numpy(dtype=np.float64)
    if np.isnan(Z).any():
        raise InputError(path, "columns", "the intermediate-use columns are not the same country-sectors as the rows")

    unknown = sorted({str(c) for r, c in y_frame.columns if r != NO_COUNTRY and c not in FD_LABELS})
    if unknown:
        raise InputError(path, "final-demand columns", f"pymrio does not recognise the layout: categories {unknown} (known: {', '.join(FD_LABELS)})")
    destinations = {str(r) for r in y_frame.columns.get_level_values(0)} - {NO_COUNTRY}
    if destinations - set(countries):
        raise InputError(path, "final-demand columns", f"final demand of regions {sorted(destinations - set(countries))} that have no rows")
    no_country = [col for col in y_frame.columns if col[0] == NO_COUNTRY]
    if no_country:
        total = float(y_frame[no_country].to_numpy(dtype=float).sum())
        log.info("%s %d: column(s) %s belong to no country and are left out of final demand (total %.6g)", path.name, year, [c for _, c in no_country], total)
    y = y_frame.reindex(index=labels)
    F = np.zeros((len(labels), len(countries) * len(FD_CATEGORIES)))
    lacking_fd: list[str] = []
    for j, dest in enumerate(countries):
        for k, cat in enumerate(FD_CATEGORIES):
            cols = [col for col in y.columns if col[0] == dest and FD_LABELS.get(str(col[1])) == cat]
            if cols:
                F[:, j * len(FD_CATEGORIES) + k] = y[cols].to_numpy(dtype=np.float64).sum(axis=1)
            else:
                lacking_fd.append(f"{dest}_{cat}")
    if lacking_fd:
        log.info("%s %d: no final-demand column for %d country-categories, taken as zero (e.g. %s)", path.name, year, len(lacking_fd), ", ".join(lacking_fd[:6]))

    fi = io.factor_inputs.F.reindex(columns=labels)
    rows = [str(r) for r in fi.index]
    va = [r for r in rows if r in ("VA", "VALU")]
    taxes = [r for r in rows if r == "TLS" or r.endswith("_TAXSUB")]
    combined = [r for r in rows if r == "VA+TAXSUB"]
    if not (va or combined):
        raise InputError(path, "rows", f"pymrio does not recognise the layout: no value-added row (VA, VALU or VA+TAXSUB) among {rows}")
    pis: dict[str, np.ndarray] = {}
    if va:
        pis["VA"] = fi.loc[va].to_numpy(dtype=np.float64).sum(axis=0)
    if taxes:
        pis["TXSP"] = fi.loc[taxes].to_numpy(dtype=np.float64).sum(axis=0)
    if combined:
        pis["VA_TXSP"] = fi.loc[combined].to_numpy(dtype=np.float64).sum(axis=0)
    x = Z.sum(axis=1) + F.sum(axis=1)
    gap = x - Z.sum(axis=0) - sum(pis.values())
    log.info("%s %d: column identity x − Σ_i Z_ij − primary inputs: largest |gap| %.3g (%.3g of gross output)", path.name, year, float(np.abs(gap).max()), float(np.abs(gap).sum() / max(x.sum(), 1e-300)))
    table = IOTable(
        release=RELEASE,
        year=year,
        countries=countries,
        sectors=tuple(str(s) for s in sectors),
        Z=Z,
        F=F,
        x=x,
        primary_inputs=pis,
        fd_categories=FD_CATEGORIES,
        source=str(path),
        source_sha256=file_digest(path),
    )
    table.validate(path)
    return table


read_table = read_oecd_icio

__all__ = ["read_oecd_icio", "read_table", "RELEASE", "FD_CATEGORIES"]
