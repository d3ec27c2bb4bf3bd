rule table4:
    input:
        trust="results/tables/institution_trust.csv",
        metas=expand("data/interim/{wave}.json", wave=TABLE4_WAVES),
    output:
        md=report(
            "results/tables/table4.md",
            caption="../report/table4.rst",
            category="Reproduction",
            labels={"item": "Table 4 (Markdown)"},
        ),
        tex=report(
            "results/tables/table4.tex",
            caption="../report/table4.rst",
            category="Reproduction",
            labels={"item": "Table 4 (LaTeX, booktabs)"},
        ),
    log:
        "logs/table4.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        country=config["table4"].get("country", "china"),
        weighted=headline_weights(TABLE4_WAVES),
        nonresponse=config["nonresponse"],
    script:
        "../scripts/table4.py"


rule country_tables:
    input:
        trust="results/tables/institution_trust.csv",
        coverage="results/tables/coverage.csv",
        metas=expand("data/interim/{wave}.json", wave=WAVES),
    output:
        md=report(
            "results/tables/trust_by_country.md",
            caption="../report/country_tables.rst",
            category="Tables",
            labels={"table": "trust by country and wave (Markdown)", "waves": "all"},
        ),
        tex="results/tables/trust_by_country.tex",
        coverage_md=report(
            "results/tables/coverage.md",
            caption="../report/coverage.rst",
            category="Tables",
            labels={"table": "coverage (Markdown)", "waves": "all"},
        ),
    log:
        "logs/country_tables.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        weighted=headline_weights(WAVES),
        nonresponse=config["nonresponse"],
    script:
        "../scripts/country_tables.py"
