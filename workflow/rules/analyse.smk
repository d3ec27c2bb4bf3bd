rule analyse_wave:
    input:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    output:
        trust="results/tables/waves/{wave}/institution_trust.csv",
        correlations="results/tables/waves/{wave}/correlations.csv",
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
        trust="results/tables/institution_trust.csv",
        correlations="results/tables/correlations.csv",
        coverage="results/tables/coverage.csv",
        models="results/tables/models.csv",
        sensitivity="results/tables/sensitivity.csv",
    log:
        "logs/combine_tables.log",
    conda:
        "../envs/abs-trust.yaml"
    script:
        "../scripts/combine_tables.py"
