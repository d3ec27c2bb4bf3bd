rule ingest:
    input:
        files=input_files,
        crosswalk=config["crosswalk"],
    output:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    params:
        wave="{wave}",
        countries=config["countries"],
        encoding=lambda wildcards: config["waves"][wildcards.wave].get("encoding"),
    log:
        "logs/ingest/{wave}.log",
    script:
        "../scripts/ingest.py"
