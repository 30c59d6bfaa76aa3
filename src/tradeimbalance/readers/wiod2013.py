"""Reader for the WIOD 2013 release (1995–2011) as packaged by the R package ``wiod``.

Each ``wiot_<year>.RData`` holds one R list ``wiot_<year>`` of class ``iot``
with ``year``, ``countries`` (41 codes, ``RoW`` last), ``industries``
(``c1`` … ``c35``), ``inter`` (1435 × 1435), ``final`` (1435 × 205: 41
destinations × 5 categories, destination-major) and ``output`` (1435). Values
are millions of US dollars rounded to whole millions. The files are read with
the PyPI package ``rdata`` (``pyreadr`` cannot read R lists).

The five final-demand columns per destination are, in the WIOD 2013 table's
order, households (c37), NPISH (c38), government (c39), gross fixed capital
formation (c41) and changes in inventories (c42), i.e. the same five
categories as the 2016 release.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..countries import wiod_region_code
from ..errors import InputError
from ..io.iotable import FD_CATEGORIES, IOTable
from ..provenance import file_digest
from ..release import BASIC_PRICES
from ._rdata import read_rdata

#: What this release cannot give, with the reason (:class:`tradeimbalance.release.Release` asks for it).
NOT_AVAILABLE: dict[str, str] = {BASIC_PRICES: "ships no primary-input rows (the R package wiod 0.4.0 packaging): value added is gross output minus intermediate inputs only"}

RELEASE = "wiod2013"
REQUIRED_ITEMS = ("year", "countries", "industries", "inter", "final", "output")


def _numeric(obj: Any, path: Path, item: str) -> np.ndarray:
    try:
        arr = np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(path, f"object item '{item}'", f"is not numeric ({exc})") from exc
    return arr


def read_wiod2013(path: str | Path, year: int | None = None) -> IOTable:
    """Read one ``wiot_<year>.RData`` file into an :class:`IOTable`.

    Parameters
    ----------
    path:
        The ``.RData`` file.
    year:
        The year the file must hold (checked against the object's ``year``);
        taken from the file name when omitted.
    """
    path = Path(path)
    if year is None:
        m = re.search(r"(\d{4})", path.name)
        if m is None:
            raise InputError(path, "file name", "cannot tell the year: expected a name like wiot_2005.RData")
        year = int(m.group(1))
    objects = read_rdata(path)
    name = f"wiot_{year}"
    if name not in objects:
        raise InputError(path, "R objects", f"expected an object named {name!r}, found {sorted(objects)}")
    obj = objects[name]
    if not isinstance(obj, dict):
        raise InputError(path, f"object {name!r}", f"is a {type(obj).__name__}, expected an R list of class 'iot'")
    missing = [k for k in REQUIRED_ITEMS if k not in obj]
    if missing:
        raise InputError(path, f"object {name!r}", f"lacks the list item(s) {missing}")

    stated_year = int(np.asarray(obj["year"]).ravel()[0])
    if stated_year != year:
        raise InputError(path, f"object {name!r}, item 'year'", f"holds year {stated_year}, expected {year}")
    countries = tuple(wiod_region_code(str(c)) for c in np.asarray(obj["countries"]).ravel())
    sectors = tuple(str(s) for s in np.asarray(obj["industries"]).ravel())
    n = len(countries) * len(sectors)
    k = len(FD_CATEGORIES)
    inter = _numeric(obj["inter"], path, "inter")
    final = _numeric(obj["final"], path, "final")
    output = _numeric(obj["output"], path, "output").ravel()
    for item, arr, shape in [
        ("inter", inter, (n, n)),
        ("final", final, (n, len(countries) * k)),
        ("output", output, (n,)),
    ]:
        if arr.shape != shape:
            raise InputError(
                path,
                f"object {name!r}, item '{item}'",
                f"has shape {arr.shape}, expected {shape} for {len(countries)} regions × {len(sectors)} "
                f"industries and {k} final-demand categories",
            )
    table = IOTable(
        release=RELEASE,
        year=year,
        countries=countries,
        sectors=sectors,
        Z=inter,
        F=final,
        x=output,
        source=str(path),
        source_sha256=file_digest(path),
    )
    table.validate(path)
    return table


read_table = read_wiod2013

__all__ = ["read_wiod2013", "read_table", "RELEASE"]
