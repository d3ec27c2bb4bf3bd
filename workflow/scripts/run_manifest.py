"""Sweep the previous run's aggregate results, then write this run's manifest."""

from abs_trust.run_state import run_manifest_job
from abs_trust.runner import run

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(run_manifest_job, snakemake, "run manifest")
