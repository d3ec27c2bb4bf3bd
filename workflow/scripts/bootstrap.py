"""Every wave's harmonized respondents -> percentile bootstrap intervals (optional job)."""

from abs_trust.runner import run
from abs_trust.steps.bootstrap import bootstrap_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(bootstrap_job, snakemake, "bootstrap")
