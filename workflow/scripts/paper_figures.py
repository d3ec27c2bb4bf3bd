"""The paper's figures: Figure 1 (local government vs NGO trust) and the Table 4 chart,
each as PNG, SVG and PDF."""

import gc

# Before any other import: a job is a short-lived process, and the garbage collector's
# full passes over the growing heap were a fifth of its import time (docs/performance.md).
gc.disable()

# A local run forks the job from its preloaded interpreter, which has imported everything
# below already; this returns in that child, or when there is none (abs_trust.preload).
from abs_trust.preload import delegate

delegate(snakemake, __file__)  # noqa: F821  (snakemake: injected by Snakemake)

import json
from pathlib import Path

import pandas as pd

from abs_trust.figure_data import FIGURE1_COLUMNS, figure1_panels, table4_rows
from abs_trust.figures import figure_institution_trust, figure_local_vs_ngo, save_figure
from abs_trust.runner import run
from abs_trust.tableio import read_correlations

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    inp, out, params = snakemake.input, snakemake.output, snakemake.params
    metas = {m["wave"]: m for m in (json.loads(Path(p).read_text()) for p in inp.metas)}
    synthetic = any(m["synthetic"] for m in metas.values())

    corr = pd.concat([read_correlations(p) for p in inp.correlations], ignore_index=True)
    frames = {
        wave: pd.read_parquet(path, columns=FIGURE1_COLUMNS)
        for wave, path in zip(params.figure1_waves, inp.parquets, strict=True)
    }
    panels, level_labels, _ = figure1_panels(
        frames, [metas[w] for w in params.figure1_waves], corr, params.figure1_country,
        params.figure1_weighted,
    )  # fmt: skip
    fig = figure_local_vs_ngo(panels, level_labels, synthetic)
    save_figure(fig, [out.figure1_png, out.figure1_svg, out.figure1_pdf])

    trust = pd.concat([pd.read_csv(p) for p in inp.trust], ignore_index=True)
    rows = table4_rows(
        trust, [metas[w] for w in params.table4_waves], params.table4_country,
        params.table4_weighted, params.nonresponse,
    )  # fmt: skip
    fig = figure_institution_trust(rows, synthetic=synthetic)
    save_figure(fig, [out.trust_png, out.trust_svg, out.trust_pdf])
    return (
        f"Figure 1: {len(panels)} panels; Table 4 chart: {rows['institution'].nunique()} "
        f"institutions x {rows['year'].nunique()} years"
        + (" (synthetic fixture)" if synthetic else "")
    )


run(main, snakemake.log[0], "paper figures")
