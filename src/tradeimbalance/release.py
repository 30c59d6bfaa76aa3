"""An input–output release, built once from config: what it is, where its files are, which years and sample it has, and
what it can and cannot give, with the reason.

Every stage asks a :class:`Release` instead of testing a release's kind or name itself: the config check, the
preflight, the DAG (``workflow/rules/*.smk``), the comparison of releases, the regression tables and the report. What a
release cannot give is declared once, by its reader module (``NOT_AVAILABLE``: capability → reason): a flows release
(:mod:`tradeimbalance.readers.va_flows`) has no table, so no KWW/DVA-based TBI, no inventories variant, no value added at
basic prices and no identity checks; the WIOD 2013 packaging (:mod:`tradeimbalance.readers.wiod2013`) has no
value-added row. A new release kind is one reader module (with its ``NOT_AVAILABLE``) plus one config entry.

The time axis of a release is its years (``years`` or ``first_year``–``last_year``). "The previous period" (the 2SLS
instrument, the referee checks' lags and leads) is the previous year of that axis: the previous year for an annual
release, the previous benchmark year for one of benchmark years (WIOD 2016 flows: 2002, 2005, …, three years earlier).

The run's own choices about releases live here too: which releases are compared (:func:`comparison_releases`), which
enter the specification curve (:func:`curve_releases`), each one's sample (:func:`release_sample`) and the years whose
input–output algebra a run needs (:func:`table_years`).
"""

from __future__ import annotations

import copy
import importlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

Config = Mapping[str, Any]

#: What a release may be unable to give (the keys of a reader module's ``NOT_AVAILABLE``).
DVA = "KWW/DVA-based TBI"
INVENTORIES = "TBI without changes in inventories"
BASIC_PRICES = "value added at basic prices"
IDENTITIES = "identity checks of the table"

#: The regression tables each capability is needed for: table id → capability (the DVA robustness table).
TABLE_NEEDS: dict[str, str] = {"dva": DVA}
#: The TBI variant (tradeimbalance.io.tbi.TBI_VARIANTS) each capability is needed for.
VARIANT_NEEDS: dict[str, str] = {"fd_without_inventories": INVENTORIES, "va_basic_prices": BASIC_PRICES}

#: The archive of the WIOD 2016 release in R format, relative to the raw-data folder (config downloads).
WIOD2016_ZIP = "wiod/WIOTS_in_R.zip"


def raw_dir(config: Config) -> Path:
    """The raw-data folder as an absolute path: two spellings of the same folder are the same inputs."""
    return Path(os.path.abspath(os.path.expanduser(str(config["raw_dir"]))))


def label(name: str) -> str:
    """``wiod2016`` → ``WIOD 2016 release``, ``wiod2016_flows`` → ``WIOD 2016 release (value-added flows)``, ``icio2023`` →
    ``OECD ICIO 2023 edition``, ``wiod_longrun`` → ``long-run WIOD (GGDC)``; another name as it is."""
    if name == "wiod_longrun":
        return "long-run WIOD (GGDC)"
    if re.fullmatch(r"wiod\d{4}", name):
        return f"WIOD {name[4:]} release"
    if re.fullmatch(r"wiod\d{4}_flows", name):
        return f"WIOD {name[4:8]} release (value-added flows)"
    if re.fullmatch(r"icio\d{4}", name):
        return f"OECD ICIO {name[4:]} edition"
    return name


def year_span(years: Sequence[int]) -> str:
    """``1970–2000`` for three or more consecutive years, ``2002, 2005, 2008`` otherwise."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))


def period_step(years: Sequence[int]) -> int:
    """The spacing of a time axis: 1 for consecutive years, the smallest gap otherwise (3 for 2002, 2005, …)."""
    ys = sorted({int(y) for y in years})
    return min((b - a for a, b in zip(ys, ys[1:])), default=1)


def period_word(years: Sequence[int]) -> str:
    """``year`` for an annual axis, ``benchmark year`` for one with gaps."""
    return "year" if period_step(years) == 1 else "benchmark year"


def lag_description(years: Sequence[int]) -> str:
    """What the 2SLS instrument is on this time axis: ``TBI of the previous year (t-1)`` or ``TBI of the previous
    benchmark year (t-3)``."""
    return f"TBI of the previous {period_word(years)} (t-{period_step(years)})"


def previous_years(years: Sequence[int]) -> dict[int, int]:
    """Each year of the axis → the previous year of the axis (the first year has none)."""
    ys = sorted({int(y) for y in years})
    return dict(zip(ys[1:], ys[:-1]))


@dataclass(frozen=True)
class Release:
    """One entry of config ``io_releases``, with every question a stage asks of it answered here."""

    name: str
    spec: Mapping[str, Any]
    raw: Path

    @classmethod
    def from_config(cls, config: Config, name: str | None = None) -> Release:
        """The release ``name`` (default: the configured ``io_release``)."""
        name = str(name or config["io_release"])
        if name not in config["io_releases"]:
            raise KeyError(f"no release {name!r} in io_releases ({', '.join(config['io_releases'])})")
        return cls(name, config["io_releases"][name], raw_dir(config))

    # ------------------------------------------------------------------ what it is
    @property
    def kind(self) -> str:
        """``tables`` (world input–output tables, one file per year) or ``flows`` (value added by destination of absorption)."""
        return str(self.spec.get("kind", "tables"))

    @property
    def reader(self) -> str:
        """The reader module of :mod:`tradeimbalance.readers` (``va_flows`` for every flows release)."""
        return "va_flows" if self.kind == "flows" else str(self.spec.get("reader", self.name))

    @property
    def jobs(self) -> str:
        """``per_year``, ``per_release`` (a tables release) or ``flows`` (one job reads a flows file)."""
        return "flows" if self.kind == "flows" else str(self.spec.get("jobs", "per_year"))

    @property
    def label(self) -> str:
        return label(self.name)

    @property
    def paper(self) -> bool:
        """Whether these are the paper's own data (its release, in this or another form: config ``paper: true``)."""
        return bool(self.spec.get("paper", False))

    @property
    def description(self) -> str:
        return str(self.spec.get("description") or f"{self.label}, {year_span(self.years)}")

    @property
    def years(self) -> list[int]:
        """Every year the release covers: its ``years`` list, or ``first_year``–``last_year``."""
        if "years" in self.spec:
            return sorted(int(y) for y in self.spec["years"])
        return list(range(int(self.spec["first_year"]), int(self.spec["last_year"]) + 1))

    @property
    def annual(self) -> bool:
        return period_step(self.years) == 1

    @property
    def period_word(self) -> str:
        """``year`` or ``benchmark year``: the unit of the release's time axis."""
        return period_word(self.years)

    @property
    def step(self) -> int:
        """Years between two periods of the release (1 for an annual release, 3 for the WIOD 2016 flows)."""
        return period_step(self.years)

    @property
    def lag_description(self) -> str:
        """The 2SLS instrument on this release: the TBI of the previous year, or of the previous benchmark year."""
        return lag_description(self.years)

    # ------------------------------------------------------------------ what it can give
    @cached_property
    def not_available(self) -> dict[str, str]:
        """What the release cannot give → the reason: its reader module's ``NOT_AVAILABLE`` (none declared: everything)."""
        module = importlib.import_module(f"tradeimbalance.readers.{self.reader}")
        return dict(getattr(module, "NOT_AVAILABLE", {}))

    def gives(self, what: str) -> bool:
        return what not in self.not_available

    def why_not(self, what: str) -> str:
        """The reason the release cannot give ``what`` ("" when it can)."""
        return self.not_available.get(what, "")

    @property
    def skipped_tables(self) -> dict[str, str]:
        """The paper's regression tables this release cannot give (table id → reason): the DVA table without a table."""
        out = {t: f"{self.label} cannot give the {need}: it {self.why_not(need)}" for t, need in TABLE_NEEDS.items() if not self.gives(need)}
        if len(self.years) < 2:
            out["2sls"] = f"{self.label} has one year only: the previous {self.period_word}'s TBI (the instrument) is undefined"
        return out

    def variant_unavailable(self, variant: str) -> str:
        """Why the release cannot give a TBI variant (tradeimbalance.io.tbi.TBI_VARIANTS), or ""."""
        need = VARIANT_NEEDS.get(variant)
        return self.why_not(need) if need else ""

    # ------------------------------------------------------------------ where its files are
    @property
    def folder(self) -> Path:
        return self.raw / str(self.spec["subdir"])

    @property
    def flows_file(self) -> Path:
        """The raw file of a flows release."""
        return self.folder / str(self.spec["file"])

    def period(self, year: int) -> str:
        """The archive period (config ``periods``, e.g. ``2016-2020``) holding ``year``: the ``{period}`` of a file pattern,
        for an edition shipped in archives of several years; ``""`` when the release has none."""
        for period in self.spec.get("periods") or []:
            first, _, last = str(period).partition("-")
            if int(first) <= int(year) <= int(last or first):
                return str(period)
        return ""

    def raw_file(self, year: int) -> Path:
        """The raw file of one year: the flows file, or the first format of ``formats`` whose file exists. When none
        exists, the first format's path, so that the workflow's download rule is asked for it (and explains what is
        missing)."""
        if self.kind == "flows":
            return self.flows_file
        candidates = [self.folder / self.spec["files"][fmt].format(year=year, period=self.period(year)) for fmt in self.spec["formats"]]
        return next((p for p in candidates if p.exists()), candidates[0])

    def present(self, years: Sequence[int] | None = None) -> bool:
        """Whether the raw files of ``years`` (default: every year) are in the raw-data folder (WIOD 2016: or its R archive)."""
        if self.kind == "flows":
            return self.flows_file.exists()
        if self.reader == "wiod2016" and (self.raw / WIOD2016_ZIP).exists():
            return True  # the workflow extracts the years from the archive
        return all(self.raw_file(y).exists() for y in (self.years if years is None else years))


def releases(config: Config) -> dict[str, Release]:
    """Every release of config ``io_releases``, in config order."""
    return {name: Release.from_config(config, name) for name in config["io_releases"]}


# ---------------------------------------------------------------------- the run's design and its releases
#: The top-level keys that make the paper's design (its years, countries, sample split and controls).
PAPER_DESIGN_KEYS = ("first_year", "last_year", "countries", "controls", "sample")


def paper_design(config: Config) -> dict[str, Any]:
    """The paper's design as the configuration states it (top-level keys), whatever the configured release."""
    return dict(config.get("paper_design") or {k: config[k] for k in PAPER_DESIGN_KEYS})


def adopt_release_sample(config: dict[str, Any]) -> None:
    """Make the configured release's own ``sample`` block the run's design (in place; once).

    An era or edition other than the paper's (the long-run WIOD, an OECD ICIO edition) names its years, countries,
    developed list and controls in ``io_releases.<name>.sample``; with ``io_release`` set to it, those become the
    top-level ``first_year``, ``last_year``, ``countries``, ``controls`` and ``sample`` that every rule reads. The
    paper's own design is kept as ``config["paper_design"]``: the specification search (which is about the paper's
    published numbers) and the other releases' samples use it. The WIOD releases have no sample block: nothing changes.
    """
    if "paper_design" in config:
        return
    config["paper_design"] = copy.deepcopy({k: config[k] for k in PAPER_DESIGN_KEYS})
    if not config["io_releases"][config["io_release"]].get("sample"):
        return
    s = release_sample(config, config["io_release"])
    config["first_year"], config["last_year"] = s["first_year"], s["last_year"]
    config["countries"] = list(s["countries"])
    config["controls"] = dict(s["controls"])
    config["sample"] = {**config["sample"], "excluded_countries": dict(s["excluded_countries"]), "developed": list(s["developed"])}


def release_sample(config: Config, name: str) -> dict[str, Any]:
    """The sample design of a release's panel: the paper's settings (:func:`paper_design`), with the release's own
    ``sample`` keys in their place; ``years``: the release's years in its first–last window; ``periods``: every year of
    the release (its time axis: the previous period of a year is the previous one of these)."""
    base = paper_design(config)
    release = Release.from_config(config, name)
    own = dict(release.spec.get("sample") or {})
    first = int(own.get("first_year", base["first_year"]))
    last = int(own.get("last_year", base["last_year"]))
    names = list(own.get("controls", list(base["controls"])))
    return {
        "countries": list(own.get("countries", base["countries"])),
        "first_year": first,
        "last_year": last,
        "years": [y for y in release.years if first <= y <= last],
        "periods": release.years,
        "outcomes": list(config["kof"]["required_columns"]),
        "controls": {k: v for k, v in base["controls"].items() if k in names},
        "excluded_countries": dict(own.get("excluded_countries", base["sample"]["excluded_countries"])),
        "developed": list(own.get("developed", base["sample"]["developed"])),
    }


def run_design(config: Config) -> dict[str, Any]:
    """The estimation sample's design of the run (all of it but the KOF vintage), for the panel-building steps: the
    top-level settings (after :func:`adopt_release_sample`), the release's time axis (``periods``), and, for a release
    of benchmark years, its years in the sample window (``years``: the candidate grid is those years only)."""
    release = Release.from_config(config)
    return {
        "countries": config["countries"],
        "first_year": config["first_year"],
        "last_year": config["last_year"],
        "outcomes": config["kof"]["required_columns"],
        "controls": config["controls"],
        "excluded_countries": config["sample"]["excluded_countries"],
        "developed": config["sample"]["developed"],
        "periods": release.years,
        "years": None if release.annual else io_years(config),
    }


def io_years(config: Config, name: str | None = None) -> list[int]:
    """Years of a release (default: the configured one) that fall in the sample period (WIOD 2013: 2000–2011)."""
    release = Release.from_config(config, name)
    return [y for y in release.years if int(config["first_year"]) <= y <= int(config["last_year"])]


def tbi_years(config: Config, name: str | None = None) -> list[int]:
    """The years whose TBI a release's run computes: its sample years (:func:`io_years`) and, when the release has it,
    the period before the first of them, whose TBI is the 2SLS instrument of the first sample year (WIOD 2013: 1999
    for 2000). The package's one choice for the instrument of the first sample year: **use the year before when the
    release has it**, so the 2SLS sample is the sample of the OLS columns it is compared with; a release that begins
    with the sample (the WIOD 2016 tables, 2000–2014; the flows, whose first benchmark year is 2002) has no instrument
    for its first year, and that year drops out of the 2SLS (logged and noted in the table). The comparison of
    releases, the glance, the causal checks and ``panel.dta`` all read the same TBI."""
    release = Release.from_config(config, name)
    own = io_years(config, name)
    if not own:
        return own
    before = [y for y in release.years if y < own[0]]
    return ([before[-1]] if before else []) + own


def comparison_releases(config: Config) -> list[str]:
    """The releases compared side by side: the configured one first, then ``comparison.releases`` (``present``:
    every release of ``io_releases`` whose files are all in the raw-data folder, in config order)."""
    listed = (config.get("comparison") or {}).get("releases", "present")
    names = [name for name, r in releases(config).items() if r.present()] if listed == "present" else list(listed)
    return [config["io_release"], *[r for r in names if r != config["io_release"]]]


def curve_releases(config: Config) -> list[str]:
    """The releases of the specification curve, in config order (``io_releases``), whichever is configured, so that a
    release's curve and its place in it do not depend on the configured release: the configured one and each other one
    of ``specification_curve.dimensions.io_release`` (``present``: the compared releases) whose raw files are present."""
    listed = (config.get("specification_curve") or {}).get("dimensions", {}).get("io_release", [config["io_release"]])
    if listed == "present":
        chosen = set(comparison_releases(config))
    else:
        chosen = {config["io_release"]}
        for name in listed:
            years = release_sample(config, name)["years"]  # the curve reads a release's sample years only
            if years and Release.from_config(config, name).present(years):
                chosen.add(name)
    return [name for name in config["io_releases"] if name in chosen]


def table_years(config: Config, name: str, compared: list[str] | None = None) -> list[int]:
    """The years whose input–output algebra is computed for a tables release: the sample years of the configured
    release, and every year of each compared release (a TBI is compared over all the years two releases share).
    ``compared``: :func:`comparison_releases`, when the caller has it already (it looks at the raw files)."""
    compared = comparison_releases(config) if compared is None else compared
    if name == config["io_release"] and len(compared) == 1:
        return tbi_years(config, name)
    own = tbi_years(config, name) if name == config["io_release"] else []
    return sorted(set(own) | set(Release.from_config(config, name).years))
