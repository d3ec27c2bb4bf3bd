rule figure_local_vs_ngo:
    input:
        parquets=expand("data/interim/{wave}.parquet", wave=FIGURE1_WAVES),
        metas=expand("data/interim/{wave}.json", wave=FIGURE1_WAVES),
        correlations="results/tables/correlations.csv",
    output:
        png="results/figures/local_government_vs_ngo.png",
        svg="results/figures/local_government_vs_ngo.svg",
    log:
        "logs/figure_local_vs_ngo.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        country=config["figure1"].get("country", "china"),
        weighted=headline_weights(FIGURE1_WAVES),
    script:
        "../scripts/figure_local_vs_ngo.py"


rule figure_institution_trust:
    input:
        trust="results/tables/institution_trust.csv",
        metas=expand("data/interim/{wave}.json", wave=TABLE4_WAVES),
    output:
        png="results/figures/institution_trust.png",
        svg="results/figures/institution_trust.svg",
    log:
        "logs/figure_institution_trust.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        country=config["table4"].get("country", "china"),
        weighted=headline_weights(TABLE4_WAVES),
        nonresponse=config["nonresponse"],
    script:
        "../scripts/figure_institution_trust.py"
