"""The WIOD 2016 R-format reader on the real release structure (a real 2002 table cut to the USA and FRA).

The sample (``shared/data/samples/wiod2016_structure``, see its SOURCES.md) holds the release's real column
names, dtypes (text labels, float64 ``RNr``/``Year``/values) and row labels, but in sector-major column order
(``USA1, FRA1, USA2, …``) and without the eight rows below the country-sector block. The tests read it through
the reader the workflow uses (:func:`read_wiod2016`, the same label parsing, dtype handling and column matching
by name as for the full release) and compare cells with the values ``rdata`` reads directly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdata
import yaml
from conftest import ROOT, raw_dir

from tradeimbalance.errors import InputError
from tradeimbalance.readers.wiod2016 import BOTTOM_ROWS, read_wiod2016

SHA256 = "14266b04c3c8dbcff49c4bd96b68f038d496a7bb145dc14218d8bd162b4849b5"
RELEASE_REGIONS = yaml.safe_load((ROOT / "workflow" / "config.yaml").read_text())["io_releases"]["wiod2016"]["regions"]


@pytest.fixture(scope="module")
def sample() -> Path:
    path = raw_dir().parent / "samples" / "wiod2016_structure" / "wiot2002_USA_FRA_subset.rda"
    if not path.exists():
        pytest.skip(f"the real WIOD 2016 structure sample is not on this machine ({path}); it ships beside the raw data in the development setup")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SHA256, "the sample is not the documented file"
    return path


@pytest.fixture(scope="module")
def cut(sample: Path) -> pd.DataFrame:
    """The real data frame, as rdata reads it."""
    return rdata.read_rda(sample)["wfu"]


def test_the_sample_has_the_documented_structure(cut: pd.DataFrame) -> None:
    assert cut.shape == (112, 128)
    assert list(cut.columns[:5]) == ["IndustryCode", "IndustryDescription", "Country", "RNr", "Year"]
    assert list(cut.columns[5:9]) == ["USA1", "FRA1", "USA2", "FRA2"] and cut.columns[-1] == "TOT"  # sector-major
    assert pd.api.types.is_string_dtype(cut["Country"]) and cut["RNr"].dtype == np.float64 and cut["Year"].dtype == np.float64
    assert list(dict.fromkeys(cut["Country"])) == ["FRA", "USA"]  # rows region-major


def test_a_table_missing_regions_is_refused_naming_them(sample: Path) -> None:
    with pytest.raises(InputError) as info:
        read_wiod2016(sample, regions=RELEASE_REGIONS)
    message = str(info.value)
    assert str(sample) in message and "the table lacks the region(s) AUS, AUT, BEL" in message
    lacking = message.split("lacks the region(s) ", 1)[1].split(" (", 1)[0].split(", ")
    assert sorted(lacking) == sorted(set(RELEASE_REGIONS) - {"USA", "FRA"})


def test_the_cut_lacks_the_rows_below_the_country_sector_block(sample: Path) -> None:
    with pytest.raises(InputError, match=r"missing the row\(s\) \['II_fob'"):
        read_wiod2016(sample, regions=["FRA", "USA"])


def with_bottom_rows(cut: pd.DataFrame) -> pd.DataFrame:
    """The cut completed with the release's eight bottom rows, in its own dtypes and column order.

    GO = the TOT of each sector's row, VA = GO − the sector's inputs from the two countries; the other rows 0.
    """
    data = [c for c in cut.columns if c not in ("IndustryCode", "IndustryDescription", "Country", "RNr", "Year")]
    go = {f"{r}{int(n)}": x for r, n, x in zip(cut["Country"], cut["RNr"], cut["TOT"], strict=True)}
    rows = []
    for k, code in enumerate(BOTTOM_ROWS):
        values = {c: 0.0 for c in data}
        if code in ("GO", "VA"):
            for c in data:
                if c in go:  # an intermediate column: its gross output
                    values[c] = go[c] if code == "GO" else go[c] - float(cut[c].sum())
        rows.append({"IndustryCode": code, "IndustryDescription": f"row {code}", "Country": "TOT", "RNr": float(65 + k), "Year": 2002.0, **values})
    bottom = pd.DataFrame(rows).astype({"IndustryCode": cut["IndustryCode"].dtype, "IndustryDescription": cut["IndustryDescription"].dtype, "Country": cut["Country"].dtype})
    return pd.concat([cut, bottom[cut.columns]], ignore_index=True)


@pytest.mark.parametrize("object_name", ["wiot", "wfu"])
def test_the_real_structure_is_read_by_name_and_matches_rdata(cut: pd.DataFrame, tmp_path: Path, object_name: str) -> None:
    full = with_bottom_rows(cut)
    path = tmp_path / "WIOT2002_October16_ROW.RData"
    text = [c for c in full.columns if pd.api.types.is_string_dtype(full[c])]
    rdata.write_rda(path, {object_name: full.astype({c: object for c in text})}, compression="gzip")  # R character vectors
    direct = rdata.read_rda(path)[object_name]
    assert list(direct.dtypes) == list(cut.dtypes)  # read back with the real file's dtypes: the reader sees the release's
    table = read_wiod2016(path, regions=["FRA", "USA"])
    assert table.countries == ("FRA", "USA") and table.year == 2002
    assert table.sectors == tuple(cut["IndustryCode"][:56])
    S = 56
    row = {(c, s): i for i, (c, s) in enumerate(zip(direct["Country"], direct["IndustryCode"])) if c != "TOT"}
    # Z: row (USA, C20), column FRA sector 3 is the real cell USA-C20 × FRA3 — found by name, not by position.
    for (r, s), (c, k) in [(("USA", "C20"), ("FRA", 3)), (("FRA", "A01"), ("USA", 1)), (("FRA", "U"), ("FRA", 56)), (("USA", "K64"), ("USA", 40))]:
        i = row[(r, s)]
        j = table.countries.index(c) * S + (k - 1)
        assert table.Z[i, j] == direct.loc[i, f"{c}{k}"]
    # F: the five final-demand columns of each destination (numbers 57–61), x: TOT.
    i = row[("USA", "G46")]
    for f in range(5):
        assert table.F[i, table.countries.index("FRA") * 5 + f] == direct.loc[i, f"FRA{57 + f}"]
    np.testing.assert_array_equal(table.x, direct["TOT"].to_numpy()[:112])
    va = direct[direct["IndustryCode"] == "VA"].iloc[0]
    k = table.sectors.index("C20") + 1  # its column number
    assert table.primary_inputs["VA"][row[("USA", "C20")]] == va[f"USA{k}"] == direct.loc[row[("USA", "C20")], "TOT"] - direct[f"USA{k}"][:112].sum()
