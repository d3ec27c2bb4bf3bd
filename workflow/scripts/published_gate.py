"""Fail the run when a published number is not reproduced (unless strict is off)."""

from abs_trust.runner import run
from abs_trust.steps.gate import published_gate_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(published_gate_job, snakemake, "published gate")
