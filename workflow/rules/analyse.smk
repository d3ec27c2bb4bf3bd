rule analyse_wave:
    input:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    output:
        trust=report(
            "results/tables/waves/{wave}/institution_trust.csv",
            caption="../report/wave_tables.rst",
            category="Tables by wave",
            subcategory="{wave}",
            labels={"wave": "{wave}", "table": "shares trusting"},
        ),
        correlations=report(
            "results/tables/waves/{wave}/correlations.csv",
            caption="../report/wave_tables.rst",
            category="Tables by wave",
            subcategory="{wave}",
            labels={"wave": "{wave}", "table": "correlations"},
        ),
        coverage="results/tables/waves/{wave}/coverage.csv",
        models="results/tables/waves/{wave}/models.csv",
        sensitivity="results/tables/waves/{wave}/sensitivity.csv",
    log:
        "logs/analyse/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        pairs=config["correlations"],
        controls=config["controls"],
        methods=config["methods"],
        models=config["models"],
    script:
        "../scripts/analyse_wave.py"


rule combine_tables:
    input:
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
        models=expand("results/tables/waves/{wave}/models.csv", wave=WAVES),
        sensitivity=expand("results/tables/waves/{wave}/sensitivity.csv", wave=WAVES),
    output:
        trust=report(
            "results/tables/institution_trust.csv",
            caption="../report/institution_trust.rst",
            category="Tables",
            labels={"table": "shares trusting", "waves": "all"},
        ),
        correlations=report(
            "results/tables/correlations.csv",
            caption="../report/correlations.rst",
            category="Tables",
            labels={"table": "correlations", "waves": "all"},
        ),
        coverage=report(
            "results/tables/coverage.csv",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage (items asked)", "waves": "all"},
        ),
        models=report(
            "results/tables/models.csv",
            caption="../report/models.rst",
            category="Tables",
            labels={"table": "regression models", "waves": "all"},
        ),
        sensitivity=report(
            "results/tables/sensitivity.csv",
            caption="../report/sensitivity.rst",
            category="Tables",
            labels={"table": "nonresponse sensitivity", "waves": "all"},
        ),
    log:
        "logs/combine_tables.log",
    conda:
        "../envs/abs-trust.yaml"
    script:
        "../scripts/combine_tables.py"
