# Separate from the tables, so a failed check still leaves the report to read.
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
    resources:
        mem_mb=100,
        runtime=2,
    params:
        strict=config["strict"],
    script:
        "../scripts/published_gate.py"
