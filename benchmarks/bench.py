"""Benchmark the abs-trust workflow against a floor, on the fixture or at full scale.

``make bench`` (= ``python benchmarks/bench.py``, ``--scale fixture``) measures the shipped
2-wave synthetic fixture; ``python benchmarks/bench.py --scale full`` a full-scale synthetic
set of all six waves (`benchmarks/fullscale.py`: 17 files, about 114,000 respondents).

What is measured, in one run:

1. **workflow cold** -- the workflow (Snakefile, workflow/, config/, profiles/, data/fixture/)
   is copied into a fresh temporary directory and ``snakemake --cores 2 --quiet`` runs there,
   so nothing is cached (no data/interim, no results, no .snakemake) and the user's results/
   are never touched. At full scale it runs with
   ``--configfile config/config.yaml <data>/fullscale.yaml``. Every job is a plain process
   that imports what it needs.
2. **workflow warm** (full scale only) -- results/ and data/interim/ deleted and the run
   repeated in the same directory: a second cold run with the OS page cache (the release
   files, the virtualenv) warm.
3. **workflow no-op rerun** -- snakemake again in the same directory (nothing to do), and a
   ``snakemake -n`` dry run: the fixed cost of parsing the workflow and building the DAG.
4. **floor** -- one ``python -c`` process that imports the analysis stack the workflow's
   jobs use (`FLOOR_IMPORTS`: numpy, pandas, pyarrow.parquet, pyreadstat, pandera, scipy,
   the statsmodels estimators, matplotlib's figure and backends) and reads only the needed
   columns of every release file with pyreadstat (``usecols``: the crosswalk's variables,
   ``load_crosswalk(...).wave(W).variables()``, matched case-insensitively to the file's
   names). It is the least any implementation must pay: start Python, import, read the data.
   Like the jobs, it turns the garbage collector off first (a fifth of the import time).
5. **adding a wave** (full scale only) -- in another fresh copy, a run on W1-W5, then the
   dry run of the same workflow with W6 added: the jobs it would run must be wave W6 and
   the aggregate rules (no other wave's job); then the
   incremental run itself.
6. **bootstrap** -- a separate process ingests the fixture (W3, W4; China) and times
   `abs_trust.stats.bootstrap.bootstrap_shares` for 1,000 replicates of every China share (13
   items x 2 waves, each weighting and denominator).

For each run: wall time and CPU time (user + sys of all descendants, from
``resource.getrusage(RUSAGE_CHILDREN)`` deltas). Peak memory comes from separate *sampled*
runs (a second cold run in a fresh copy, a second floor, the add-a-wave runs): the peak of
the SUM of PSS over the whole process tree, sampled with psutil every ~20 ms in a thread,
beside the peak of the sum of RSS (and the largest single process's peak RSS). PSS charges
each of N processes sharing a page 1/N of it, so its sum is the tree's physical memory;
the RSS sum counts a page shared by N processes (a wave job and its forked reader) N times.
The timed runs are not sampled: walking /proc every 20 ms
takes CPU from a 2-core machine, more from a tree of jobs than from the floor's one process.
The sampled cold run also yields a per-rule breakdown: each job's process lifetime beside
the time its step itself reported in its log, the difference being Python start-up,
Snakemake's script preamble and importing the stack.

The goals are printed beside the figures: cold run <= 4x the floor, peak memory
(PSS) < 1 GB, no-op rerun <= 1.5x the dry run, 1,000 bootstrap replicates of every China W3/W4
share <= 2 s. The machine is shared and noisy, so compare ratios within one run rather than
absolute numbers across runs. ``--repeat N`` takes the median of N runs for each figure;
``--json PATH`` also writes all figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = BIN / "snakemake"
COPY = ("Snakefile", "workflow", "config", "profiles", "data/fixture")
CONFIG = "config/config.yaml"
FULLSCALE = ROOT / "benchmarks" / "fullscale.py"
FULL_CONFIG = "fullscale.yaml"  # written by fullscale.py into its --out directory
ADDED_WAVE = "W6"  # the wave the "adding a wave" check adds last
INTERVAL = 0.02  # seconds between process-tree samples
MB = 1024 * 1024
BYTECODE_PROBES = ("pandas", "scipy", "statsmodels", "snakemake")
CORES = 2  # snakemake --cores of every workflow run

# The goals ("Fast at full scale").
GOAL_COLD_FLOOR = 4.0  # cold wall <= 4x the floor
GOAL_PEAK_MB = 1024.0  # peak tree memory < 1 GB
GOAL_NOOP_DRY = 1.5  # no-op rerun <= 1.5x the dry run
GOAL_BOOTSTRAP_S = 2.0  # 1,000 replicates of every China W3/W4 share
GOAL_INVARIANCE_SHARE = 0.10  # invariance models < 10 % of the cold run's wall time
BOOTSTRAP_REPS = 1000
# Rules with a {wave} wildcard; every other rule is an aggregate over the waves.
PER_WAVE_RULES = ("wave",)
# The third-party modules the workflow's jobs import, together (not statsmodels.api, which
# no job imports; tests/test_imports.py keeps the jobs to this list).
FLOOR_IMPORTS = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "pyreadstat",
    "pandera.pandas",
    "scipy.optimize",
    "scipy.special",
    "scipy.stats",
    "statsmodels.regression.linear_model",
    "statsmodels.miscmodels.ordinal_model",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_pdf",
    "matplotlib.backends.backend_svg",
)

FLOOR_SCRIPT = """\
import gc, json, sys, time
gc.disable()  # the floor is the least any implementation must pay: no collector passes
t0 = time.perf_counter()
import importlib
for name in sys.argv[2].split(","):
    importlib.import_module(name)
import pyreadstat
t1 = time.perf_counter()
rows = 0
for path, cols in json.loads(sys.argv[1]):
    frame, _ = pyreadstat.read_sav(path, usecols=cols, apply_value_formats=False)
    rows += len(frame)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "rows": rows}))
"""

BOOTSTRAP_SCRIPT = """\
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
from abs_trust.stats.bootstrap import bootstrap_shares
from abs_trust.harmonize.crosswalk import INSTITUTIONS, load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.shares import NONRESPONSE_CONVENTIONS
t1 = time.perf_counter()
crosswalk = load_crosswalk(sys.argv[1])
frames, trusting = [], set()
for wave, files in json.loads(sys.argv[2]).items():
    frame, meta = ingest_wave(files, crosswalk.wave(wave), crosswalk, ["china"])
    frames.append(frame)
    trusting.add(tuple(meta["scale"]["trusting_levels"]))
assert len(trusting) == 1, trusting
levels = trusting.pop()
frame = pd.concat(frames, ignore_index=True)
reps = int(sys.argv[3])
t2 = time.perf_counter()
calls, shares = {}, 0
for weight in (None, "weight"):
    for nonresponse in NONRESPONSE_CONVENTIONS:
        t = time.perf_counter()
        out = bootstrap_shares(frame, INSTITUTIONS, levels, weight=weight, reps=reps, seed=0,
                               nonresponse=nonresponse)
        calls[f"{'weighted' if weight else 'unweighted'}, {nonresponse}"] = time.perf_counter() - t
        shares += len(out)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "ingest_s": t2 - t1, "bootstrap_s": t3 - t2,
                  "calls": calls, "shares": shares, "respondents": len(frame), "reps": reps,
                  "items": int(out.groupby("wave")["institution"].nunique().max())}))
"""

# A job's log line ends with the step's own duration: "... (0.6 s)" (abs_trust.runner.run).
STEP_SECONDS = re.compile(r"\((\d+(?:\.\d+)?) s\)\s*$")
JOB_SCRIPT = re.compile(r"/\.snakemake/scripts/tmp[^/.]*\.(?P<rule>[^/]+)\.py$")
# A job in the output of `snakemake -n`: "rule NAME:" (or localrule) then indented fields.
DRY_RULE = re.compile(r"^(?:local)?rule (?P<rule>\w+):\s*$")
DRY_FIELD = re.compile(r"^\s+(?P<key>wildcards|reason): (?P<value>.*)$")


@dataclass
class Proc:
    """One process seen in the tree: its command line, lifetime and peak RSS and PSS."""

    cmdline: list[str]
    ppid: int
    start: float
    last_seen: float
    peak_rss: int = 0
    peak_pss: int = 0


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_tree_mb: float  # the peak of the tree's PSS sum: its physical memory
    peak_proc_mb: float  # the largest single process's peak RSS
    processes: int
    returncode: int
    peak_tree_rss_mb: float = float("nan")  # the peak of the tree's RSS sum (overcounts)
    extra: dict = field(default_factory=dict)


class TreeSampler(threading.Thread):
    """Sample the memory of a process and all its descendants every `INTERVAL` seconds.

    Two sums over the tree: RSS, which counts a page shared by N processes N times, and PSS
    (proportional set size, /proc/PID/smaps_rollup), which counts 1/N of it in each: the PSS
    sum is the physical memory the tree holds: a wave job's forked reader shares the job's
    libraries, which the RSS sum counts twice.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.stop_event = threading.Event()
        self.peak_tree = 0
        self.peak_tree_pss = 0
        self.span = (0.0, 0.0)  # epoch start and end of the measured command
        self.procs: dict[tuple[int, float], Proc] = {}

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(INTERVAL)

    def sample(self) -> None:
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the root has exited
            return
        now, total, total_pss = time.time(), 0, 0
        for proc in tree:
            try:
                with proc.oneshot():
                    memory = proc.memory_full_info()  # rss from statm, pss from smaps_rollup
                    key = (proc.pid, proc.create_time())
                    # Re-read each time: `bash -c "... python job.py"` may exec into python.
                    cmdline, ppid = proc.cmdline(), proc.ppid()
            except psutil.Error:  # exited between listing and reading
                continue
            total += memory.rss
            total_pss += memory.pss
            seen = self.procs.setdefault(key, Proc(cmdline, ppid, key[1], now))
            seen.cmdline, seen.last_seen = cmdline, now
            seen.peak_rss = max(seen.peak_rss, memory.rss)
            seen.peak_pss = max(seen.peak_pss, memory.pss)
        self.peak_tree = max(self.peak_tree, total)
        self.peak_tree_pss = max(self.peak_tree_pss, total_pss)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    cmd: list[str], cwd: Path, out: Path, sample: bool = True
) -> tuple[Measurement, TreeSampler | None]:
    """Run ``cmd`` in ``cwd`` (output to ``out``) and measure wall, CPU and (with ``sample``)
    the process tree's RSS.

    Sampling walks /proc every `INTERVAL` seconds in a thread of this process: on a 2-core
    machine that steals CPU from what is measured, and more from a tree of jobs than from the
    floor's one process. Timed runs therefore do not sample; memory and the per-rule split
    come from separate, sampled runs.
    """
    with out.open("wb") as sink:
        cpu0, wall0, epoch0 = children_cpu(), time.perf_counter(), time.time()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - wall0
        if sampler:
            sampler.stop()
            sampler.span = (epoch0, epoch0 + wall)
        cpu = children_cpu() - cpu0
    if returncode != 0:
        tail = out.read_text(errors="replace").splitlines()[-30:]
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({returncode}):\n" + "\n".join(tail))
    nan = float("nan")
    peak_proc = max((p.peak_rss for p in sampler.procs.values()), default=0) if sampler else nan
    result = Measurement(
        wall_s=wall,
        cpu_s=cpu,
        peak_tree_mb=sampler.peak_tree_pss / MB if sampler else nan,
        peak_proc_mb=peak_proc / MB,
        processes=len(sampler.procs) if sampler else nan,
        returncode=returncode,
        peak_tree_rss_mb=sampler.peak_tree / MB if sampler else nan,
    )
    return result, sampler


def job_rule(proc: Proc) -> str | None:
    """The rule whose script ``proc`` runs (not a ``bash -c "... script.py"`` wrapper)."""
    for arg in proc.cmdline:
        match = JOB_SCRIPT.search(arg) if " " not in arg else None
        if match:
            return match["rule"]
    return None


def job_processes(sampler: TreeSampler) -> list[tuple[str, Proc]]:
    """(rule, process) for each job; a child a job forks (e.g. an isolated reader) is part of
    its job, not a job of its own."""
    jobs = {pid: (rule, p) for (pid, _), p in sampler.procs.items() if (rule := job_rule(p))}
    return [(rule, p) for rule, p in jobs.values() if p.ppid not in jobs]


def job_breakdown(sampler: TreeSampler, workdir: Path) -> dict[str, dict]:
    """Per rule: jobs, summed process lifetime, step time from the job logs, peak RSS."""
    rules: dict[str, dict] = {}
    for name, proc in job_processes(sampler):
        rule = rules.setdefault(name, {"jobs": 0, "process_s": 0.0, "step_s": 0.0, "peak_mb": 0.0})
        rule["jobs"] += 1
        rule["process_s"] += proc.last_seen - proc.start
        rule["peak_mb"] = max(rule["peak_mb"], proc.peak_rss / MB)
    step_by_log = {}
    for log in (workdir / "logs").rglob("*.log"):
        lines = log.read_text(errors="replace").strip().splitlines()
        found = STEP_SECONDS.search(lines[-1]) if lines else None
        if found:
            step_by_log[log.relative_to(workdir / "logs").as_posix()] = float(found[1])
    for name, seconds in step_by_log.items():
        # logs/wave/W3.log -> wave, logs/tables.log -> tables, logs/figures.log -> figures
        stem = name.split("/")[0].removesuffix(".log")
        rule = next((r for r in rules if r == stem or r.startswith(stem + "_")), None)
        if rule is not None:
            rules[rule]["step_s"] += seconds
    return rules


def idle_time(sampler: TreeSampler) -> dict[str, float]:
    """Seconds of the run with no job process alive: Snakemake's own start-up, DAG building,
    scheduling between jobs and shutdown (a job shorter than one sample interval is missed)."""
    start, end = sampler.span
    spans = sorted((p.start, p.last_seen) for _, p in job_processes(sampler))
    if not spans:
        return {"before_first_job_s": end - start, "between_jobs_s": 0.0, "after_last_job_s": 0.0}
    between, reach = 0.0, spans[0][1]
    for lo, hi in spans[1:]:
        between += max(0.0, lo - reach)
        reach = max(reach, hi)
    return {
        "before_first_job_s": spans[0][0] - start,
        "between_jobs_s": between,
        "after_last_job_s": max(0.0, end - reach),
    }


# --- floor, dry-run parsing, bootstrap ----------------------------------------------------------
def fixture_files(workdir: Path) -> dict[str, list[str]]:
    """{wave: [absolute file paths]} of the shipped config, inside the copied workflow."""
    from abs_trust.config import configured_waves, load_config, wave_files

    config = load_config(ROOT / CONFIG)
    files = {}
    for wave in configured_waves(config):
        files[wave] = []
        for name in wave_files(config, wave):
            path = workdir / name
            if not path.is_file():
                sys.exit(
                    f"bench: {name} (wave {wave}) is not under {', '.join(COPY)}; "
                    "the fixture bench measures the shipped fixture (--scale full for more)"
                )
            files[wave].append(str(path))
    return files


def full_files(data: Path) -> dict[str, list[str]]:
    """{wave: [file paths]} from the full-scale set's config override."""
    import yaml

    waves = yaml.safe_load((data / FULL_CONFIG).read_text(encoding="utf-8"))["waves"]
    return {w: [e["file"]] if "file" in e else list(e["files"]) for w, e in waves.items()}


def floor_spec(files: dict[str, list[str]]) -> list[list]:
    """[[file, [columns as the file spells them]], ...]: the crosswalk's variables of every
    file, matched case-insensitively against the file's dictionary (read here, untimed)."""
    import pyreadstat

    from abs_trust.harmonize.crosswalk import load_crosswalk

    crosswalk = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
    spec = []
    for wave, paths in files.items():
        wanted = crosswalk.wave(wave).variables()
        for path in paths:
            _, meta = pyreadstat.read_sav(path, metadataonly=True)
            by_lower = {name.lower(): name for name in meta.column_names}
            spec.append([path, [by_lower[name.lower()] for name in wanted]])
    return spec


def dry_run_jobs(text: str) -> list[dict]:
    """The jobs listed by ``snakemake -n``: rule, wildcards and reason of each."""
    jobs: list[dict] = []
    for line in text.splitlines():
        if match := DRY_RULE.match(line):
            jobs.append({"rule": match["rule"], "wildcards": "", "reason": ""})
        elif jobs and (found := DRY_FIELD.match(line)):
            jobs[-1][found["key"]] = found["value"].strip()
    return [job for job in jobs if job["rule"] != "all"]


def check_added_wave(jobs: list[dict], wave: str) -> tuple[bool, str]:
    """Only ``wave``'s own job and the aggregates may run."""
    per_wave = sorted((j["rule"], j["wildcards"]) for j in jobs if j["rule"] in PER_WAVE_RULES)
    expected = sorted((rule, f"wave={wave}") for rule in PER_WAVE_RULES)
    if per_wave != expected:
        return False, f"per-wave jobs {per_wave}, expected {expected}"
    stray = [j for j in jobs if j["rule"] not in PER_WAVE_RULES and j["wildcards"]]
    if stray:
        return False, f"unexpected wildcard jobs {stray}"
    return True, "only the new wave's job, plus the aggregates"


def bootstrap_timing(files: dict[str, list[str]], scratch: Path) -> dict:
    """Time 1,000 replicates of every China share of the fixture (own process)."""
    out = scratch / "bootstrap.out"
    crosswalk = str(ROOT / "config" / "crosswalk.yaml")
    cmd = [sys.executable, "-c", BOOTSTRAP_SCRIPT, crosswalk, json.dumps(files)]
    measured, _ = measure([*cmd, str(BOOTSTRAP_REPS)], scratch, out)
    facts = json.loads(out.read_text().strip().splitlines()[-1])
    return {**facts, "process_wall_s": measured.wall_s, "peak_mb": measured.peak_proc_mb}


def copy_workflow(dest: Path) -> None:
    for name in COPY:
        src, dst = ROOT / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)


def snakemake_cmd(*extra: str, config: list[str] | None = None) -> list[str]:
    cmd = [str(SNAKEMAKE), "--cores", str(CORES), *extra]
    return cmd + (["--configfile", CONFIG, *config] if config else [])


def bytecode_cached(module: str) -> bool:
    """Whether ``module`` has a .pyc next to (or under PYTHONPYCACHEPREFIX for) its source."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return False
    return Path(importlib.util.cache_from_source(spec.origin)).exists()


def machine() -> dict:
    cached = [m for m in BYTECODE_PROBES if bytecode_cached(m)]
    return {
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "snakemake": importlib.metadata.version("snakemake"),
        "platform": platform.platform(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
        "bytecode_cached": cached,
    }


# --- one round of measurements ------------------------------------------------------------------
def cold_run(cmd: list[str], workdir: Path, out: Path, sample: bool = True) -> Measurement:
    result, sampler = measure(cmd, workdir, out, sample=sample)
    if sampler:
        result.extra["jobs"] = job_breakdown(sampler, workdir)
        result.extra["idle"] = idle_time(sampler)
    return result


def floor_run(spec: list[list], workdir: Path, out: Path, sample: bool = False) -> Measurement:
    floor, _ = measure(
        [sys.executable, "-c", FLOOR_SCRIPT, json.dumps(spec), ",".join(FLOOR_IMPORTS)],
        workdir,
        out,
        sample=sample,
    )
    floor.extra.update(json.loads(out.read_text().strip().splitlines()[-1]))
    return floor


def profile_run(cmd: list[str], workdir: Path, out: Path) -> Measurement:
    """A sampled cold run in a fresh copy: peak memory and the per-rule split."""
    copy_workflow(workdir)
    return cold_run(cmd, workdir, out, sample=True)


def invariance_seconds(workdir: Path) -> float:
    """The time the comparability job spent fitting the invariance models, from its log."""
    import re

    log = workdir / "logs" / "comparability.log"
    found = re.search(r"invariance models .* fitted in ([0-9.]+) s", log.read_text())
    return float(found.group(1)) if found else float("nan")


def one_round(scratch: Path) -> dict:
    """Fixture: cold run, no-op rerun, dry run, floor and bootstrap, in a fresh copy."""
    workdir = scratch / "wf"
    copy_workflow(workdir)
    files = fixture_files(workdir)
    spec = floor_spec(files)
    cold = cold_run(snakemake_cmd("--quiet"), workdir, scratch / "cold.out", sample=False)
    noop, _ = measure(snakemake_cmd("--quiet"), workdir, scratch / "noop.out", sample=False)
    dry, _ = measure(snakemake_cmd("-n", "--quiet"), workdir, scratch / "dry.out", sample=False)
    floor = floor_run(spec, workdir, scratch / "floor.out")
    profile = profile_run(snakemake_cmd("--quiet"), scratch / "wf_profile", scratch / "prof.out")
    floor_profile = floor_run(spec, workdir, scratch / "floor_prof.out", sample=True)
    boot = bootstrap_timing(files, scratch)
    return {
        "cold": cold,
        "invariance_s": invariance_seconds(workdir),
        "profile": profile,
        "noop": noop,
        "dry": dry,
        "floor": floor,
        "floor_profile": floor_profile,
        "spec": spec,
        "boot": boot,
    }


def generate(data: Path) -> dict:
    """Write the full-scale set with benchmarks/fullscale.py (own process, timed)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(FULLSCALE), "--out", str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"bench: {FULLSCALE.name} failed:\n{done.stdout}\n{done.stderr}")
    return {"seconds": time.perf_counter() - start, "table": done.stdout.strip()}


def without_wave(data: Path, wave: str, dest: Path) -> Path:
    """A copy of the full-scale config override without ``wave`` (for the add-a-wave check)."""
    import yaml

    config = yaml.safe_load((data / FULL_CONFIG).read_text(encoding="utf-8"))
    del config["waves"][wave]
    for key in ("table4", "figure1"):
        config[key]["waves"] = [w for w in config[key]["waves"] if w != wave]
    dest.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dest


def full_round(scratch: Path, data: Path) -> dict:
    """Full scale: cold, warm, no-op, dry run, floor; then the add-a-wave check; bootstrap."""
    config = [str(data / FULL_CONFIG)]
    workdir = scratch / "wf"
    copy_workflow(workdir)
    files = full_files(data)
    spec = floor_spec(files)
    step = "full scale: cold run"
    print(f"  {step} ...", file=sys.stderr, flush=True)
    command = snakemake_cmd("--quiet", config=config)
    cold = cold_run(command, workdir, scratch / "cold.out", sample=False)
    invariance_s = invariance_seconds(workdir)
    print("  warm run, no-op, dry run, floor ...", file=sys.stderr, flush=True)
    for name in ("results", "data/interim"):
        shutil.rmtree(workdir / name)
    warm = cold_run(command, workdir, scratch / "warm.out", sample=False)
    noop, _ = measure(command, workdir, scratch / "noop.out", sample=False)
    dry_cmd = snakemake_cmd("-n", "--quiet", config=config)
    dry, _ = measure(dry_cmd, workdir, scratch / "dry.out", sample=False)
    floor = floor_run(spec, workdir, scratch / "floor.out")
    print("  sampled runs (memory, per-rule split) ...", file=sys.stderr, flush=True)
    profile = profile_run(command, scratch / "wf_profile", scratch / "prof.out")
    floor_profile = floor_run(spec, workdir, scratch / "floor_prof.out", sample=True)

    print(f"  adding a wave ({ADDED_WAVE}) ...", file=sys.stderr, flush=True)
    addir = scratch / "wf_add"
    copy_workflow(addir)
    partial = [str(without_wave(data, ADDED_WAVE, scratch / f"without_{ADDED_WAVE}.yaml"))]
    before = cold_run(snakemake_cmd("--quiet", config=partial), addir, scratch / "before.out")
    plan, _ = measure(snakemake_cmd("-n", config=config), addir, scratch / "plan.out")
    jobs = dry_run_jobs((scratch / "plan.out").read_text(errors="replace"))
    ok, verdict = check_added_wave(jobs, ADDED_WAVE)
    added = cold_run(snakemake_cmd("--quiet", config=config), addir, scratch / "added.out")
    boot = bootstrap_timing(fixture_files(workdir), scratch)
    return {
        "cold": cold,
        "invariance_s": invariance_s,
        "profile": profile,
        "warm": warm,
        "noop": noop,
        "dry": dry,
        "floor": floor,
        "floor_profile": floor_profile,
        "before": before,
        "added": added,
        "spec": spec,
        "boot": boot,
        "add_wave": {"jobs": jobs, "ok": ok, "verdict": verdict, "dry_run_s": plan.wall_s},
    }


# --- summary ------------------------------------------------------------------------------------
def median_of(runs: list[Measurement]) -> dict:
    keys = ("wall_s", "cpu_s", "peak_tree_mb", "peak_tree_rss_mb", "peak_proc_mb", "processes")
    return {k: statistics.median(getattr(r, k) for r in runs) for k in keys}


def median_jobs(runs: list[Measurement]) -> dict:
    rules = sorted({rule for r in runs for rule in r.extra["jobs"]})
    out = {}
    for rule in rules:
        per = [r.extra["jobs"][rule] for r in runs if rule in r.extra["jobs"]]
        out[rule] = {k: statistics.median(p[k] for p in per) for k in per[0]}
    return out


def median_dict(dicts: list[dict], keys) -> dict:
    return {k: statistics.median(d[k] for d in dicts) for k in keys}


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


ROWS = (
    ("workflow cold", "cold"),
    ("workflow warm (cache)", "warm"),
    ("workflow no-op rerun", "noop"),
    ("workflow dry run (-n)", "dry"),
    ("floor", "floor"),
    ("workflow cold, sampled", "profile"),
    ("floor, sampled", "floor_profile"),
    (f"run without {ADDED_WAVE}", "before"),
    (f"then add {ADDED_WAVE}", "added"),
)
SAMPLED = ("profile", "floor_profile", "before", "added")


def _cell(value: float, width: int, digits: int) -> str:
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:>{width}.{digits}f}"


def report(summary: dict) -> None:
    facts, med, ratios = summary["machine"], summary["median"], summary["ratios"]
    n = summary["repeat"]
    title = {
        "fixture": "synthetic fixture: W3 + W4, China, 7,541 respondents",
        "full": "FULL-SCALE synthetic set (benchmarks/fullscale.py)",
    }[summary["scale"]]
    print(f"abs-trust bench ({title})")
    print(
        f"  machine: {facts['cores']} cores ({facts['physical_cores']} physical), "
        f"{facts['memory_gb']} GB, load {facts['loadavg_at_start']} at start"
    )
    print(f"  python {facts['python']}, snakemake {facts['snakemake']}, {facts['platform']}")
    cached = facts["bytecode_cached"]
    print(
        f"  bytecode cache (.pyc) present for {len(cached)} of {', '.join(BYTECODE_PROBES)}"
        f"{' (' + ', '.join(cached) + ')' if cached else ''}; "
        f"PYTHONDONTWRITEBYTECODE={facts['PYTHONDONTWRITEBYTECODE'] or 'unset'}"
    )
    if summary.get("data"):
        data = summary["data"]
        how = f"generated in {data['seconds']:.1f} s" if data.get("seconds") else "reused"
        print(f"  data: {data['dir']} ({how})")
        for line in data.get("table", "").splitlines()[:-1]:
            print(f"    {line}")
    print(f"  figures are the median of {n} run(s)\n")
    head = f"{'measurement':<24}{'wall s':>9}{'CPU s':>9}{'tree PSS MB':>13}{'tree RSS MB':>13}"
    print(head + f"{'1-proc MB':>11}{'procs':>7}")
    print("-" * (len(head) + 18))
    for label, key in ROWS:
        if key in med:
            m = med[key]
            print(
                f"{label:<24}{m['wall_s']:>9.2f}{m['cpu_s']:>9.2f}"
                f"{_cell(m['peak_tree_mb'], 13, 0)}{_cell(m['peak_tree_rss_mb'], 13, 0)}"
                f"{_cell(m['peak_proc_mb'], 11, 0)}{_cell(m['processes'], 7, 0)}"
            )
    print("-" * (len(head) + 18))
    print(
        f"{'ratio cold / floor':<24}{ratios['cold_floor_wall']:>8.1f}x"
        f"{ratios['cold_floor_cpu']:>8.1f}x{ratios['cold_floor_peak_tree']:>12.1f}x"
        f"{ratios['cold_floor_peak_tree_rss']:>12.1f}x{ratios['cold_floor_peak_proc']:>10.1f}x"
    )
    if "warm_floor_wall" in ratios:
        print(
            f"{'ratio warm / floor':<24}{ratios['warm_floor_wall']:>8.1f}x"
            f"{ratios['warm_floor_cpu']:>8.1f}x"
        )
    print(f"{'ratio no-op / dry run':<24}{ratios['noop_dry_wall']:>8.2f}x")
    parts = summary["floor_split"]
    print(
        f"\nfloor split: imports {parts['import_s']:.2f} s, reading {parts['read_s']:.2f} s "
        f"({parts['rows']:,.0f} rows, {summary['floor_files']} files)"
    )

    boot = summary["bootstrap"]
    print(
        f"\nbootstrap: {boot['reps']:,} replicates of every China share of the fixture "
        f"({boot['shares']:.0f} shares: {boot['items']:.0f} items x 2 waves x 2 weightings x "
        f"2 denominators; {boot['respondents']:,.0f} respondents)"
    )
    calls = ", ".join(f"{k} {v:.2f} s" for k, v in boot["calls"].items())
    print(f"  {boot['bootstrap_s']:.2f} s in bootstrap_shares ({calls});")
    print(
        f"  the process: imports {boot['import_s']:.2f} s, ingest {boot['ingest_s']:.2f} s, "
        f"{boot['process_wall_s']:.2f} s wall in all, peak {boot['peak_mb']:.0f} MB"
    )

    goals = summary["goals"]
    print("\ngoals (issue 'Fast at full scale')")
    for label, value, met in goals:
        print(f"  {label:<58}{value:>12}  {verdict(met)}")

    if "add_wave" in summary:
        add = summary["add_wave"]
        print(
            f"\nadding {ADDED_WAVE} to a finished run without it: `snakemake -n` lists "
            f"{len(add['jobs'])} jobs ({add['dry_run_s']:.1f} s):"
        )
        for job in add["jobs"]:
            wave = job["wildcards"].removeprefix("wave=")
            name = f"{job['rule']}[{wave}]" if wave else job["rule"]
            # "Missing output files: a, b; Set of input files has changed ..." -> the kinds
            reason = "; ".join(part.split(":")[0] for part in job["reason"].split("; "))
            print(f"  {name:<28}{reason}")
        print(f"  {verdict(add['ok'])}: {add['verdict']}")

    print(
        "\n(timed runs are not sampled: memory, processes and the split below come from the "
        "sampled runs)"
    )
    for key, label in (("profile", "sampled cold run"),):
        if key not in summary["jobs"]:
            continue
        jobs, idle = summary["jobs"][key], summary["idle"][key]
        print(f"\n{label} per rule (process = job's Python process lifetime; step = time the step")
        print("reported in its log; the rest is interpreter start-up, imports, teardown)")
        print(f"{'rule':<28}{'jobs':>5}{'process s':>11}{'step s':>9}{'peak MB':>9}")
        for rule, j in sorted(jobs.items(), key=lambda kv: -kv[1]["process_s"]):
            print(
                f"{rule:<28}{j['jobs']:>5.0f}{j['process_s']:>11.2f}{j['step_s']:>9.2f}"
                f"{j['peak_mb']:>9.0f}"
            )
        total_p = sum(j["process_s"] for j in jobs.values())
        total_s = sum(j["step_s"] for j in jobs.values())
        print(
            f"{'all jobs':<28}{sum(j['jobs'] for j in jobs.values()):>5.0f}{total_p:>11.2f}"
            f"{total_s:>9.2f}   ({ratio(total_s, total_p):.0%} of job time is the steps' work)"
        )
        print(
            f"no job running (Snakemake alone): {idle['before_first_job_s']:.2f} s before the "
            f"first job, {idle['between_jobs_s']:.2f} s between jobs, "
            f"{idle['after_last_job_s']:.2f} s after the last"
        )
        # The steps' work packed perfectly on the cores, plus Snakemake's own time: a cold run
        # cannot be faster than this with these steps, whatever starting the jobs costs.
        bound = total_s / CORES + idle["before_first_job_s"] + idle["after_last_job_s"]
        print(
            f"lower bound with these steps: {total_s:.2f} s of steps / {CORES} cores + "
            f"Snakemake alone = {bound:.2f} s, {ratio(bound, med['floor']['wall_s']):.1f}x the "
            "floor\n(a run in which starting each job's process and the imports before its step "
            "cost nothing)"
        )


def summarise(rounds: list[dict], facts: dict, scale: str, data: dict | None) -> dict:
    keys = [key for _, key in ROWS if key in rounds[0]]
    med = {k: median_of([r[k] for r in rounds]) for k in keys}
    cold_keys = ["profile"]
    jobs = {k: median_jobs([r[k] for r in rounds]) for k in cold_keys}
    idle = {
        k: median_dict([r[k].extra["idle"] for r in rounds], rounds[0][k].extra["idle"])
        for k in cold_keys
    }
    floor_split = median_dict([r["floor"].extra for r in rounds], ("import_s", "read_s", "rows"))
    boot = median_dict(
        [r["boot"] for r in rounds],
        ("import_s", "ingest_s", "bootstrap_s", "process_wall_s", "peak_mb", "shares",
         "respondents", "reps", "items"),
    )  # fmt: skip
    boot["calls"] = {
        k: statistics.median(r["boot"]["calls"][k] for r in rounds)
        for k in rounds[0]["boot"]["calls"]
    }
    ratios = {
        "cold_floor_wall": ratio(med["cold"]["wall_s"], med["floor"]["wall_s"]),
        "cold_floor_cpu": ratio(med["cold"]["cpu_s"], med["floor"]["cpu_s"]),
        "cold_floor_peak_tree": ratio(
            med["profile"]["peak_tree_mb"], med["floor_profile"]["peak_tree_mb"]
        ),
        "cold_floor_peak_tree_rss": ratio(
            med["profile"]["peak_tree_rss_mb"], med["floor_profile"]["peak_tree_rss_mb"]
        ),
        "cold_floor_peak_proc": ratio(
            med["profile"]["peak_proc_mb"], med["floor_profile"]["peak_proc_mb"]
        ),
        "noop_dry_wall": ratio(med["noop"]["wall_s"], med["dry"]["wall_s"]),
    }
    if "warm" in med:
        ratios["warm_floor_wall"] = ratio(med["warm"]["wall_s"], med["floor"]["wall_s"])
        ratios["warm_floor_cpu"] = ratio(med["warm"]["cpu_s"], med["floor"]["cpu_s"])
    peak = max(med[k]["peak_tree_mb"] for k in keys if k in SAMPLED and k != "floor_profile")
    invariance_s = statistics.median(r["invariance_s"] for r in rounds)
    invariance_share = invariance_s / med["cold"]["wall_s"]
    goals = [
        (
            f"invariance models {invariance_s:.2f} s < {GOAL_INVARIANCE_SHARE:.0%} of cold run",
            f"{invariance_share:.1%}",
            invariance_share < GOAL_INVARIANCE_SHARE,
        ),
        (
            f"cold run <= {GOAL_COLD_FLOOR:g}x floor (wall)",
            f"{ratios['cold_floor_wall']:.1f}x",
            ratios["cold_floor_wall"] <= GOAL_COLD_FLOOR,
        ),
        (
            "peak memory < 1 GB (largest process-tree PSS sum of any run)",
            f"{peak:.0f} MB",
            peak < GOAL_PEAK_MB,
        ),
        (
            f"no-op rerun <= {GOAL_NOOP_DRY:g}x dry run (wall)",
            f"{ratios['noop_dry_wall']:.2f}x",
            ratios["noop_dry_wall"] <= GOAL_NOOP_DRY,
        ),
        (
            f"bootstrap {BOOTSTRAP_REPS:,} reps of every China W3/W4 share <= "
            f"{GOAL_BOOTSTRAP_S:g} s",
            f"{boot['bootstrap_s']:.2f} s",
            boot["bootstrap_s"] <= GOAL_BOOTSTRAP_S,
        ),
    ]
    summary = {
        "scale": scale,
        "machine": facts,
        "repeat": len(rounds),
        "data": data,
        "median": med,
        "ratios": ratios,
        "jobs": jobs,
        "idle": idle,
        "floor_split": floor_split,
        "floor_files": len(rounds[0]["spec"]),
        "floor_columns": {Path(p).name: cols for p, cols in rounds[0]["spec"]},
        "bootstrap": boot,
        "goals": goals,
    }
    if "add_wave" in rounds[0]:
        summary["add_wave"] = rounds[0]["add_wave"]
        summary["add_wave"]["ok"] = all(r["add_wave"]["ok"] for r in rounds)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        choices=("fixture", "full"),
        default="fixture",
        help="the shipped 2-wave fixture (default) or a full-scale synthetic W1-W6 set",
    )
    parser.add_argument(
        "--data",
        type=Path,
        help=f"--scale full: reuse a set written by fullscale.py --out DIR (with {FULL_CONFIG})",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.data and args.scale != "full":
        parser.error("--data needs --scale full")
    if args.data and not (args.data / FULL_CONFIG).is_file():
        parser.error(f"--data {args.data}: no {FULL_CONFIG} (write one: {FULLSCALE} --out DIR)")
    if not SNAKEMAKE.exists():
        sys.exit(f"bench: {SNAKEMAKE} not found; run `make setup` first")

    facts = machine()
    rounds, data = [], None
    with tempfile.TemporaryDirectory(prefix="abs-trust-bench-") as top:
        if args.scale == "full":
            if args.data:
                data = {"dir": str(args.data.resolve())}
            else:
                path = Path(top) / "data"
                print(f"generating the full-scale set in {path} ...", file=sys.stderr, flush=True)
                data = {"dir": str(path), **generate(path)}
        for i in range(args.repeat):
            scratch = Path(top) / f"round{i + 1}"
            scratch.mkdir()
            print(f"round {i + 1}/{args.repeat} in {scratch} ...", file=sys.stderr, flush=True)
            if args.scale == "full":
                rounds.append(full_round(scratch, Path(data["dir"])))
            else:
                rounds.append(one_round(scratch))
            for name in ("wf", "wf_add"):  # free the disk between rounds
                shutil.rmtree(scratch / name, ignore_errors=True)

    summary = summarise(rounds, facts, args.scale, data)
    report(summary)

    if args.json:
        payload = {
            **summary,
            "runs": [
                {k: asdict(v) for k, v in r.items() if isinstance(v, Measurement)} for r in rounds
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
