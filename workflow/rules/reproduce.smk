# Separate from the tables, so a failed check still leaves the report to read. The verdict
# file holds one line: "PASS: n of n ...", "FAIL: k of n ..." (strict: false only; strict:
# true fails the job instead) or "NOT APPLICABLE: <reason>".
rule published_gate:
    input:
        run="results/run.json",  # a new run (config, files) reruns this
        json="results/reproduction.json",
        md="results/reproduction.md",
    output:
        "results/reproduction.verdict",
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
