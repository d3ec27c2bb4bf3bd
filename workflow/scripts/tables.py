"""Every wave's tables -> the run's tables, Table 4, reproduction report, report summary."""

from abs_trust.runner import run
from abs_trust.steps.tables import tables_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(tables_job, snakemake, "tables")
