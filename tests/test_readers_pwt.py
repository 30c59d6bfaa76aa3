"""Tests of the Penn World Table 9.1 reader.

Synthetic ``.dta`` files are written with :meth:`pandas.DataFrame.to_stata` in
the layout of ``pwt91.dta`` (the same variables in the same order, numbers
stored as Stata floats, indicator variables with value labels).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_input_error, require_raw

from tradeimbalance.readers.pwt import CONTROL_VARIABLES, read_pwt
from tradeimbalance.source_schemas import PWT

#: The 52 variables of pwt91.dta, in file order.
PWT91_VARIABLES: tuple[str, ...] = tuple(
    """countrycode country currency_unit year rgdpe rgdpo pop emp avh hc ccon cda cgdpe cgdpo cn ck ctfp cwtfp
    rgdpna rconna rdana rnna rkna rtfpna rwtfpna labsh irr delta xr pl_con pl_da pl_gdpo i_cig i_xm i_xr i_outlier
    i_irr cor_exp statcap csh_c csh_i csh_g csh_x csh_m csh_r pl_c pl_i pl_g pl_x pl_m pl_n pl_k""".split()
)
#: The value labels of the indicator variables.
FLAG_LABELS: dict[str, list[str]] = {
    "i_cig": ["Extrapolated", "Benchmark", "Interpolated"],
    "i_xm": ["Extrapolated", "Benchmark", "Interpolated"],
    "i_xr": ["Market-based", "Estimated"],
    "i_outlier": ["Regular", "Outlier"],
    "i_irr": ["Regular", "Low capital share", "Lower bound", "Outlier"],
}
IDS = ("countrycode", "country", "currency_unit", "year")
NUMERIC = tuple(v for v in PWT91_VARIABLES if v not in IDS and v not in FLAG_LABELS)
COUNTRIES = (("AUS", "Australia", "Australian Dollar"), ("DEU", "Germany", "Euro"), ("ROU", "Romania", "Leu"), ("USA", "United States", "US Dollar"))
YEARS = (2000, 2001, 2002)

WIOD43: tuple[str, ...] = tuple(
    """AUS AUT BEL BGR BRA CAN CHE CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IDN IND
    IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD NOR POL PRT ROU RUS SVK SVN SWE TUR TWN USA""".split()
)


def expected_value(country: int, year: int, variable: str) -> float:
    """The synthetic value (exact in a Stata float) of a numeric variable."""
    return 1000.0 * country + (year - 2000) + NUMERIC.index(variable) / 4.0


def expected_flag(country: int, year: int, variable: str) -> str | None:
    """The synthetic label of an indicator variable; missing for the first year of the first country."""
    if country == 0 and year == YEARS[0]:
        return None
    labels = FLAG_LABELS[variable]
    return labels[(country + year) % len(labels)]


def pwt_frame() -> pd.DataFrame:
    """A small PWT 9.1 in memory, the variables in file order and with the file's storage types."""
    rows = [(i, c, y) for i, c in enumerate(COUNTRIES) for y in YEARS]
    data: dict[str, object] = {
        "countrycode": [c[0] for _, c, _ in rows],
        "country": [c[1] for _, c, _ in rows],
        "currency_unit": [c[2] for _, c, _ in rows],
        "year": np.array([y for _, _, y in rows], dtype=np.int16),
    }
    for v in NUMERIC:
        data[v] = np.array([expected_value(i, y, v) for i, _, y in rows], dtype=np.float32)
    for v, labels in FLAG_LABELS.items():
        data[v] = pd.Categorical([expected_flag(i, y, v) for i, _, y in rows], categories=labels)
    return pd.DataFrame(data)[list(PWT91_VARIABLES)]


def write_dta(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_stata(path, write_index=False, version=118)
    return path


# ------------------------------------------------------------------ synthetic: right output
def test_synthetic_pwt91_layout(tmp_path: Path) -> None:
    out = read_pwt(write_dta(tmp_path / "pwt91.dta", pwt_frame()))
    PWT.validate(out)
    assert list(out.columns) == ["iso3", "country", "currency_unit", "year", *NUMERIC, *FLAG_LABELS]
    assert len(out) == len(COUNTRIES) * len(YEARS)
    assert out["year"].dtype == np.int64
    assert all(out[v].dtype == np.float64 for v in NUMERIC)
    for n, row in enumerate(out.to_dict("records")):
        i, y = divmod(n, len(YEARS))
        assert (row["iso3"], row["country"], row["currency_unit"], row["year"]) == (*COUNTRIES[i], YEARS[y])
        for v in NUMERIC:
            assert row[v] == expected_value(i, YEARS[y], v)
        for v in FLAG_LABELS:
            flag = expected_flag(i, YEARS[y], v)
            assert (pd.isna(row[v]) if flag is None else row[v] == flag), (n, v, row[v])


def test_schema_requires_the_control_variables() -> None:
    required = {name for name, column in PWT.columns.items() if column.required}
    assert set(CONTROL_VARIABLES) <= required
    assert set(PWT.columns) == {"iso3", *PWT91_VARIABLES} - {"countrycode"}


def test_legacy_code_is_recoded(tmp_path: Path) -> None:
    frame = pwt_frame()
    frame.loc[frame["countrycode"] == "ROU", "countrycode"] = "ROM"
    out = read_pwt(write_dta(tmp_path / "pwt.dta", frame))
    assert list(out["iso3"].unique()) == ["AUS", "DEU", "ROU", "USA"]


def test_flags_without_value_labels_become_text(tmp_path: Path) -> None:
    frame = pwt_frame()
    frame["i_xr"] = np.where(frame["countrycode"] == "USA", 0.0, 1.0)
    out = read_pwt(write_dta(tmp_path / "pwt.dta", frame))
    assert list(out["i_xr"]) == ["1"] * 9 + ["0"] * 3


def test_numeric_variables_beyond_the_required_are_optional(tmp_path: Path) -> None:
    frame = pwt_frame().drop(columns=["statcap", "cor_exp", "i_irr"])
    out = read_pwt(write_dta(tmp_path / "pwt.dta", frame))
    PWT.validate(out)
    assert "statcap" not in out.columns and "i_irr" not in out.columns


# ------------------------------------------------------------------ bad inputs
def test_missing_required_variables(tmp_path: Path) -> None:
    path = write_dta(tmp_path / "pwt.dta", pwt_frame().drop(columns=["ck", "xr"]))
    assert_input_error(lambda: read_pwt(path), path, "variable list", "missing variable(s) ck, xr")
    path = write_dta(tmp_path / "pwt2.dta", pwt_frame().rename(columns={"countrycode": "iso"}))
    assert_input_error(lambda: read_pwt(path), path, "missing variable(s) countrycode")


def test_duplicated_country_year(tmp_path: Path) -> None:
    frame = pwt_frame()
    frame.loc[4, "year"] = 2000  # DEU: 2000, 2000, 2002
    path = write_dta(tmp_path / "pwt.dta", frame)
    assert_input_error(lambda: read_pwt(path), path, "observation 5", "duplicated country-year DEU 2000", "observations 4 and 5")


def test_missing_country_year(tmp_path: Path) -> None:
    path = write_dta(tmp_path / "pwt.dta", pwt_frame().drop(index=[7]))  # ROU 2001
    assert_input_error(lambda: read_pwt(path), path, "observations 7-8", "country ROU has no row for 2001")


def test_unknown_country_code(tmp_path: Path) -> None:
    frame = pwt_frame()
    frame.loc[frame["countrycode"] == "USA", ["countrycode", "country"]] = ["USX", "Freedonia"]
    path = write_dta(tmp_path / "pwt.dta", frame)
    assert_input_error(lambda: read_pwt(path), path, "observation 10, variable 'countrycode'", "unknown country code 'USX' (Freedonia)", "countries.py")


def test_non_numeric_value(tmp_path: Path) -> None:
    frame = pwt_frame()
    frame["rgdpo"] = frame["rgdpo"].astype(str)
    frame.loc[1, "rgdpo"] = "n/a"
    path = write_dta(tmp_path / "pwt.dta", frame)
    assert_input_error(lambda: read_pwt(path), path, "observation 2, variable 'rgdpo'", "'n/a' is not a number")


def test_corrupt_truncated_and_missing_file(tmp_path: Path) -> None:
    good = write_dta(tmp_path / "pwt.dta", pwt_frame())
    data = good.read_bytes()
    for cut in (len(data) // 2, len(data) - 20):
        truncated = tmp_path / f"truncated_{cut}.dta"
        truncated.write_bytes(data[:cut])
        assert_input_error(lambda: read_pwt(truncated), truncated, "truncated")
    corrupt = tmp_path / "corrupt.dta"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4000))
    assert_input_error(lambda: read_pwt(corrupt), corrupt, "not a readable Stata .dta file")
    missing = tmp_path / "absent.dta"
    assert_input_error(lambda: read_pwt(missing), missing, "file not found")


# ------------------------------------------------------------------ real file
@pytest.fixture(scope="module")
def real_pwt() -> pd.DataFrame:
    (path,) = require_raw("pwt/pwt91.dta")
    return read_pwt(path)


@pytest.mark.realdata
def test_real_pwt91(real_pwt: pd.DataFrame) -> None:
    PWT.validate(real_pwt)
    assert real_pwt.shape == (12376, 52)
    assert real_pwt["iso3"].nunique() == 182
    assert (real_pwt["year"].min(), real_pwt["year"].max()) == (1950, 2017)
    assert list(real_pwt.columns) == ["iso3", "country", "currency_unit", "year", *NUMERIC, *FLAG_LABELS]
    assert set(real_pwt.loc[real_pwt["iso3"] == "DEU", "currency_unit"]) == {"Euro"}
    usa_xr = real_pwt.loc[real_pwt["iso3"] == "USA", "xr"].dropna()
    assert len(usa_xr) == 68 and (usa_xr == 1.0).all()
    assert set(real_pwt["i_cig"].dropna()) == {"Extrapolated", "Benchmark", "Interpolated"}
    assert set(real_pwt["i_xr"].dropna()) == {"Market-based", "Estimated"}


@pytest.mark.realdata
def test_real_pwt_covers_wiod_countries(real_pwt: pd.DataFrame) -> None:
    """All 43 WIOD countries (Taiwan included) have the controls every year 2000–2014 (SOURCES.md)."""
    window = real_pwt[real_pwt["year"].between(2000, 2014) & real_pwt["iso3"].isin(WIOD43)]
    assert len(window) == 43 * 15
    checked = ["rgdpna", "rgdpo", "cgdpo", "pop", "ck", "rnna", "ctfp", "rtfpna", "xr", "pl_con"]
    assert set(checked) <= set(CONTROL_VARIABLES)
    assert window[checked].notna().all().all()


def test_empty_files_say_so(tmp_path: Path) -> None:
    """A 0-byte file (an interrupted download) is reported as empty, not with a library's internal message."""
    from tradeimbalance.readers.kof import read_kof
    from tradeimbalance.readers.wiod2013 import read_wiod2013

    for name, read in (("pwt91.dta", read_pwt), ("wiot_2005.RData", lambda p: read_wiod2013(p)), ("KOFGI_2019_index.xlsx", lambda p: read_kof(p, "2019", ["KOFGIdj"]))):
        path = tmp_path / name
        path.write_bytes(b"")
        assert_input_error(lambda: read(path), path, "the file is empty")
