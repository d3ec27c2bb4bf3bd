"""The paper's figures: Figure 1 and the Table 4 chart, each as PNG, SVG and PDF."""

from abs_trust.runner import run
from abs_trust.steps.figures import paper_figures_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(paper_figures_job, snakemake, "paper figures")
