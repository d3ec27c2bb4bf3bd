"""Benchmark the abs-trust workflow on the synthetic fixture against a floor.

What is measured, in one run (``make bench``, or ``python benchmarks/bench.py``):

1. **workflow cold** -- the workflow (Snakefile, workflow/, config/, data/fixture/) is copied
   into a fresh temporary directory and ``snakemake --cores 2 --quiet`` runs there, so nothing
   is cached (no data/interim, no results, no .snakemake) and the user's results/ are never
   touched.
2. **workflow no-op rerun** -- snakemake again in the same directory (nothing to do), and a
   ``snakemake -n`` dry run: the fixed cost of parsing the workflow and building the DAG.
3. **floor** -- one ``python -c`` process that imports the analysis stack (numpy, pandas,
   pyreadstat, pyarrow, scipy.stats, statsmodels.api, matplotlib) and reads only the needed
   columns of both fixture files with pyreadstat (``usecols``, the crosswalk's variables).
   It is the least any implementation must pay: start Python, import, read the data.

For each: wall time; CPU time (user + sys of all descendants, from
``resource.getrusage(RUSAGE_CHILDREN)`` deltas); and peak memory, taken as the peak of the
SUM of RSS over the whole process tree, sampled with psutil every ~20 ms in a thread (the
largest single process's peak RSS is reported too). RSS counts shared library pages once
per process, so the tree sum overstates physical memory a little; it is the figure a
scheduler or a cgroup limit sees. The cold run also yields a per-rule breakdown: each job's
process lifetime (from the sampler) beside the time its step itself reported in its log,
the difference being Python start-up, imports and teardown.

Why: the fixture is tiny, so the workflow's cost is almost all fixed overhead (Snakemake,
one Python process per job re-importing pandas & co). The ratios workflow/floor say how much
of that overhead is the workflow's own; the machine is shared and noisy, so compare ratios
within one run rather than absolute numbers across runs. ``--repeat N`` takes the median of
N runs for each figure; ``--json PATH`` also writes all figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
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
COPY = ("Snakefile", "workflow", "config", "data/fixture")
CONFIG = "config/config.yaml"
INTERVAL = 0.02  # seconds between process-tree samples
MB = 1024 * 1024
BYTECODE_PROBES = ("pandas", "scipy", "statsmodels", "snakemake")

FLOOR_SCRIPT = """\
import json, sys, time
t0 = time.perf_counter()
import numpy, pandas, pyreadstat, pyarrow, scipy.stats, statsmodels.api, matplotlib
t1 = time.perf_counter()
rows = 0
for path, cols in json.loads(sys.argv[1]):
    frame, _ = pyreadstat.read_sav(path, usecols=cols, apply_value_formats=False)
    rows += len(frame)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "rows": rows}))
"""

# A job's log line ends with the step's own duration: "... (0.6 s)" (abs_trust.runner.run).
STEP_SECONDS = re.compile(r"\((\d+(?:\.\d+)?) s\)\s*$")
JOB_SCRIPT = re.compile(r"/\.snakemake/scripts/tmp[^/.]*\.(?P<rule>[^/]+)\.py$")


@dataclass
class Proc:
    """One process seen in the tree: its command line, lifetime and peak RSS."""

    cmdline: list[str]
    ppid: int
    start: float
    last_seen: float
    peak_rss: int = 0


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_tree_mb: float
    peak_proc_mb: float
    processes: int
    returncode: int
    extra: dict = field(default_factory=dict)


class TreeSampler(threading.Thread):
    """Sample the RSS of a process and all its descendants every `INTERVAL` seconds."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.stop_event = threading.Event()
        self.peak_tree = 0
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
        now, total = time.time(), 0
        for proc in tree:
            try:
                with proc.oneshot():
                    rss = proc.memory_info().rss
                    key = (proc.pid, proc.create_time())
                    # Re-read each time: `bash -c "... python job.py"` may exec into python.
                    cmdline, ppid = proc.cmdline(), proc.ppid()
            except psutil.Error:  # exited between listing and reading
                continue
            total += rss
            seen = self.procs.setdefault(key, Proc(cmdline, ppid, key[1], now))
            seen.cmdline, seen.last_seen = cmdline, now
            seen.peak_rss = max(seen.peak_rss, rss)
        self.peak_tree = max(self.peak_tree, total)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], cwd: Path, out: Path) -> tuple[Measurement, TreeSampler]:
    """Run ``cmd`` in ``cwd`` (output to ``out``) and measure wall, CPU and tree RSS."""
    with out.open("wb") as sink:
        cpu0, wall0, epoch0 = children_cpu(), time.perf_counter(), time.time()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - wall0
        sampler.stop()
        sampler.span = (epoch0, epoch0 + wall)
        cpu = children_cpu() - cpu0
    if returncode != 0:
        tail = out.read_text(errors="replace").splitlines()[-30:]
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed ({returncode}):\n" + "\n".join(tail))
    peak_proc = max((p.peak_rss for p in sampler.procs.values()), default=0)
    result = Measurement(
        wall_s=wall,
        cpu_s=cpu,
        peak_tree_mb=sampler.peak_tree / MB,
        peak_proc_mb=peak_proc / MB,
        processes=len(sampler.procs),
        returncode=returncode,
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
        # logs/ingest/W3.log -> ingest, logs/analyse/W3.log -> analyse_wave, logs/table4.log ...
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


def floor_spec(workdir: Path) -> list[list]:
    """[[absolute file path, [columns]], ...] for every configured wave, from the crosswalk."""
    from abs_trust.config import load_config, wave_files
    from abs_trust.crosswalk import load_crosswalk

    config = load_config(ROOT / CONFIG)
    crosswalk = load_crosswalk(ROOT / config["crosswalk"])
    spec = []
    for wave in config["waves"]:
        columns = crosswalk.wave(wave).variables()
        for name in wave_files(config, wave):
            path = workdir / name
            if not path.is_file():
                sys.exit(
                    f"bench: {name} (wave {wave}) is not under {', '.join(COPY)}; "
                    "the bench measures the shipped fixture"
                )
            spec.append([str(path), columns])
    return spec


def copy_workflow(dest: Path) -> None:
    for name in COPY:
        src, dst = ROOT / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)


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


def one_round(scratch: Path) -> dict:
    """Cold run, no-op rerun, dry run and floor, in a fresh copy under ``scratch``."""
    workdir = scratch / "wf"
    copy_workflow(workdir)
    spec = floor_spec(workdir)
    run = [str(SNAKEMAKE), "--cores", "2", "--quiet"]
    cold, sampler = measure(run, workdir, scratch / "cold.out")
    cold.extra["jobs"] = job_breakdown(sampler, workdir)
    cold.extra["idle"] = idle_time(sampler)
    noop, _ = measure(run, workdir, scratch / "noop.out")
    dry, _ = measure(
        [str(SNAKEMAKE), "-n", "--cores", "2", "--quiet"], workdir, scratch / "dry.out"
    )
    floor, _ = measure(
        [sys.executable, "-c", FLOOR_SCRIPT, json.dumps(spec)], workdir, scratch / "floor.out"
    )
    floor.extra.update(json.loads((scratch / "floor.out").read_text().strip().splitlines()[-1]))
    return {"cold": cold, "noop": noop, "dry": dry, "floor": floor, "spec": spec}


def median_of(runs: list[Measurement]) -> dict:
    keys = ("wall_s", "cpu_s", "peak_tree_mb", "peak_proc_mb", "processes")
    return {k: statistics.median(getattr(r, k) for r in runs) for k in keys}


def median_jobs(runs: list[Measurement]) -> dict:
    rules = sorted({rule for r in runs for rule in r.extra["jobs"]})
    out = {}
    for rule in rules:
        per = [r.extra["jobs"][rule] for r in runs if rule in r.extra["jobs"]]
        out[rule] = {k: statistics.median(p[k] for p in per) for k in per[0]}
    return out


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report(
    facts: dict, med: dict, ratios: dict, jobs: dict, idle: dict, floor_parts: dict, n: int
) -> None:
    print("abs-trust bench (synthetic fixture)")
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
    print(f"  figures are the median of {n} run(s)\n")
    head = f"{'measurement':<24}{'wall s':>9}{'CPU s':>9}{'peak tree MB':>14}"
    print(head + f"{'peak 1-proc MB':>16}{'procs':>7}")
    print("-" * (len(head) + 23))
    for label, key in (
        ("workflow cold", "cold"),
        ("workflow no-op rerun", "noop"),
        ("workflow dry run (-n)", "dry"),
        ("floor", "floor"),
    ):
        m = med[key]
        print(
            f"{label:<24}{m['wall_s']:>9.2f}{m['cpu_s']:>9.2f}{m['peak_tree_mb']:>14.0f}"
            f"{m['peak_proc_mb']:>16.0f}{m['processes']:>7.0f}"
        )
    print("-" * (len(head) + 23))
    print(
        f"{'ratio cold / floor':<24}{ratios['cold_floor_wall']:>8.1f}x"
        f"{ratios['cold_floor_cpu']:>8.1f}x{ratios['cold_floor_peak_tree']:>13.1f}x"
        f"{ratios['cold_floor_peak_proc']:>15.1f}x"
    )
    print(f"{'ratio no-op / dry run':<24}{ratios['noop_dry_wall']:>8.2f}x")
    print(
        f"\nfloor split: imports {floor_parts['import_s']:.2f} s, "
        f"reading {floor_parts['read_s']:.2f} s ({floor_parts['rows']:,.0f} rows)"
    )
    print("\ncold run per rule (process = job's Python process lifetime; step = time the step")
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
        f"no job running (Snakemake alone): {idle['before_first_job_s']:.2f} s before the first "
        f"job, {idle['between_jobs_s']:.2f} s between jobs, {idle['after_last_job_s']:.2f} s "
        "after the last"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (median)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not SNAKEMAKE.exists():
        sys.exit(f"bench: {SNAKEMAKE} not found; run `make setup` first")

    facts = machine()
    rounds = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="abs-trust-bench-") as scratch:
            print(f"round {i + 1}/{args.repeat} in {scratch} ...", file=sys.stderr, flush=True)
            rounds.append(one_round(Path(scratch)))

    med = {k: median_of([r[k] for r in rounds]) for k in ("cold", "noop", "dry", "floor")}
    jobs = median_jobs([r["cold"] for r in rounds])
    idle = {
        k: statistics.median(r["cold"].extra["idle"][k] for r in rounds)
        for k in rounds[0]["cold"].extra["idle"]
    }
    floor_parts = {
        k: statistics.median(r["floor"].extra[k] for r in rounds)
        for k in ("import_s", "read_s", "rows")
    }
    ratios = {
        "cold_floor_wall": ratio(med["cold"]["wall_s"], med["floor"]["wall_s"]),
        "cold_floor_cpu": ratio(med["cold"]["cpu_s"], med["floor"]["cpu_s"]),
        "cold_floor_peak_tree": ratio(med["cold"]["peak_tree_mb"], med["floor"]["peak_tree_mb"]),
        "cold_floor_peak_proc": ratio(med["cold"]["peak_proc_mb"], med["floor"]["peak_proc_mb"]),
        "noop_dry_wall": ratio(med["noop"]["wall_s"], med["dry"]["wall_s"]),
    }
    report(facts, med, ratios, jobs, idle, floor_parts, args.repeat)

    if args.json:
        payload = {
            "machine": facts,
            "repeat": args.repeat,
            "median": med,
            "ratios": ratios,
            "cold_jobs_median": jobs,
            "cold_no_job_running_median": idle,
            "floor_split_median": floor_parts,
            "floor_columns": {Path(p).name: cols for p, cols in rounds[0]["spec"]},
            "runs": [{k: asdict(r[k]) for k in ("cold", "noop", "dry", "floor")} for r in rounds],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
