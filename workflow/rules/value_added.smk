# Value added absorbed, TBI, KWW decomposition and DVA-based TBI: one job per year, then a panel.


rule io_year:
    # One year's input–output algebra in one job (the table is read once): value added absorbed
    # (V̂BY) and its identity checks, the TBI under alternative constructions, the KWW decomposition.
    input:
        f"{PROC}/io/{{release}}/wiot_{{year}}.parquet",
    output:
        va=f"{PROC}/va_absorbed/{{release}}/{{year}}.parquet",
        checks=f"{PROC}/va_absorbed/{{release}}/{{year}}_checks.parquet",
        variants=f"{PROC}/va_absorbed/{{release}}/{{year}}_variants.parquet",
        terms=f"{PROC}/kww/{{release}}/{{year}}_terms.parquet",
        dva=f"{PROC}/kww/{{release}}/{{year}}_dva.parquet",
    params:
        value_added=VALUE_ADDED,
        # the raw table's digest, as its reader has it: a replaced or damaged raw file reruns this job too, so that
        # while the reader fails, every run fails (the read's output is gone, and this job needs it)
        raw_sha256=raw_sha256(lambda w: RELEASES[w.release].raw_file(int(w.year))),
    priority: 40
    log:
        f"{LOGS}/io_year/{{release}}_{{year}}.log",
    benchmark:
        f"{LOGS}/benchmarks/io_year/{{release}}_{{year}}.tsv",
    script:
        "../../scripts/io_year.py"


rule tbi:
    input:
        va_files(RELEASE, TBI_YEARS),
    output:
        f"{PROC}/tbi.parquet",
    params:
        # a flows release carries the value-added definition its flows were computed with (written in its files)
        value_added=VALUE_ADDED if THIS.kind == "tables" else None,
    priority: 50  # the specification search reads it (rule read_kof)
    log:
        f"{LOGS}/tbi.log",
    benchmark:
        f"{LOGS}/benchmarks/tbi.tsv",
    script:
        "../../scripts/tbi.py"


rule tbi_dva:
    input:
        expand(f"{PROC}/kww/{RELEASE}/{{year}}_dva.parquet", year=IO_YEARS),
    output:
        f"{PROC}/tbi_dva.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/tbi_dva.log",
    benchmark:
        f"{LOGS}/benchmarks/tbi_dva.tsv",
    script:
        "../../scripts/tbi_dva.py"


# The accounting identities per year, for every release the run reads that has a table (the configured and the compared ones).
TABLE_RELEASES = [r for r in COMPARISON_RELEASES if RELEASES[r].gives(rel.IDENTITIES)]


rule identity_report:
    input:
        checks=lambda w: expand(f"{PROC}/va_absorbed/{w.tables_release}/{{year}}_checks.parquet", year=table_years(w.tables_release)),
        terms=lambda w: expand(f"{PROC}/kww/{w.tables_release}/{{year}}_terms.parquet", year=table_years(w.tables_release)),
    output:
        f"{RES}/checks/identities_{{tables_release}}.csv",
    wildcard_constraints:
        tables_release="|".join(TABLE_RELEASES),
    log:
        f"{LOGS}/identity_report_{{tables_release}}.log",
    benchmark:
        f"{LOGS}/benchmarks/identity_report_{{tables_release}}.tsv",
    script:
        "../../scripts/identity_report.py"


rule all_value_added:
    input:
        expand(rules.io_year.output, release=RELEASE, year=TBI_YEARS) if RELEASE in PER_YEAR_RELEASES else [],
        rules.tbi.output,
        rules.tbi_dva.output if THIS.gives(rel.DVA) else [],
        expand(rules.identity_report.output, tables_release=TABLE_RELEASES),
