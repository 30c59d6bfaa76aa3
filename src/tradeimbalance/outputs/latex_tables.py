"""Regression tables (LaTeX and CSV) in the paper's layout, from the tidy estimates.

The estimation step writes ``results/estimates.csv`` (one row per coefficient,
:data:`REQUIRED_COLUMNS`) and, for the 2SLS table, ``results/iv_diagnostics.csv``
(one row per column, :data:`REQUIRED_DIAGNOSTIC_COLUMNS`).
:func:`regression_table` turns the rows of one paper table into

* a booktabs LaTeX ``table`` float: optional panel headers (``\\multicolumn``
  + ``\\cmidrule``), the column numbers ``(1) (2) …``, the dependent variable
  per column; then, per regressor in the paper's order (:data:`VARIABLE_ORDER`),
  a coefficient row (4 decimals, significance stars as ``$^{***}$``, negative
  signs as a math-mode ``$-$``) and a row with the clustered standard error in
  parentheses; for the 2SLS
  table the first-stage coefficient of the excluded instrument and the
  Kleibergen–Paap / Cragg–Donald statistics; the fixed-effects rows, the
  number of observations and the within R²; and a notes paragraph;
* its CSV twin: a frame with one row per displayed row and one column per paper
  column, holding exactly the displayed strings without LaTeX markup (stars as
  ``***``).

Both are produced from one intermediate grid of cells, so they agree cell by
cell. Every free-text cell (titles, notes, dependent-variable and sample names)
is escaped with :func:`escape_latex` (``pylatexenc``). Negative numbers carry a
proper minus in the LaTeX (``$-$0.0351``) and an ASCII ``-`` in the CSV. The
output carries no timestamps and is built in an explicit order, so the same
input gives byte-identical output.

:func:`document` wraps table files into a minimal standalone document (article
+ booktabs), used to compile them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import pandas as pd
from pylatexenc.latexencode import UnicodeToLatexEncoder

#: Columns the estimates frame must have (others, such as ``estimator``, are ignored).
REQUIRED_COLUMNS = (
    "table",
    "column",
    "stage",
    "depvar",
    "sample",
    "controls",
    "variable",
    "coef",
    "se",
    "pvalue",
    "stars",
    "nobs",
    "r2",
    "nclusters",
)

#: Columns the IV diagnostics frame must have.
REQUIRED_DIAGNOSTIC_COLUMNS = (
    "table",
    "column",
    "depvar",
    "sample",
    "controls",
    "kp_lm",
    "kp_lm_df",
    "kp_lm_pvalue",
    "kp_wald_f",
    "cd_wald_f",
    "nobs",
    "nclusters",
)

#: Row order of the regressors, as in the paper. Variables of a table that are not
#: listed here come after the listed ones (alphabetically), before the constant.
VARIABLE_ORDER = ("TBI", "RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP", "const")

#: Displayed row label of each regressor (plain text; escaped when rendered).
VARIABLE_LABELS = {
    "TBI": "TBI",
    "RQ": "RQ",
    "lnEXR": "ln EXR",
    "TFP": "TFP",
    "INFR": "INFR",
    "lnCK": "ln CK",
    "lnGDP": "ln GDP",
    "lnPOP": "ln POP",
    "const": "Constant",
}

#: The excluded instrument whose first-stage coefficient the 2SLS table reports.
FIRST_STAGE_INSTRUMENT = "L.TBI"

#: The sentence every table's notes start with.
STANDARD_NOTE = "Clustered (country) standard errors in parentheses. * p<0.10, ** p<0.05, *** p<0.01."

#: Label of the row-label column of the CSV twin; the other columns are ``(1)``, ``(2)``, ….
ROW_LABEL_COLUMN = "row"

_STAGES = ("first", "second")
_LABEL_RE = re.compile(r"[A-Za-z0-9:._/+-]+")
_PATH_FORBIDDEN = set('%#{}\\$&^~"') | {" ", "\t", "\n", "\r"}
_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=False,
    replacement_latex_protection="braces",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def escape_latex(text: str) -> str:
    """Escape plain text for LaTeX text mode.

    Runs of whitespace (including newlines) become one space, so the result
    never contains a paragraph break and is safe inside ``\\caption`` or a
    table cell; then every LaTeX special character (``& % $ # _ { } ~ ^ \\``)
    and every non-ASCII character with a known LaTeX form is replaced by
    ``pylatexenc.latexencode.unicode_to_latex`` (``R&D`` → ``R\\&D``,
    ``50%`` → ``50\\%``, ``x_1`` → ``x\\_1``; a straight double quote
    becomes ``''``, which is how the default font prints ``"`` anyway).
    Characters with no known LaTeX form (e.g. CJK) are kept as they are.
    """
    return _ENCODER.unicode_to_latex(" ".join(str(text).split()))


@dataclass(frozen=True)
class _Cell:
    text: str  # as displayed, without markup (the CSV value)
    tex: str  # LaTeX source of the cell
    span: int = 1


@dataclass(frozen=True)
class _Row:
    label: _Cell
    cells: tuple[_Cell, ...]


def _plain(text: str) -> _Cell:
    """A free-text cell: whitespace runs collapsed (as :func:`escape_latex` does), then escaped."""
    t = " ".join(str(text).split())
    return _Cell(t, escape_latex(t))


def _number(x: float) -> str:
    """4 decimals, '-' for negatives, no negative zero (the displayed text)."""
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def _tex_number(s: str) -> str:
    """A formatted number for LaTeX: the sign as a math-mode minus (``-0.0351`` → ``$-$0.0351``)."""
    return "$-$" + s[1:] if s.startswith("-") else s


def _number_cell(x: float) -> _Cell:
    s = _number(x)
    return _Cell(s, _tex_number(s))


def _coef_cell(coef: float, stars: int) -> _Cell:
    s = _number(coef)
    return _Cell(s + "*" * stars, _tex_number(s) + (f"$^{{{'*' * stars}}}$" if stars else ""))


def _se_cell(se: float) -> _Cell:
    s = _number(se)
    return _Cell(f"({s})", f"({_tex_number(s)})")


def tex_number(x: float) -> str:
    """A number as the regression tables print it in LaTeX: 4 decimals, a math-mode minus (``$-$0.0351``)."""
    return _number_cell(x).tex


def tex_coefficient(coef: float, stars: int, se: float) -> str:
    """A coefficient with its stars (superscript) and its standard error in one LaTeX cell: ``9.7591$^{***}$ (3.1524)``."""
    return f"{_coef_cell(coef, stars).tex} {_se_cell(se).tex}"


def _stat_with_pvalue_cell(stat: float, pvalue: float) -> _Cell:
    a, b = _number(stat), _number(pvalue)
    return _Cell(f"{a} ({b})", f"{_tex_number(a)} ({_tex_number(b)})")


_EMPTY = _Cell("", "")


def _where(table: str, column: object = None, variable: object = None, stage: object = None) -> str:
    parts = [f"table {table!r}"]
    if column is not None:
        parts.append(f"column {column}")
    if stage is not None:
        parts.append(f"stage {stage!r}")
    if variable is not None:
        parts.append(f"variable {variable!r}")
    return ", ".join(parts)


def _require_columns(frame: pd.DataFrame, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame is missing required column(s): {', '.join(missing)}")


def _as_int(value: object, where: str, name: str, minimum: int | None = None) -> int:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be an integer, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise ValueError(f"{where}: {name} must be an integer, got {value!r}")
    if minimum is not None and f < minimum:
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {int(f)}")
    return int(f)


def _as_finite(value: object, where: str, name: str) -> float:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(f):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    return f


def _single(values: pd.Series, where: str, name: str) -> object:
    """The one value a column-level field takes on every row of a group (NaN counts as a value)."""
    distinct = sorted({("<missing>" if pd.isna(v) else repr(v)) for v in values})
    if len(distinct) != 1:
        raise ValueError(f"{where}: inconsistent {name} across rows ({', '.join(distinct)})")
    return values.iloc[0]


@dataclass(frozen=True)
class _Column:
    number: int
    depvar: str
    nobs: int
    r2: float  # may be NaN (shown as an empty cell)
    coefs: dict[str, tuple[float, float, int]]  # second stage: variable -> (coef, se, stars)
    first: tuple[float, float, int] | None  # first-stage coefficient of the instrument


def _columns(estimates: pd.DataFrame, table: str) -> list[_Column]:
    """Validate the rows of one table and collect them per paper column, sorted by column number."""
    _require_columns(estimates, REQUIRED_COLUMNS, "estimates")
    tables = estimates["table"].astype(str)
    rows = estimates[tables == table]
    if rows.empty:
        available = ", ".join(repr(t) for t in sorted(set(tables)))
        raise ValueError(f"no estimates for table {table!r} (tables present: {available or 'none'})")
    rows = rows.assign(
        column=[_as_int(c, _where(table), "column", minimum=1) for c in rows["column"]],
        stage=rows["stage"].astype(str),
        variable=rows["variable"].astype(str),
    )
    bad_stage = sorted(set(rows["stage"]) - set(_STAGES))
    if bad_stage:
        raise ValueError(f"{_where(table)}: unknown stage(s) {bad_stage} (expected 'first' or 'second')")
    dup = rows[rows.duplicated(["column", "stage", "variable"], keep=False)]
    if not dup.empty:
        first = dup.sort_values(["column", "stage", "variable"]).iloc[0]
        raise ValueError(
            f"{_where(table, first['column'], first['variable'], first['stage'])}: "
            f"duplicated (table, column, stage, variable) rows ({len(dup)} rows involved)"
        )
    columns: list[_Column] = []
    for number in sorted(set(rows["column"])):
        col = rows[rows["column"] == number]
        second = col[col["stage"] == "second"]
        if second.empty:
            raise ValueError(f"{_where(table, number)}: no second-stage rows")
        w = _where(table, number)
        nobs_values = sorted({_as_int(n, w, "nobs", minimum=1) for n in col["nobs"]})
        if len(nobs_values) != 1:
            raise ValueError(f"{w}: inconsistent nobs across rows ({', '.join(map(str, nobs_values))})")
        nobs = nobs_values[0]
        ws = _where(table, number, stage="second")
        depvar = _single(second["depvar"], ws, "depvar")
        if pd.isna(depvar):
            raise ValueError(f"{ws}: depvar is missing")
        for name in ("sample", "controls", "nclusters"):
            _single(col[name], w, name)
        r2_value = _single(second["r2"], ws, "r2")
        r2 = math.nan if pd.isna(r2_value) else _as_finite(r2_value, ws, "r2")
        coefs: dict[str, tuple[float, float, int]] = {}
        for r in second.sort_values("variable").itertuples(index=False):
            wv = _where(table, number, r.variable)
            stars = _as_int(r.stars, wv, "stars", minimum=0)
            if stars > 3:
                raise ValueError(f"{wv}: stars must be 0-3, got {stars}")
            coefs[r.variable] = (_as_finite(r.coef, wv, "coef"), _as_finite(r.se, wv, "se"), stars)
        first_rows = col[col["stage"] == "first"]
        first = None
        if not first_rows.empty:
            wf = _where(table, number, FIRST_STAGE_INSTRUMENT, stage="first")
            _single(first_rows["depvar"], _where(table, number, stage="first"), "depvar")
            inst = first_rows[first_rows["variable"] == FIRST_STAGE_INSTRUMENT]
            if inst.empty:
                raise ValueError(f"{wf}: first-stage rows lack the excluded instrument")
            r = inst.iloc[0]
            stars = _as_int(r["stars"], wf, "stars", minimum=0)
            if stars > 3:
                raise ValueError(f"{wf}: stars must be 0-3, got {stars}")
            first = (_as_finite(r["coef"], wf, "coef"), _as_finite(r["se"], wf, "se"), stars)
        columns.append(_Column(number, str(depvar), nobs, r2, coefs, first))
    with_first = [c.first is not None for c in columns]
    if any(with_first) and not all(with_first):
        missing = [c.number for c in columns if c.first is None]
        raise ValueError(f"{_where(table, missing[0])}: no first-stage rows, while other columns of the table have them")
    return columns


_MISSING = _Cell(".", ".")


def _undefined(value: object, name: str, unavailable: str) -> bool:
    """True when ``value`` is missing and the diagnostics' ``unavailable`` text names ``name`` (else a NaN is an error)."""
    return bool(pd.isna(value)) and f"{name}:" in unavailable


def _diagnostic_rows(diagnostics: pd.DataFrame, table: str, columns: list[_Column]) -> list[_Row]:
    """The KP rk LM / KP rk Wald F / CD Wald F rows, after checking the frame against the estimates."""
    _require_columns(diagnostics, REQUIRED_DIAGNOSTIC_COLUMNS, "diagnostics")
    rows = diagnostics[diagnostics["table"].astype(str) == table]
    if rows.empty:
        raise ValueError(f"diagnostics frame has no rows for {_where(table)}")
    numbers = [_as_int(c, _where(table), "diagnostics column", minimum=1) for c in rows["column"]]
    rows = rows.assign(column=numbers)
    shown = {c.number for c in columns}
    extra = sorted(set(numbers) - shown)
    if extra:
        raise ValueError(f"{_where(table, extra[0])}: diagnostics row for a column with no estimates")
    lm, kp_f, cd_f = [], [], []
    for col in columns:
        w = _where(table, col.number) + " (diagnostics)"
        d = rows[rows["column"] == col.number]
        if d.empty:
            raise ValueError(f"{w}: no diagnostics row")
        if len(d) > 1:
            raise ValueError(f"{w}: duplicated diagnostics rows ({len(d)})")
        r = d.iloc[0]
        if str(r["depvar"]) != col.depvar:
            raise ValueError(f"{w}: depvar {r['depvar']!r} differs from the estimates' {col.depvar!r}")
        if _as_int(r["nobs"], w, "nobs") != col.nobs:
            raise ValueError(f"{w}: nobs {r['nobs']} differs from the estimates' {col.nobs}")
        # A statistic that is not defined (too few clusters; the reason is in the diagnostics' `unavailable`) is
        # shown as Stata shows a missing value, ".", only when the diagnostics say why.
        why = str(r["unavailable"]) if "unavailable" in r.index and pd.notna(r["unavailable"]) else ""
        lm.append(_MISSING if _undefined(r["kp_lm"], "kp_lm", why) else _stat_with_pvalue_cell(_as_finite(r["kp_lm"], w, "kp_lm"), _as_finite(r["kp_lm_pvalue"], w, "kp_lm_pvalue")))
        kp_f.append(_MISSING if _undefined(r["kp_wald_f"], "kp_wald_f", why) else _number_cell(_as_finite(r["kp_wald_f"], w, "kp_wald_f")))
        cd_f.append(_number_cell(_as_finite(r["cd_wald_f"], w, "cd_wald_f")))
    return [
        _Row(_plain("KP rk LM (p-value)"), tuple(lm)),
        _Row(_plain("KP rk Wald F"), tuple(kp_f)),
        _Row(_plain("CD Wald F"), tuple(cd_f)),
    ]


def _panel_row(panels: Sequence[tuple[str, Sequence[int]]], table: str, numbers: list[int]) -> tuple[_Row, list[tuple[int, int]]]:
    """The panel header row and the (first, last) 1-based tabular positions each panel spans."""
    position = {n: i for i, n in enumerate(numbers)}
    owner: dict[int, int] = {}
    spans: list[tuple[int, int, str]] = []
    for k, (name, cols) in enumerate(panels):
        cols = [_as_int(c, _where(table), f"panel {name!r} column") for c in cols]
        if not cols:
            raise ValueError(f"{_where(table)}: panel {name!r} has no columns")
        unknown = [c for c in cols if c not in position]
        if unknown:
            raise ValueError(f"{_where(table, unknown[0])}: panel {name!r} names a column with no estimates")
        for c in cols:
            if c in owner:
                raise ValueError(f"{_where(table, c)}: column is in more than one panel")
            owner[c] = k
        idx = sorted(position[c] for c in cols)
        if idx != list(range(idx[0], idx[-1] + 1)):
            raise ValueError(f"{_where(table)}: panel {name!r} columns {sorted(cols)} are not adjacent")
        spans.append((idx[0], idx[-1], str(name)))
    spans.sort()
    cells: list[_Cell] = []
    rules: list[tuple[int, int]] = []
    i = 0
    for start, end, name in spans:
        cells += [_EMPTY] * (start - i)
        cell = _plain(name)
        width = end - start + 1
        tex = cell.tex if width == 1 else f"\\multicolumn{{{width}}}{{c}}{{{cell.tex}}}"
        cells.append(_Cell(cell.text, tex, width))
        rules.append((start + 2, end + 2))  # tabular positions: the label column is 1
        i = end + 1
    cells += [_EMPTY] * (len(numbers) - i)
    return _Row(_plain(""), tuple(cells)), rules


def _variable_order(present: set[str]) -> list[str]:
    known = [v for v in VARIABLE_ORDER if v in present and v != "const"]
    other = sorted(present - set(VARIABLE_ORDER))
    return known + other + (["const"] if "const" in present else [])


def _latex_row(row: _Row) -> str:
    return " & ".join([row.label.tex] + [c.tex for c in row.cells]) + " \\\\"


def _csv_values(row: _Row) -> list[str]:
    values = [row.label.text]
    for c in row.cells:
        values += [c.text] * c.span
    return values


def regression_table(
    estimates: pd.DataFrame,
    table: str,
    *,
    title: str,
    label: str,
    notes: str = "",
    panels: Sequence[tuple[str, Sequence[int]]] | None = None,
    diagnostics: pd.DataFrame | None = None,
) -> tuple[str, pd.DataFrame]:
    """Render one paper table from the tidy estimates: ``(latex, csv_frame)``.

    Parameters
    ----------
    estimates:
        The tidy estimates (:data:`REQUIRED_COLUMNS`); only the rows whose
        ``table`` equals ``table`` are used. Columns appear in increasing
        ``column`` order; regressors in :data:`VARIABLE_ORDER`.
    table:
        Which table to render (``"3"``, ``"4"``, …, ``"2sls"``, ``"dva"``).
    title, label:
        Caption (escaped) and ``\\label`` key (letters, digits and ``:._/+-`` only).
    notes:
        Text appended to :data:`STANDARD_NOTE` in the notes under the table (escaped).
    panels:
        Optional panel headers over groups of adjacent columns, e.g.
        ``[("Developed", [1, 2]), ("Developing", [3, 4])]``; columns in no
        panel get an empty header cell.
    diagnostics:
        The IV diagnostics (:data:`REQUIRED_DIAGNOSTIC_COLUMNS`); when given,
        the KP rk LM (p-value), KP rk Wald F and CD Wald F rows are added and
        each displayed column must have exactly one diagnostics row agreeing
        with the estimates on ``depvar`` and ``nobs``.

    Returns
    -------
    The LaTeX source of a ``table`` float (ends with a newline), and the CSV
    twin: column ``row`` (the row label) then one string column per paper
    column, named ``(1)``, ``(2)``, …, one row per displayed row below the
    column numbers (panel row when ``panels`` is given, dependent variable,
    coefficient and standard-error rows, first-stage and diagnostics rows,
    FE rows, observations, R²).

    Raises
    ------
    ValueError
        On a missing required column, no rows for ``table``, duplicated
        ``(table, column, stage, variable)`` rows, a paper column whose rows
        disagree on ``nobs``/``depvar``/``r2``/``sample``/``controls``/
        ``nclusters``, non-finite coefficients or standard errors, stars
        outside 0–3, a bad panel specification, diagnostics that do not match,
        or a malformed ``label``; the message names the table, column and
        variable concerned.
    """
    table = str(table)
    if not _LABEL_RE.fullmatch(label):
        raise ValueError(f"{_where(table)}: label {label!r} must match {_LABEL_RE.pattern}")
    columns = _columns(estimates, table)
    numbers = [c.number for c in columns]
    ncols = len(columns)

    header: list[_Row] = []
    cmidrules: list[tuple[int, int]] = []
    if panels:
        panel_row, cmidrules = _panel_row(panels, table, numbers)
        header.append(panel_row)
    header.append(_Row(_plain("Dependent variable"), tuple(_plain(c.depvar) for c in columns)))

    body: list[_Row] = []
    for variable in _variable_order({v for c in columns for v in c.coefs}):
        coef_cells, se_cells = [], []
        for c in columns:
            if variable in c.coefs:
                coef, se, stars = c.coefs[variable]
                coef_cells.append(_coef_cell(coef, stars))
                se_cells.append(_se_cell(se))
            else:
                coef_cells += [_EMPTY]
                se_cells += [_EMPTY]
        body += [_Row(_plain(VARIABLE_LABELS.get(variable, variable)), tuple(coef_cells)), _Row(_plain(""), tuple(se_cells))]

    iv: list[_Row] = []
    if columns[0].first is not None:
        firsts = [c.first for c in columns if c.first is not None]
        iv += [
            _Row(_plain(f"First stage: {FIRST_STAGE_INSTRUMENT}"), tuple(_coef_cell(f[0], f[2]) for f in firsts)),
            _Row(_plain(""), tuple(_se_cell(f[1]) for f in firsts)),
        ]
    if diagnostics is not None:
        iv += _diagnostic_rows(diagnostics, table, columns)

    stats = [
        _Row(_plain("Year FE"), tuple(_plain("Yes") for _ in columns)),
        _Row(_plain("Country FE"), tuple(_plain("Yes") for _ in columns)),
        _Row(_plain("Observations"), tuple(_plain(str(c.nobs)) for c in columns)),
        _Row(_Cell("R2", "R$^2$"), tuple(_EMPTY if math.isnan(c.r2) else _number_cell(c.r2) for c in columns)),
    ]

    note = STANDARD_NOTE + (" " + " ".join(notes.split()) if notes.strip() else "")
    lines = [
        "\\begin{table}[htbp]",
        "\\centering",
        "\\small",
        f"\\caption{{{escape_latex(title)}}}",
        f"\\label{{{label}}}",
        f"\\begin{{tabular}}{{l{'c' * ncols}}}",
        "\\toprule",
    ]
    if panels:
        lines.append(_latex_row(header[0]))
        lines.append(" ".join(f"\\cmidrule(lr){{{a}-{b}}}" for a, b in cmidrules))
    lines.append(" & " + " & ".join(f"({n})" for n in numbers) + " \\\\")
    lines.append(_latex_row(header[-1]))
    for section in (body, iv, stats):
        if section:
            lines.append("\\midrule")
            lines += [_latex_row(r) for r in section]
    lines += [
        "\\bottomrule",
        "\\end{tabular}",
        "\\par\\medskip",
        f"\\parbox{{\\linewidth}}{{\\footnotesize Notes: {escape_latex(note)}}}",
        "\\end{table}",
        "",
    ]

    frame = pd.DataFrame(
        [_csv_values(r) for r in header + body + iv + stats],
        columns=[ROW_LABEL_COLUMN] + [f"({n})" for n in numbers],
        dtype=str,
    )
    return "\n".join(lines), frame


#: The preamble every generated table needs (the README gives it): booktabs rules, graphicx for the width fit, rotating
#: for the one landscape table.
PREAMBLE = ("\\usepackage{booktabs}", "\\usepackage{graphicx}", "\\usepackage{rotating}")
#: Shrinks the tabular to the line width only when it is wider (a narrower table keeps its natural size).
FIT_OPEN = "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%"


def fit_page(latex: str, landscape: bool = False) -> str:
    """A table that fits a portrait A4 or letter text width: its tabular shrunk to ``\\linewidth`` where it is wider
    (:data:`FIT_OPEN`, graphicx), its notes wrapping at the text width. ``landscape``: set on a page of its own, turned
    (``sidewaystable`` of the rotating package), for a table too wide to read shrunk to a portrait width. The first line
    names the packages (:data:`PREAMBLE`)."""
    head = "% needs \\usepackage{booktabs,graphicx" + (",rotating}: a landscape table (sidewaystable)" if landscape else "}") + "\n"
    out = latex.replace("\\begin{tabular}", FIT_OPEN + "\n\\begin{tabular}", 1).replace("\\end{tabular}", "\\end{tabular}%\n}", 1)
    if landscape:
        out = out.replace("\\begin{table}[htbp]", "\\begin{sidewaystable}", 1).replace("\\begin{table}", "\\begin{sidewaystable}", 1)
        out = out.replace("\\end{table}", "\\end{sidewaystable}", 1)
    return head + out


def write_table(latex: str, frame: pd.DataFrame, tex_path: str | Path, csv_path: str | Path) -> None:
    """Write a rendered table: the LaTeX to ``tex_path`` (fitted to the page, :func:`fit_page`), the CSV twin to
    ``csv_path`` (UTF-8, ``\\n`` line ends)."""
    for path in (tex_path, csv_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(tex_path).write_text(fit_page(latex), encoding="utf-8", newline="\n")
    frame.to_csv(csv_path, index=False, lineterminator="\n", encoding="utf-8")


def document(table_paths: Sequence[str | PurePath]) -> str:
    """A minimal standalone LaTeX document (article + :data:`PREAMBLE`) that ``\\input``s each table file in turn.

    Paths are written with forward slashes, as given (relative paths are
    relative to the directory LaTeX runs in). A path containing whitespace or
    a LaTeX special character (``% # { } \\ $ & ^ ~ "``) raises ``ValueError``,
    since ``\\input`` cannot take it reliably.
    """
    lines = ["\\documentclass{article}", *PREAMBLE, "\\begin{document}"]
    for p in table_paths:
        posix = PurePath(p).as_posix()
        bad = sorted(set(posix) & _PATH_FORBIDDEN)
        if bad:
            raise ValueError(f"table path {posix!r} contains characters LaTeX's \\input cannot take: {bad}")
        lines += [f"\\input{{{posix}}}", "\\clearpage"]
    lines += ["\\end{document}", ""]
    return "\n".join(lines)


#: Columns of results/inference_tbi.csv shown in its LaTeX table, with their headings.
INFERENCE_HEADINGS: tuple[tuple[str, str], ...] = (
    ("coef", "$b_{\\mathrm{TBI}}$"),
    ("se_cluster", "SE cl."),
    ("p_cluster", "$p$ cl."),
    ("p_wcr_rademacher", "$p$ WCR R"),
    ("p_wcr_webb", "$p$ WCR W"),
    ("se_crv3", "SE CRV3"),
    ("p_crv3", "$p$ CRV3"),
    ("se_dk", "SE DK"),
    ("p_dk", "$p$ DK"),
    ("se_twoway", "SE 2-way"),
    ("p_twoway", "$p$ 2-way"),
    ("p_ar", "$p$ AR"),
)


def _ar_set_tex(kind: str, low: float, high: float) -> str:
    if kind == "interval":
        return f"[{tex_number(low)}, {tex_number(high)}]"
    if kind == "outside_interval":
        return f"$(-\\infty$, {tex_number(low)}] $\\cup$ [{tex_number(high)}, $\\infty)$"
    if kind == "real_line":
        return "$(-\\infty, \\infty)$"
    if kind == "empty":
        return "$\\emptyset$"
    return ""


def inference_table(
    inference: pd.DataFrame, *, draws: int, level: float, bandwidth_note: str, rerun_draws: int = 0, twoway_convention: str = "reghdfe",
    data_note: str = "",
) -> str:
    """The TBI coefficient of every table column under each kind of inference (results/inference_tbi.tex).

    One row per table × column of ``inference`` (the frame of ``results/inference_tbi.csv``); missing values
    (e.g. the Anderson–Rubin columns of the fixed-effects rows) are left blank. A bootstrap p-value still within two
    Monte Carlo SEs of 0.01, 0.05 or 0.10 after its second run is marked with a dagger.
    """
    _require_columns(inference, ["table", "column", "depvar", "sample", *(c for c, _ in INFERENCE_HEADINGS), "ar_set_kind", "ar_set_low", "ar_set_high"], "inference")
    pct = f"{100 * level:g}"
    head = ["Table", "Col.", "Outcome", "Sample", *(h for _, h in INFERENCE_HEADINGS), f"AR {pct}\\,\\% set"]
    lines = [
        "\\begin{table}[htbp]",
        "\\centering",
        "\\scriptsize",
        "\\caption{Inference on the TBI coefficient with few clusters}",
        "\\label{tab:inference_tbi}",
        "\\setlength{\\tabcolsep}{3pt}",
        "\\begin{tabular}{@{}llll" + "r" * len(INFERENCE_HEADINGS) + "l@{}}",
        "\\toprule",
        " & ".join(head) + " \\\\",
        "\\midrule",
    ]
    for r in inference.itertuples(index=False):
        cells = [escape_latex(str(r.table)), str(int(r.column)), escape_latex(str(r.depvar)), escape_latex(str(r.sample))]
        for col, _ in INFERENCE_HEADINGS:
            v = getattr(r, col)
            flag = col.startswith("p_wcr_") and pd.notna(getattr(r, "undecided_" + col[2:], float("nan")))
            cells.append((tex_number(float(v)) + ("$^\\dagger$" if flag else "")) if pd.notna(v) else "")
        cells.append(_ar_set_tex(str(r.ar_set_kind), float(r.ar_set_low), float(r.ar_set_high)) if pd.notna(r.ar_set_kind) and str(r.ar_set_kind) else "")
        lines.append(" & ".join(cells) + " \\\\")
    lines += [
        "\\bottomrule",
        "\\end{tabular}",
        "\\par\\smallskip\\parbox{\\linewidth}{\\footnotesize "
        + escape_latex(
            "cl.: country-clustered (CR1), t(G-1), the published convention. WCR R / W: wild cluster restricted bootstrap "
            f"(null imposed), Rademacher / Webb weights, B = {draws}, each cell and weight type on its own random stream; "
            + (f"a p-value within two Monte Carlo SEs of 0.01, 0.05 or 0.10 is drawn again with B = {rerun_draws}, "
               "and marked with a dagger if it is still that close (undecided); " if rerun_draws else "")
            + "for the 2SLS rows it bootstraps the Anderson-Rubin (reduced-form) test. CRV3: cluster jackknife, t(G-1). "
            f"DK: Driscoll-Kraay, Bartlett kernel, {bandwidth_note}, factor T/(T-1)(N-1)/(N-K) as xtscc, t(T-1); it needs "
            "many periods, and with these 11-15 years it is not evidence of robustness. 2-way: clustered by country and "
            + ("year, one factor (N-1)/(N-K) min(G,T)/(min(G,T)-1) as reghdfe, " if twoway_convention == "reghdfe"
               else "year, each term with its own m/(m-1) and (N-1)/(N-K) as Cameron, Gelbach and Miller (2011), ")
            + "t(min(G,T)-1). K counts the regressors, year dummies and constant, not the country effects nested in the "
            f"country clusters. AR: cluster-robust Anderson-Rubin test of b = 0, F(1, G-1), and its {pct}% confidence set by test inversion."
            + (f" {data_note}" if data_note else "")
        )
        + "}",
        "\\end{table}",
        "",
    ]
    return "\n".join(lines)
