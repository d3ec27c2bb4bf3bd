"""The report's landing-page summary: verdict, data, respondents (results/report/summary.rst)."""

import json
from pathlib import Path

from abs_trust.runner import run, write_text_atomic

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    metas = [json.loads(Path(p).read_text()) for p in snakemake.input.metas]
    lines = []
    if any(m["synthetic"] for m in metas):
        lines += [
            ".. warning::",
            "",
            "   **Synthetic fixture.** This run used the shipped synthetic data (ABS layout,",
            "   values generated to match the published aggregates), not ABS data.",
            "",
        ]
    verdict = "not checked (no published numbers configured)"
    if snakemake.input.get("checks"):
        checks = json.loads(Path(snakemake.input.checks).read_text())
        decided = [c for c in checks if c["ok"] is not None]
        failed = [c for c in decided if not c["ok"]]
        verdict = (
            f"**{'FAIL' if failed else 'PASS'}**: {len(decided) - len(failed)} of "
            f"{len(decided)} applicable published checks reproduced"
        )
        if failed:
            verdict += " (failed: " + ", ".join(c["id"] for c in failed) + ")"
    lines += ["Reproduction verdict", "--------------------", "", verdict + ".", ""]
    lines += ["Data", "----", ""]
    for meta in metas:
        people = ", ".join(
            f"{c} {v['respondents']:,} ({v['year']})" for c, v in meta["countries"].items()
        )
        for source in meta["sources"]:
            lines.append(
                f"- **{meta['wave']}** ``{source['path']}`` (sha256 {source['sha256'][:12]}…, "
                f"{source['rows']:,} rows): {people}"
            )
    write_text_atomic(snakemake.output[0], "\n".join(lines) + "\n")
    return verdict.replace("*", "")


run(main, snakemake.log[0], "report summary")
