"""The figure jobs: the paper's figures (Figure 1, the Table 4 chart) and the cross-national
correlation figure. They read the per-wave tables, so they run beside the `tables` job."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from abs_trust.outputs.figures.correlation_by_country import (
    correlation_rows,
    correlation_text,
    figure_correlation_by_country,
)
from abs_trust.outputs.figures.institution_trust import (
    figure_institution_trust,
    table4_chart_text,
    table4_rows,
)
from abs_trust.outputs.figures.local_vs_ngo import (
    FIGURE1_COLUMNS,
    figure1_panels,
    figure1_text,
    figure_local_vs_ngo,
)
from abs_trust.outputs.figures.style import save_figure
from abs_trust.outputs.table4 import TABLE4_INSTITUTIONS
from abs_trust.outputs.wave_tables import read_correlations


def paper_figures_job(input, output, params) -> str:
    """Draw Figure 1 and the Table 4 chart (PNG, SVG, PDF each); return the summary."""
    inp, out = input, output
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
    title, notes = figure1_text(panels, params.figure1_country)
    fig = figure_local_vs_ngo(panels, level_labels, synthetic, title=title, notes=notes)
    save_figure(fig, [out.figure1_png, out.figure1_svg, out.figure1_pdf])

    trust = pd.concat([pd.read_csv(p) for p in inp.trust], ignore_index=True)
    table4 = [metas[w] for w in params.table4_waves]
    args = (table4, params.table4_country, params.table4_weighted, params.nonresponse)
    rows = table4_rows(trust, *args)
    title, notes = table4_chart_text(*args)
    fig = figure_institution_trust(
        rows, synthetic=synthetic, title=title, institutions=list(TABLE4_INSTITUTIONS),
        years=[m["countries"][params.table4_country]["year"] for m in table4], notes=notes,
    )  # fmt: skip
    save_figure(fig, [out.trust_png, out.trust_svg, out.trust_pdf])
    return (
        f"Figure 1: {len(panels)} panels; Table 4 chart: {rows['institution'].nunique()} "
        f"institutions x {rows['year'].nunique()} years"
        + (" (synthetic fixture)" if synthetic else "")
    )


def cross_national_figure_job(input, output, params) -> str:
    """Draw the correlation by country and wave (PNG, SVG, PDF); return the summary."""
    corr = pd.concat([read_correlations(p) for p in input.correlations], ignore_index=True)
    synthetic = any(json.loads(Path(p).read_text())["synthetic"] for p in input.metas)
    rows = correlation_rows(corr, params.pair, params.weights_on)
    title, notes = correlation_text(rows, params.pair)
    fig = figure_correlation_by_country(rows, synthetic, title=title, notes=notes)
    save_figure(fig, [output.png, output.svg, output.pdf])
    return f"{rows['country'].nunique()} countries x {rows['wave'].nunique()} waves"
