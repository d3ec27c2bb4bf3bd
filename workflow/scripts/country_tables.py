"""Cross-national tables: shares trusting and item coverage, country × wave (Markdown, LaTeX)."""

import json
from pathlib import Path

import pandas as pd

from abs_trust.runner import run, write_text_atomic
from abs_trust.tables import coverage_wide, trust_by_country, wide_latex, wide_markdown

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    params = snakemake.params
    trust = pd.read_csv(snakemake.input.trust)
    coverage = pd.read_csv(snakemake.input.coverage)
    metas = [json.loads(Path(p).read_text()) for p in snakemake.input.metas]

    def weighting(meta) -> str:
        if params.weighted[meta["wave"]] and meta["weight_variable"]:
            constant = [c for c, v in meta["countries"].items() if not v.get("weight_varies")]
            text = f"{meta['wave']} weighted by {meta['weight_variable']}"
            if constant:
                text += f" (constant, so unweighted, in {', '.join(constant)})"
            return text
        return f"{meta['wave']} unweighted"

    denominator = {"exclude": "excluded", "as_not_trusting": "counted as not trusting"}
    scales = {m["wave"]: m["scale"] for m in metas}
    notes = [
        "Share trusting (the scale's trusting categories), %, by country and wave; "
        f"{'; '.join(weighting(m) for m in metas)}; nonresponse "
        f"{denominator[params.nonresponse]}.",
        "— = not asked in that country-wave (see the coverage table).",
    ]
    notes += [
        f"{wave}: {scale['comparable']}"
        for wave, scale in scales.items()
        if scale.get("comparable")
    ]
    if any(m["synthetic"] for m in metas):
        notes.append("SYNTHETIC FIXTURE: generated to match published aggregates; not ABS data.")
    wide = trust_by_country(trust, params.weighted, params.nonresponse)
    title = "Trust in institutions by country and wave (%)"
    write_text_atomic(snakemake.output.md, wide_markdown(wide, title, notes))
    write_text_atomic(snakemake.output.tex, wide_latex(wide, title, notes, "tab:trust-by-country"))
    cov = coverage_wide(coverage)
    cov_notes = [
        "Item nonresponse (% of respondents: don't know, can't choose, decline, missing); "
        "— = not asked (no substantive answer) or no such item in the wave."
    ]
    write_text_atomic(
        snakemake.output.coverage_md,
        wide_markdown(cov, "Trust items asked, and their nonresponse (%)", cov_notes),
    )
    return f"{len(wide)} country-waves x {wide.shape[1] - 3} institutions"


run(main, snakemake.log[0], "cross-national tables")
