"""The local-government/NGO correlation by country and wave, as PNG, SVG and PDF."""

from abs_trust.runner import run
from abs_trust.steps.figures import cross_national_figure_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(cross_national_figure_job, snakemake, "cross-national figure")
