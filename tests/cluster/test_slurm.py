"""The workflow on a real SLURM cluster, through the shipped profile (profiles/slurm).

Run by ``make test-cluster`` (tests/cluster/run.sh), which starts a single-node cluster from
Debian's packages (no accounting database, so ``sacct`` fails, as on many small clusters) and
sets ABS_TRUST_SLURM=1; skipped everywhere else. Every run is in a scratch copy of the
workflow, submitted with ``snakemake --profile profiles/slurm`` as docs/cluster.md tells
users; the jobs run the virtualenv's Python on the node (the same host here).

A SLURM run spends most of its time waiting for the next status query, so the local
reference run and the broken-input run start together in the background (`background`)
while the killed-job test runs: the three overlap, and the whole step stays under 3 minutes.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import yaml

from conftest import SNAKEMAKE, scratch_copy

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(
        os.environ.get("ABS_TRUST_SLURM") != "1",
        reason="needs the SLURM cluster that `make test-cluster` starts",
    ),
]

# The outputs compared byte for byte: tables, Markdown, LaTeX, JSON and SVG, in results/ and
# data/interim/ (the waves' metadata).
COMPARED = (".csv", ".md", ".tex", ".json", ".svg")


def snakemake(workdir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run Snakemake in ``workdir``; its output is also kept there, in snakemake.out."""
    result = subprocess.run(
        [SNAKEMAKE, *args],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    (workdir / "snakemake.out").write_text(result.stdout)
    return result


def on_slurm(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return snakemake(workdir, "--profile", "profiles/slurm", *args)


def outputs(workdir: Path) -> dict[str, bytes]:
    found = {}
    for folder in ("results", "data/interim"):
        for path in sorted((workdir / folder).rglob("*")):
            if path.suffix in COMPARED:
                found[path.relative_to(workdir).as_posix()] = path.read_bytes()
    return found


def local_run(workdir: Path) -> Path:
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout[-3000:]
    return workdir


def broken_input_run(workdir: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """Only the W3 wave job, on a W3 release truncated mid-data."""
    release = workdir / "data/fixture/W3_china_synthetic.sav"
    release.write_bytes(release.read_bytes()[:20_000])
    return workdir, on_slurm(workdir, "data/interim/W3.parquet")


@pytest.fixture(scope="module")
def background(tmp_path_factory):
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {
            "local": pool.submit(local_run, scratch_copy(tmp_path_factory.mktemp("local"))),
            "broken": pool.submit(
                broken_input_run, scratch_copy(tmp_path_factory.mktemp("broken"))
            ),
        }


def job_processes(workdir: Path) -> list[psutil.Process]:
    """The processes of the jobs run for ``workdir`` (Snakemake on the node, srun, the job's
    script and its children), not the submitting Snakemake this test started."""
    return [
        proc
        for proc in psutil.process_iter(["cmdline", "ppid"])
        if str(workdir) in " ".join(proc.info["cmdline"] or []) and proc.info["ppid"] != os.getpid()
    ]


def wave_script(workdir: Path) -> psutil.Process | None:
    """The process running the wave job's script (Snakemake writes it to .snakemake/scripts)."""
    for proc in job_processes(workdir):
        if any(
            re.search(r"\.snakemake/scripts/tmp\w+\.wave\.py$", a) for a in proc.info["cmdline"]
        ):
            return proc
    return None


def reading(script: psutil.Process | None) -> bool:
    """Whether ``script`` has forked its reader (processes come and go while we look)."""
    try:
        return script is not None and bool(script.children())
    except psutil.Error:
        return False


def slurm_job_of(workdir: Path) -> str:
    """The id of the SLURM job queued or running in ``workdir`` (squeue's %Z)."""
    queue = subprocess.run(
        ["squeue", "-h", "-o", "%i %Z"], capture_output=True, text=True, check=True
    ).stdout
    jobs = [line.split()[0] for line in queue.splitlines() if line.split()[1:] == [str(workdir)]]
    assert len(jobs) == 1, queue
    return jobs[0]


def alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_job_killed_by_slurm_leaves_no_output_and_no_process(background, tmp_path):
    """`scancel` ends a job the way its time limit does: SIGTERM to every process of the job,
    SIGKILL after KillWait (5 s on the test cluster). It is sent while the wave job's forked
    reader is reading: the wave's input is 300 links to the W4 file, which takes a while."""
    workdir = scratch_copy(tmp_path)
    links = [f"data/slow/W4_{i:03d}.sav" for i in range(300)]
    (workdir / "data/slow").mkdir()
    for link in links:
        os.link(workdir / "data/fixture/W4_china_synthetic.sav", workdir / link)
    config = yaml.safe_load((workdir / "config/config.yaml").read_text())
    config["waves"]["W4"] = {"files": links}
    (workdir / "config/config.yaml").write_text(yaml.safe_dump(config))

    with (workdir / "snakemake.out").open("w") as log:
        run = subprocess.Popen(
            [SNAKEMAKE, "--profile", "profiles/slurm", "data/interim/W4.parquet"],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline, script = time.monotonic() + 120, None
            while time.monotonic() < deadline and run.poll() is None:
                script = wave_script(workdir)
                if reading(script):
                    break
                time.sleep(0.1)
            assert reading(script), "the wave job never read its input"
            processes = job_processes(workdir)  # Snakemake on the node, srun, script, reader
            subprocess.run(["scancel", slurm_job_of(workdir)], check=True)
            returncode = run.wait(timeout=150)
        finally:
            if run.poll() is None:
                run.kill()
    out = (workdir / "snakemake.out").read_text()
    assert returncode != 0
    assert "Error in rule wave" in out and "SLURM status is: 'CANCELLED'" in out, out[-3000:]
    survivors = [proc for proc in processes if alive(proc)]
    assert not survivors, f"left running by the killed job: {survivors}"
    assert not [proc for proc in job_processes(workdir) if alive(proc)]
    assert not list((workdir / "data/interim").glob("W4*"))
    partial = [p for p in (workdir / "results").rglob("*") if p.is_file()]
    assert not partial, f"partial outputs left: {partial}"


def test_broken_input_fails_the_run_and_names_its_log(background):
    workdir, result = background["broken"].result(timeout=300)
    out = result.stdout
    assert result.returncode != 0
    assert "Error in rule wave" in out and "logs/wave/W3.log" in out, out[-3000:]
    # the job's own log, printed (show-failed-logs): the error names the file
    assert re.search(r"wave W3 failed: .*W3_china_synthetic\.sav", out), out[-3000:]
    # the SLURM log of the job is named, and kept
    # "... log: logs/wave/W3.log, <workdir>/.snakemake/slurm_logs/rule_wave/W3/4.log ..."
    match = re.search(
        re.escape(str(workdir)) + r"/\.snakemake/slurm_logs/rule_wave/W3/\d+\.log", out
    )
    assert match, out[-3000:]
    slurm_log = Path(match[0])
    assert slurm_log.is_file() and "W3_china_synthetic.sav" in slurm_log.read_text()
    assert not list((workdir / "data/interim").glob("W3*"))
    assert not [p for p in (workdir / "results").rglob("*") if p.is_file()]


def test_slurm_run_is_byte_identical_to_local_run(background, tmp_path):
    workdir = scratch_copy(tmp_path)
    result = on_slurm(workdir)
    assert result.returncode == 0, result.stdout[-3000:]
    # every job went through sbatch: the two waves, then the four aggregate jobs as one
    # group job (profiles/slurm)
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", result.stdout)
    assert len(submitted) == 3, result.stdout[-3000:]
    reference: Future = background["local"]
    local, remote = outputs(reference.result(timeout=300)), outputs(workdir)
    assert "results/tables/institution_trust.csv" in local and "results/reproduction.json" in local
    assert set(remote) == set(local)
    differing = [name for name in local if remote[name] != local[name]]
    assert not differing, f"differ between the local and the SLURM run: {differing}"
