rule reproduction:
    input:
        trust="results/tables/institution_trust.csv",
        correlations="results/tables/correlations.csv",
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        published=config["published"] or [],
    output:
        json="results/reproduction.json",
        md=report(
            "results/reproduction.md",
            caption="../report/reproduction.rst",
            category="Reproduction",
            labels={"item": "published numbers vs ours"},
        ),
    log:
        "logs/reproduction.log",
    conda:
        "../envs/abs-trust.yaml"
    script:
        "../scripts/reproduction.py"


# Separate from the report, so a failed check still leaves the report to read.
rule published_gate:
    input:
        json="results/reproduction.json",
        md="results/reproduction.md",
    output:
        "results/reproduction.passed",
    log:
        "logs/published_gate.log",
    conda:
        "../envs/abs-trust.yaml"
    params:
        strict=config["strict"],
    script:
        "../scripts/published_gate.py"


# The report's landing page includes this summary (verdict, data, respondents).
rule report_summary:
    input:
        metas=expand("data/interim/{wave}.json", wave=WAVES),
        checks="results/reproduction.json" if config.get("published") else [],
    output:
        "results/report/summary.rst",
    log:
        "logs/report_summary.log",
    conda:
        "../envs/abs-trust.yaml"
    script:
        "../scripts/report_summary.py"
