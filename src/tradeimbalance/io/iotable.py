"""One year of a world input–output table, in the form the input–output algebra uses.

Both WIOD releases are converted to this representation, so that everything
downstream runs unchanged on either (``io_release`` in the workflow config).

Parquet layout (``data/processed/io/<release>/wiot_<year>.parquet``)
--------------------------------------------------------------------
One row per supplying country-sector ``k = 1 … n`` (``n = C × S``; country-major,
in the release's order, the rest of the world ``ROW`` last). Columns:

=====================  =========  ==================================================================
column                 dtype      meaning
=====================  =========  ==================================================================
``country``            string     ISO 3166-1 alpha-3 code of the supplying region (``ROW`` = rest
                                  of the world; WIOD 2013's ``ROM`` and ``RoW`` are recoded)
``sector``             string     the release's industry code (WIOD 2016: ``A01`` … ``U``;
                                  WIOD 2013: ``c1`` … ``c35``)
``Z_<c>_<s>``          float64    intermediate use: sales of row ``k`` to country ``c``'s sector
                                  ``s`` (n columns, same order as the rows)
``F_<c>_<f>``          float64    final use: sales of row ``k`` to final-demand category ``f`` of
                                  country ``c`` (C × 5 columns, destination-major; categories
                                  ``CONS_h``, ``CONS_np``, ``CONS_g``, ``GFCF``, ``INVEN``)
``x``                  float64    gross output of row ``k`` (the table's total-output column)
``PI_<name>``          float64    primary-input rows shipped by the release, transposed so that
                                  row ``k`` holds the entry for *using* sector ``k``. WIOD 2016:
                                  ``TXSP`` (taxes less subsidies on products), ``EXP_adj``
                                  (cif/fob adjustment), ``PURR`` and ``PURNR`` (purchases by
                                  residents abroad / non-residents here), ``VA`` (value added at
                                  basic prices), ``IntTTM`` (international transport margins).
                                  The WIOD 2013 packaging ships none of these.
=====================  =========  ==================================================================

All values are millions of current US dollars at full float64 precision. The
footer metadata (key ``tradeimbalance``) records the release, year, country,
sector and final-demand orders, units and the source file with its sha256.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError
from ..parquet import METADATA_KEY, with_metadata, write_table_atomic

#: The five final-demand categories of both WIOD releases, in table order.
FD_CATEGORIES: tuple[str, ...] = ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")

UNITS = "millions of current US dollars"


@dataclass(frozen=True, eq=False)
class IOTable:
    """A world input–output table for one year.

    Attributes
    ----------
    Z:
        ``n × n`` intermediate use, rows supplying and columns using country-sectors.
    F:
        ``n × (C·K)`` final use by destination country and category, destination-major
        (column ``c·K + f`` is category ``f`` of country ``c``).
    x:
        Gross output (length ``n``).
    primary_inputs:
        Optional primary-input rows of the release (length ``n`` each, by using sector).
    """

    release: str
    year: int
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    Z: np.ndarray
    F: np.ndarray
    x: np.ndarray
    primary_inputs: Mapping[str, np.ndarray] = field(default_factory=dict)
    fd_categories: tuple[str, ...] = FD_CATEGORIES
    source: str = ""
    source_sha256: str = ""

    # ------------------------------------------------------------------ shape
    @property
    def n_countries(self) -> int:
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    @property
    def n(self) -> int:
        return self.n_countries * self.n_sectors

    def row_labels(self) -> list[tuple[str, str]]:
        """``(country, sector)`` of every row, country-major."""
        return [(c, s) for c in self.countries for s in self.sectors]

    # ---------------------------------------------------------- derived data
    def final_demand(self) -> np.ndarray:
        """``Y``: ``n × C`` final demand by destination country (the 5 categories summed)."""
        k = len(self.fd_categories)
        return self.F.reshape(self.n, self.n_countries, k).sum(axis=2)

    def value_added(self, definition: str = "primary_inputs") -> np.ndarray:
        """Value added by using sector.

        ``primary_inputs``: gross output minus all intermediate inputs,
        ``x − Σ_i Z_ij``; this counts every primary input (value added at basic
        prices, net taxes on products, cif/fob adjustments, direct purchases,
        transport margins) so that ``v' B = 1'`` and the value-added accounting
        identities hold exactly. ``basic_prices``: the release's value-added
        row (``PI_VA``; WIOD 2016 only).
        """
        if definition == "primary_inputs":
            return self.x - self.Z.sum(axis=0)
        if definition == "basic_prices":
            if "VA" not in self.primary_inputs:
                raise ValueError(
                    f"{self.release} {self.year}: the table has no value-added row (PI_VA); "
                    "use value_added: primary_inputs"
                )
            return np.asarray(self.primary_inputs["VA"], dtype=float)
        raise ValueError(f"unknown value-added definition {definition!r}")

    # ------------------------------------------------------------ validation
    def validate(self, file: str | Path | None = None) -> None:
        """Check dimensions, finiteness and non-negative gross output.

        Raises :class:`InputError` naming ``file`` (default: the table's source)
        and the offending row or column.
        """
        where = file or self.source or f"{self.release} {self.year}"
        n, c, k = self.n, self.n_countries, len(self.fd_categories)
        if len(set(self.countries)) != c:
            raise InputError(where, "country labels", f"duplicated country codes in {self.countries}")
        if len(set(self.sectors)) != self.n_sectors:
            raise InputError(where, "sector labels", f"duplicated sector codes in {self.sectors}")
        expected = {"Z": (n, n), "F": (n, c * k), "x": (n,)}
        for name, shape in expected.items():
            got = getattr(self, name).shape
            if got != shape:
                raise InputError(where, name, f"has shape {got}, expected {shape} for {c} regions × {self.n_sectors} sectors")
        labels = self.row_labels()
        for name, arr in [("Z", self.Z), ("F", self.F), ("x", self.x), *self.primary_inputs.items()]:
            if np.asarray(arr).shape[0] != n:
                raise InputError(where, name, f"has {np.asarray(arr).shape[0]} rows, expected {n}")
            bad = ~np.isfinite(arr)
            if bad.any():
                idx = np.argwhere(bad)[0]
                row = int(idx[0])
                col = f", column {int(idx[1])}" if len(idx) > 1 else ""
                raise InputError(where, f"{name} row {row} ({' '.join(labels[row])}){col}", "value is missing or not finite")
        negative = np.flatnonzero(self.x < 0)
        if negative.size:
            row = int(negative[0])
            raise InputError(
                where,
                f"gross output of row {row} ({' '.join(labels[row])})",
                f"gross output is negative ({float(self.x[row])!r}); {negative.size} row(s) affected",
            )

    # -------------------------------------------------------------- parquet
    def column_names(self) -> list[str]:
        names = ["country", "sector"]
        names += [f"Z_{c}_{s}" for c, s in self.row_labels()]
        names += [f"F_{c}_{f}" for c in self.countries for f in self.fd_categories]
        names += ["x"] + [f"PI_{p}" for p in self.primary_inputs]
        return names

    def metadata(self) -> dict[str, Any]:
        return {
            "release": self.release,
            "year": self.year,
            "countries": list(self.countries),
            "sectors": list(self.sectors),
            "fd_categories": list(self.fd_categories),
            "primary_inputs": list(self.primary_inputs),
            "units": UNITS,
            "source": Path(self.source).name if self.source else "",
            "source_sha256": self.source_sha256,
        }

    def to_parquet(self, path: str | Path) -> None:
        """Validate and write the table (atomically) in the documented layout."""
        self.validate()
        labels = self.row_labels()
        arrays: list[pa.Array] = [
            pa.array([c for c, _ in labels], pa.string()),
            pa.array([s for _, s in labels], pa.string()),
        ]
        z = np.ascontiguousarray(self.Z.T, dtype=np.float64)
        f = np.ascontiguousarray(self.F.T, dtype=np.float64)
        arrays += [pa.array(col) for col in z]
        arrays += [pa.array(col) for col in f]
        arrays.append(pa.array(np.asarray(self.x, dtype=np.float64)))
        arrays += [pa.array(np.asarray(v, dtype=np.float64)) for v in self.primary_inputs.values()]
        table = pa.Table.from_arrays(arrays, names=self.column_names())
        # Dictionary encoding for the two label columns only: tried on each of the 1,600 number columns of a WIOD 2013
        # table, it took a third of the write (0.126 against 0.082 s a year) for files of the same size.
        write_table_atomic(with_metadata(table, self.metadata()), path, use_dictionary=table.column_names[:2])

    def as_stored(self) -> IOTable:
        """The table as :meth:`from_parquet` reads it back from :meth:`to_parquet`'s file: C-ordered float64 arrays and
        the source's file name. A job that has just written the table computes on this instead of reading the file
        again: the same numbers in the same memory order, hence the same factorisation to the last bit."""
        return IOTable(
            release=self.release,
            year=self.year,
            countries=tuple(self.countries),
            sectors=tuple(self.sectors),
            Z=np.ascontiguousarray(self.Z, dtype=np.float64),
            F=np.ascontiguousarray(self.F, dtype=np.float64),
            x=np.ascontiguousarray(self.x, dtype=np.float64),
            primary_inputs={p: np.ascontiguousarray(v, dtype=np.float64) for p, v in self.primary_inputs.items()},
            fd_categories=tuple(self.fd_categories),
            source=Path(self.source).name if self.source else "",
            source_sha256=self.source_sha256,
        )

    @classmethod
    def from_parquet(cls, path: str | Path) -> IOTable:
        """Read a table written by :meth:`to_parquet`, checking that labels and columns agree."""
        table = pq.read_table(path)
        raw_meta = (table.schema.metadata or {}).get(METADATA_KEY)
        if raw_meta is None:
            raise InputError(path, "parquet footer", "no tradeimbalance metadata: not written by IOTable.to_parquet")
        meta = json.loads(raw_meta)
        countries = tuple(meta["countries"])
        sectors = tuple(meta["sectors"])
        fd = tuple(meta["fd_categories"])
        out = cls(
            release=meta["release"],
            year=int(meta["year"]),
            countries=countries,
            sectors=sectors,
            Z=np.empty((0, 0)),
            F=np.empty((0, 0)),
            x=np.empty(0),
            fd_categories=fd,
            primary_inputs={p: np.empty(0) for p in meta["primary_inputs"]},
        )
        expected = out.column_names()
        if table.column_names != expected:
            missing = sorted(set(expected) - set(table.column_names))[:5]
            raise InputError(path, "columns", f"columns do not match the footer metadata (e.g. missing {missing})")
        n, nf = out.n, out.n_countries * len(fd)

        def block(start: int, width: int) -> np.ndarray:
            cols = [table.column(i).to_numpy() for i in range(start, start + width)]
            return np.column_stack(cols) if cols else np.empty((n, 0))

        z = block(2, n)
        f = block(2 + n, nf)
        x = table.column(2 + n + nf).to_numpy()
        pis = {p: table.column(f"PI_{p}").to_numpy() for p in meta["primary_inputs"]}
        return cls(
            release=out.release,
            year=out.year,
            countries=countries,
            sectors=sectors,
            Z=z,
            F=f,
            x=x,
            primary_inputs=pis,
            fd_categories=fd,
            source=meta.get("source", ""),
            source_sha256=meta.get("source_sha256", ""),
        )
