# Stacks every wave's tables and writes everything built from them, in one short job.
rule tables:
    input:
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
        models=expand("results/tables/waves/{wave}/models.csv", wave=WAVES),
        sensitivity=expand("results/tables/waves/{wave}/sensitivity.csv", wave=WAVES),
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        published=config["published"] or [],
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
        # Table 4's changes with their 95 % CI and p, every institution and convention
        changes="results/tables/changes.csv",
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
        table4_waves=TABLE4_WAVES,
        table4_country=config["table4"].get("country", "china"),
        table4_weighted=headline_weights(TABLE4_WAVES),
        weighted=headline_weights(WAVES),
        nonresponse=config["nonresponse"],
    script:
        "../scripts/tables.py"
