"""Fail the run when a published number is not reproduced (unless strict is off)."""

import gc

# Before any other import: a job is a short-lived process, and the garbage collector's
# full passes over the growing heap were a fifth of its import time (docs/performance.md).
gc.disable()

# A local run forks the job from its preloaded interpreter, which has imported everything
# below already; this returns in that child, or when there is none (abs_trust.preload).
from abs_trust.preload import delegate

delegate(snakemake, __file__)  # noqa: F821  (snakemake: injected by Snakemake)

import json
from pathlib import Path

from abs_trust.errors import ReproductionError
from abs_trust.runner import run, write_text_atomic

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    results = json.loads(Path(snakemake.input.json).read_text())
    failed = [r for r in results if r["ok"] is False]  # not-applicable checks are None
    if failed and snakemake.params.strict:
        listing = "; ".join(
            f"{r['id']}: published {r['published']:g}, reproduced {r['reproduced']}" for r in failed
        )
        raise ReproductionError(
            f"{len(failed)} published check(s) failed ({listing}); see {snakemake.input.md}. "
            "Set `strict: false` in the config to keep the outputs of a run on other data."
        )
    verdict = "FAIL (strict: false)" if failed else "PASS"
    write_text_atomic(snakemake.output[0], f"{verdict}\n")
    return f"verdict {verdict}: {len(failed)} failed of {len(results)} checks"


run(main, snakemake.log[0], "published gate")
