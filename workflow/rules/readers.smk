# One rule per raw source; WIOD 2016 runs one job per year, the other releases and KOF's vintages one job each.


# Tables releases read one job per year (config jobs: per_year): rule read_<release>, reader module
# tradeimbalance.readers.<reader>.
for _release in PER_YEAR_RELEASES:

    rule:
        name:
            f"read_{_release}"
        input:
            lambda w, r=_release: RELEASES[r].raw_file(int(w.year)),
        output:
            f"{PROC}/io/{_release}/wiot_{{year}}.parquet",
        params:
            release=_release,
            reader=RELEASES[_release].reader,
            raw_sha256=raw_sha256(lambda w, r=_release: RELEASES[r].raw_file(int(w.year))),
            regions=RELEASES[_release].spec.get("regions"),
        # the input–output tables come first: everything downstream waits for them (priority: the order of the DAG)
        priority: 40
        log:
            f"{LOGS}/read_{_release}/{{year}}.log",
        benchmark:
            f"{LOGS}/benchmarks/read_{_release}/{{year}}.tsv",
        script:
            "../../scripts/read_wiod.py"


# Releases read in one job (config jobs: per_release): every year's table and its input–output algebra, the years
# in parallel inside the job. Their year files never change separately (a fixed historical release), so one job
# loses no rerun granularity that matters and saves a job's start-up per year.
# Workers per job: half the run's cores, at most two, at least one. On two cores the two batch jobs then run side by
# side on one core each instead of one after the other on two: measured, the readers were done 2 s sooner (the pool's
# start and its last year leave a core idle). The outputs do not depend on it (one BLAS thread per year). A cluster
# run (--jobs: workflow.nodes) gets two, as its profile's cpus_per_task.
IO_BATCH_THREADS = 2 if workflow.nodes else min(2, max(1, (workflow.cores or 2) // 2))
for _release in BATCH_RELEASES:
    _years = RELEASES[_release].years

    rule:
        name:
            f"io_batch_{_release}"
        input:
            [RELEASES[_release].raw_file(y) for y in _years],
        output:
            tables=[f"{PROC}/io/{_release}/wiot_{y}.parquet" for y in _years],
            va=[f"{PROC}/va_absorbed/{_release}/{y}.parquet" for y in _years],
            checks=[f"{PROC}/va_absorbed/{_release}/{y}_checks.parquet" for y in _years],
            variants=[f"{PROC}/va_absorbed/{_release}/{y}_variants.parquet" for y in _years],
            terms=[f"{PROC}/kww/{_release}/{y}_terms.parquet" for y in _years],
            dva=[f"{PROC}/kww/{_release}/{y}_dva.parquet" for y in _years],
        params:
            release=_release,
            reader=RELEASES[_release].reader,
            years=_years,
            regions=RELEASES[_release].spec.get("regions"),
            value_added=VALUE_ADDED,
            raw_sha256=raw_sha256s([RELEASES[_release].raw_file(y) for y in _years]),
        threads: IO_BATCH_THREADS
        # the longest reader: started first, so that it overlaps the others instead of gating the comparisons. Snakemake
        # fills the cores by the sum of the priorities of the jobs it starts together: above two per-year jobs (2 × 40)
        priority: 100
        log:
            f"{LOGS}/io_batch/{_release}.log",
        benchmark:
            f"{LOGS}/benchmarks/io_batch/{_release}.tsv",
        script:
            "../../scripts/io_batch.py"


# Flows releases (config kind: flows): one file → one va_absorbed parquet per year, the layout of the table releases.
for _release in FLOWS_RELEASES:
    _years = RELEASES[_release].years

    rule:
        name:
            f"read_flows_{_release}"
        input:
            RELEASES[_release].flows_file,
        output:
            [f"{PROC}/va_absorbed/{_release}/{y}.parquet" for y in _years],
        params:
            release=_release,
            columns=RELEASES[_release].spec["columns"],
            regions=RELEASES[_release].spec["regions"],
            years=_years,
            value_added=RELEASES[_release].spec.get("value_added", "as computed by the source"),
            raw_sha256=raw_sha256(lambda w, r=_release: RELEASES[r].flows_file),
        priority: 50  # the specification search reads the configured release's TBI (rule read_kof)
        log:
            f"{LOGS}/read_flows/{_release}.log",
        benchmark:
            f"{LOGS}/benchmarks/read_flows/{_release}.tsv",
        script:
            "../../scripts/read_flows.py"


rule read_kof:
    # Every KOF vintage in one job: eight small files read in about a second in all, where eight jobs spent most of
    # their time starting (1 s of CPU each). A vintage added to the config is one more file of this job.
    input:
        [cfg.kof_file(config, v) for v in KOF_VINTAGES],
    output:
        [f"{PROC}/kof/kof_{v}.parquet" for v in KOF_VINTAGES],
    params:
        vintages=KOF_VINTAGES,
        required=config["kof"]["required_columns"],
        raw_sha256=raw_sha256s([cfg.kof_file(config, v) for v in KOF_VINTAGES]),
    # the longest of the small readers, and the specification search, hence the curve and its joint test (the run's
    # longest job), waits for it: the search's inputs (this, kof_panel, PWT, WGI, WDI, the flows, the TBI) come first
    # after the two batch readers, before the checks, which would otherwise take the cores (priority 20)
    priority: 50
    log:
        f"{LOGS}/read_kof.log",
    benchmark:
        f"{LOGS}/benchmarks/read_kof.tsv",
    script:
        "../../scripts/read_kof.py"


rule kof_panel:
    input:
        expand(f"{PROC}/kof/kof_{{vintage}}.parquet", vintage=KOF_VINTAGES),
    output:
        panel=f"{PROC}/kof.parquet",
        coverage=f"{PROC}/kof_coverage.parquet",
        coverage_csv=f"{RES}/reports/kof_coverage.csv",
    params:
        countries=config["countries"],
        first_year=config["first_year"],
        last_year=config["last_year"],
        required=config["kof"]["required_columns"],
    priority: 50  # as read_kof: the specification search waits for it
    log:
        f"{LOGS}/kof_panel.log",
    benchmark:
        f"{LOGS}/benchmarks/kof_panel.tsv",
    script:
        "../../scripts/kof_panel.py"


rule read_pwt:
    input:
        cfg.source_file(config, "pwt"),
    output:
        f"{PROC}/pwt.parquet",
    params:
        source="pwt",
        raw_sha256=raw_sha256(lambda w: cfg.source_file(config, "pwt")),
        extra={"version": config["pwt"]["version"]},
    priority: 50  # the specification search reads it (rule read_kof)
    log:
        f"{LOGS}/read_pwt.log",
    benchmark:
        f"{LOGS}/benchmarks/read_pwt.tsv",
    script:
        "../../scripts/read_source.py"


rule read_wgi:
    input:
        cfg.source_file(config, "wgi"),
    output:
        f"{PROC}/wgi.parquet",
    params:
        source="wgi",
        raw_sha256=raw_sha256(lambda w: cfg.source_file(config, "wgi")),
        extra={"version": config["wgi"]["version"]},
    priority: 50  # the specification search reads it (rule read_kof)
    log:
        f"{LOGS}/read_wgi.log",
    benchmark:
        f"{LOGS}/benchmarks/read_wgi.tsv",
    script:
        "../../scripts/read_source.py"


rule read_wdi:
    input:
        cfg.source_file(config, "wdi"),
    output:
        f"{PROC}/wdi_inflation.parquet",
    params:
        source="wdi",
        raw_sha256=raw_sha256(lambda w: cfg.source_file(config, "wdi")),
        extra={"indicator": config["wdi"]["indicator"]},
    priority: 50  # the specification search reads it (rule read_kof)
    log:
        f"{LOGS}/read_wdi.log",
    benchmark:
        f"{LOGS}/benchmarks/read_wdi.tsv",
    script:
        "../../scripts/read_source.py"


# Every intermediate is a target, not only the panels built from them: an intermediate deleted by a failed
# job (its raw file corrupt) is asked for again by the next run, which then fails again until the file is
# fixed, instead of the old panel passing as current.
rule all_sources:
    input:
        expand(f"{PROC}/io/{RELEASE}/wiot_{{year}}.parquet", year=TBI_YEARS) if THIS.kind == "tables" else [],
        expand(f"{PROC}/kof/kof_{{vintage}}.parquet", vintage=KOF_VINTAGES),
        rules.kof_panel.output,
        rules.read_pwt.output,
        rules.read_wgi.output,
        rules.read_wdi.output,
