"""Synthetic world input–output tables and raw files in the official layouts, built in code.

Used by the unit tests (and by the end-to-end test that runs the whole
workflow on a synthetic WIOD 2016 release). Tables are balanced by
construction: ``x = Z 1 + F 1`` and every column's primary inputs equal
``x − Σ Z``, so the accounting identities hold to float precision.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import rdata
from openpyxl import Workbook

from tradeimbalance.io.iotable import FD_CATEGORIES, IOTable
from tradeimbalance.readers.wiod2016 import BOTTOM_ROWS, PRIMARY_INPUT_ROWS

#: The 43 countries and the rest of the world of the WIOD 2016 release, in table order.
WIOD2016_REGIONS: tuple[str, ...] = tuple(
    """AUS AUT BEL BGR BRA CAN CHE CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IDN IND
    IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD NOR POL PRT ROU RUS SVK SVN SWE TUR TWN USA ROW""".split()
)
#: The 56 industry codes of the WIOD 2016 release (ISIC rev. 4), in table order.
WIOD2016_SECTORS: tuple[str, ...] = tuple(
    """A01 A02 A03 B C10-C12 C13-C15 C16 C17 C18 C19 C20 C21 C22 C23 C24 C25 C26 C27 C28 C29
    C30 C31_C32 C33 D35 E36 E37-E39 F G45 G46 G47 H49 H50 H51 H52 H53 I J58 J59_J60 J61 J62_J63
    K64 K65 K66 L68 M69_M70 M71 M72 M73 M74_M75 N O84 P85 Q R_S T U""".split()
)


def random_world(
    countries: tuple[str, ...],
    sectors: tuple[str, ...],
    year: int = 2014,
    seed: int = 0,
    release: str = "wiod2016",
    zero_output: tuple[int, ...] = (),
    density: float = 0.6,
) -> IOTable:
    """A balanced random world table.

    Built backwards from coefficients: ``A`` with column sums below 0.6,
    positive final demand ``F`` (inventories may be negative), ``x = B F 1``,
    ``Z = A x̂``. Rows listed in ``zero_output`` are made to have no output
    (their row and column of ``A`` and their final demand are zero).
    """
    rng = np.random.default_rng(seed)
    C, S, K = len(countries), len(sectors), len(FD_CATEGORIES)
    n = C * S
    A = rng.random((n, n)) * (rng.random((n, n)) < density)
    # Home bias: domestic blocks larger.
    for c in range(C):
        A[c * S : (c + 1) * S, c * S : (c + 1) * S] *= 4.0
    A *= rng.uniform(0.2, 0.6, n) / np.maximum(A.sum(axis=0), 1e-12)
    F = rng.random((n, C * K)) * 100.0
    F[:, K - 1 :: K] -= 20.0  # changes in inventories can be negative
    for c in range(C):
        F[c * S : (c + 1) * S, c * K : (c + 1) * K] *= 5.0
    for k in zero_output:
        A[k, :] = 0.0
        A[:, k] = 0.0
        F[k, :] = 0.0
    x = np.linalg.solve(np.eye(n) - A, F.sum(axis=1))
    Z = A * x[None, :]
    va = x - Z.sum(axis=0)
    shares = np.array([0.05, 0.01, 0.02, 0.01, 0.9, 0.01])  # TXSP EXP_adj PURR PURNR VA IntTTM
    pis = {name: va * share for name, share in zip(PRIMARY_INPUT_ROWS, shares, strict=True)}
    pis["VA"] = va - sum(v for k, v in pis.items() if k != "VA")
    return IOTable(
        release=release,
        year=year,
        countries=tuple(countries),
        sectors=tuple(sectors),
        Z=Z,
        F=F,
        x=x,
        primary_inputs=pis if release == "wiod2016" else {},
    )


# ----------------------------------------------------------------- writers
def _bottom_rows(t: IOTable) -> dict[str, np.ndarray]:
    """The eight bottom rows of a WIOD 2016 table over all data columns (n + C·K + 1)."""
    width = t.n + t.F.shape[1] + 1
    rows: dict[str, np.ndarray] = {}
    for name in BOTTOM_ROWS:
        row = np.zeros(width)
        if name == "II_fob":
            row[: t.n] = t.Z.sum(axis=0)
            row[t.n : t.n + t.F.shape[1]] = t.F.sum(axis=0)
        elif name == "GO":
            row[: t.n] = t.x
        else:
            row[: t.n] = t.primary_inputs[name]
        rows[name] = row
    return rows


def _body(t: IOTable) -> np.ndarray:
    """All data rows (country-sector rows, then bottom rows) × data columns."""
    top = np.hstack([t.Z, t.F, t.x[:, None]])
    bottom = np.vstack(list(_bottom_rows(t).values()))
    bottom[:, -1] = bottom[:, : t.n].sum(axis=1)  # row totals in the TOT column
    return np.vstack([top, bottom])


def write_wiod2016_excel(t: IOTable, path: str | Path, title_rows: int = 2) -> Path:
    """Write ``t`` as an ``.xlsx`` sheet in the WIOD 2016 release's Excel layout."""
    path = Path(path)
    S = t.n_sectors
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("WIOT")
    for i in range(title_rows):
        ws.append([f"World Input-Output Table {t.year}" if i == 0 else "(millions of US$)"])
    col_code = [*(s for _ in t.countries for s in t.sectors), *(f for _ in t.countries for f in FD_CATEGORIES), "GO"]
    col_desc = [f"description of {c}" for c in col_code]
    col_country = [*(c for c in t.countries for _ in t.sectors), *(c for c in t.countries for _ in FD_CATEGORIES), "TOT"]
    col_number = [*(f"c{s + 1}" for _ in t.countries for s in range(S)), *(f"c{S + f + 1}" for _ in t.countries for f in range(len(FD_CATEGORIES))), "TOT"]
    ws.append(["", "", "", "", *col_code])
    ws.append(["", "", "", "", *col_desc])
    ws.append(["", "", "", "", *col_country])
    ws.append(["", "", "", "(millions of US$)", *col_number])
    body = _body(t)
    labels = [(s, f"description of {s}", c, f"c{i % S + 1}") for i, (c, s) in enumerate(t.row_labels())]
    labels += [(name, f"description of {name}", "TOT", f"r{60 + i}") for i, name in enumerate(BOTTOM_ROWS)]
    for lab, vals in zip(labels, body, strict=True):
        ws.append([*lab, *vals.tolist()])
    wb.save(path)
    return path


def wiod2016_frame(t: IOTable) -> pd.DataFrame:
    """``t`` as the ``wiot`` data frame of the WIOD 2016 release's R files."""
    S = t.n_sectors
    cols = [f"{c}{s + 1}" for c in t.countries for s in range(S)]
    cols += [f"{c}{S + f + 1}" for c in t.countries for f in range(len(FD_CATEGORIES))]
    cols.append("TOT")
    body = _body(t)
    labels = [(s, f"description of {s}", c, i % S + 1) for i, (c, s) in enumerate(t.row_labels())]
    labels += [(name, f"description of {name}", "TOT", 65 + i) for i, name in enumerate(BOTTOM_ROWS)]
    frame = pd.DataFrame(
        {
            "IndustryCode": pd.Series([lab[0] for lab in labels], dtype=object),
            "IndustryDescription": pd.Series([lab[1] for lab in labels], dtype=object),
            "Country": pd.Series([lab[2] for lab in labels], dtype=object),
            "RNr": np.array([lab[3] for lab in labels], dtype=np.int32),
            "Year": np.full(len(labels), t.year, dtype=np.int32),
        }
    )
    data = pd.DataFrame(body, columns=cols)
    return pd.concat([frame, data], axis=1)


def write_wiod2016_rdata(t: IOTable, path: str | Path, frame: pd.DataFrame | None = None, compression: str | None = "gzip") -> Path:
    """Write ``t`` (or a tampered ``frame`` of it) as the release's ``WIOT<year>_October16_ROW.RData``.

    gzip-compressed as the release's files; ``compression=None`` writes in a third of the time (for tests
    that need full-size tables but not the compression).
    """
    path = Path(path)
    rdata.write_rda(path, {"wiot": wiod2016_frame(t) if frame is None else frame}, compression=compression)
    return path


def write_wiod2013_rdata(t: IOTable, path: str | Path, rounded: bool = True) -> Path:
    """Write ``t`` as the R package ``wiod``'s ``wiot_<year>.RData`` (rounded to whole millions)."""
    path = Path(path)
    conv = (lambda a: np.rint(a).astype(np.int32)) if rounded else (lambda a: np.asarray(a, dtype=float))
    obj = {
        "year": np.array([t.year], dtype=np.int32),
        "countries": np.array(t.countries, dtype=object),
        "industries": np.array(t.sectors, dtype=object),
        "final": conv(t.F),
        "output": conv(t.x),
        "inter": conv(t.Z),
    }
    rdata.write_rda(path, {f"wiot_{t.year}": obj}, compression="bzip2")
    return path


#: The final-demand columns of the OECD ICIO 2021 and 2023 editions, per country (tradeimbalance.readers.oecd_icio).
ICIO_FD_COLUMNS: tuple[str, ...] = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")


def icio_frame(t: IOTable, split: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """A world table in the OECD ICIO 2021/2023 layout: rows ``<ISO3>_<sector>``, then ``TLS``, ``VA``, ``OUT``;
    columns the same country-sectors, then ``<ISO3>_HFCE`` … ``_DPABR`` per country, then ``OUT``.

    The WIOD categories map to HFCE, NPISH, GGFC, GFCF, INVNT (DPABR is zero); value added is split 4 % / 96 % into
    TLS and VA. ``split``: a region whose rows and intermediate-use columns are split among sub-regions, as the
    editions split China (``CN1``, ``CN2``) and Mexico: ``{"CHN": ("CN1", "CN2")}`` keeps 50 % of every CHN row and
    column and gives 30 % and 20 % to the parts (pymrio adds them back).
    """
    split = split or {}
    labels = [f"{c}_{s}" for c, s in t.row_labels()]
    k = len(t.fd_categories)
    fd_cols = [f"{c}_{f}" for c in t.countries for f in ICIO_FD_COLUMNS]
    fd = np.zeros((t.n, len(fd_cols)))
    for i in range(t.n_countries):
        fd[:, i * len(ICIO_FD_COLUMNS) : i * len(ICIO_FD_COLUMNS) + k] = t.F[:, i * k : (i + 1) * k]
    va = t.x - t.Z.sum(axis=0)
    full = np.vstack([np.hstack([t.Z, fd]), np.concatenate([0.04 * va, np.zeros(len(fd_cols))]), np.concatenate([0.96 * va, np.zeros(len(fd_cols))])])
    row_labels, col_labels = [*labels, "TLS", "VA"], [*labels, *fd_cols]

    def expand(names: list[str], splittable: int) -> tuple[list[str], np.ndarray]:
        """New labels and the expansion matrix (new × old): each split label becomes itself and its parts."""
        out, weights = [], []
        for j, name in enumerate(names):
            region = name.split("_", 1)[0]
            parts = split.get(region, ()) if j < splittable else ()
            shares = (0.5, 0.3, 0.2)[: len(parts) + 1] if parts else (1.0,)
            for label, share in zip([name, *[p + name[len(region) :] for p in parts]], shares):
                out.append(label)
                w = np.zeros(len(names))
                w[j] = share
                weights.append(w)
        return out, np.array(weights)

    new_rows, r = expand(row_labels, t.n)
    new_cols, c = expand(col_labels, t.n)
    body = pd.DataFrame(r @ full @ c.T, index=new_rows, columns=new_cols)
    # the OECD lists the parts after the other regions' rows and columns
    order_rows = [x for x in new_rows if x.split("_", 1)[0] not in {p for ps in split.values() for p in ps} and x not in ("TLS", "VA")]
    order_rows += [x for x in new_rows if x.split("_", 1)[0] in {p for ps in split.values() for p in ps}] + ["TLS", "VA"]
    z_cols = [x for x in new_cols[: len(new_cols) - len(fd_cols)]]
    order_cols = [x for x in z_cols if x.split("_", 1)[0] not in {p for ps in split.values() for p in ps}]
    order_cols += [x for x in z_cols if x.split("_", 1)[0] in {p for ps in split.values() for p in ps}] + fd_cols
    body = body.loc[order_rows, order_cols]
    body["OUT"] = body.sum(axis=1)
    body.loc["OUT"] = body.sum(axis=0)
    return body


def write_icio_csv(t: IOTable, path: str | Path, split: dict[str, tuple[str, ...]] | None = None) -> Path:
    """:func:`icio_frame` written as the OECD writes its CSV files (full float precision)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    icio_frame(t, split).to_csv(path, float_format="%.17g")
    return path


#: The economies of the synthetic ICIO edition of the end-to-end test (with KOF, PWT, WGI and WDI data).
ICIO_TEST_ECONOMIES: tuple[str, ...] = ("CHN", "DEU", "FRA", "GBR", "IND", "JPN", "KOR", "MEX", "USA")


def write_icio_edition(folder: str | Path, years: range, economies: tuple[str, ...] = ICIO_TEST_ECONOMIES, sectors: tuple[str, ...] = ("A01_02", "C10T12", "G46")) -> list[Path]:
    """A small synthetic OECD ICIO 2023 edition in its real file layout: one ``ICIO2023_<year>.csv`` per year, China
    and Mexico split into CN1/CN2 and MX1/MX2, a different random world each year."""
    folder = Path(folder)
    regions = (*economies, "ROW")
    split = {r: (f"{r[:2]}1", f"{r[:2]}2") for r in ("CHN", "MEX") if r in economies}
    split = {r: {"CHN": ("CN1", "CN2"), "MEX": ("MX1", "MX2")}[r] for r in split}
    return [write_icio_csv(random_world(regions, sectors, year=y, seed=y), folder / f"ICIO2023_{y}.csv", split=split) for y in years]
