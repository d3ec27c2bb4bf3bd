rule wave:
    input:
        files=input_files,
        codebooks=codebooks,
    output:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
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
        "logs/wave/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        wave="{wave}",
        # the wave's crosswalk entry as a parameter: editing another wave reruns nothing here
        crosswalk=crosswalk_entry,
        countries=config["countries"],
        encoding=lambda wildcards: config["waves"][wildcards.wave].get("encoding"),
        pairs=config["correlations"],
        controls=config["controls"],
        methods=config["methods"],
        models=config["models"],
        ci_method=config["ci_method"],
    script:
        "../scripts/wave.py"
