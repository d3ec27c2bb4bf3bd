import os

from abs_trust.outputs.report import (
    caption_values,
    landing_settings,
    report_docutils_settings,
)

# The report's reStructuredText (the landing page, its included summary, the captions) is
# rendered with raw HTML disabled (workflow/report/docutils.conf). Strings from files and
# config are escaped as well (abs_trust.outputs.escape); this is the backstop.
report_docutils_settings(
    os.path.join(workflow.basedir, "workflow/report/docutils.conf")
)


# Stacks every wave's tables and writes everything built from them, in one short job.
# The report lists each table as an HTML view (results/report/tables/): Snakemake's report
# shows HTML in the page but only offers CSV, Markdown and LaTeX as downloads; each view
# carries its contract files (CSV/Markdown/LaTeX) as download links.
rule tables:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        trust=expand("results/tables/waves/{wave}/institution_trust.csv", wave=WAVES),
        correlations=expand("results/tables/waves/{wave}/correlations.csv", wave=WAVES),
        coverage=expand("results/tables/waves/{wave}/coverage.csv", wave=WAVES),
        models=expand("results/tables/waves/{wave}/models.csv", wave=WAVES),
        sensitivity=expand("results/tables/waves/{wave}/sensitivity.csv", wave=WAVES),
        weights=expand("results/tables/waves/{wave}/weights.csv", wave=WAVES),
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        comparability="results/tables/comparability.csv",
        scale_sensitivity="results/tables/scale_sensitivity.csv",
        scale_changes="results/tables/scale_changes.csv",
        published=[p for p in [config["published"]] if p and snakemake_safe(p)],
    output:
        trust="results/tables/institution_trust.csv",
        correlations="results/tables/correlations.csv",
        coverage="results/tables/coverage.csv",
        models="results/tables/models.csv",
        sensitivity="results/tables/sensitivity.csv",
        table4_md="results/tables/table4.md",
        table4_tex="results/tables/table4.tex",
        country_md="results/tables/trust_by_country.md",
        country_tex="results/tables/trust_by_country.tex",
        coverage_md="results/tables/coverage.md",
        reproduction_json="results/reproduction.json",
        reproduction_md="results/reproduction.md",
        reproduction_html=report(
            "results/report/tables/reproduction.html",
            caption="../report/reproduction.rst",
            category="Reproduction",
            labels={"item": "published numbers vs ours"},
        ),
        table4_html=report(
            "results/report/tables/table4.html",
            caption="../report/table4.rst",
            category="Reproduction",
            labels={"item": "Table 4"},
        ),
        trust_html=report(
            "results/report/tables/institution_trust.html",
            caption="../report/institution_trust.rst",
            category="Tables",
            labels={"table": "shares trusting (long)", "waves": "all"},
        ),
        country_html=report(
            "results/report/tables/trust_by_country.html",
            caption="../report/country_tables.rst",
            category="Tables",
            labels={"table": "trust by country and wave", "waves": "all"},
        ),
        correlations_html=report(
            "results/report/tables/correlations.html",
            caption="../report/correlations.rst",
            category="Tables",
            labels={"table": "correlations", "waves": "all"},
        ),
        coverage_wide_html=report(
            "results/report/tables/coverage_by_country.html",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage: nonresponse by item", "waves": "all"},
        ),
        coverage_html=report(
            "results/report/tables/coverage.html",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage: items asked (long)", "waves": "all"},
        ),
        models_html=report(
            "results/report/tables/models.html",
            caption="../report/models.rst",
            category="Tables",
            labels={"table": "regression models", "waves": "all"},
        ),
        weights_html=report(
            "results/report/tables/weights.html",
            caption="../report/weights.rst",
            category="Tables",
            labels={"table": "survey weights", "waves": "all"},
        ),
        changes_html=report(
            "results/report/tables/changes.html",
            caption="../report/changes.rst",
            category="Reproduction",
            labels={"item": "Table 4 changes with CI"},
        ),
        sensitivity_html=report(
            "results/report/tables/sensitivity.html",
            caption="../report/sensitivity.rst",
            category="Tables",
            labels={"table": "nonresponse sensitivity", "waves": "all"},
        ),
        weights="results/tables/weights.csv",
        weights_md="results/tables/weights.md",
        # the files every result came from (sha256), and which waves are synthetic
        provenance="results/provenance.json",
        # Table 4's changes with their 95 % CI and p, every institution and convention
        changes="results/tables/changes.csv",
        # the report's landing page includes this summary (verdict, data, respondents)
        summary="results/report/summary.rst",
    log:
        "logs/tables.log",
    priority: 2  # the tail's longest chain, after comparability (figures.smk)
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
        settings=landing_settings(config, headline_weights(WAVES)),
        # config values the captions print, escaped for reStructuredText
        caption=caption_values(
            config,
            {
                "table4": headline_weights(TABLE4["waves"]),
                "all": headline_weights(WAVES),
            },
        ),
        # the path itself, not only as an input: a path with {x} or <x> is no input
        published=lambda wildcards: config["published"] or "",
        countries=config["countries"],
        include_fixture=config["include_fixture"],
        rules=ESTIMATE_RULES,
    script:
        "../scripts/tables.py"
