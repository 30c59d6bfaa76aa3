"""Regression tables in the paper's layout (tradeimbalance.outputs.latex_tables), on synthetic estimates."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pylatexenc import latex2text, latexwalker, macrospec

from tradeimbalance.outputs.latex_tables import (
    REQUIRED_COLUMNS,
    FIT_OPEN,
    ROW_LABEL_COLUMN,
    STANDARD_NOTE,
    document,
    escape_latex,
    fit_page,
    regression_table,
    write_table,
)

CONTROLS = ["RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP"]
HOSTILE = "R&D 50% x_1 #2 $5 {a} ~b^c \\d <e> é — ü"


# ---------------------------------------------------------------- synthetic estimates


def _spec_rows(table, column, depvar, sample, controls, rng, stage="second", variables=None, nobs=None, r2=None):
    variables = variables if variables is not None else (["TBI"] + (CONTROLS if controls else []) + ["const"])
    nobs = nobs if nobs is not None else 400 + 10 * column
    r2 = r2 if r2 is not None else round(float(rng.uniform(0.1, 0.9)), 6)
    rows = []
    for v in variables:
        coef = float(rng.normal(0, 5))
        se = float(abs(rng.normal(0, 1))) + 0.001
        p = float(rng.uniform(0, 0.3))
        stars = 3 if p < 0.01 else 2 if p < 0.05 else 1 if p < 0.10 else 0
        rows.append(
            {
                "table": table,
                "column": column,
                "stage": stage,
                "depvar": depvar,
                "sample": sample,
                "controls": controls,
                "variable": v,
                "coef": coef,
                "se": se,
                "pvalue": p,
                "stars": stars,
                "nobs": nobs,
                "r2": r2,
                "nclusters": 40,
                "estimator": "fe",
            }
        )
    return rows


def make_estimates() -> pd.DataFrame:
    rng = np.random.default_rng(20210901)
    rows: list[dict] = []
    # Table 3: full sample, five indices, controls in every column but the first.
    for c, dv in enumerate(["KOFGIdj", "KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"], 1):
        rows += _spec_rows("3", c, dv, "all", c > 1, rng)
    # Table 4: developed (1-2) vs developing (3-4).
    for c, (dv, s, ctl) in enumerate(
        [
            ("KOFGIdj", "developed", False),
            ("KOFGIdj", "developed", True),
            ("KOFGIdj", "developing", False),
            ("KOFGIdj", "developing", True),
        ],
        1,
    ):
        rows += _spec_rows("4", c, dv, s, ctl, rng)
    # Table 6: developed (1-3) vs developing (4-6), three sub-indices each.
    for c in range(1, 7):
        rows += _spec_rows(
            "6", c, ["KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj"][(c - 1) % 3], "developed" if c <= 3 else "developing", True, rng
        )
    # 2SLS: second stage + first stage with the excluded instrument.
    for c, (dv, ctl) in enumerate([("KOFGIdj", False), ("KOFGIdj", True), ("KOFEcGIdj", True)], 1):
        rows += _spec_rows("2sls", c, dv, "all", ctl, rng, nobs=380 + c)
        first_vars = ["L.TBI"] + (CONTROLS if ctl else [])
        rows += _spec_rows("2sls", c, "TBI", "all", ctl, rng, stage="first", variables=first_vars, nobs=380 + c)
    # DVA robustness: two columns, an extra regressor not in the paper's list.
    rows += _spec_rows("dva", 1, "KOFGIdj", "all", False, rng, variables=["TBI", "DVA_share", "const"])
    rows += _spec_rows("dva", 2, "KOFGIdj", "all", True, rng)
    return pd.DataFrame(rows)


def make_diagnostics(est: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for c in (1, 2, 3):
        sec = est[(est["table"] == "2sls") & (est["column"] == c) & (est["stage"] == "second")].iloc[0]
        rows.append(
            {
                "table": "2sls",
                "column": c,
                "depvar": sec["depvar"],
                "sample": "all",
                "controls": sec["controls"],
                "kp_lm": 25.5 + c,
                "kp_lm_df": 1,
                "kp_lm_pvalue": 0.00001 * c,
                "kp_wald_f": 101.23456 + c,
                "cd_wald_f": 250.5 + c,
                "nobs": sec["nobs"],
                "nclusters": 40,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def est() -> pd.DataFrame:
    return make_estimates()


@pytest.fixture(scope="module")
def diag(est) -> pd.DataFrame:
    return make_diagnostics(est)


def render_all(est: pd.DataFrame, diag: pd.DataFrame) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every table kind, one hostile-text table among them."""
    return {
        "3": regression_table(est, "3", title="Baseline", label="tab:baseline", notes="Full sample."),
        "4": regression_table(
            est, "4", title="By development level", label="tab:dev", panels=[("Developed", [1, 2]), ("Developing", [3, 4])]
        ),
        "6": regression_table(
            est, "6", title="Sub-indices", label="tab:sub", panels=[("Developed", [1, 2, 3]), ("Developing", [4, 5, 6])]
        ),
        "2sls": regression_table(est, "2sls", title="2SLS", label="tab:iv", notes="Instrument: L.TBI.", diagnostics=diag),
        "dva": regression_table(est, "dva", title="DVA", label="tab:dva", panels=[("Only one", [2])]),
        "hostile": hostile_table(est),
    }


def hostile_table(est: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    sub = est[est["table"] == "4"].copy()
    sub.loc[sub["column"] == 1, "depvar"] = "R&D_50%"
    sub.loc[sub["column"] == 2, "depvar"] = HOSTILE
    return regression_table(
        sub, "4", title=HOSTILE, label="tab:hostile", notes=HOSTILE, panels=[(HOSTILE, [1, 2]), ("x_1 & y", [3])]
    )


@pytest.fixture(scope="module")
def tables(est, diag) -> dict[str, tuple[str, pd.DataFrame]]:
    return render_all(est, diag)


# ---------------------------------------------------------------- a small LaTeX reader built on pylatexenc

_RULES = {"toprule", "midrule", "bottomrule", "cmidrule"}


def _walker_db():
    db = latexwalker.get_default_latex_context_db().filter_context()  # a copy: the default db is shared
    db.add_context_category("tables", macros=[macrospec.MacroSpec("multicolumn", "{{{")], prepend=True)
    return db


def _text_db():
    db = latex2text.get_default_latex_context_db().filter_context()
    db.add_context_category(
        "ascii",
        macros=[
            latex2text.MacroTextSpec("textasciicircum", "^"),
            latex2text.MacroTextSpec("textasciitilde", "~"),
            latex2text.MacroTextSpec("textbackslash", "\\"),
        ],
        prepend=True,
    )
    return db


_TO_TEXT = latex2text.LatexNodes2Text(latex_context=_text_db(), math_mode="text")


def to_text(tex: str) -> str:
    """The displayed text of a cell: markup stripped (``$-$13.5286$^{***}$`` → ``-13.5286***``, ``R$^2$`` → ``R2``)."""
    tex = re.sub(r"\$\^\{?([^${}]*)\}?\$", r"\1", tex)
    return _TO_TEXT.latex_to_text(tex).strip()


def parse(tex: str) -> list:
    """Nodes of a LaTeX source; raises on unbalanced environments or braces."""
    nodes, _, _ = latexwalker.LatexWalker(tex, latex_context=_walker_db(), tolerant_parsing=False).get_latex_nodes()
    return nodes


def find_envs(nodes, name: str) -> list:
    out = []
    for n in nodes or []:
        if isinstance(n, latexwalker.LatexEnvironmentNode):
            if n.environmentname == name:
                out.append(n)
            out += find_envs(n.nodelist, name)
        elif isinstance(n, latexwalker.LatexGroupNode):
            out += find_envs(n.nodelist, name)
        elif isinstance(n, latexwalker.LatexMacroNode) and n.nodeargd is not None:
            for a in n.nodeargd.argnlist or []:
                if a is not None:
                    out += find_envs([a], name)
    return out


def tabular_rows(tabular) -> tuple[int, list[list[tuple[int, str]]]]:
    """(number of columns in the spec, rows as lists of (span, cell LaTeX)) of a tabular node."""
    spec = tabular.nodeargd.argnlist[-1].latex_verbatim().strip("{}")
    ncols = len(re.findall(r"[lcr]", spec))
    rows, row, cell = [], [], []

    def close_cell():
        content = [n for n in cell if not (isinstance(n, latexwalker.LatexMacroNode) and n.macroname in _RULES)]
        src = "".join(n.latex_verbatim() for n in content)
        src = re.sub(r"^\s*\(lr\)\{\d+-\d+\}(\s*\(lr\)\{\d+-\d+\})*", "", src).strip()  # the args of \cmidrule
        meaningful = [n for n in content if not (isinstance(n, latexwalker.LatexCharsNode) and not n.chars.strip())]
        span = 1
        if (
            len(meaningful) == 1
            and isinstance(meaningful[0], latexwalker.LatexMacroNode)
            and meaningful[0].macroname == "multicolumn"
        ):
            args = meaningful[0].nodeargd.argnlist
            span = int(args[0].latex_verbatim().strip("{}"))
            src = args[2].latex_verbatim()[1:-1]
        row.append((span, src))

    for n in tabular.nodelist:
        if isinstance(n, latexwalker.LatexSpecialsNode) and n.specials_chars == "&":
            close_cell()
            cell = []
        elif isinstance(n, latexwalker.LatexMacroNode) and n.macroname == "\\":
            close_cell()
            rows.append(row)
            row, cell = [], []
        else:
            cell.append(n)
    # after the last \\ only rules may remain
    rest = "".join(n.latex_verbatim() for n in cell if not (isinstance(n, latexwalker.LatexMacroNode) and n.macroname in _RULES))
    assert not rest.strip(), f"material after the last row: {rest!r}"
    return ncols, rows


def the_tabular(tex: str):
    tabulars = find_envs(parse(tex), "tabular")
    assert len(tabulars) == 1
    return tabulars[0]


def lines_of(tex: str) -> list[str]:
    return tex.split("\n")


def row_line(tex: str, label: str) -> str:
    hits = [ln for ln in lines_of(tex) if ln.startswith(label + " & ")]
    assert len(hits) == 1, (label, hits)
    return hits[0]


def cells(line: str) -> list[str]:
    assert line.endswith(" \\\\")
    return [c.strip() for c in line[: -len(" \\\\")].split(" & ")]


def expected_coef(est, table, column, variable, stage="second") -> tuple[str, str]:
    r = est[(est["table"] == table) & (est["column"] == column) & (est["variable"] == variable) & (est["stage"] == stage)].iloc[0]
    c = f"{r['coef']:.4f}".replace("-", "$-$")
    return c + (f"$^{{{'*' * r['stars']}}}$" if r["stars"] else ""), f"({r['se']:.4f})"


# ---------------------------------------------------------------- layout


def test_table4_header_panels_and_rows(est, tables):
    tex, _ = tables["4"]
    ls = lines_of(tex)
    i = ls.index("\\toprule")
    assert ls[i + 1] == " & \\multicolumn{2}{c}{Developed} & \\multicolumn{2}{c}{Developing} \\\\"
    assert ls[i + 2] == "\\cmidrule(lr){2-3} \\cmidrule(lr){4-5}"
    assert ls[i + 3] == " & (1) & (2) & (3) & (4) \\\\"
    assert ls[i + 4] == "Dependent variable & KOFGIdj & KOFGIdj & KOFGIdj & KOFGIdj \\\\"
    assert ls[i + 5] == "\\midrule"
    assert "\\begin{tabular}{lcccc}" in ls
    assert ls[0] == "\\begin{table}[htbp]" and ls[-2] == "\\end{table}" and tex.endswith("\n")
    assert "\\caption{By development level}" in ls and "\\label{tab:dev}" in ls
    # body: paper's order, coefficient row then SE row, label only on the coefficient row
    labels = [ln.split(" & ")[0] for ln in ls[i + 6 :] if " & " in ln]
    assert labels[:18] == [
        "TBI",
        "",
        "RQ",
        "",
        "ln EXR",
        "",
        "TFP",
        "",
        "INFR",
        "",
        "ln CK",
        "",
        "ln GDP",
        "",
        "ln POP",
        "",
        "Constant",
        "",
    ]
    assert labels[18:] == ["Year FE", "Country FE", "Observations", "R$^2$"]
    # cells: 4 decimals, stars in math mode, SE in parentheses; controls empty in the no-controls columns
    for column in (1, 2, 3, 4):
        coef, se = expected_coef(est, "4", column, "TBI")
        assert cells(row_line(tex, "TBI"))[column] == coef
        se_line = ls[ls.index(row_line(tex, "TBI")) + 1]
        assert cells(se_line)[column] == se
    rq = cells(row_line(tex, "RQ"))
    assert rq[1] == "" and rq[3] == ""
    assert rq[2] == expected_coef(est, "4", 2, "RQ")[0] and rq[4] == expected_coef(est, "4", 4, "RQ")[0]
    assert cells(row_line(tex, "Year FE"))[1:] == ["Yes"] * 4
    assert cells(row_line(tex, "Country FE"))[1:] == ["Yes"] * 4
    assert cells(row_line(tex, "Observations"))[1:] == ["410", "420", "430", "440"]
    r2 = est[(est["table"] == "4")].groupby("column")["r2"].first()
    assert cells(row_line(tex, "R$^2$"))[1:] == [f"{v:.4f}" for v in r2]
    # notes: the standard sentence (escaped) then the caller's notes, after the tabular
    notes = [ln for ln in ls if ln.startswith("\\parbox")]
    assert len(notes) == 1 and ls.index(notes[0]) > ls.index("\\end{tabular}")
    assert escape_latex(STANDARD_NOTE) in notes[0]


def test_number_formats_and_stars():
    rows = [
        {
            "table": "x",
            "column": 1,
            "stage": "second",
            "depvar": "KOFGIdj",
            "sample": "all",
            "controls": True,
            "variable": v,
            "coef": c,
            "se": s,
            "pvalue": 0.5,
            "stars": k,
            "nobs": 100,
            "r2": -0.05,
            "nclusters": 10,
        }
        for v, c, s, k in [
            ("TBI", 13.52864, 0.02681, 3),
            ("RQ", -0.03512, 0.0268, 0),
            ("lnEXR", -0.00004, 0.00004, 1),
            ("const", 2.0, 1.0, 2),
        ]
    ]
    tex, frame = regression_table(pd.DataFrame(rows), "x", title="t", label="t")
    assert cells(row_line(tex, "TBI")) == ["TBI", "13.5286$^{***}$"]
    assert cells(row_line(tex, "RQ")) == ["RQ", "$-$0.0351"]  # a proper minus in LaTeX, '-' in the CSV
    assert cells(row_line(tex, "ln EXR")) == ["ln EXR", "0.0000$^{*}$"]  # no negative zero
    assert cells(row_line(tex, "Constant")) == ["Constant", "2.0000$^{**}$"]
    assert cells(row_line(tex, "R$^2$")) == ["R$^2$", "$-$0.0500"]  # a 2SLS R2 can be negative
    assert frame["(1)"].tolist()[-1] == "-0.0500"
    assert frame["(1)"].tolist()[1:9] == [
        "13.5286***",
        "(0.0268)",
        "-0.0351",
        "(0.0268)",
        "0.0000*",
        "(0.0000)",
        "2.0000**",
        "(1.0000)",
    ]


def test_row_order_follows_the_paper_not_the_input(est, tables):
    shuffled = est.sample(frac=1.0, random_state=3)
    tex, frame = regression_table(shuffled, "3", title="Baseline", label="tab:baseline", notes="Full sample.")
    assert tex == tables["3"][0]
    pd.testing.assert_frame_equal(frame, tables["3"][1])
    tex, frame = tables["dva"]
    labels = [lbl for lbl in frame[ROW_LABEL_COLUMN] if lbl]
    # known variables in the paper's order, then unknown ones, constant last
    assert labels[:2] == ["Dependent variable", "TBI"]
    assert labels.index("ln POP") < labels.index("DVA\\_share".replace("\\", "")) < labels.index("Constant")
    assert "DVA\\_share & " in tex


def test_only_present_variables_and_no_panels(tables):
    tex, frame = tables["3"]
    ls = lines_of(tex)
    i = ls.index("\\toprule")
    assert ls[i + 1] == " & (1) & (2) & (3) & (4) & (5) & (6) \\\\"  # no panel row, no cmidrule
    assert not any("cmidrule" in ln for ln in ls)
    assert "First stage" not in tex and "KP rk" not in tex
    assert cells(row_line(tex, "TFP"))[1] == ""  # column 1 has no controls
    assert frame.columns.tolist() == [ROW_LABEL_COLUMN] + [f"({c})" for c in range(1, 7)]
    assert "Full sample." in next(ln for ln in ls if ln.startswith("\\parbox"))


def test_table6_panels_over_three_columns(tables):
    tex, frame = tables["6"]
    assert " & \\multicolumn{3}{c}{Developed} & \\multicolumn{3}{c}{Developing} \\\\" in lines_of(tex)
    assert "\\cmidrule(lr){2-4} \\cmidrule(lr){5-7}" in lines_of(tex)
    assert frame.iloc[0].tolist() == [""] + ["Developed"] * 3 + ["Developing"] * 3


def test_single_column_panel_and_uncovered_columns(tables):
    tex, frame = tables["dva"]
    assert " &  & Only one \\\\" in lines_of(tex)
    assert "\\cmidrule(lr){3-3}" in lines_of(tex)
    assert frame.iloc[0].tolist() == ["", "", "Only one"]


def test_2sls_first_stage_and_diagnostics(est, diag, tables):
    tex, _ = tables["2sls"]
    ls = lines_of(tex)
    first = row_line(tex, "First stage: L.TBI")
    for c in (1, 2, 3):
        coef, se = expected_coef(est, "2sls", c, "L.TBI", stage="first")
        assert cells(first)[c] == coef
        assert cells(ls[ls.index(first) + 1])[c] == se
    assert cells(row_line(tex, "KP rk LM (p-value)"))[1:] == ["26.5000 (0.0000)", "27.5000 (0.0000)", "28.5000 (0.0000)"]
    assert cells(row_line(tex, "KP rk Wald F"))[1:] == ["102.2346", "103.2346", "104.2346"]
    assert cells(row_line(tex, "CD Wald F"))[1:] == ["251.5000", "252.5000", "253.5000"]
    order = [
        ls.index(row_line(tex, lbl))
        for lbl in ("Constant", "First stage: L.TBI", "KP rk LM (p-value)", "KP rk Wald F", "CD Wald F", "Year FE")
    ]
    assert order == sorted(order)
    # sections separated by rules: header | second stage | first stage + diagnostics | FE, N, R2
    assert ls[ls.index(first) - 1] == "\\midrule" and ls[ls.index(row_line(tex, "Year FE")) - 1] == "\\midrule"
    # the first stage's depvar (TBI) does not replace the second stage's
    assert cells(row_line(tex, "Dependent variable"))[1:] == ["KOFGIdj", "KOFGIdj", "KOFEcGIdj"]
    assert "Instrument: L.TBI." in tex
    # without diagnostics: first-stage rows still shown, no KP/CD rows
    tex2, _ = regression_table(est, "2sls", title="2SLS", label="tab:iv")
    assert "First stage: L.TBI" in tex2 and "KP rk" not in tex2


def test_r2_missing_gives_empty_cell(est):
    sub = est[est["table"] == "4"].copy()
    sub.loc[sub["column"] == 2, "r2"] = np.nan
    tex, frame = regression_table(sub, "4", title="t", label="t")
    assert cells(row_line(tex, "R$^2$"))[2] == ""
    assert frame.iloc[-1].tolist()[2] == ""


# ---------------------------------------------------------------- CSV twin and structure


@pytest.mark.parametrize("kind", ["3", "4", "6", "2sls", "dva", "hostile"])
def test_structure_and_csv_twin_cell_by_cell(tables, kind):
    tex, frame = tables[kind]
    nodes = parse(tex)  # balanced environments and braces, or it raises
    assert [n.environmentname for n in nodes if isinstance(n, latexwalker.LatexEnvironmentNode)] == ["table"]
    ncols, rows = tabular_rows(the_tabular(tex))
    assert ncols == frame.shape[1]
    for row in rows:
        assert sum(span for span, _ in row) == ncols, row  # '&'-separated cells (+ multicolumn spans) fill the spec
    # first row below \toprule that holds the column numbers: the CSV header
    numbers_at = next(i for i, row in enumerate(rows) if row[1][1] == "(1)")
    assert [to_text(src) for _, src in rows[numbers_at]][1:] == frame.columns.tolist()[1:]
    displayed = rows[:numbers_at] + rows[numbers_at + 1 :]
    assert len(displayed) == len(frame)
    for row, (_, csv_row) in zip(displayed, frame.iterrows()):
        expanded = [to_text(src) for span, src in row for _ in range(span)]
        assert expanded == csv_row.tolist()
    assert all(frame[c].map(type).eq(str).all() for c in frame.columns)


def test_estimates_read_back_from_csv_render_the_same(tmp_path, est, diag, tables):
    est.to_csv(tmp_path / "estimates.csv", index=False)
    diag.to_csv(tmp_path / "iv_diagnostics.csv", index=False)
    again = render_all(pd.read_csv(tmp_path / "estimates.csv"), pd.read_csv(tmp_path / "iv_diagnostics.csv"))
    for kind in ("3", "4", "6", "2sls", "dva"):
        assert again[kind][0] == tables[kind][0]
    only_numeric = est[est["table"].isin(["3", "4"])]
    only_numeric.to_csv(tmp_path / "numeric.csv", index=False)
    read = pd.read_csv(tmp_path / "numeric.csv")  # 'table' comes back as integers
    assert regression_table(read, "3", title="Baseline", label="tab:baseline", notes="Full sample.")[0] == tables["3"][0]


def test_csv_twin_written_exactly(tmp_path, tables):
    tex, frame = tables["4"]
    write_table(tex, frame, tmp_path / "t" / "table4.tex", tmp_path / "t" / "table4.csv")
    assert (tmp_path / "t" / "table4.tex").read_bytes() == fit_page(tex).encode("utf-8")
    back = pd.read_csv(tmp_path / "t" / "table4.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, frame)
    assert b"\r\n" not in (tmp_path / "t" / "table4.csv").read_bytes()


# ---------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", ["KOFGIdj", "R&D", "50%", "x_1", "#1 $2", "{braces}", "a~b^c", "back\\slash", "é ü —", HOSTILE])
def test_escape_round_trips(text):
    out = escape_latex(text)
    assert to_text(out) == text
    parse(out)  # balanced
    stripped = re.sub(r"\\[&%$#_{}]", "", out)  # escaped specials
    stripped = re.sub(r"\\(?:[A-Za-z]+|[^A-Za-z])", "", stripped)  # macro names (\textemdash, \')
    assert not set(stripped) & set("&%$#_~^\\"), out


def test_escape_collapses_whitespace():
    assert escape_latex("a\n\n  b\tc") == "a b c"


def test_hostile_text_is_escaped_everywhere(tables):
    tex, frame = tables["hostile"]
    esc = escape_latex(HOSTILE)
    assert f"\\caption{{{esc}}}" in tex
    assert f"\\multicolumn{{2}}{{c}}{{{esc}}}" in tex
    assert "x\\_1 \\& y" in tex
    assert cells(row_line(tex, "Dependent variable"))[1:3] == ["R\\&D\\_50\\%", esc]
    assert lines_of(tex)[-3].endswith(esc + "}")  # notes end with the caller's text
    assert frame.iloc[1].tolist()[1:3] == ["R&D_50%", HOSTILE]
    assert frame.iloc[0].tolist() == ["", HOSTILE, HOSTILE, "x_1 & y", ""]
    # no active character survives: the only specials are the tabular's '&' separators,
    # the only math is the stars and R$^2$ markup this module writes
    specials, maths = [], []

    def walk(nodes, in_tabular_body=False):
        for n in nodes or []:
            if isinstance(n, latexwalker.LatexSpecialsNode):
                if not (in_tabular_body and n.specials_chars == "&"):
                    specials.append(n.latex_verbatim())
            elif isinstance(n, latexwalker.LatexMathNode):
                maths.append(n.latex_verbatim())
            if getattr(n, "nodeargd", None) is not None:
                walk([a for a in n.nodeargd.argnlist or [] if a is not None])
            if isinstance(n, latexwalker.LatexEnvironmentNode):
                walk(n.nodelist, in_tabular_body=n.environmentname == "tabular")
            elif isinstance(n, latexwalker.LatexGroupNode):
                walk(n.nodelist)

    walk(parse(tex))
    assert specials == []
    assert maths and all(re.fullmatch(r"\$(\^\{\*{1,3}\}|\^2|-)\$", m) for m in maths), maths


def test_label_must_be_a_plain_key(est):
    with pytest.raises(ValueError, match="label"):
        regression_table(est, "3", title="t", label="tab 3}")


# ---------------------------------------------------------------- compiling


def test_document_inputs_each_table():
    doc = document(["a/t1.tex", Path("b") / "t2.tex"])
    assert doc.startswith("\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\usepackage{rotating}\n\\begin{document}\n")
    assert "\\input{a/t1.tex}\n\\clearpage\n\\input{b/t2.tex}" in doc
    assert doc.endswith("\\end{document}\n")
    parse(doc)
    with pytest.raises(ValueError, match="cannot take"):
        document(["my tables/t%1.tex"])


def test_compiles_with_latex(tmp_path, tables):
    # the structural checks above run whether or not an engine is present
    engine = next((e for e in ("pdflatex", "lualatex") if shutil.which(e)), None)
    if engine is None:
        pytest.skip("no LaTeX engine on PATH (pdflatex or lualatex)")
    names = []
    for kind, (tex, _) in sorted(tables.items()):
        name = f"table_{kind}.tex"
        (tmp_path / name).write_text(tex, encoding="utf-8")
        names.append(name)
    (tmp_path / "doc.tex").write_text(document(names), encoding="utf-8")
    res = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 0, res.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log and "Missing character" not in log


# ---------------------------------------------------------------- input errors


def test_missing_required_columns(est):
    with pytest.raises(ValueError, match="missing required column.*se.*stars"):
        regression_table(est.drop(columns=["se", "stars"]), "3", title="t", label="t")
    assert set(REQUIRED_COLUMNS) <= set(est.columns)


def test_unknown_table(est):
    with pytest.raises(ValueError, match="no estimates for table '9'.*'2sls'"):
        regression_table(est, "9", title="t", label="t")


def test_duplicated_rows(est):
    dup = pd.concat([est, est[(est["table"] == "4") & (est["column"] == 2) & (est["variable"] == "RQ")]])
    with pytest.raises(ValueError, match=r"table '4', column 2, stage 'second', variable 'RQ': duplicated"):
        regression_table(dup, "4", title="t", label="t")


def test_inconsistent_nobs_and_depvar(est):
    bad = est.copy()
    bad.loc[(bad["table"] == "3") & (bad["column"] == 5) & (bad["variable"] == "TFP"), "nobs"] = 1
    with pytest.raises(ValueError, match=r"table '3', column 5: inconsistent nobs"):
        regression_table(bad, "3", title="t", label="t")
    bad = est.copy()
    bad.loc[(bad["table"] == "3") & (bad["column"] == 2) & (bad["variable"] == "const"), "depvar"] = "KOFEcGIdj"
    with pytest.raises(ValueError, match=r"table '3', column 2, stage 'second': inconsistent depvar"):
        regression_table(bad, "3", title="t", label="t")
    bad = est.copy()
    bad.loc[(bad["table"] == "2sls") & (bad["column"] == 3) & (bad["stage"] == "first"), "nobs"] = 5
    with pytest.raises(ValueError, match=r"table '2sls', column 3: inconsistent nobs"):
        regression_table(bad, "2sls", title="t", label="t")


def test_bad_values(est):
    bad = est.copy()
    bad.loc[(bad["table"] == "4") & (bad["column"] == 3) & (bad["variable"] == "TBI"), "stars"] = 4
    with pytest.raises(ValueError, match=r"table '4', column 3, variable 'TBI': stars"):
        regression_table(bad, "4", title="t", label="t")
    bad = est.copy()
    bad.loc[(bad["table"] == "4") & (bad["column"] == 1) & (bad["variable"] == "const"), "se"] = np.nan
    with pytest.raises(ValueError, match=r"table '4', column 1, variable 'const': se must be a finite number"):
        regression_table(bad, "4", title="t", label="t")
    bad = est.copy()
    bad["stage"] = bad["stage"].where(bad["table"] != "4", "third")
    with pytest.raises(ValueError, match="unknown stage"):
        regression_table(bad, "4", title="t", label="t")


def test_first_stage_without_instrument(est):
    bad = est[~((est["table"] == "2sls") & (est["column"] == 2) & (est["variable"] == "L.TBI"))]
    with pytest.raises(ValueError, match=r"table '2sls', column 2, stage 'first', variable 'L.TBI'"):
        regression_table(bad, "2sls", title="t", label="t")


@pytest.mark.parametrize(
    ("panels", "message"),
    [
        ([("A", [1, 3])], "not adjacent"),
        ([("A", [1, 2]), ("B", [2, 3])], "column 2: column is in more than one panel"),
        ([("A", [5])], "column 5: panel 'A' names a column with no estimates"),
        ([("A", [])], "no columns"),
    ],
)
def test_bad_panels(est, panels, message):
    with pytest.raises(ValueError, match=message):
        regression_table(est, "4", title="t", label="t", panels=panels)


def test_bad_diagnostics(est, diag):
    with pytest.raises(ValueError, match="diagnostics frame is missing required column.*kp_wald_f"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=diag.drop(columns="kp_wald_f"))
    with pytest.raises(ValueError, match=r"table '2sls', column 2 \(diagnostics\): no diagnostics row"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=diag[diag["column"] != 2])
    with pytest.raises(ValueError, match=r"column 1 \(diagnostics\): duplicated"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=pd.concat([diag, diag.iloc[[0]]]))
    with pytest.raises(ValueError, match=r"column 3 \(diagnostics\): nobs 1 differs"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=diag.assign(nobs=[381, 382, 1]))
    with pytest.raises(ValueError, match=r"column 1 \(diagnostics\): depvar 'X' differs"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=diag.assign(depvar=["X", "KOFGIdj", "KOFEcGIdj"]))
    with pytest.raises(ValueError, match="column 4: diagnostics row for a column with no estimates"):
        regression_table(est, "2sls", title="t", label="t", diagnostics=pd.concat([diag, diag.iloc[[0]].assign(column=4)]))
    with pytest.raises(ValueError, match="no rows for table '3'"):
        regression_table(est, "3", title="t", label="t", diagnostics=diag)


# ---------------------------------------------------------------- determinism


def test_rendering_is_deterministic(est, diag, tables):
    again = render_all(est.copy(), diag.copy())
    for kind, (tex, frame) in tables.items():
        assert again[kind][0] == tex
        assert again[kind][1].to_csv(index=False) == frame.to_csv(index=False)
    # column order of the input frame and row order do not matter either
    reordered = est[list(reversed(est.columns))].iloc[::-1]
    assert render_all(reordered, diag.iloc[::-1])["2sls"][0] == tables["2sls"][0]


def test_inference_table_rows_blanks_and_ar_sets() -> None:
    from tradeimbalance.outputs.latex_tables import INFERENCE_HEADINGS, inference_table

    base = {c: 0.5 for c, _ in INFERENCE_HEADINGS}
    rows = [
        {"table": "3", "column": 3, "depvar": "KOFGIdj", "sample": "all", **base, "coef": -1.25, "p_ar": np.nan, "ar_set_kind": np.nan, "ar_set_low": np.nan, "ar_set_high": np.nan},
        {"table": "2sls", "column": 1, "depvar": "KOFGIdj", "sample": "all", **base, "ar_set_kind": "interval", "ar_set_low": -2.0, "ar_set_high": 3.5},
        {"table": "2sls", "column": 2, "depvar": "KOF_x", "sample": "all", **base, "ar_set_kind": "outside_interval", "ar_set_low": -1.0, "ar_set_high": 1.0},
        {"table": "2sls", "column": 3, "depvar": "KOFGIdj", "sample": "all", **base, "ar_set_kind": "real_line", "ar_set_low": np.nan, "ar_set_high": np.nan},
    ]
    tex = inference_table(pd.DataFrame(rows), draws=9999, level=0.95, bandwidth_note="bandwidth 2")
    body = tex.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0].strip().splitlines()
    assert len(body) == 4 and all(line.count("&") == 4 + len(INFERENCE_HEADINGS) for line in body)
    assert "$-$1.2500" in body[0] and body[0].rstrip(" \\").endswith("&")  # no AR columns for a fixed-effects row
    assert "[$-$2.0000, 3.5000]" in body[1]
    assert "$(-\\infty$, $-$1.0000] $\\cup$ [1.0000, $\\infty)$" in body[2]
    assert "$(-\\infty, \\infty)$" in body[3]
    assert "KOF\\_x" in body[2] and "B = 9999" in tex and "95\\% confidence set" in tex
    with pytest.raises(ValueError, match="p_crv3"):
        inference_table(pd.DataFrame(rows).drop(columns=["p_crv3"]), draws=9, level=0.95, bandwidth_note="")


def test_a_table_is_fitted_to_the_page_width_or_set_in_landscape() -> None:
    """The tabular is shrunk to the line width only where wider; a landscape table is a sidewaystable; the first line
    names the packages the README's wrapper loads."""
    tex = "\\begin{table}[htbp]\n\\centering\n\\begin{tabular}{lr}\na & 1 \\\\\n\\end{tabular}\n\\end{table}\n"
    portrait = fit_page(tex)
    assert portrait.startswith("% needs \\usepackage{booktabs,graphicx}")
    assert FIT_OPEN + "\n\\begin{tabular}" in portrait and "\\end{tabular}%\n}" in portrait and "\\begin{table}[htbp]" in portrait
    turned = fit_page(tex, landscape=True)
    assert "\\begin{sidewaystable}" in turned and "\\end{sidewaystable}" in turned and "\\begin{table}" not in turned and "rotating" in turned.splitlines()[0]
