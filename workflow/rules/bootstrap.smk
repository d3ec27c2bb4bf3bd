# Optional, off by default (config `bootstrap: {replicates: N, seed: S}`): percentile
# bootstrap intervals of every share and correlation, all waves in one job. With
# `bootstrap: null` there is no such job and no output (`all_outputs` asks for it only when
# the key is set).


rule bootstrap:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        parquets=expand("data/interim/{wave}.parquet", wave=WAVES),
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        # what the run's tables withheld (small cells, unusable weights) is withheld here too
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
    output:
        table="results/tables/bootstrap.csv",
        html=report(
            "results/report/tables/bootstrap.html",
            caption="../report/bootstrap.rst",
            category="Tables",
            labels={"table": "bootstrap intervals", "waves": "all"},
        ),
    log:
        "logs/bootstrap.log",
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        bootstrap=config["bootstrap"],
        pairs=config["correlations"],
        controls=config["controls"],
    script:
        "../scripts/bootstrap.py"
