# Stacks every wave's tables and writes everything built from them, in one short job. A
# checkpoint: whether the published gate runs depends on the checks it finds applicable.
checkpoint tables:
    input:
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
        models=expand("results/tables/waves/{wave}/models.csv", wave=WAVES),
        sensitivity=expand("results/tables/waves/{wave}/sensitivity.csv", wave=WAVES),
        weights=expand("results/tables/waves/{wave}/weights.csv", wave=WAVES),
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        published=[p for p in [config["published"]] if p and snakemake_safe(p)],
    output:
        trust=report(
            "results/tables/institution_trust.csv",
            caption="../report/institution_trust.rst",
            category="Tables",
            labels={"table": "shares trusting", "waves": "all"},
        ),
        correlations=report(
            "results/tables/correlations.csv",
            caption="../report/correlations.rst",
            category="Tables",
            labels={"table": "correlations", "waves": "all"},
        ),
        coverage=report(
            "results/tables/coverage.csv",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage (items asked)", "waves": "all"},
        ),
        models=report(
            "results/tables/models.csv",
            caption="../report/models.rst",
            category="Tables",
            labels={"table": "regression models", "waves": "all"},
        ),
        sensitivity=report(
            "results/tables/sensitivity.csv",
            caption="../report/sensitivity.rst",
            category="Tables",
            labels={"table": "nonresponse sensitivity", "waves": "all"},
        ),
        table4_md=report(
            "results/tables/table4.md",
            caption="../report/table4.rst",
            category="Reproduction",
            labels={"item": "Table 4 (Markdown)"},
        ),
        table4_tex=report(
            "results/tables/table4.tex",
            caption="../report/table4.rst",
            category="Reproduction",
            labels={"item": "Table 4 (LaTeX, booktabs)"},
        ),
        country_md=report(
            "results/tables/trust_by_country.md",
            caption="../report/country_tables.rst",
            category="Tables",
            labels={"table": "trust by country and wave (Markdown)", "waves": "all"},
        ),
        country_tex="results/tables/trust_by_country.tex",
        coverage_md=report(
            "results/tables/coverage.md",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage (Markdown)", "waves": "all"},
        ),
        # (no caption file: workflow/report/ is the report's; the labels say what it is)
        weights=report(
            "results/tables/weights.csv",
            category="Tables",
            labels={"table": "weights: quality per country and wave", "waves": "all"},
        ),
        weights_md=report(
            "results/tables/weights.md",
            category="Tables",
            labels={"table": "weights (Markdown)", "waves": "all"},
        ),
        # the files every result came from (sha256), and which waves are synthetic
        provenance="results/provenance.json",
        reproduction_json="results/reproduction.json",
        reproduction_md=report(
            "results/reproduction.md",
            caption="../report/reproduction.rst",
            category="Reproduction",
            labels={"item": "published numbers vs ours"},
        ),
        # the report's landing page includes this summary (verdict, data, respondents)
        summary="results/report/summary.rst",
    log:
        "logs/tables.log",
    conda:
        "../envs/abs-trust.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        table4=TABLE4,
        table4_country=TABLE4["country"],  # the report's caption names it
        table4_weighted=headline_weights(TABLE4["waves"]),
        weighted=headline_weights(WAVES),
        nonresponse=config["nonresponse"],
        # the path itself, not only as an input: a path with {x} or <x> is no input
        published=lambda wildcards: config["published"] or "",
        countries=config["countries"],
        include_fixture=config["include_fixture"],
        rules=ESTIMATE_RULES,
    script:
        "../scripts/tables.py"
