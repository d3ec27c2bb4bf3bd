"""The figure jobs: the paper's figures (Figure 1, the Table 4 chart) and the cross-national
correlation figure. They read the per-wave tables, so they run beside the `tables` job.

Estimates that the tables do not show (too few respondents, unusable weights: their
``note`` says so) are not drawn either, and a figure the configured data cannot give (the
paper's figures on a run without China in W3 and W4) says that it is not applicable.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd

from abs_trust.config import plan_with_data
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
from abs_trust.outputs.figures.local_vs_ngo import figure_local_vs_ngo
from abs_trust.outputs.figures.local_vs_ngo_data import (
    FIGURE1_COLUMNS,
    figure1_panels,
    figure1_text,
)
from abs_trust.outputs.figures.style import save_figure
from abs_trust.outputs.table4 import TABLE4_INSTITUTIONS
from abs_trust.outputs.verdict import NOT_APPLICABLE
from abs_trust.outputs.wave_tables import read_correlations
from abs_trust.runner import log
from abs_trust.stats.weights import withheld


def paper_figures_job(input, output, params) -> str:
    """Draw Figure 1 and the Table 4 chart (PNG, SVG, PDF each); return the summary."""
    inp, out = input, output
    metas = {m["wave"]: m for m in (json.loads(Path(p).read_text()) for p in inp.metas)}
    synthetic = any(m["synthetic"] for m in metas.values())
    figure1 = plan_with_data(params.figure1, metas, "figure1")
    table4 = plan_with_data(params.table4, metas, "table4")
    summary = []

    if figure1["applicable"]:
        corr = pd.concat([read_correlations(p) for p in inp.correlations], ignore_index=True)
        frames = {
            wave: pd.read_parquet(path, columns=FIGURE1_COLUMNS)
            for wave, path in zip(figure1["waves"], inp.parquets, strict=True)
        }
        panels, level_labels, _ = figure1_panels(
            frames, [metas[w] for w in figure1["waves"]], shown(corr, "Figure 1"),
            figure1["country"], params.figure1_weighted,
        )  # fmt: skip
    if figure1["applicable"] and panels:
        title, notes = figure1_text(panels, figure1["country"])
        fig = figure_local_vs_ngo(panels, level_labels, synthetic, title=title, notes=notes)
        summary.append(f"Figure 1: {len(panels)} panels")
    else:
        reason = figure1["reason"] or "no wave has a correlation that may be shown"
        fig = not_applicable_figure("Figure 1 (Farid & Song 2020)", reason)
        summary.append(f"Figure 1 {NOT_APPLICABLE}")
    save_figure(fig, [out.figure1_png, out.figure1_svg, out.figure1_pdf])

    if table4["applicable"]:
        trust = pd.concat([pd.read_csv(p) for p in inp.trust], ignore_index=True)
        table4_metas = [metas[w] for w in table4["waves"]]
        args = (table4_metas, table4["country"], params.table4_weighted, params.nonresponse)
        rows = table4_rows(shown(trust, "the Table 4 chart"), *args)
    if table4["applicable"] and len(rows):
        title, notes = table4_chart_text(*args)
        fig = figure_institution_trust(
            rows, synthetic=synthetic, title=title, institutions=list(TABLE4_INSTITUTIONS),
            years=[m["countries"][table4["country"]]["year"] for m in table4_metas],
            notes=notes,
        )  # fmt: skip
        summary.append(
            f"Table 4 chart: {rows['institution'].nunique()} institutions x "
            f"{rows['year'].nunique()} years"
        )
    else:
        reason = table4["reason"] or "no share that may be shown"
        fig = not_applicable_figure("Table 4 chart (Farid & Song 2020)", reason)
        summary.append(f"Table 4 chart {NOT_APPLICABLE}")
    save_figure(fig, [out.trust_png, out.trust_svg, out.trust_pdf])
    return "; ".join(summary) + (" (synthetic fixture)" if synthetic else "")


def cross_national_figure_job(input, output, params) -> str:
    """Draw the correlation by country and wave (PNG, SVG, PDF); return the summary."""
    corr = pd.concat([read_correlations(p) for p in input.correlations], ignore_index=True)
    synthetic = any(json.loads(Path(p).read_text())["synthetic"] for p in input.metas)
    rows = correlation_rows(shown(corr, "the correlation figure"), params.pair, params.weights_on)
    if rows.empty:
        fig = not_applicable_figure(
            "Correlation by country and wave", "no correlation of this run may be shown"
        )
    else:
        title, notes = correlation_text(rows, params.pair)
        fig = figure_correlation_by_country(rows, synthetic, title=title, notes=notes)
    save_figure(fig, [output.png, output.svg, output.pdf])
    return f"{rows['country'].nunique()} countries x {rows['wave'].nunique()} waves"


def shown(table: pd.DataFrame, figure: str) -> pd.DataFrame:
    """The rows of a table whose estimate is shown (not suppressed, not refused)."""
    if "note" not in table:
        return table
    hidden = table["note"].map(withheld).astype(bool)
    if hidden.any():
        log.info("%s: %d estimate(s) not drawn (%s)", figure, int(hidden.sum()),
                 "; ".join(sorted(set(table.loc[hidden, "note"]))[:3]))  # fmt: skip
    return table[~hidden]


def not_applicable_figure(title: str, reason: str):
    """A small figure that says, in words, why there is no figure for this run."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 1.4))
    fig.text(0.5, 0.68, title, ha="center", fontsize=11, weight="bold")
    fig.text(0.5, 0.3, textwrap.fill(f"{NOT_APPLICABLE}: {reason}.", 90), ha="center", fontsize=9)
    return fig
