# Paths and year lists derived from the config (logic in tradeimbalance.config and tradeimbalance.release).
from tradeimbalance import config as cfg
from tradeimbalance import release as rel

# The configuration is checked before any job is planned: types, allowed values and unknown keys against
# the JSON schema (Snakemake's validate()), then what a schema cannot say (year order, vintages present …).
cfg.validate(config, f"{workflow.basedir}/workflow/schemas/config.schema.yaml")
cfg.check_config(config)
# A configured release with its own sample (an era or an ICIO edition) is the run's design; the paper's is kept.
rel.adopt_release_sample(config)
PAPER = rel.paper_design(config)

RAW = str(rel.raw_dir(config))  # absolute: two spellings of the same folder are the same inputs
PROC = config["processed_dir"]
RES = config["results_dir"]
LOGS = config["logs_dir"]
RELEASE = config["io_release"]
# Every release, each answering what it is and what it can give (tradeimbalance.release.Release); THIS: the configured one.
RELEASES = rel.releases(config)
THIS = RELEASES[RELEASE]
VALUE_ADDED = config["value_added"]
IO_YEARS = rel.io_years(config)
# The years whose TBI the run computes: the sample years and, where the release has it, the year before the first (the
# 2SLS instrument of the first sample year; tradeimbalance.release.tbi_years).
TBI_YEARS = rel.tbi_years(config)
KOF_VINTAGES = list(config["kof"]["vintages"])
DOWNLOADS = cfg.downloads(config)
# Releases of the specification curve: the configured one and the other listed ones whose raw tables are present.
CURVE_RELEASES = rel.curve_releases(config)
# Each curve release's sample (years, countries, developed list, controls): the configured one is the paper's design.
CURVE_SAMPLES = {r: rel.release_sample(config, r) for r in CURVE_RELEASES}
# Releases side by side (results/estimates_by_release.csv): the configured one and comparison.releases.
COMPARISON_RELEASES = rel.comparison_releases(config)
# Tables releases read one job per year, tables releases read in one job (jobs: per_release), flows releases.
PER_YEAR_RELEASES = [r for r, x in RELEASES.items() if x.jobs == "per_year"]
BATCH_RELEASES = [r for r, x in RELEASES.items() if x.jobs == "per_release"]
FLOWS_RELEASES = [r for r, x in RELEASES.items() if x.kind == "flows"]
# The paper's regression tables the configured release cannot give (the DVA table of a flows release), with the reason.
SKIPPED_TABLES = THIS.skipped_tables


# The years of each tables release whose input–output algebra the run needs (tradeimbalance.release.table_years),
# worked out once: finding the compared releases looks at every raw file.
TABLE_YEARS = {r: rel.table_years(config, r, COMPARISON_RELEASES) for r, x in RELEASES.items() if x.kind == "tables"}


def table_years(release):
    return TABLE_YEARS[release]


wildcard_constraints:
    year=r"\d{4}",
    release="|".join(PER_YEAR_RELEASES) or "(?!)",

# The estimation sample's design (all of it but the KOF vintage): passed whole to the panel-building steps. For a
# release of benchmark years its candidate grid is those years, and "the previous period" is the previous one of them.
DESIGN = rel.run_design(config)


# Each rule that reads a raw file carries the file's content digest as a parameter: a raw file that is
# replaced (whatever its modification time) or deleted after a complete run reruns its reader, and only its
# branch of the DAG; a deleted one is downloaded again or stops the run naming it.
DIGEST_CACHE = ".snakemake/tradeimbalance_raw_digests.json"


def raw_sha256(raw_file):
    """A params function: the digest of the raw file ``raw_file(wildcards)`` names. It takes the wildcards only
    (not ``input``), because Snakemake leaves params derived from the input out of its params rerun trigger."""
    return lambda wildcards: cfg.raw_digest(raw_file(wildcards), DIGEST_CACHE)


def raw_sha256s(raw_files):
    """A params function, as :func:`raw_sha256`, for a job that reads several raw files (``raw_files``, a list): their
    digests in order."""
    return lambda wildcards: [cfg.raw_digest(f, DIGEST_CACHE) for f in raw_files]


def va_files(release, years):
    """A release's per-year value added absorbed (the layout of every release, flows or tables)."""
    return [f"{PROC}/va_absorbed/{release}/{y}.parquet" for y in years]


# The report's provenance line: the package version, the commit and its date, the run's data choices.
from tradeimbalance.provenance import code_provenance

PROVENANCE = code_provenance(workflow.basedir, {"io_release": RELEASE, "kof_vintage": str(config["kof_vintage"])})
