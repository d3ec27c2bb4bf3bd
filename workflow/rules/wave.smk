rule wave:
    input:
        files=input_files,
        codebooks=codebooks,
    output:
        parquet="data/interim/{wave}.parquet",
        meta="data/interim/{wave}.json",
        # not in the report: the combined tables (results/report/tables/) hold every wave's
        # rows, to filter and sort in the page
        trust="results/tables/waves/{wave}/institution_trust.csv",
        correlations="results/tables/waves/{wave}/correlations.csv",
        coverage="results/tables/waves/{wave}/coverage.csv",
        models="results/tables/waves/{wave}/models.csv",
        sensitivity="results/tables/waves/{wave}/sensitivity.csv",
        harmonization="results/tables/waves/{wave}/harmonization.csv",
        weights="results/tables/waves/{wave}/weights.csv",
    log:
        "logs/wave/{wave}.log",
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        wave="{wave}",
        # every file, tracked or not (see input_files), and their fingerprints
        files=release_files,
        file_stamps=file_stamps,
        # the wave's crosswalk entry as a parameter: editing another wave reruns nothing here
        crosswalk=crosswalk_entry,
        countries=config["countries"],
        encoding=lambda wildcards: WAVE_ENTRIES[wildcards.wave].get("encoding"),
        pairs=config["correlations"],
        controls=config["controls"],
        methods=config["methods"],
        models=config["models"],
        rules=ESTIMATE_RULES,
        ci_method=config["ci_method"],
    script:
        "../scripts/wave.py"
