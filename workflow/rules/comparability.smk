# Are the numbers comparable? One job over every wave: the harmonization provenance (what each
# source code became, per country; written by the wave jobs from the raw codes) and the
# measurement invariance of the trust battery (one-factor multi-group CFA). Its per
# country-wave verdicts feed the notes of the cross-national tables (the `tables` job).
rule comparability:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        harmonization=expand(
            "results/tables/waves/{wave}/harmonization.csv", wave=WAVES
        ),
        parquets=expand("data/interim/{wave}.parquet", wave=WAVES),
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
    output:
        harmonization="results/tables/harmonization.csv",
        harmonization_html=report(
            "results/report/tables/harmonization.html",
            caption="../report/harmonization.rst",
            category="Comparability",
            labels={"table": "harmonization provenance", "waves": "all"},
        ),
        invariance="results/tables/invariance.csv",
        invariance_html=report(
            "results/report/tables/invariance.html",
            caption="../report/invariance.rst",
            category="Comparability",
            labels={"table": "measurement invariance", "waves": "all"},
        ),
        levels="results/tables/comparability.csv",
        scale_sensitivity="results/tables/scale_sensitivity.csv",
        scale_changes="results/tables/scale_changes.csv",
        scale_changes_html=report(
            "results/report/tables/scale_changes.html",
            caption="../report/scale_changes.rst",
            category="Comparability",
            labels={
                "table": "changes that depend on the W5 scale mapping",
                "waves": "all",
            },
        ),
    log:
        "logs/comparability.log",
    priority: 2  # first of the tail: tables waits for it (figures.smk)
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        invariance=config["invariance"],
        pairs=config["correlations"],
    script:
        "../scripts/comparability.py"
