"""Reading the workflow configuration and resolving where each raw file and output lives.

The Snakefile calls these functions; keeping the logic here makes it testable
and keeps the rules thin. ``config`` is the merged dictionary of
``workflow/config.yaml``, ``workflow/downloads.yaml``, the checkout's own
``workflow/local.yaml`` (if any) and ``--config`` overrides. :func:`validate`
checks it against ``workflow/schemas/config.schema.yaml``, :func:`check_config`
for what a schema cannot say; :func:`raw_digest` gives the content digests that
make a changed raw file rerun its reader. What a release is, where its files are and what it can give is
:mod:`tradeimbalance.release`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .provenance import file_digest
from .release import BASIC_PRICES, Release, io_years, raw_dir

__all__ = ["ConfigError", "Config", "validate", "load_config", "check_config", "source_file", "kof_file", "downloads", "download_spec", "raw_digest", "raw_dir"]

Config = Mapping[str, Any]

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


def _deep_update(base: dict[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``new`` key by key, nested mappings merged (Snakemake's ``update_config``)."""
    for k, v in new.items():
        if isinstance(v, Mapping) and isinstance(base.get(k), dict):
            _deep_update(base[k], v)
        else:
            base[k] = v
    return base


def load_config(*paths: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge YAML files (later ones win; nested mappings merged key by key) and overrides, as Snakemake merges its config
    files (a settings file with ``specification_curve: {joint_test_draws: 199}`` changes that key and keeps the others)."""
    merged: dict[str, Any] = {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            _deep_update(merged, yaml.safe_load(fh) or {})
    _deep_update(merged, dict(overrides or {}))
    return merged


def check_config(config: Config) -> None:
    """Fail early, with the key named, on a configuration the workflow cannot run (beyond the schema's types)."""
    release = config["io_release"]
    releases = config["io_releases"]
    if release not in releases:
        raise ConfigError(f"config io_release={release!r}: no such release; io_releases has {', '.join(releases)}")
    if config["value_added"] not in ("primary_inputs", "basic_prices"):
        raise ConfigError(f"config value_added={config['value_added']!r}: expected primary_inputs or basic_prices")
    configured = Release.from_config(config)
    if config["value_added"] == "basic_prices" and not configured.gives(BASIC_PRICES):
        raise ConfigError(
            f"config value_added=basic_prices needs a release with a value-added row (io_release={release} has none: "
            f"it {configured.why_not(BASIC_PRICES)})"
        )
    if int(config["first_year"]) > int(config["last_year"]):
        raise ConfigError(f"config first_year={config['first_year']} is after last_year={config['last_year']}: the first year must come first")
    for name, r in releases.items():
        key = f"config io_releases.{name}"
        if Release.from_config(config, name).kind == "tables":
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
            f"config: no year of {release} ({', '.join(map(str, configured.years))}) falls in first_year–last_year "
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


def download_spec(config: Config, relpath: str) -> Any:
    """The :class:`tradeimbalance.download.DownloadSpec` of one raw file: its entry of ``downloads`` with the
    content-addressed ``download_fallbacks``."""
    from .download import DownloadSpec

    return DownloadSpec.from_mapping(relpath, downloads(config)[relpath], fallbacks=list(config.get("download_fallbacks") or []))


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
