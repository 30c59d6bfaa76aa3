# Paths and year lists derived from the config (logic in tradeimbalance.config).
from tradeimbalance import config as cfg

# The configuration is checked before any job is planned: types, allowed values and unknown keys against
# the JSON schema (Snakemake's validate()), then what a schema cannot say (year order, vintages present …).
cfg.validate(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
cfg.check_config(config)
# A configured release with its own sample (an era or an ICIO edition) is the run's design; the paper's is kept.
cfg.adopt_release_sample(config)
PAPER = cfg.paper_design(config)

RAW = str(cfg.raw_dir(config))  # absolute: two spellings of the same folder are the same inputs
PROC = config["processed_dir"]
RES = config["results_dir"]
LOGS = config["logs_dir"]
RELEASE = config["io_release"]
VALUE_ADDED = config["value_added"]
IO_YEARS = cfg.io_years(config)
KOF_VINTAGES = list(config["kof"]["vintages"])
DOWNLOADS = cfg.downloads(config)
# Releases of the specification curve: the configured one and the other listed ones whose raw tables are present.
CURVE_RELEASES = cfg.curve_releases(config)
# Each curve release's sample (years, countries, developed list, controls): the configured one is the paper's design.
CURVE_SAMPLES = {r: cfg.release_sample(config, r) for r in CURVE_RELEASES}
# Releases side by side (results/estimates_by_release.csv): the configured one and comparison.releases.
COMPARISON_RELEASES = cfg.comparison_releases(config)
RELEASES = config["io_releases"]
# Tables releases read one job per year, tables releases read in one job (jobs: per_release), flows releases.
PER_YEAR_RELEASES = [r for r in RELEASES if cfg.release_kind(config, r) == "tables" and RELEASES[r].get("jobs", "per_year") == "per_year"]
BATCH_RELEASES = [r for r in RELEASES if cfg.release_kind(config, r) == "tables" and RELEASES[r].get("jobs") == "per_release"]
FLOWS_RELEASES = [r for r in RELEASES if cfg.release_kind(config, r) == "flows"]


# The years of each tables release whose input–output algebra the run needs (tradeimbalance.config.table_years),
# worked out once: finding the compared releases looks at every raw file.
TABLE_YEARS = {r: cfg.table_years(config, r, COMPARISON_RELEASES) for r in RELEASES if cfg.release_kind(config, r) == "tables"}


def table_years(release):
    return TABLE_YEARS[release]


wildcard_constraints:
    year=r"\d{4}",
    release="|".join(PER_YEAR_RELEASES) or "(?!)",

# The estimation sample's design (all of it but the KOF vintage): passed whole to the panel-building steps.
DESIGN = {
    "countries": config["countries"],
    "first_year": config["first_year"],
    "last_year": config["last_year"],
    "outcomes": config["kof"]["required_columns"],
    "controls": config["controls"],
    "excluded_countries": config["sample"]["excluded_countries"],
    "developed": config["sample"]["developed"],
}


# Each rule that reads a raw file carries the file's content digest as a parameter: a raw file that is
# replaced (whatever its modification time) or deleted after a complete run reruns its reader, and only its
# branch of the DAG; a deleted one is downloaded again or stops the run naming it.
DIGEST_CACHE = ".snakemake/tradeimbalance_raw_digests.json"


def raw_sha256(raw_file):
    """A params function: the digest of the raw file ``raw_file(wildcards)`` names. It takes the wildcards only
    (not ``input``), because Snakemake leaves params derived from the input out of its params rerun trigger."""
    return lambda wildcards: cfg.raw_digest(raw_file(wildcards), DIGEST_CACHE)
