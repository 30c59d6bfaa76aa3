# Replication workflow: raw public data → validated parquet → TBI → panel → regressions → tables, figure, report.
# Run:  snakemake --cores 4 [--config raw_dir=DIR io_release=wiod2013 ...]
# All choices live in workflow/config.yaml; rules are in workflow/rules/*.smk.

import os
import time

# Every job computes on one BLAS thread. A job's parallelism is its worker processes (the batch readers; the joint test
# when given threads > 1), and Snakemake limits the BLAS threads of shell jobs only. Left at the machine's cores, a script
# job's idle BLAS threads spin and take the cores of the jobs beside it: the joint test used 64.6 s of CPU in 37 s of
# wall time, and 36.5 s of CPU in the same wall time on one thread. One thread also makes every job's sums the same on
# any machine, whatever the user's own OMP_NUM_THREADS (the job environments inherit these).
for _blas in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_blas] = "1"

RUN_STARTED = time.time()  # this run's jobs' logs are the ones written from now on (the warnings summary)


configfile: "workflow/config.yaml"
configfile: "workflow/downloads.yaml"

# Settings a user makes once for this checkout (e.g. raw_dir, written by `make reproduce RAW_DIR=...`);
# not committed (TRADEIMBALANCE_LOCAL_CONFIG names another file). --config still overrides them.
LOCAL_CONFIG = os.environ.get("TRADEIMBALANCE_LOCAL_CONFIG", "workflow/local.yaml")
if os.path.exists(LOCAL_CONFIG):

    configfile: LOCAL_CONFIG


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/readers.smk"
include: "workflow/rules/value_added.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/estimation.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/checks.smk"


rule all:
    input:
        rules.all_sources.input,
        rules.all_value_added.input,
        rules.all_tables.input,
        rules.all_estimation.input,
        rules.all_report.input,
        rules.all_checks.input,


# The run's last words: one line per kind of warning its jobs logged, then where the results are and the glance's
# summary (tradeimbalance.console). Jobs log to their own files; the console gets their errors only.
onsuccess:
    from tradeimbalance import console

    for _line in console.warning_summary(LOGS, RUN_STARTED):
        print(_line)
    if os.path.exists(f"{RES}/report.html"):
        console.record_run(RES, config)
        for _line in console.closing_lines(RES):
            print(_line)
