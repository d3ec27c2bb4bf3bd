"""Every published number beside ours: results/reproduction.json and .md."""

import json
from pathlib import Path

import pandas as pd

from abs_trust.config import read_yaml, validate
from abs_trust.reproduce import (
    convention_scan,
    evaluate,
    failures,
    scan_markdown,
    to_markdown,
)
from abs_trust.runner import run, write_text_atomic
from abs_trust.tableio import read_correlations

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    published = validate(
        read_yaml(snakemake.input.published), "published.schema.yaml", snakemake.input.published
    )
    trust = pd.read_csv(snakemake.input.trust)
    corr = read_correlations(snakemake.input.correlations)
    metas = [json.loads(Path(p).read_text()) for p in snakemake.input.metas]
    results = evaluate(published, trust, corr, [m["wave"] for m in metas])
    synthetic = any(m["synthetic"] for m in metas)
    sources = [s["path"] for m in metas for s in m["sources"]]
    write_text_atomic(snakemake.output.json, json.dumps(results, indent=2) + "\n")
    scan = convention_scan(published, trust, [m["wave"] for m in metas])
    report = to_markdown(results, published, synthetic, sources) + "\n" + scan_markdown(scan)
    write_text_atomic(snakemake.output.md, report)
    decided = [r for r in results if r["ok"] is not None]
    return f"{len(decided) - len(failures(results))} of {len(decided)} applicable checks pass"


run(main, snakemake.log[0], "reproduction report")
