rule figure_local_vs_ngo:
    input:
        parquets=expand("data/interim/{wave}.parquet", wave=FIGURE1_WAVES),
        metas=expand("data/interim/{wave}.json", wave=FIGURE1_WAVES),
        correlations="results/tables/correlations.csv",
    output:
        png=report(
            "results/figures/local_government_vs_ngo.png",
            caption="../report/figure_local_vs_ngo.rst",
            category="Figures",
            labels={"figure": "Figure 1: local government vs NGOs", "format": "PNG"},
        ),
        svg="results/figures/local_government_vs_ngo.svg",
        pdf="results/figures/local_government_vs_ngo.pdf",
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
        png=report(
            "results/figures/institution_trust.png",
            caption="../report/figure_institution_trust.rst",
            category="Figures",
            labels={"figure": "Table 4 shares, by year", "format": "PNG"},
        ),
        svg="results/figures/institution_trust.svg",
        pdf="results/figures/institution_trust.pdf",
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


rule figure_correlations:
    input:
        correlations="results/tables/correlations.csv",
        metas=expand("data/interim/{wave}.json", wave=WAVES),
    output:
        png=report(
            "results/figures/correlation_by_country.png",
            caption="../report/figure_correlations.rst",
            category="Figures",
            labels={"figure": "Correlation by country and wave", "format": "PNG"},
        ),
        svg="results/figures/correlation_by_country.svg",
        pdf="results/figures/correlation_by_country.pdf",
    log:
        "logs/figure_correlations.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        pair=config["correlations"][0],
        weighted=config["weights"] is not False,
    script:
        "../scripts/figure_correlations.py"
