"""The Table 4 shares as a chart: per institution, earliest year -> latest year."""

import json
from pathlib import Path

import pandas as pd

from abs_trust.figures import figure_institution_trust, save_figure
from abs_trust.runner import run
from abs_trust.tables import TABLE4_INSTITUTIONS

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    params = snakemake.params
    trust = pd.read_csv(snakemake.input.trust)
    metas = [json.loads(Path(p).read_text()) for p in snakemake.input.metas]
    keep = []
    for meta in metas:
        weighted = (
            bool(params.weighted[meta["wave"]])
            and meta["weight_variable"] is not None
            and meta["countries"].get(params.country, {}).get("weight_varies", True)
        )
        keep.append(
            trust[
                (trust["country"] == params.country)
                & (trust["wave"] == meta["wave"])
                & (trust["weighted"] == weighted)
                & (trust["nonresponse"] == params.nonresponse)
                & trust["institution"].isin(list(TABLE4_INSTITUTIONS))
            ]
        )
    rows = pd.concat(keep, ignore_index=True)
    fig = figure_institution_trust(rows, synthetic=any(m["synthetic"] for m in metas))
    save_figure(fig, [snakemake.output.png, snakemake.output.svg, snakemake.output.pdf])
    return f"{rows['institution'].nunique()} institutions x {rows['year'].nunique()} years"


run(main, snakemake.log[0], "figure institution trust")
