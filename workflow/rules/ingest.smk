rule ingest:
    input:
        files=input_files,
        crosswalk=config["crosswalk"],
    output:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    log:
        "logs/ingest/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        wave="{wave}",
        countries=config["countries"],
        encoding=lambda wildcards: config["waves"][wildcards.wave].get("encoding"),
    script:
        "../scripts/ingest.py"
