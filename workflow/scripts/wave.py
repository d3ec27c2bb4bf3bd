"""One wave: release file(s) -> harmonized respondents (data/interim/) -> its tables."""

from abs_trust.runner import run
from abs_trust.steps.wave import wave_job

snakemake = snakemake  # noqa: F821  (injected by Snakemake)

run(wave_job, snakemake, f"wave {snakemake.params.wave}")
