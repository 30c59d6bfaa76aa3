"""Reader for the GGDC long-run WIOD world input–output tables (1965–2000), current prices.

Woltjer, Gouma & Timmer (2021), "Long-run World Input–Output Database: Version 1.0 Sources and Methods",
GGDC Research Memorandum 190. Each ``WIODlr_WIOT_<year>.rda`` holds one R data frame named like the file,
606 rows × 710 columns:

* label columns ``IndustryCode_isic3``, ``IndustryDescription``, ``Country``, ``Year``;
* 598 intermediate-use columns ``<region>_<sector>`` (26 regions × 23 ISIC Rev. 3 sectors, region-major; the rest of
  the world is ``xROW``, recoded to ``ROW``);
* 104 final-demand columns ``<region>_xCONS_h``, ``_xCONS_g``, ``_xGFCF``, ``_xINV`` (households, government,
  gross fixed capital formation, changes in inventories: four categories, no NPISH column);
* ``xTOT_xX``, ``xTOT_xM``, ``xTOT_xMRG_int`` and ``xTOT_xGO`` (gross output);
* 598 country-sector rows, then the rows ``xII``, ``xVA``, ``xTXSP``, ``xSD``, ``xPURNR``, ``xPURR``, ``xMRG_int``,
  ``xGO`` (``Country`` = ``xTOT``).

What enters the :class:`~tradeimbalance.io.iotable.IOTable`, and why (checked on every year by the reader's test;
docs/specification.md, "The long-run WIOD"):

* **Final demand** is the four category columns of each region. ``xTOT_xX`` and ``xTOT_xM`` are memo columns: ``xX``
  equals each row's sales to foreign users (intermediate and final) to 4e-5, ``xM`` minus its imports; they are
  totals of cells already in the table.
* **The margins column ``xTOT_xMRG_int``** is a memo column too, and is *not* final demand. Without it the row
  identity ``x = Z1 + F1`` holds to 3e-5–0.26 (million USD) in every year; with it, rows would be off by up to the
  column's size (5,759 in 1985). Its total is exactly minus the total of the margins row ``xMRG_int`` (over the
  intermediate and final-demand columns): the column records who supplies the international trade and transport
  margins that the row charges to their users, and those supplies are already in the supplying rows' sales.
* **The margins row ``xMRG_int``** and the rows ``xVA``, ``xTXSP``, ``xSD``, ``xPURNR``, ``xPURR`` are primary inputs of
  the using sector (kept as ``PI_VA``, ``PI_TXSP``, ``PI_SD``, ``PI_PURNR``, ``PI_PURR``, ``PI_MRG_int``). The column
  identity ``x_j = Σ_i Z_ij + Σ primary-input rows_j`` holds to 3e-4. Under ``value_added: primary_inputs``
  (``x − Σ Z``) the margins paid by a sector count in its value added, as WIOD 2016's ``IntTTM`` row does; in the
  intermediate columns ``xTXSP``, ``xSD`` and the direct-purchase rows are zero, so there value added = ``xVA`` +
  ``xMRG_int``. In the final-demand columns these rows (taxes on final products, the statistical discrepancy ``xSD``,
  direct purchases) are not sales of any country-sector and do not enter ``Y``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..countries import wiod_region_code
from ..errors import InputError
from ..io.iotable import IOTable
from ..provenance import file_digest
from ._rdata import read_rdata

RELEASE = "wiod_longrun"
LABEL_COLUMNS = ("IndustryCode_isic3", "Country", "Year")
#: Final-demand column suffixes → IOTable categories (the tables have no NPISH column).
FD_COLUMNS: tuple[tuple[str, str], ...] = (("xCONS_h", "CONS_h"), ("xCONS_g", "CONS_g"), ("xGFCF", "GFCF"), ("xINV", "INVEN"))
#: Rows below the country-sector block: primary inputs (kept), then the totals xII and xGO (checked, not kept).
PRIMARY_INPUT_ROWS: tuple[str, ...] = ("xVA", "xTXSP", "xSD", "xPURNR", "xPURR", "xMRG_int")
TOTAL_ROWS: tuple[str, ...] = ("xII", "xGO")
GROSS_OUTPUT = "xTOT_xGO"
#: Memo columns: totals of cells already in the table (module docstring).
MEMO_COLUMNS: tuple[str, ...] = ("xTOT_xX", "xTOT_xM", "xTOT_xMRG_int")
TOTAL_COUNTRY = "xTOT"


def _numbers(frame: pd.DataFrame, path: Path, what: str) -> np.ndarray:
    """The frame as float64, naming the first non-numeric cell."""
    try:
        return frame.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        for col in frame.columns:
            converted = pd.to_numeric(frame[col], errors="coerce")
            bad = converted.isna() & frame[col].notna()
            if bad.any():
                row = frame.index[bad.to_numpy()][0]
                raise InputError(path, f"{what}, row {row!r}, column {col!r}", f"value {frame.at[row, col]!r} is not a number") from None
        raise


def read_wiod_longrun(path: str | Path, year: int | None = None, regions: list[str] | tuple[str, ...] | None = None) -> IOTable:
    """Read one ``WIODlr_WIOT_<year>.rda`` into an :class:`IOTable` (release ``wiod_longrun``).

    ``year``: the year the file must hold (its ``Year`` column); taken from the file name when omitted.
    ``regions``: the release's regions (ISO3, ``ROW`` for ``xROW``); a table lacking one, or holding another, is refused.
    """
    path = Path(path)
    if year is None:
        m = re.search(r"(\d{4})", path.name)
        if m is None:
            raise InputError(path, "file name", "cannot tell the year: expected a name like WIODlr_WIOT_1985.rda")
        year = int(m.group(1))
    objects = read_rdata(path)
    frames = {k: v for k, v in objects.items() if isinstance(v, pd.DataFrame)}
    if len(frames) != 1:
        raise InputError(path, "R objects", f"expected one data frame (named like the file), found {sorted(objects)}")
    name, df = next(iter(frames.items()))
    missing = [c for c in (*LABEL_COLUMNS, GROSS_OUTPUT) if c not in df.columns]
    if missing:
        raise InputError(path, f"data frame {name!r}", f"lacks the column(s) {missing}")
    df = df.reset_index(drop=True)
    country = df["Country"].astype(str)
    code = df["IndustryCode_isic3"].astype(str)
    body = df.index[country != TOTAL_COUNTRY]
    if len(body) == 0 or not (body == pd.RangeIndex(len(body))).all():
        raise InputError(path, f"data frame {name!r}, column 'Country'", f"the country-sector rows must come first, then the {TOTAL_COUNTRY} rows")
    years = pd.to_numeric(df["Year"], errors="coerce")
    if not (years == year).all():
        bad = int(np.flatnonzero((years != year).to_numpy())[0])
        raise InputError(path, f"data frame {name!r}, row {bad + 1}, column 'Year'", f"holds {df['Year'].iloc[bad]!r}, expected {year}")

    row_regions = [wiod_region_code(c) for c in country.iloc[body]]
    countries = tuple(dict.fromkeys(row_regions))
    first = [c for c in countries if c != "ROW"]
    if "ROW" not in countries:
        raise InputError(path, "column 'Country'", "no rest-of-the-world rows (xROW)")
    countries = (*first, "ROW")  # the rest of the world last, as in every release
    sectors = tuple(code.iloc[body][np.asarray(row_regions) == countries[0]])
    if regions is not None:
        lacking, extra = sorted(set(regions) - set(countries)), sorted(set(countries) - set(regions))
        if lacking or extra:
            raise InputError(path, "column 'Country'", f"regions differ from the release's (config io_releases.{RELEASE}.regions): lacking {lacking}, not expected {extra}")
    labels = list(zip(row_regions, code.iloc[body]))
    expected_labels = [(c, s) for c in countries for s in sectors]
    if sorted(labels) != sorted(expected_labels) or len(labels) != len(expected_labels):
        raise InputError(path, "rows", f"every region must have the same {len(sectors)} sectors ({', '.join(sectors)}) once")
    order = {lab: i for i, lab in enumerate(labels)}
    rows = np.array([order[lab] for lab in expected_labels])

    raw_code = {wiod_region_code(c): c for c in dict.fromkeys(country.iloc[body])}
    z_cols = [f"{raw_code[c]}_{s}" for c, s in expected_labels]
    f_cols = [f"{raw_code[c]}_{suffix}" for c in countries for suffix, _ in FD_COLUMNS]
    absent = [c for c in [*z_cols, *f_cols] if c not in df.columns]
    if absent:
        raise InputError(path, f"data frame {name!r}", f"lacks {len(absent)} use column(s), e.g. {absent[:3]}")
    bottom = {str(c): i for c, i in zip(code.iloc[len(body) :], range(len(body), len(df)))}
    lacking_rows = [r for r in (*PRIMARY_INPUT_ROWS, *TOTAL_ROWS) if r not in bottom]
    if lacking_rows:
        raise InputError(path, f"data frame {name!r}, rows with Country {TOTAL_COUNTRY}", f"lacks the row(s) {lacking_rows}")

    Z = _numbers(df.loc[body, z_cols], path, f"data frame {name!r}")[rows]
    F = _numbers(df.loc[body, f_cols], path, f"data frame {name!r}")[rows]
    x = _numbers(df.loc[body, [GROSS_OUTPUT]], path, f"data frame {name!r}")[rows, 0]
    pis = {}
    for r in PRIMARY_INPUT_ROWS:
        pis[r[1:]] = _numbers(df.loc[[bottom[r]], z_cols], path, f"data frame {name!r}, row {r}")[0]
    table = IOTable(
        release=RELEASE,
        year=int(year),
        countries=countries,
        sectors=sectors,
        Z=Z,
        F=F,
        x=x,
        primary_inputs=pis,
        fd_categories=tuple(cat for _, cat in FD_COLUMNS),
        source=str(path),
        source_sha256=file_digest(path),
    )
    table.validate(path)
    return table


read_table = read_wiod_longrun

__all__ = ["read_wiod_longrun", "read_table", "RELEASE"]
