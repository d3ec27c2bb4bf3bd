rule ingest:
    input:
        files=input_files,
        codebooks=codebooks,
    output:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
    log:
        "logs/ingest/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        wave="{wave}",
        # the wave's crosswalk entry as a parameter: editing another wave reruns nothing here
        crosswalk=crosswalk_entry,
        countries=config["countries"],
        encoding=lambda wildcards: config["waves"][wildcards.wave].get("encoding"),
    script:
        "../scripts/ingest.py"
