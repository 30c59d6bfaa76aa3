"""The published numbers (data/published) are exactly the paper's transcription (shared/paper), and complete."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "published"
TRANSCRIPTION = ROOT.parent / "shared" / "paper"
FILES = ("table1_tbi.csv", "published_coefficients.csv", "published_column_stats.csv")


@pytest.mark.parametrize("name", FILES)
def test_the_fixtures_equal_the_transcription_cell_for_cell(name: str) -> None:
    theirs = TRANSCRIPTION / name
    if not theirs.exists():
        pytest.skip(f"the paper's transcription {theirs} is not beside this repository (it is in the development set-up and CI)")
    ours, original = pd.read_csv(PUBLISHED / name, dtype=str, keep_default_na=False), pd.read_csv(theirs, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(ours, original)  # every cell, as text: no rounding, no reordering
    assert (PUBLISHED / name).read_bytes() == theirs.read_bytes()


def test_every_number_the_paper_publishes_in_a_table_is_a_fixture() -> None:
    """Table 1: eight countries × 2000–2014; Tables 3–6: 139 coefficients with SE and stars; N and R² of 17 columns."""
    table1 = pd.read_csv(PUBLISHED / "table1_tbi.csv")
    assert list(table1.columns) == ["year", "CHN", "USA", "GBR", "KOR", "DEU", "IND", "BRA", "JPN"]
    assert table1["year"].tolist() == list(range(2000, 2015)) and table1.drop(columns="year").notna().all().all()
    coefficients = pd.read_csv(PUBLISHED / "published_coefficients.csv")
    assert len(coefficients) == 139 and coefficients[["coef", "se", "stars"]].notna().all().all()
    assert coefficients.groupby("table").size().to_dict() == {3: 22, 4: 36, 5: 27, 6: 54}
    assert (coefficients["variable"] == "TBI").sum() == 17 and not coefficients.duplicated(["table", "column", "variable"]).any()
    stats = pd.read_csv(PUBLISHED / "published_column_stats.csv")
    assert len(stats) == 17 and stats[["nobs", "r2"]].notna().all().all()
    assert set(map(tuple, stats[["table", "column"]].to_numpy())) == set(map(tuple, coefficients[["table", "column"]].drop_duplicates().to_numpy()))
    # no sentence says a published number is withheld
    assert "withh" not in (PUBLISHED / "README.md").read_text(encoding="utf-8")
