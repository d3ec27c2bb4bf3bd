"""Run a workflow step: log to the job's log file, turn expected failures into one clear line.

Workflow scripts stay thin: each hands its ``snakemake`` object and one job function
(`abs_trust.steps`) to `run`. An `AbsTrustError` (bad input, bad config, failed check) becomes a
readable message and a non-zero exit, so Snakemake deletes the job's partial outputs; any
other exception is a bug and is logged with its traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from abs_trust.errors import AbsTrustError

log = logging.getLogger("abs_trust")


def setup_logging(logfile: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile:
        Path(logfile).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logfile, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )


def run(job: Callable[..., str | None], snakemake, name: str) -> None:
    """Run ``job(input, output, params)`` of a Snakemake job; log its summary, or the error.

    The summary (or the error) goes to the job's first ``log:`` file and to stderr. An
    `AbsTrustError` exits with status 1 and one readable line; any other exception is a bug
    and is logged with its traceback. Either way Snakemake sees the job fail and removes its
    outputs.
    """
    setup_logging(snakemake.log[0] if snakemake.log else None)
    start = time.perf_counter()
    try:
        summary = job(snakemake.input, snakemake.output, snakemake.params)
    except AbsTrustError as exc:
        log.error("%s failed: %s", name, exc)
        sys.exit(1)
    except Exception:
        # A bug, not bad input: the traceback goes to the job's log too, where Snakemake's
        # --show-failed-logs and a cluster user look, not only to the scheduler's stderr.
        log.exception("%s failed with an unexpected error (a bug in abs-trust)", name)
        sys.exit(1)
    log.info("%s: %s (%.1f s)", name, summary or "done", time.perf_counter() - start)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write via a temporary file, so a crash never leaves half a table behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
