"""Harmonization provenance and measurement invariance over every wave."""

from abs_trust.runner import run
from abs_trust.steps.comparability import comparability_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(comparability_job, snakemake, "comparability")
