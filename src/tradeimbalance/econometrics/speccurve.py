"""Specification curve (Simonsohn, Simmons & Nelson 2020) over the paper's unstated choices.

The main TBI coefficient is re-estimated over the product of the choices listed
in config ``specification_curve.dimensions``; the first choice of each
dimension is not special, the configured one is (it is marked ``configured``).

Dimensions (every one optional, each a list of choices):

* ``io_release`` — input–output releases; those other than the configured one
  enter only when their raw tables are present (:func:`tradeimbalance.release.curve_releases`);
* ``kof_vintage`` — KOF vintages (``all``: every vintage in ``kof.vintages``);
* ``outcome`` — KOF indices used as the dependent variable;
* ``sample`` — ``all``, ``developed``, ``developing``;
* ``controls`` — ``with`` / ``without`` the controls;
* ``tbi`` — TBI definitions, names of ``specification_curve.tbi_definitions``
  (value added absorbed under a variant of :data:`tradeimbalance.io.tbi.TBI_VARIANTS`, or the
  KWW/WWZ domestic value added in gross exports, with or without the rest of the world as a partner);
* ``country_set`` — the configured country set and the next-best sets of the
  specification search (an integer: how many of them);
* ``developed_list`` — ``all`` (the configured list and every
  ``specification_search.developed_alternatives``) or a list of their names;
* ``control_<NAME>`` — alternative source variables of control NAME (e.g.
  ``control_lnGDP: [rgdpna, rgdpo]``): a user adds such a dimension in config.

A choice that cannot matter is not multiplied: the developed list does not
enter the full-sample specifications and the control definitions do not enter
those without controls (they are written ``n/a``).

Estimation is the paper's two-way FE with country-clustered SEs, written for
many outcomes at once: for each sample and regressor set the regressors are
demeaned by country once and every outcome column (all KOF vintages and indices
sharing the sample) is solved in one least-squares call; the clustered SE of the
TBI coefficient uses ``xtreg, fe vce(cluster)``'s factor ``G/(G−1)·(N−1)/(N−K)``
(K = regressors + year dummies + constant), so each estimate equals
:func:`tradeimbalance.econometrics.estimation.fit_fe` (tested).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .groups import RANK_TOLERANCE, demean, group_sums, scaled_eigen_ratio

log = logging.getLogger(__name__)

NOT_APPLICABLE = "n/a"
#: The dimensions the curve knows, in the order of its output columns (``control_<NAME>`` dimensions follow).
KNOWN_DIMENSIONS = ("io_release", "kof_vintage", "outcome", "sample", "controls", "tbi", "country_set", "developed_list")
SAMPLES = ("all", "developed", "developing")


# ----------------------------------------------------------------- the vectorised estimator


def within_design(x: np.ndarray, y: np.ndarray, entity: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The regressors with year dummies (base: the first year present) and the outcomes, country means swept out,
    and the integer codes of the countries and years (sorted labels): ``(D, Y, entity codes, year codes)``."""
    e = pd.factorize(entity, sort=True)[0]
    t = pd.factorize(time, sort=True)[0]
    dummies = np.zeros((x.shape[0], int(t.max())))
    rows = np.flatnonzero(t > 0)
    dummies[rows, t[rows] - 1] = 1.0
    return demean(np.column_stack([x, dummies]), e), demean(y, e), e, t


def fe_tbi_batch(x: np.ndarray, y: np.ndarray, entity: np.ndarray, time: np.ndarray, *, ratio: list[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient of ``x[:, 0]`` and its country-clustered SE for every column of ``y``, two-way FE.

    ``x`` (n × k regressors), ``y`` (n × m outcomes); ``entity`` and ``time`` are labels of each row. Year
    effects enter as dummies (base: the first year present), country effects are swept out; SE with the factor
    ``G/(G−1)·(N−1)/(N−K)``, ``K = k + (T − 1) + 1``, as ``xtreg, fe vce(cluster)``. A rank-deficient design
    (:func:`.groups.rank_deficient`) has no estimate: nan, with a warning. ``ratio``: a list the design's eigenvalue ratio
    (:func:`.groups.scaled_eigen_ratio`) is appended to.
    """
    d, yd, e, _ = within_design(x, y, entity, time)
    g, n = int(e.max()) + 1, x.shape[0]
    conditioning = float(scaled_eigen_ratio(d.T @ d))
    if ratio is not None:  # the design's conditioning, for the caller's log
        ratio.append(conditioning)
    if conditioning <= RANK_TOLERANCE:  # collinear regressors: no estimate (groups.rank_deficient's rule)
        log.warning("a design of %d rows and %d regressors is rank-deficient: its %d estimates are undefined", n, d.shape[1], y.shape[1])
        return np.full(y.shape[1], np.nan), np.full(y.shape[1], np.nan)
    q, r = np.linalg.qr(d)
    beta = np.linalg.solve(r, q.T @ yd)
    resid = yd - d @ beta
    rinv = np.linalg.inv(r)
    a = rinv @ rinv.T[:, 0]  # row 0 of (D'D)⁻¹
    w = d @ a
    sums = group_sums(w[:, None] * resid, e, g)
    k = d.shape[1] + 1
    se = np.sqrt(g / (g - 1) * (n - 1) / (n - k) * (sums**2).sum(axis=0))
    return beta[0], se


# ----------------------------------------------------------------- the space of specifications


@dataclass(frozen=True)
class TBIDefinition:
    """One way of building the TBI (config ``specification_curve.tbi_definitions``)."""

    name: str
    measure: str  # va_absorbed | dva
    variant: str = "baseline"  # value added absorbed: a TBI_VARIANTS name
    row_partner: bool = True  # dva: the rest of the world counts as a partner

    @classmethod
    def from_config(cls, name: str, spec: Mapping[str, object]) -> TBIDefinition:
        measure = str(spec.get("measure", ""))
        if measure not in ("va_absorbed", "dva"):
            raise ValueError(f"config specification_curve.tbi_definitions.{name}.measure={measure!r}: expected va_absorbed or dva")
        if measure == "dva" and "variant" in spec:
            raise ValueError(f"config specification_curve.tbi_definitions.{name}: 'variant' applies to va_absorbed only (dva takes row_partner)")
        if measure == "va_absorbed" and "row_partner" in spec:
            raise ValueError(f"config specification_curve.tbi_definitions.{name}: va_absorbed takes 'variant' (no_row_partner leaves the rest of the world out)")
        return cls(name, measure, str(spec.get("variant", "baseline")), bool(spec.get("row_partner", True)))

    @property
    def is_configured(self) -> bool:
        """The TBI of the paper's tables: value added absorbed, the workflow's baseline."""
        return self.measure == "va_absorbed" and self.variant == "baseline"


@dataclass(frozen=True)
class CountrySet:
    """One choice of the ``country_set`` dimension, as a change to a release's own excluded countries, so that it means
    the same on every release: ``drop`` are left out as well, ``keep`` (the configured choice a swap replaces) are let
    back in. The configured set changes nothing."""

    label: str
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    reason: str = ""

    def excluded(self, base: Mapping[str, str], candidates: Sequence[str]) -> dict[str, str]:
        """A release's excluded countries (``base``, with their reasons) under this choice; only the release's own
        candidate countries can be dropped (a country it lacks is out already)."""
        out = {c: r for c, r in base.items() if c not in self.keep}
        out.update({c: self.reason for c in self.drop if c in set(candidates)})
        return out


def _names(countries: Sequence[str]) -> str:
    return ", ".join(sorted(countries))


def country_sets(
    ranking: pd.DataFrame, paper_excluded: Mapping[str, str], not_candidates: Sequence[str], swaps: int, additions: int = 0,
) -> list[CountrySet]:  # fmt: skip
    """The configured set, then the ``swaps`` best other sets of the specification search's ranking as swaps for the
    configured choice (``drop BGR instead of ROU``: the search's sets have the paper's size, 41 countries), then the
    ``additions`` best-ranked countries left out as well (``also drop BGR``). ``paper_excluded``: the paper's excluded
    countries (config ``sample.excluded_countries`` of the paper's design, whatever the configured release), of which
    those that are candidates (not ``not_candidates``) are the configured choice."""
    configured_drop = sorted(set(paper_excluded) - set(not_candidates))
    sets = [CountrySet("configured")]
    seen = {" ".join(configured_drop)}
    ranked: list[tuple[int, list[str]]] = []
    for rank, dropped in enumerate(ranking["dropped"].astype(str), 1):
        key = " ".join(sorted(dropped.split()))
        if key not in seen:
            seen.add(key)
            ranked.append((rank, key.split()))
    for rank, key in ranked[:swaps]:
        drop, keep = sorted(set(key) - set(configured_drop)), sorted(set(configured_drop) - set(key))
        label = f"drop {_names(drop)} instead of {_names(keep)}" if keep else f"also drop {_names(drop)}"
        sets.append(CountrySet(label, tuple(drop), tuple(keep), f"left out instead of {_names(keep) or 'none'} (the specification search's set of best rank {rank})"))
    if len(ranked) < swaps:
        log.info("the specification search ranks only %d other country set(s); %d asked for", len(ranked), swaps)
    single = [(rank, key[0]) for rank, key in ranked if len(key) == 1 and key[0] not in configured_drop]
    for rank, country in single[:additions]:
        sets.append(CountrySet(f"also drop {country}", (country,), (), f"left out as well as {_names(configured_drop)} (ranked {rank} by the specification search)"))
    return sets


def dimension_choices(
    dimensions: Mapping[str, object],
    *,
    releases: Sequence[str],
    vintages: Sequence[str],
    developed_lists: Sequence[str],
    country_set_labels: Sequence[str],
    tbi_definitions: Mapping[str, TBIDefinition],
    control_names: Sequence[str],
) -> dict[str, list[str]]:
    """Each dimension's choices, with ``all`` expanded and every name checked (a bad one names the config key)."""
    # dimension → (the allowed choices or None for any, whether ``all`` may stand for them, what they are)
    lists: dict[str, tuple[Sequence[str] | None, bool, str]] = {
        "kof_vintage": (list(vintages), True, f"KOF vintages (kof.vintages: {', '.join(vintages)})"),
        "developed_list": (list(developed_lists), True, f"developed lists (configured, or specification_search.developed_alternatives: {', '.join(developed_lists[1:])})"),
        "tbi": (list(tbi_definitions), False, f"in specification_curve.tbi_definitions ({', '.join(tbi_definitions)})"),
        "sample": (list(SAMPLES), False, f"samples ({', '.join(SAMPLES)})"),
        "controls": (["with", "without"], False, "with / without"),
        "outcome": (None, False, ""),
    }
    out: dict[str, list[str]] = {}
    for name, value in dimensions.items():
        key = f"config specification_curve.dimensions.{name}"
        if name == "io_release":
            out[name] = list(releases)
        elif name == "country_set":
            out[name] = list(country_set_labels)
        elif name in lists:
            allowed, all_ok, what = lists[name]
            chosen = list(allowed or []) if all_ok and value == "all" else [str(v) for v in value]  # type: ignore[union-attr]
            bad = sorted(set(chosen) - set(allowed)) if allowed is not None else []
            if bad:
                raise ValueError(f"{key}: {bad} are not {what}")
            out[name] = chosen
        elif name.startswith("control_"):
            control = name[len("control_") :]
            if control not in control_names:
                raise ValueError(f"{key}: no control named {control!r} (controls: {', '.join(control_names)})")
            out[name] = [str(v) for v in value]  # type: ignore[union-attr]
        else:
            raise ValueError(f"{key}: unknown dimension (known: {', '.join(KNOWN_DIMENSIONS)}, control_<NAME>)")
        if not out[name]:
            raise ValueError(f"{key}: no choices")
        if len(set(out[name])) != len(out[name]):
            raise ValueError(f"{key}: a choice is listed twice ({out[name]})")
    return out


def enumerate_specifications(choices: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Every distinct specification: the product of the choices, with the ones that cannot matter set to ``n/a``."""
    names = list(choices)
    rows = set()
    ordered = []
    for combo in itertools.product(*(choices[n] for n in names)):
        spec = dict(zip(names, combo))
        if spec.get("sample") == "all" and "developed_list" in spec:
            spec["developed_list"] = NOT_APPLICABLE
        if spec.get("controls") == "without":
            for n in names:
                if n.startswith("control_"):
                    spec[n] = NOT_APPLICABLE
        key = tuple(spec[n] for n in names)
        if key not in rows:
            rows.add(key)
            ordered.append(key)
    return pd.DataFrame(ordered, columns=names)


# ----------------------------------------------------------------- distinct specifications


def _full_specs(specs: pd.DataFrame, defaults: Mapping[str, str]) -> pd.DataFrame:
    full = specs.copy()
    for name, value in defaults.items():
        if name not in full.columns:
            full[name] = value
    return full


def _panel_key(k: Mapping[str, object], control_dims: Sequence[str], defaults: Mapping[str, str]) -> tuple[object, ...]:
    """The panel a specification is estimated on: (release, country set, control definitions, KOF vintage). Without
    controls, the control definitions do not matter: the panel of the configured ones (``defaults``)."""
    definitions = tuple((c[len("control_") :], k[c] if k[c] != NOT_APPLICABLE else defaults[c]) for c in control_dims)
    return (k["io_release"], k["country_set"], definitions, str(k["kof_vintage"]))


def _sample_mask(iso3: np.ndarray, sample: str, developed: Sequence[str] | None) -> np.ndarray:
    if sample == "all" or developed is None:
        return np.ones(iso3.size, dtype=bool)
    return np.isin(iso3, list(developed)) == (sample == "developed")


def distinct_specifications(
    specs: pd.DataFrame,
    panels: Mapping[tuple[str, str, tuple[tuple[str, str], ...], str], pd.DataFrame],
    *,
    developed_lists: Mapping[str, Mapping[str, Sequence[str]]],
    defaults: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The specifications that are distinct regressions, and what the others were merged into.

    Two specifications are the same regression when they have the same release, KOF vintage, outcome, regressors (with
    or without controls, TBI definition, control definitions) and the same estimation sample: the same country-years.
    The samples are compared before anything is estimated (a dropped country the release lacks, a developing country
    dropped from the developed sample, developed lists that coincide on the release's countries give the same rows).
    Of each group the specification with the most configured choices is kept (the paper's columns survive), with
    ``stands_for`` naming the choices it stands for (``country_set: configured = drop BGR instead of ROU``) and ``merged``
    how many grid specifications it counts for (1 + those merged into it).

    Returns ``(distinct, merged)``: ``distinct`` is ``specs``' kept rows (in their order) with ``stands_for`` and
    ``merged``; ``merged`` lists the specifications merged away, grouped by the choices they differ in from the one they
    were merged into (``dimension``: ``country_set`` or ``country_set + developed_list``): ``release, dimension, choice,
    merged_into, sample, specifications, reason``. Its ``specifications`` add up to the grid's specifications less the
    distinct ones, per release.
    """
    import hashlib

    full = _full_specs(specs, defaults)
    control_dims = sorted(c for c in full.columns if c.startswith("control_"))
    signatures: dict[tuple[object, ...], str] = {}
    countries: dict[str, set[str]] = {}
    for key, p in panels.items():
        countries.setdefault(str(key[0]), set()).update(p["iso3"].astype(str))

    def signature(k: Mapping[str, object]) -> str:
        panel_key = _panel_key(k, control_dims, defaults)
        lst = str(k["developed_list"]) if k["developed_list"] != NOT_APPLICABLE else "configured"
        sig_key = (panel_key, lst, k["sample"])
        if sig_key not in signatures:
            p = panels[panel_key]  # type: ignore[index]
            iso3 = p["iso3"].to_numpy(str)
            mask = _sample_mask(iso3, str(k["sample"]), developed_lists[str(k["io_release"])][lst] if k["sample"] != "all" else None)
            rows = np.char.add(np.char.add(iso3[mask], ":"), p["year"].to_numpy(np.int64)[mask].astype(str))
            signatures[sig_key] = hashlib.sha256("|".join(sorted(rows)).encode()).hexdigest()
        return signatures[sig_key]

    names = list(specs.columns)
    regression = [c for c in ("io_release", "kof_vintage", "outcome", "controls", "tbi", *control_dims) if c in full.columns]
    records = full.to_dict("records")
    keys = [(tuple(str(r[c]) for c in regression), signature(r)) for r in records]
    configured = [sum(str(r[c]) == str(defaults.get(c, r[c])) or r[c] == NOT_APPLICABLE for c in names) for r in records]
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    keep, stands_for, merged_count, merged_rows = [], {}, {}, []
    for members in groups.values():
        rep = sorted(members, key=lambda i: (-configured[i], i))[0]
        keep.append(rep)
        merged_count[rep] = len(members)
        varying: dict[str, list[str]] = {}
        for i in members:
            if i == rep:
                continue
            differ = [c for c in names if str(records[i][c]) != str(records[rep][c])]
            for c in differ:
                varying.setdefault(c, [str(records[rep][c])])
                if str(records[i][c]) not in varying[c]:
                    varying[c].append(str(records[i][c]))
            # one row per specification merged away (a specification that differs in two dimensions counts once)
            merged_rows.append({
                "release": str(records[i]["io_release"]), "dimension": " + ".join(differ), "choice": "; ".join(str(records[i][c]) for c in differ),
                "merged_into": "; ".join(str(records[rep][c]) for c in differ), "sample": str(records[i]["sample"]),
                "reason": "; ".join(_merge_reason(c, records[i], records[rep], countries, developed_lists) for c in differ),
            })  # fmt: skip
        stands_for[rep] = "; ".join(f"{c}: {' = '.join(v)}" for c, v in varying.items())
    keep.sort()
    distinct = specs.iloc[keep].copy()
    distinct["stands_for"] = [stands_for[i] for i in keep]
    distinct["merged"] = [merged_count[i] for i in keep]
    cols = ["release", "dimension", "choice", "merged_into", "sample", "specifications", "reason"]
    if not merged_rows:
        return distinct.reset_index(drop=True), pd.DataFrame(columns=cols)
    m = pd.DataFrame(merged_rows)
    m = m.groupby(["release", "dimension", "choice", "merged_into", "sample", "reason"], sort=False).size().rename("specifications").reset_index()
    return distinct.reset_index(drop=True), m[cols]


def _merge_reason(dimension: str, spec: Mapping[str, object], kept: Mapping[str, object], countries: Mapping[str, set[str]], developed_lists) -> str:
    """Why two choices give the same estimation sample on a release, in words."""
    release, sample = str(spec["io_release"]), str(spec["sample"])
    have = countries.get(release, set())
    if dimension == "country_set":
        moved = {c for lab in (spec[dimension], kept[dimension]) for c in re.findall(r"\b[A-Z]{3}\b", str(lab))}
        absent = sorted(c for c in moved if c not in have)
        if absent and len(absent) == len(moved):
            return f"the same estimation sample: {', '.join(absent)} {'is' if len(absent) == 1 else 'are'} not in {release}'s panel"
        return f"the same estimation sample: the countries moved ({', '.join(sorted(moved))}) are not in the {sample} sample on {release}" + (
            f" ({', '.join(absent)} not in its panel)" if absent else ""
        )
    if dimension == "developed_list":
        lists = developed_lists.get(release, {})
        a, b = (set(lists.get(str(x), [])) & have for x in (spec[dimension], kept[dimension]))
        if a == b:
            return f"the two developed lists coincide on {release}'s countries"
        return f"the {sample} sample is the same under both lists on {release}"
    return f"the same estimation sample on {release}"


# ----------------------------------------------------------------- estimation over the curve


@dataclass(frozen=True)
class _Arrays:
    """One panel as numpy arrays (its float columns by name), built once however many designs use it."""

    iso3: np.ndarray
    year: np.ndarray
    columns: dict[str, np.ndarray]


@dataclass(frozen=True)
class _Group:
    """Specifications that share one design (rows × regressors): every outcome column is solved at once.
    ``where``: the position in ``specs`` of each column of ``y``."""

    release: str
    x: np.ndarray
    y: np.ndarray
    entity: np.ndarray
    time: np.ndarray
    where: np.ndarray


def curve_groups(
    specs: pd.DataFrame,
    panels: Mapping[tuple[str, str, tuple[tuple[str, str], ...], str], pd.DataFrame],
    *,
    developed_lists: Mapping[str, Mapping[str, Sequence[str]]],
    control_names: Mapping[str, Sequence[str]],
    defaults: Mapping[str, str],
) -> list[_Group]:
    """The curve's designs (arguments as :func:`estimate_curve`): one per release × country set × control
    definitions × developed list × sample × controls × TBI definition and set of rows, with the outcome of
    every KOF vintage and index sharing those rows as a column of ``y``."""
    full = _full_specs(specs, defaults)
    control_dims = sorted(c for c in full.columns if c.startswith("control_"))
    cache: dict[tuple[object, ...], _Arrays] = {}

    def arrays(key: tuple[object, ...]) -> _Arrays:
        if key not in cache:
            p = panels[key]  # type: ignore[index]
            cache[key] = _Arrays(p["iso3"].to_numpy(str), p["year"].to_numpy(np.int64), {c: p[c].to_numpy(float) for c in p.columns if p[c].dtype.kind == "f"})
        return cache[key]

    outcome = full["outcome"].to_numpy(str)
    vintage_of = full["kof_vintage"].astype(str).to_numpy()
    out: list[_Group] = []
    # One design (rows × regressors) serves every vintage and outcome whose rows coincide.
    design_keys = ["io_release", "country_set", *control_dims, "developed_list", "sample", "controls", "tbi"]
    for key, positions in full.groupby(design_keys, sort=False).indices.items():
        k = dict(zip(design_keys, key))
        definitions = _panel_key({**k, "kof_vintage": ""}, control_dims, defaults)[2]
        release = k["io_release"]
        regressors = [f"TBI:{k['tbi']}", *(control_names[release] if k["controls"] == "with" else [])]
        dev = None if k["sample"] == "all" else set(developed_lists[release][k["developed_list"] if k["developed_list"] != NOT_APPLICABLE else "configured"])
        groups: list[tuple[_Arrays, np.ndarray, list[np.ndarray]]] = []  # (panel, row mask, spec positions per vintage)
        for vintage in dict.fromkeys(vintage_of[positions]):
            rows = positions[vintage_of[positions] == vintage]
            a = arrays((release, k["country_set"], definitions, str(vintage)))
            mask = np.ones(a.iso3.size, dtype=bool) if dev is None else np.isin(a.iso3, list(dev)) == (k["sample"] == "developed")
            for g in groups:
                ga, gm, members = g
                if gm.sum() == mask.sum() and np.array_equal(ga.iso3[gm], a.iso3[mask]) and np.array_equal(ga.year[gm], a.year[mask]):
                    members.append(rows)
                    break
            else:
                groups.append((a, mask, [rows]))
        for a, mask, members in groups:
            # each member's outcomes from its own vintage's panel (same rows as the group's first)
            y = np.column_stack(
                [arrays((release, k["country_set"], definitions, str(vintage_of[rows[0]]))).columns[o][mask] for rows in members for o in outcome[rows]]
            )
            x = np.column_stack([a.columns[r][mask] for r in regressors])
            out.append(_Group(str(release), x, y, a.iso3[mask], a.year[mask], np.concatenate(members)))
    return out


def estimate_curve(
    specs: pd.DataFrame,
    panels: Mapping[tuple[str, str, tuple[tuple[str, str], ...], str], pd.DataFrame],
    *,
    developed_lists: Mapping[str, Mapping[str, Sequence[str]]],
    control_names: Mapping[str, Sequence[str]],
    defaults: Mapping[str, str],
) -> pd.DataFrame:
    """Coefficient, SE, p and N of the TBI for every row of ``specs``.

    ``panels`` maps (release, country set, control definitions, KOF vintage) to the panel under those choices,
    with one TBI column per definition named ``TBI:<definition>``. ``developed_lists`` and ``control_names`` are
    per release (release → developed-list name → countries; release → its controls). ``defaults`` gives the choice
    used for a dimension absent from ``specs`` (e.g. ``sample: all``) and, for each ``control_<NAME>`` dimension,
    the configured variable (whose panel the specifications without controls use).
    """
    return curve_estimates(specs, curve_groups(specs, panels, developed_lists=developed_lists, control_names=control_names, defaults=defaults))


def curve_estimates(specs: pd.DataFrame, groups: Sequence[_Group]) -> pd.DataFrame:
    """:func:`estimate_curve` from the designs :func:`curve_groups` built for ``specs``."""
    coef = np.full(len(specs), np.nan)
    se = np.full(len(specs), np.nan)
    nobs = np.zeros(len(specs), dtype=np.int64)
    ncl = np.zeros(len(specs), dtype=np.int64)
    ratios = []
    for g in groups:
        b, s_ = fe_tbi_batch(g.x, g.y, g.entity, g.time, ratio=ratios)
        coef[g.where], se[g.where] = b, s_
        nobs[g.where], ncl[g.where] = g.x.shape[0], np.unique(g.entity).size
    if ratios:
        log.info("specification curve: %d designs; the smallest eigenvalue ratio of a scaled cross-product is %.3g (rank-deficient at or below %g)",
                 len(ratios), min(ratios), RANK_TOLERANCE)  # fmt: skip
    from scipy import stats  # here, so that curve_summary (the report) does not load it

    out = specs.copy()
    out["coef"], out["se"] = coef, se
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pvalue"] = 2 * stats.t.sf(np.abs(coef / se), ncl - 1)
    crit = stats.t.isf(0.025, ncl - 1)
    out["ci_low"], out["ci_high"] = coef - crit * se, coef + crit * se
    out["nobs"], out["nclusters"] = nobs, ncl
    return out


# ----------------------------------------------------------------- summary


def curve_summary(curve: pd.DataFrame, dimensions: Sequence[str]) -> dict[str, object]:
    """Shares of positive and significant estimates, and which dimension moves the median estimate most.

    For each dimension with several choices the median coefficient is taken over the specifications with each
    choice; the dimension whose medians are furthest apart (max − min) moves the estimate most.
    """
    spread = []
    for d in dimensions:
        med = curve[curve[d] != NOT_APPLICABLE].groupby(d, sort=False)["coef"].median()
        if len(med) > 1:
            spread.append((float(med.max() - med.min()), d, str(med.idxmin()), float(med.min()), str(med.idxmax()), float(med.max())))
    spread.sort(key=lambda s: (-s[0], s[1]))
    top = spread[0] if spread else None
    return {
        "n": len(curve),
        "share_positive": float((curve["coef"] > 0).mean()),
        "share_p05": float((curve["pvalue"] < 0.05).mean()),
        "share_positive_p05": float(((curve["coef"] > 0) & (curve["pvalue"] < 0.05)).mean()),
        "median_coef": float(curve["coef"].median()),
        "spreads": spread,
        "most_moving": top,
    }
