"""Reading the workflow configuration and resolving where each raw file and output lives.

The Snakefile calls these functions; keeping the logic here makes it testable
and keeps the rules thin. ``config`` is the merged dictionary of
``workflow/config.yaml``, ``workflow/downloads.yaml``, the checkout's own
``workflow/local.yaml`` (if any) and ``--config`` overrides. :func:`validate`
checks it against ``workflow/schemas/config.schema.yaml``, :func:`check_config`
for what a schema cannot say; :func:`raw_digest` gives the content digests that
make a changed raw file rerun its reader.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .provenance import file_digest

Config = Mapping[str, Any]

#: The releases of the shipped configuration (a user may add others under ``io_releases``).
IO_RELEASES = ("wiod2016", "wiod2013", "wiod2016_flows", "wiod_longrun")
#: The JSON schema of the configuration (checked with Snakemake's ``validate()``).
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """A configuration value the workflow cannot run with; the message names the key and what it expects."""


def _key(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "the top level"


def _expected(error: Any) -> str:
    """What the schema wants at the failing place, in words."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        return f"known keys: {', '.join(allowed)}" if allowed else "no other keys"
    if error.validator == "enum":
        return "one of " + ", ".join(repr(v) for v in error.validator_value)
    return schema.get("description") or f"{error.validator} {error.validator_value!r}"


def validate(config: Mapping[str, Any], schema: str | Path = SCHEMA) -> None:
    """Check ``config`` against the JSON schema with Snakemake's ``validate()``; on failure raise a
    :class:`ConfigError` that names every wrong key and what it expects (not the schema dump)."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate as snakemake_validate

    try:
        snakemake_validate(dict(config), str(schema))
    except WorkflowError:
        import jsonschema

        with open(schema, encoding="utf-8") as fh:
            spec = yaml.safe_load(fh)
        errors = sorted(jsonschema.Draft202012Validator(spec).iter_errors(dict(config)), key=lambda e: list(map(str, e.absolute_path)))
        if not errors:
            raise
        lines = []
        for e in errors:
            key = _key(e.absolute_path)
            if e.validator == "additionalProperties":
                unknown = sorted(set(e.instance) - set((e.schema.get("properties") or {})))
                lines.append(f"unknown config key(s) {', '.join(repr(u) for u in unknown)} in {key} (a typo?); {_expected(e)}")
            else:
                lines.append(f"config {key}={e.instance!r}: {e.message}; expected {_expected(e)}")
        raise ConfigError("invalid configuration (workflow/config.yaml, workflow/local.yaml or --config):\n  " + "\n  ".join(lines)) from None


def load_config(*paths: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge YAML files (later ones win, top-level keys) and overrides, as Snakemake does."""
    merged: dict[str, Any] = {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            merged.update(yaml.safe_load(fh) or {})
    merged.update(overrides or {})
    return merged


def check_config(config: Config) -> None:
    """Fail early, with the key named, on a configuration the workflow cannot run (beyond the schema's types)."""
    release = config["io_release"]
    releases = config["io_releases"]
    if release not in releases:
        raise ConfigError(f"config io_release={release!r}: no such release; io_releases has {', '.join(releases)}")
    if release_kind(config, release) != "tables":
        raise ConfigError(
            f"config io_release={release!r} is a flows release: it gives the TBI but not the KWW/DVA-based TBI, the TBI "
            "variants or the table identities that the paper's full set of tables needs. It enters the comparison of "
            "releases (comparison.releases: results/estimates_by_release.csv) and the specification curve; choose a "
            f"tables release for io_release ({', '.join(r for r in releases if release_kind(config, r) == 'tables')})"
        )
    if config["value_added"] not in ("primary_inputs", "basic_prices"):
        raise ConfigError(f"config value_added={config['value_added']!r}: expected primary_inputs or basic_prices")
    if config["value_added"] == "basic_prices" and releases[release].get("reader") == "wiod2013":
        raise ConfigError(f"config value_added=basic_prices needs a release with a value-added row (io_release={release} has none: the WIOD 2013 packaging ships no primary-input rows)")
    if int(config["first_year"]) > int(config["last_year"]):
        raise ConfigError(f"config first_year={config['first_year']} is after last_year={config['last_year']}: the first year must come first")
    for name, r in releases.items():
        key = f"config io_releases.{name}"
        if release_kind(config, name) == "tables":
            if int(r["first_year"]) > int(r["last_year"]):
                raise ConfigError(f"{key}: first_year {r['first_year']} is after last_year {r['last_year']}")
            if "reader" not in r:
                raise ConfigError(f"{key}: a tables release names its reader module (reader: wiod2016 | wiod2013 | wiod_longrun | …)")
            unknown = [f for f in r["formats"] if f not in r["files"]]
            if unknown:
                raise ConfigError(f"{key}.formats: {', '.join(unknown)} has no file pattern in {key}.files")
        sample = r.get("sample") or {}
        cands = set(sample.get("countries", config["countries"]))
        for sub in ("developed", "excluded_countries"):
            bad = sorted(set(sample.get(sub, [])) - cands)
            if bad:
                raise ConfigError(f"{key}.sample.{sub}: {', '.join(bad)} not among the release's candidate countries")
        bad = [c for c in sample.get("controls", []) if c not in config["controls"]]
        if bad:
            raise ConfigError(f"{key}.sample.controls: {', '.join(bad)} not among config controls ({', '.join(config['controls'])})")
        if int(sample.get("first_year", config["first_year"])) > int(sample.get("last_year", config["last_year"])):
            raise ConfigError(f"{key}.sample: first_year is after last_year")
    listed = (config.get("comparison") or {}).get("releases", "present")
    if listed != "present":
        bad = [r for r in listed if r not in releases]
        if bad:
            raise ConfigError(f"config comparison.releases: {', '.join(bad)} not among io_releases ({', '.join(releases)})")
    vintages = list(config["kof"]["vintages"])
    if str(config["kof_vintage"]) not in vintages:
        raise ConfigError(f"config kof_vintage={config['kof_vintage']!r}: no such KOF vintage; the vintages present (kof.vintages) are {', '.join(vintages)}")
    countries = set(config["countries"])
    for key, listed in (("table1_countries", config["table1_countries"]), ("sample.developed", config["sample"]["developed"]), ("sample.excluded_countries", config["sample"]["excluded_countries"])):
        unknown = sorted(set(listed) - countries)
        if unknown:
            raise ConfigError(f"config {key}: {', '.join(unknown)} not among the candidate countries (config countries)")
    _check_curve(config)
    if not io_years(config):
        raise ConfigError(
            f"config: no year of {release} ({', '.join(map(str, release_years(config, release)))}) falls in first_year–last_year "
            f"({config['first_year']}–{config['last_year']})"
        )


def _check_curve(config: Config) -> None:
    """The specification curve's names: each must exist where it points (the schema checks the types)."""
    curve = config.get("specification_curve")
    if not curve:
        return
    from .econometrics.speccurve import TBIDefinition  # the curve's own reading of a definition (numpy, pandas only)

    dims, definitions = curve["dimensions"], curve["tbi_definitions"]
    key = "config specification_curve"
    try:
        parsed = [TBIDefinition.from_config(name, d) for name, d in definitions.items()]
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not any(d.is_configured for d in parsed):
        raise ConfigError(f"{key}.tbi_definitions: none is the paper's TBI ({{measure: va_absorbed, variant: baseline}}); the curve marks it as configured")
    checks = [
        ("tbi", dims.get("tbi", []), list(definitions), "specification_curve.tbi_definitions"),
        ("outcome", dims.get("outcome", []), list(config["kof"]["required_columns"]), "kof.required_columns"),
    ]
    if dims.get("kof_vintage", "all") != "all":
        checks.append(("kof_vintage", [str(v) for v in dims["kof_vintage"]], list(config["kof"]["vintages"]), "kof.vintages"))
    if dims.get("developed_list", "all") != "all":
        alternatives = list((config["specification_search"].get("developed_alternatives") or {}))
        checks.append(("developed_list", dims["developed_list"], ["configured", *alternatives], "configured and specification_search.developed_alternatives"))
    for dim, chosen, allowed, where in checks:
        bad = [str(c) for c in chosen if str(c) not in allowed]
        if bad:
            raise ConfigError(f"{key}.dimensions.{dim}: {', '.join(bad)} not among {where} ({', '.join(allowed)})")
    controls = list(config["controls"])
    for dim in dims:
        if dim.startswith("control_") and dim[len("control_") :] not in controls:
            raise ConfigError(f"{key}.dimensions.{dim}: no control named {dim[len('control_'):]!r} (config controls: {', '.join(controls)})")
    listed = dims.get("io_release", [config["io_release"]])
    if listed != "present" and any(r not in config["io_releases"] for r in listed):
        bad = [r for r in listed if r not in config["io_releases"]]
        raise ConfigError(f"{key}.dimensions.io_release: {', '.join(bad)} not among io_releases ({', '.join(config['io_releases'])})")
    if listed != "present" and config["io_release"] not in listed:
        raise ConfigError(f"{key}.dimensions.io_release: must include the configured io_release={config['io_release']}")


def release_kind(config: Config, release: str) -> str:
    """``tables`` (world input–output tables) or ``flows`` (value added by destination of absorption)."""
    return str(config["io_releases"][release].get("kind", "tables"))


def release_years(config: Config, release: str) -> list[int]:
    """Every year a release covers: its ``years`` list, or ``first_year``–``last_year``."""
    r = config["io_releases"][release]
    if "years" in r:
        return sorted(int(y) for y in r["years"])
    return list(range(int(r["first_year"]), int(r["last_year"]) + 1))


def release_present(config: Config, release: str, years: list[int] | None = None) -> bool:
    """Whether the raw files of ``years`` (default: every year) of a release are in the raw-data folder (WIOD 2016:
    or its R archive)."""
    r = config["io_releases"][release]
    if release_kind(config, release) == "flows":
        return flows_file(config, release).exists()
    if r.get("reader") == "wiod2016":
        from .preflight import WIOD2016_ZIP  # the workflow extracts the WIOD 2016 years from its R archive

        if (raw_dir(config) / WIOD2016_ZIP).exists():
            return True
    return all(io_raw_file(config, y, release).exists() for y in (release_years(config, release) if years is None else years))


def comparison_releases(config: Config) -> list[str]:
    """The releases compared side by side: the configured one first, then ``comparison.releases`` (``present``:
    every release of ``io_releases`` whose files are all in the raw-data folder, in config order)."""
    listed = (config.get("comparison") or {}).get("releases", "present")
    names = [r for r in config["io_releases"] if release_present(config, r)] if listed == "present" else list(listed)
    return [config["io_release"], *[r for r in names if r != config["io_release"]]]


def curve_releases(config: Config) -> list[str]:
    """The IO releases of the specification curve: the configured one, then each other one of
    ``specification_curve.dimensions.io_release`` (``present``: the compared releases) whose raw files are present."""
    listed = (config.get("specification_curve") or {}).get("dimensions", {}).get("io_release", [config["io_release"]])
    if listed == "present":
        return comparison_releases(config)
    out = [config["io_release"]]
    for release in listed:
        years = release_sample(config, release)["years"]  # the curve reads a release's sample years only
        if release not in out and years and release_present(config, release, years):
            out.append(release)
    return out


def table_years(config: Config, release: str, compared: list[str] | None = None) -> list[int]:
    """The years whose input–output algebra is computed for a tables release: the sample years of the configured
    release, and every year of each compared release (a TBI is compared over all the years two releases share).
    ``compared``: :func:`comparison_releases`, when the caller has it already (it looks at the raw files)."""
    compared = comparison_releases(config) if compared is None else compared
    if release == config["io_release"] and len(compared) == 1:
        return io_years(config, release)
    return sorted(set(io_years(config, release) if release == config["io_release"] else []) | set(release_years(config, release)))


#: The top-level keys that make the paper's design (its years, countries, sample split and controls).
PAPER_DESIGN_KEYS = ("first_year", "last_year", "countries", "controls", "sample")


def paper_design(config: Config) -> dict[str, Any]:
    """The paper's design as the configuration states it (top-level keys), whatever the configured release."""
    return dict(config.get("paper_design") or {k: config[k] for k in PAPER_DESIGN_KEYS})


def adopt_release_sample(config: Config) -> None:
    """Make the configured release's own ``sample`` block the run's design (in place; once).

    An era or edition other than the paper's (the long-run WIOD, an OECD ICIO edition) names its years, countries,
    developed list and controls in ``io_releases.<name>.sample``; with ``io_release`` set to it, those become the
    top-level ``first_year``, ``last_year``, ``countries``, ``controls`` and ``sample`` that every rule reads. The
    paper's own design is kept as ``config["paper_design"]``: the specification search (which is about the paper's
    published numbers) and the other releases' samples use it. The WIOD releases have no sample block: nothing changes.
    """
    import copy

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


def release_sample(config: Config, release: str) -> dict[str, Any]:
    """The sample design of a release's panel (results/estimates_by_release.csv): the paper's settings
    (:func:`paper_design`), with the release's own ``sample`` keys in their place; ``years``: the release's years in
    its first–last window."""
    base = paper_design(config)
    own = dict(config["io_releases"][release].get("sample") or {})
    first = int(own.get("first_year", base["first_year"]))
    last = int(own.get("last_year", base["last_year"]))
    names = list(own.get("controls", list(base["controls"])))
    return {
        "countries": list(own.get("countries", base["countries"])),
        "first_year": first,
        "last_year": last,
        "years": [y for y in release_years(config, release) if first <= y <= last],
        "outcomes": list(config["kof"]["required_columns"]),
        "controls": {k: v for k, v in base["controls"].items() if k in names},
        "excluded_countries": dict(own.get("excluded_countries", base["sample"]["excluded_countries"])),
        "developed": list(own.get("developed", base["sample"]["developed"])),
    }


def flows_file(config: Config, release: str) -> Path:
    """The raw file of a flows release."""
    r = config["io_releases"][release]
    return raw_dir(config) / r["subdir"] / r["file"]


def raw_dir(config: Config) -> Path:
    """The raw-data folder as an absolute path: two spellings of the same folder are the same inputs."""
    return Path(os.path.abspath(os.path.expanduser(str(config["raw_dir"]))))


def io_years(config: Config, release: str | None = None) -> list[int]:
    """Years of the IO release that fall in the sample period (WIOD 2013: 2000–2011)."""
    release = release or config["io_release"]
    return [y for y in release_years(config, release) if int(config["first_year"]) <= y <= int(config["last_year"])]


def io_raw_file(config: Config, year: int, release: str | None = None) -> Path:
    """The raw file of one IO year: the first format of ``formats`` whose file exists.

    When none exists, the first format's path is returned, so that the
    workflow's download rule is asked for it (and explains what is missing).
    """
    release = release or config["io_release"]
    r = config["io_releases"][release]
    folder = raw_dir(config) / r["subdir"]
    candidates = [folder / r["files"][fmt].format(year=year, period=release_period(config, release, year)) for fmt in r["formats"]]
    return next((p for p in candidates if p.exists()), candidates[0])


def release_period(config: Config, release: str, year: int) -> str:
    """The archive period (config ``io_releases.<name>.periods``, e.g. ``2016-2020``) holding ``year``: the ``{period}``
    of a file pattern, for an edition shipped in archives of several years; ``""`` when the release has none."""
    for period in config["io_releases"][release].get("periods") or []:
        first, _, last = str(period).partition("-")
        if int(first) <= int(year) <= int(last or first):
            return str(period)
    return ""


def source_file(config: Config, source: str) -> Path:
    """The raw file of a single-file source (``pwt``, ``wgi``, ``wdi``)."""
    s = config[source]
    return raw_dir(config) / s["subdir"] / s["file"]


def kof_file(config: Config, vintage: str) -> Path:
    k = config["kof"]
    return raw_dir(config) / k["subdir"] / k["vintages"][vintage]


def downloads(config: Config) -> dict[str, dict[str, str]]:
    """Download specifications keyed by path relative to the raw-data directory."""
    return dict(config.get("downloads") or {})


def raw_digest(path: str | Path, cache_file: str | Path | None = None) -> str:
    """``sha256:<hex>`` of a raw file, or ``missing`` when there is none: a rerun trigger for its reader.

    A rule that reads a raw file carries this value as a parameter, so that Snakemake reruns the reader
    when the file's content changes (whatever its modification time) or the file disappears. Digests are
    cached in ``cache_file`` by (size, modification and change time, inode), so a file is hashed again
    only when one of those changes.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    cache: dict[str, list[str]] = {}
    if cache_file is not None and Path(cache_file).exists():
        try:
            cache = json.loads(Path(cache_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
    key = str(path.resolve())
    if key in cache and cache[key][0] == stamp:
        return cache[key][1]
    digest = f"sha256:{file_digest(path)}"
    if cache_file is not None:
        cache[key] = [stamp, digest]
        Path(cache_file).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(f"{cache_file}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
        os.replace(tmp, cache_file)
    return digest
