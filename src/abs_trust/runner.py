"""Run a workflow step: log to the job's log file, turn expected failures into one clear line.

Workflow scripts stay thin: they unpack ``snakemake.input/params/output`` and hand a
function to `run`. An `AbsTrustError` (bad input, bad config, failed check) becomes a
readable message and a non-zero exit, so Snakemake deletes the job's partial outputs; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import preload
from .errors import AbsTrustError

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


def run(
    step: Callable[[], str | None], logfile: str | None, name: str, exit_fast: bool = True
) -> None:
    """Run ``step``; log its one-line summary, or the error, and exit accordingly."""
    setup_logging(logfile)
    start = time.perf_counter()
    try:
        summary = step()
    except AbsTrustError as exc:
        log.error("%s failed: %s", name, exc)
        sys.exit(1)
    log.info("%s: %s (%.1f s)", name, summary or "done", time.perf_counter() - start)
    if exit_fast:
        # Tearing down pandas/scipy/matplotlib takes ~0.5 s per job (measured by the
        # benchmark) and does nothing for us: outputs are written and closed, logs flushed.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        if preload.in_child():
            sys.exit(0)  # a job forked from the preloaded interpreter exits through its handler
        os._exit(0)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write via a temporary file, so a crash never leaves half a table behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
