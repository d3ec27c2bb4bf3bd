"""The report's landing page: the summary (reStructuredText) that workflow/report/workflow.rst
includes: the synthetic-data warning, the reproduction verdict, and the data files read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def summary_rst(metas: Sequence[Mapping], checks: list[dict] | None) -> tuple[str, str]:
    """The report's landing-page summary (reStructuredText): verdict, data, respondents."""
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
    if checks is not None:
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
    return "\n".join(lines) + "\n", verdict.replace("*", "")
