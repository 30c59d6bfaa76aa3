# Value added absorbed, TBI, KWW decomposition and DVA-based TBI: one job per year, then a panel.


rule va_absorbed:
    input:
        f"{PROC}/io/{{release}}/wiot_{{year}}.parquet",
    output:
        va=f"{PROC}/va_absorbed/{{release}}/{{year}}.parquet",
        checks=f"{PROC}/va_absorbed/{{release}}/{{year}}_checks.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/va_absorbed/{{release}}_{{year}}.log",
    script:
        "../../scripts/va_absorbed.py"


rule tbi:
    input:
        expand(f"{PROC}/va_absorbed/{RELEASE}/{{year}}.parquet", year=IO_YEARS),
    output:
        f"{PROC}/tbi.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/tbi.log",
    script:
        "../../scripts/tbi.py"


rule kww:
    input:
        f"{PROC}/io/{{release}}/wiot_{{year}}.parquet",
    output:
        terms=f"{PROC}/kww/{{release}}/{{year}}_terms.parquet",
        dva=f"{PROC}/kww/{{release}}/{{year}}_dva.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/kww/{{release}}_{{year}}.log",
    script:
        "../../scripts/kww.py"


rule tbi_dva:
    input:
        expand(f"{PROC}/kww/{RELEASE}/{{year}}_dva.parquet", year=IO_YEARS),
    output:
        f"{PROC}/tbi_dva.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/tbi_dva.log",
    script:
        "../../scripts/tbi_dva.py"


rule identity_report:
    input:
        checks=expand(f"{PROC}/va_absorbed/{RELEASE}/{{year}}_checks.parquet", year=IO_YEARS),
        terms=expand(f"{PROC}/kww/{RELEASE}/{{year}}_terms.parquet", year=IO_YEARS),
    output:
        f"{RES}/checks/identities_{RELEASE}.csv",
    log:
        f"{LOGS}/identity_report_{RELEASE}.log",
    script:
        "../../scripts/identity_report.py"


rule all_value_added:
    input:
        rules.tbi.output,
        rules.tbi_dva.output,
        rules.identity_report.output,


rule tbi_variants:
    input:
        f"{PROC}/io/{{release}}/wiot_{{year}}.parquet",
    output:
        f"{PROC}/va_absorbed/{{release}}/{{year}}_variants.parquet",
    params:
        value_added=VALUE_ADDED,
    log:
        f"{LOGS}/tbi_variants/{{release}}_{{year}}.log",
    script:
        "../../scripts/tbi_variants.py"
