# Fetch raw files that are missing from raw_dir.
#
# The rules below are defined only for files that are absent when the workflow starts: an existing
# raw file is never the output of a job, so no rerun trigger (code or script newer than the file,
# --forceall, ...) can ever make Snakemake delete or replace a raw file.
import re
from pathlib import Path

from snakemake.exceptions import WorkflowError

from tradeimbalance import preflight

# Every run of a named target (all, sensitivity, any rule) needs the configured release's input–output tables: absent
# and not downloadable, stop before any job starts, saying what is missing and the switch to the other release (never
# a silent fallback). Checked once the DAG is built (the targets are known then): a run asking only for files (e.g. one
# source's parquet) does not need the tables.
onstart:
    # Through the SLURM executor: a status command that cannot see jobs (sacct without accounting) would hang the run.
    from tradeimbalance.cluster import slurm_status_problem

    _cluster = slurm_status_problem(
        getattr(workflow.executor_plugin, "name", ""), getattr(workflow.executor_settings, "status_command", None)
    )
    if _cluster:
        logger.error(_cluster)
        raise WorkflowError(_cluster)
    _targets = set(workflow.dag_settings.targets)
    if not _targets or _targets & {r.name for r in workflow.rules}:
        _missing_io = preflight.missing_io_tables(config)
        if _missing_io:
            logger.error(_missing_io)
            raise WorkflowError(_missing_io.splitlines()[0])
        # a run with other data than the results folder's says, before any job, that it replaces them
        from tradeimbalance.console import replacing

        _replacing = replacing(RES, config)
        if _replacing:
            logger.warning(_replacing)

MISSING_DOWNLOADS = sorted(k for k in DOWNLOADS if not (Path(RAW) / k).exists())
WIOD2016_DIR = config["io_releases"]["wiod2016"]["subdir"]
MISSING_WIOD2016_R = sorted(
    str(y)
    for y in range(config["io_releases"]["wiod2016"]["first_year"], config["io_releases"]["wiod2016"]["last_year"] + 1)
    if not (Path(RAW) / WIOD2016_DIR / f"WIOT{y}_October16_ROW.RData").exists()
)

if MISSING_DOWNLOADS:

    rule download_raw_file:
        # Runs where Snakemake runs (a cluster's compute nodes often have no internet).
        localrule: True
        output:
            f"{RAW}/{{relpath}}",
        wildcard_constraints:
            relpath="|".join(re.escape(k) for k in MISSING_DOWNLOADS),
        params:
            spec=lambda w: DOWNLOADS[w.relpath],
            fallbacks=lambda w: config.get("download_fallbacks") or [],  # a function: the templates hold {algorithm} and {digest}
        log:
            f"{LOGS}/download/{{relpath}}.log",
        script:
            "../../scripts/download.py"


if MISSING_WIOD2016_R:

    # WIOD 2016 in R format: the release ships one zip; extract the year asked for.
    rule extract_wiod2016_year:
        localrule: True
        input:
            f"{RAW}/{WIOD2016_DIR}/WIOTS_in_R.zip",
        output:
            f"{RAW}/{WIOD2016_DIR}/WIOT{{wyear}}_October16_ROW.RData",
        wildcard_constraints:
            wyear="|".join(MISSING_WIOD2016_R),
        log:
            f"{LOGS}/download/extract_wiod2016_{{wyear}}.log",
        script:
            "../../scripts/extract_member.py"
