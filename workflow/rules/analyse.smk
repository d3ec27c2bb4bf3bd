rule analyse_wave:
    input:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    output:
        trust="results/tables/waves/{wave}/institution_trust.csv",
        correlations="results/tables/waves/{wave}/correlations.csv",
        coverage="results/tables/waves/{wave}/coverage.csv",
    log:
        "logs/analyse/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        pairs=config["correlations"],
        controls=config["controls"],
    script:
        "../scripts/analyse_wave.py"


rule combine_tables:
    input:
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
    output:
        trust="results/tables/institution_trust.csv",
        correlations="results/tables/correlations.csv",
        coverage="results/tables/coverage.csv",
    log:
        "logs/combine_tables.log",
    conda:
        "../envs/abs-trust.yaml"
    script:
        "../scripts/combine_tables.py"
