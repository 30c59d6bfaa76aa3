# The second implementation: every number of Tables 3-6, the 2SLS, the referee and the causal checks re-estimated in R
# (src/R/second_implementation.R) from each compared release's analysis panel, and compared with the package's.


rule second_implementation:
    input:
        estimates=f"{RES}/estimates_by_release.csv",
        referee=f"{RES}/referee_checks.csv",
        causal=f"{RES}/causal_checks.csv",
        panels=[f"{RES}/data/panel_{r}.dta" for r in COMPARISON_RELEASES],
        code="src/R/second_implementation.R",
    output:
        csv=f"{RES}/checks/second_implementation.csv",
    params:
        results=RES,
    # started as soon as the three checks are there, before the small figure and table jobs (the report waits for it)
    priority: 15
    log:
        f"{LOGS}/second_implementation.log",
    benchmark:
        f"{LOGS}/benchmarks/second_implementation.tsv",
    script:
        "../../scripts/second_implementation.py"


rule all_checks:
    input:
        rules.second_implementation.output,
