# Generated tables and their comparison with the published numbers.


rule table1:
    input:
        tbi=f"{PROC}/tbi.parquet",
        published=f"{config['published_dir']}/table1_tbi.csv",
    output:
        csv=f"{RES}/tables/table1_tbi.csv",
        tex=f"{RES}/tables/table1_tbi.tex",
        comparison=f"{RES}/tables/table1_comparison.csv",
        report=f"{RES}/reports/table1_comparison.md",
    params:
        countries=config["table1_countries"],
        first_year=config["first_year"],
        last_year=config["last_year"],
        paper=THIS.paper,
    log:
        f"{LOGS}/table1.log",
    benchmark:
        f"{LOGS}/benchmarks/table1.tsv",
    script:
        "../../scripts/table1.py"


rule table1_variants:
    input:
        # a tables release's TBI variants; a flows release's flows (the variants they can give are computed from them)
        **({"variants": expand(f"{PROC}/va_absorbed/{RELEASE}/{{year}}_variants.parquet", year=IO_YEARS)} if THIS.kind == "tables" else {"va": va_files(RELEASE, IO_YEARS)}),
        published=f"{config['published_dir']}/table1_tbi.csv",
    output:
        csv=f"{RES}/tables/table1_variants_comparison.csv",
        report=f"{RES}/reports/table1_variants.md",
    log:
        f"{LOGS}/table1_variants.log",
    benchmark:
        f"{LOGS}/benchmarks/table1_variants.tsv",
    script:
        "../../scripts/table1_variants.py"


rule all_tables:
    input:
        rules.table1.output,
        rules.table1_variants.output,
