"""Peak memory and wall time of each workflow job, one job at a time, as a cluster sees them.

``python benchmarks/job_memory.py --configfile DATA/fullscale.yaml [--waves W5 W6]``

The workflow is copied into a fresh temporary directory and run with ``--cores 1``: first
each wave's job alone (target ``data/interim/<wave>.parquet``), then the rest of the run, so
every job runs by itself. A thread samples every process of the job every 20 ms with psutil:
the job's script and the reader child it forks. A SLURM job's memory limit (``mem_mb``,
enforced by the cgroup on most clusters) covers all of a job's processes, so the figure
that matters is the peak of the SUM over the job's processes: reported as RSS (counts a
page the forked reader shares with its parent twice: the safe figure for ``mem_mb``) and as
PSS (counts it once: the physical memory). Used for docs/cluster.md with the full-scale
synthetic set of benchmarks/fullscale.py at ``--scale 1`` and ``--scale 10``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
SCRIPT = re.compile(r"\.snakemake/scripts/tmp\w+\.(\w+)\.py$")
MB = 1024 * 1024


class JobSampler(threading.Thread):
    """Per job (keyed by its script's pid): the rule, peak RSS and PSS sums, first/last seen."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(root_pid)
        self.jobs: dict[int, dict] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(0.02)

    def sample(self) -> None:
        try:
            tree = self.root.children(recursive=True)
        except psutil.Error:
            return
        scripts = {}
        for proc in tree:
            try:
                match = next(filter(None, map(SCRIPT.search, proc.cmdline())), None)
            except psutil.Error:
                continue
            if match is not None:
                scripts[proc.pid] = (proc, match[1])
        for proc, rule in scripts.values():
            try:
                if proc.ppid() in scripts:
                    continue  # the reader a job forks has the same command line: part of its job
                members = [proc, *proc.children(recursive=True)]
                rss = pss = children_rss = own_rss = 0
                for member in members:
                    info = member.memory_full_info()
                    rss, pss = rss + info.rss, pss + info.pss
                    if member is proc:
                        own_rss = info.rss
                    else:
                        children_rss += info.rss
            except psutil.Error:
                continue
            now = time.monotonic()
            job = self.jobs.setdefault(
                proc.pid,
                {"rule": rule, "rss": 0, "pss": 0, "own": 0, "reader": 0, "procs": 0, "start": now},
            )
            job["rss"], job["pss"] = max(job["rss"], rss), max(job["pss"], pss)
            job["own"], job["reader"] = max(job["own"], own_rss), max(job["reader"], children_rss)
            job["procs"] = max(job["procs"], len(members))
            job["end"] = now


def copy_workflow(dest: Path) -> None:
    for name in ("Snakefile", "workflow", "config", "profiles"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)


def measured_run(workdir: Path, targets: list[str], configs: list[str], label: str) -> list[dict]:
    cmd = [SNAKEMAKE, *targets, "--cores", "1", "--quiet", "all", "--configfile", *configs]
    with (workdir / f"{label}.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        sampler = JobSampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        sampler.done.set()
        sampler.join()
    if returncode != 0:
        tail = (workdir / f"{label}.log").read_text().splitlines()[-30:]
        sys.exit(f"{' '.join(cmd)} failed:\n" + "\n".join(tail))
    return list(sampler.jobs.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", type=Path, required=True, help="e.g. DATA/fullscale.yaml")
    parser.add_argument("--waves", nargs="*", help="only these waves' jobs (default: the run)")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.configfile.read_text())
    waves = args.waves or list(config["waves"])
    configs = [str(ROOT / "config/config.yaml"), str(args.configfile.resolve())]
    with tempfile.TemporaryDirectory(prefix="abs-job-memory-") as tmp:
        workdir = Path(tmp)
        copy_workflow(workdir)
        rows = []
        for wave in waves:
            jobs = measured_run(workdir, [f"data/interim/{wave}.parquet"], configs, wave)
            rows += [{**job, "rule": f"wave {wave}"} for job in jobs]
        if not args.waves:
            rows += measured_run(workdir, [], configs, "rest")
    print(
        f"{'job':<24} {'procs':>5} {'peak RSS sum MB':>16} {'peak PSS sum MB':>16} "
        f"{'script RSS MB':>14} {'reader RSS MB':>14} {'wall s':>7}"
    )
    for job in rows:
        print(
            f"{job['rule']:<24} {job['procs']:>5} {job['rss'] / MB:>16.0f} "
            f"{job['pss'] / MB:>16.0f} {job['own'] / MB:>14.0f} {job['reader'] / MB:>14.0f} "
            f"{job['end'] - job['start']:>7.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
