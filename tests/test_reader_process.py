"""No reader outlives its job (issue 15): a wave job killed while its forked reader reads a
large file (SIGTERM, as a cluster's time limit sends, or SIGKILL) leaves no reader behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import psutil
import pyreadstat
import pytest

COLUMNS = [f"v{i}" for i in range(60)]


@pytest.fixture(scope="module")
def large_file(tmp_path_factory):
    """A .sav large enough that reading it takes about a second (100,000 rows x 60)."""
    rng = np.random.default_rng(0)
    n = 100_000
    path = tmp_path_factory.mktemp("large") / "large.sav"
    pyreadstat.write_sav(
        pd.DataFrame({c: rng.integers(1, 5, n).astype(float) for c in COLUMNS}), str(path)
    )
    return path


def reader_children(job: psutil.Process, timeout: float = 30) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = job.children()
        if children:
            return children
        time.sleep(0.01)
    raise AssertionError("the job never forked its reader")


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_job_leaves_no_reader(large_file, sig):
    # the job: what a wave job does first, read a release file in a forked reader
    code = (
        "from abs_trust.readers.release import read_releases\n"
        f"read_releases([{str(large_file)!r}] * 2, {COLUMNS!r})\n"
    )
    job = subprocess.Popen([sys.executable, "-c", code])
    try:
        readers = reader_children(psutil.Process(job.pid))
        time.sleep(0.2)  # the reader is reading now
        assert all(alive(r) for r in readers)
        os.kill(job.pid, sig)
        job.wait(timeout=30)
        deadline = time.monotonic() + 5
        while any(alive(r) for r in readers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(r) for r in readers), "a reader outlived its job"
    finally:
        if job.poll() is None:
            job.kill()
