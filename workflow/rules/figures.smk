from abs_trust.outputs.report import caption_values


# The figures read the per-wave tables directly, so they run beside `comparability` and
# `tables` rather than after them. Two jobs, the paper's figures and the cross-national one,
# so that the two cores share the work left once the last wave is done. `comparability` and
# then `tables` are the longest chain of that tail, so they go first (priority 2, in
# comparability.smk and tables.smk) and the figures (priority 1) fill the other core.
rule paper_figures:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        correlations=expand(
            "results/tables/waves/{wave}/correlations.csv", wave=FIGURE1["waves"]
        ),
        trust=expand(
            "results/tables/waves/{wave}/institution_trust.csv", wave=TABLE4["waves"]
        ),
        metas=expand(
            "data/interim/{wave}.json",
            wave=sorted(set(FIGURE1["waves"] + TABLE4["waves"])),
        ),
        parquets=expand("data/interim/{wave}.parquet", wave=FIGURE1["waves"]),
    output:
        figure1_png=report(
            "results/figures/local_government_vs_ngo.png",
            caption="../report/figure_local_vs_ngo.rst",
            category="Figures",
            labels={"figure": "Figure 1: local government vs NGOs", "format": "PNG"},
        ),
        figure1_svg="results/figures/local_government_vs_ngo.svg",
        figure1_pdf="results/figures/local_government_vs_ngo.pdf",
        trust_png=report(
            "results/figures/institution_trust.png",
            caption="../report/figure_institution_trust.rst",
            category="Figures",
            labels={"figure": "Table 4 shares, by year", "format": "PNG"},
        ),
        trust_svg="results/figures/institution_trust.svg",
        trust_pdf="results/figures/institution_trust.pdf",
    log:
        "logs/paper_figures.log",
    priority: 1
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        figure1=FIGURE1,
        figure1_country=FIGURE1["country"],  # the report's caption names it
        figure1_weighted=headline_weights(FIGURE1["waves"]),
        table4=TABLE4,
        table4_weighted=headline_weights(TABLE4["waves"]),
        nonresponse=config["nonresponse"],
        # config values the captions print, escaped for reStructuredText
        caption=caption_values(
            config,
            {
                "table4": headline_weights(TABLE4["waves"]),
                "figure1": headline_weights(FIGURE1["waves"]),
            },
        ),
        min_cell_size=config["min_cell_size"],
    script:
        "../scripts/paper_figures.py"


rule cross_national_figure:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
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
        "logs/cross_national_figure.log",
    priority: 1
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        pair=config["correlations"][0],
        weights_on=config["weights"] is not False,
        caption=caption_values(config, {}),
    script:
        "../scripts/cross_national_figure.py"
