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
