# One rule per raw source; WIOD rules run one job per year, KOF one job per vintage.


rule read_wiod2016:
    input:
        lambda w: cfg.io_raw_file(config, int(w.year), "wiod2016"),
    output:
        f"{PROC}/io/wiod2016/wiot_{{year}}.parquet",
    params:
        release="wiod2016",
        raw_sha256=raw_sha256(lambda w: cfg.io_raw_file(config, int(w.year), "wiod2016")),
        regions=config["io_releases"]["wiod2016"].get("regions"),
    log:
        f"{LOGS}/read_wiod2016/{{year}}.log",
    benchmark:
        f"{LOGS}/benchmarks/read_wiod2016/{{year}}.tsv",
    script:
        "../../scripts/read_wiod.py"


rule read_wiod2013:
    input:
        lambda w: cfg.io_raw_file(config, int(w.year), "wiod2013"),
    output:
        f"{PROC}/io/wiod2013/wiot_{{year}}.parquet",
    params:
        release="wiod2013",
        raw_sha256=raw_sha256(lambda w: cfg.io_raw_file(config, int(w.year), "wiod2013")),
        regions=None,
    log:
        f"{LOGS}/read_wiod2013/{{year}}.log",
    benchmark:
        f"{LOGS}/benchmarks/read_wiod2013/{{year}}.tsv",
    script:
        "../../scripts/read_wiod.py"


rule read_kof:
    input:
        lambda w: cfg.kof_file(config, w.vintage),
    output:
        f"{PROC}/kof/kof_{{vintage}}.parquet",
    params:
        required=config["kof"]["required_columns"],
        raw_sha256=raw_sha256(lambda w: cfg.kof_file(config, w.vintage)),
    wildcard_constraints:
        vintage="|".join(KOF_VINTAGES),
    log:
        f"{LOGS}/read_kof/{{vintage}}.log",
    benchmark:
        f"{LOGS}/benchmarks/read_kof/{{vintage}}.tsv",
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
        expand(f"{PROC}/io/{RELEASE}/wiot_{{year}}.parquet", year=IO_YEARS),
        expand(f"{PROC}/kof/kof_{{vintage}}.parquet", vintage=KOF_VINTAGES),
        rules.kof_panel.output,
        rules.read_pwt.output,
        rules.read_wgi.output,
        rules.read_wdi.output,
