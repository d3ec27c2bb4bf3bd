"""The preloaded interpreter (abs_trust.preload): a job forked from it behaves as the job's own
process would, and nothing breaks when it is absent, dies, or its job is killed.

Jobs here are small scripts written by the tests, started the way Snakemake starts a
``script:`` job (a fresh Python that defines ``snakemake`` and runs the file); the preloaded
interpreter imports only the standard library's ``json`` unless a test says otherwise, so each
test starts one in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from abs_trust import preload
from conftest import HEAVY_PACKAGES, ROOT, script_imports

SCRIPTS = ROOT / "workflow" / "scripts"

# How Snakemake runs a script job: the preamble defines `snakemake`, then the script runs.
# The preamble also extends sys.path (Snakemake's own folders): here, with a marker.
CLIENT = (
    "import json, runpy, sys; sys.path.append('/marker/from/the/preamble'); "
    "runpy.run_path(sys.argv[1], init_globals={'snakemake': json.loads(sys.argv[2])}, "
    "run_name='__main__')"
)

PROBE = """\
from abs_trust.preload import delegate, in_child
delegate(snakemake, __file__)
import json, os, sys
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(),
                  "probe": os.environ.get("PROBE"), "socket": os.environ.get("ABS_TRUST_PRELOAD"),
                  "argv": sys.argv[1:], "path": sys.path, "in_child": in_child(),
                  "snakemake": snakemake}),
      flush=True)
print("to stderr", file=sys.stderr, flush=True)
action = snakemake["action"]
if action == "raise":
    raise ValueError("a bug in the step")
if action == "os_exit":
    os._exit(7)
if action == "sigkill":
    os.kill(os.getpid(), 9)
if action == "sleep":
    open(snakemake["ready"], "w").close()
    import time
    time.sleep(60)
if action == "runner":
    from abs_trust.runner import run
    run(lambda: "summary", None, "probe step")
sys.exit(snakemake.get("code", 0))
"""


@pytest.fixture
def probe(tmp_path) -> Path:
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    return script


@pytest.fixture
def server(tmp_path):
    started = preload.start(log=str(tmp_path / "logs" / "preload.log"), first=["json"], later=[])
    assert started is not None
    yield started
    started.stop()


def run_job(script: Path, params: dict, env: dict, cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CLIENT, str(script), json.dumps(params)],
        env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,
    )  # fmt: skip


def job_env(server=None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != preload.ENV}
    if server is not None:
        env[preload.ENV] = server.address
    return {**env, **extra}


def finish(proc: subprocess.Popen) -> tuple[int, dict | None, str]:
    out, err = proc.communicate(timeout=60)
    first = out.splitlines()[0] if out.strip() else None
    return proc.returncode, json.loads(first) if first else None, err


def gone(pid: int, within: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (and been reaped) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a child of this process: reap it
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def wait_for(path: Path, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


# --- the job runs in a child that is the job's process in every respect ----------------------
def test_job_runs_in_a_child_with_the_jobs_directory_environment_and_streams(
    server, probe, tmp_path
):
    work = tmp_path / "work"
    work.mkdir()
    proc = run_job(probe, {"action": "exit", "code": 3}, job_env(server, PROBE="xyz"), work)
    code, seen, err = finish(proc)
    assert code == 3
    assert seen["in_child"] is True
    assert seen["pid"] != proc.pid and seen["ppid"] == server.process.pid
    assert seen["cwd"] == str(work)
    assert seen["probe"] == "xyz"  # the job's environment, not the preloaded interpreter's
    assert seen["socket"] is None  # ... less the socket: nothing it starts delegates again
    assert seen["argv"] == [str(probe), json.dumps({"action": "exit", "code": 3})]
    assert seen["path"][-1] == "/marker/from/the/preamble"  # the job's sys.path
    assert seen["snakemake"] == {"action": "exit", "code": 3}
    assert err.strip() == "to stderr"  # the job's own stderr, passed to the child


def test_without_a_preloaded_interpreter_the_job_runs_in_its_own_process(probe, tmp_path):
    for env in (job_env(), job_env(**{preload.ENV: str(tmp_path / "no-such-socket")})):
        proc = run_job(probe, {"action": "exit", "code": 0}, env, tmp_path)
        code, seen, _ = finish(proc)
        assert code == 0 and seen["in_child"] is False and seen["pid"] == proc.pid


@pytest.mark.parametrize(
    ("action", "code", "stderr"),
    [
        ("exit", 0, None),
        ("raise", 1, "ValueError: a bug in the step"),
        ("os_exit", 7, None),
        ("sigkill", 128 + signal.SIGKILL, None),
        ("runner", 0, "probe step: summary"),
    ],
)
def test_exit_status_is_the_jobs(server, probe, tmp_path, action, code, stderr):
    # the status a fresh process would have: traceback and 1 for a bug, a shell's 128 + N
    # for a signal, 0 through abs_trust.runner's fast exit
    proc = run_job(probe, {"action": action}, job_env(server), tmp_path)
    returned, seen, err = finish(proc)
    assert returned == code
    assert seen["in_child"] is True
    if stderr:
        assert stderr in err


def test_the_log_names_each_job_its_status_and_what_it_imported(server, probe, tmp_path):
    proc = run_job(probe, {"action": "exit", "code": 2}, job_env(server), tmp_path)
    _, seen, _ = finish(proc)
    log = Path(tmp_path / "logs" / "preload.log").read_text()
    assert f"probe.py: forked process {seen['pid']}" in log
    assert f"probe.py: process {seen['pid']} exited 2 after" in log
    # the probe imports nothing beyond json (preloaded) and abs_trust.preload (already there)
    assert f"probe.py: process {seen['pid']} imported 0 modules itself" in log


# --- failures and signals ----------------------------------------------------------------------
def test_killing_the_jobs_process_terminates_its_child(server, probe, tmp_path):
    ready = tmp_path / "ready"
    proc = run_job(probe, {"action": "sleep", "ready": str(ready)}, job_env(server), tmp_path)
    wait_for(ready)
    child = json.loads(proc.stdout.readline())["pid"]
    proc.kill()  # as an OOM killer or a cluster would: no chance to pass anything on
    proc.wait()
    assert gone(child), "the child outlived its job's process"
    assert (
        "the job's process is gone; terminating process"
        in (tmp_path / "logs" / "preload.log").read_text()
    )


def test_sigterm_to_the_jobs_process_reaches_the_child(server, probe, tmp_path):
    ready = tmp_path / "ready"
    proc = run_job(probe, {"action": "sleep", "ready": str(ready)}, job_env(server), tmp_path)
    wait_for(ready)
    child = json.loads(proc.stdout.readline())["pid"]
    proc.send_signal(signal.SIGTERM)
    code, _, _ = finish(proc)
    assert code == 128 + signal.SIGTERM  # the child died of the signal it was passed
    assert gone(child)


def test_a_preloaded_interpreter_that_dies_mid_job_fails_the_job(server, probe, tmp_path):
    ready = tmp_path / "ready"
    proc = run_job(probe, {"action": "sleep", "ready": str(ready)}, job_env(server), tmp_path)
    wait_for(ready)
    child = json.loads(proc.stdout.readline())["pid"]
    server.process.kill()
    code, _, err = finish(proc)
    assert code == 1
    assert "the preloaded interpreter ended while running this job" in err
    assert gone(child)


def test_it_exits_when_the_process_that_started_it_is_gone(tmp_path):
    # Snakemake killed outright never runs onerror: the interpreter must not linger
    starter = subprocess.run(
        [sys.executable, "-c",
         "from abs_trust import preload; p = preload.start(first=['json'], later=[]); "
         "print(p.process.pid, p.directory)"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    pid, directory = starter.stdout.split()
    assert gone(int(pid), within=5.0)
    assert not Path(directory).exists()  # its socket removed


def test_stop_ends_it_and_removes_its_socket(probe, tmp_path):
    started = preload.start(first=["json"], later=[])
    assert os.environ[preload.ENV] == started.address
    assert (os.stat(started.directory).st_mode & 0o777) == 0o700  # only this user can connect
    started.stop()
    assert started.process.returncode is not None
    assert not Path(started.directory).exists()
    assert preload.ENV not in os.environ
    proc = run_job(probe, {"action": "exit"}, dict(os.environ), tmp_path)
    code, seen, _ = finish(proc)
    assert code == 0 and seen["in_child"] is False


def test_a_peer_of_another_user_is_refused(tmp_path, monkeypatch):
    # The socket's directory is private already; the server checks the peer's uid as well.
    server = preload._Server(str(tmp_path / "socket"), os.getpid(), str(tmp_path / "log"))
    monkeypatch.setattr(preload.os, "getuid", lambda: os.geteuid() + 1)
    answered = []

    def client():
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(tmp_path / "socket"))
        answered.append(conn.recv(100))

    thread = threading.Thread(target=client)
    thread.start()
    server.accept()  # refuses before reading a request, let alone forking
    thread.join(timeout=10)
    assert answered == [b""]
    assert "refused" in (tmp_path / "log").read_text()


# --- what the workflow's jobs import is preloaded ----------------------------------------------
@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py")))
def test_the_preloaded_modules_cover_every_scripts_imports(script):
    code = "\n".join(
        [
            "import importlib, json, sys",
            "from abs_trust import preload",
            "for name in preload.FIRST + preload.LATER: importlib.import_module(name)",
            "before = set(sys.modules)",
            *script_imports(SCRIPTS / script),
            "print(json.dumps(sorted(set(sys.modules) - before)))",
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    left = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in left if m.split(".")[0] in HEAVY_PACKAGES], f"{script} imports {left}"


def test_the_coverage_check_bites():
    # a module outside the lists is reported: scipy.io is imported by no job
    code = (
        "import importlib, json, sys\nfrom abs_trust import preload\n"
        "for name in preload.FIRST: importlib.import_module(name)\n"
        "before = set(sys.modules)\nimport scipy.io\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert any(m.startswith("scipy.io") for m in json.loads(out.stdout.strip().splitlines()[-1]))


def test_ctrl_c_stops_the_child_once_and_the_job_reports_it(server, probe, tmp_path):
    # Ctrl-C signals the terminal's process group: the job's process and the child alike
    ready = tmp_path / "ready"
    proc = run_job(probe, {"action": "sleep", "ready": str(ready)}, job_env(server), tmp_path)
    wait_for(ready)
    child = json.loads(proc.stdout.readline())["pid"]
    time.sleep(0.2)  # the job's process is waiting for the child's status
    for pid in (proc.pid, child):
        os.kill(pid, signal.SIGINT)
    code, _, err = finish(proc)
    assert code == 1  # the child's KeyboardInterrupt, as a job in its own process would exit
    assert err.count("KeyboardInterrupt") == 1
    assert gone(child)


def test_a_module_that_cannot_be_imported_is_left_to_the_jobs(probe, tmp_path):
    # a broken or missing module must not take the jobs down with the preloaded interpreter
    log = tmp_path / "preload.log"
    started = preload.start(
        log=str(log), first=["json", "no_such_module_abc"], later=["no_such_module_xyz"]
    )
    try:
        for _ in range(2):  # before and after the LATER stage
            proc = run_job(probe, {"action": "exit", "code": 0}, job_env(started), tmp_path)
            code, seen, _ = finish(proc)
            assert code == 0 and seen["in_child"] is True
        assert started.process.poll() is None
    finally:
        started.stop()
    text = log.read_text()
    assert "cannot import no_such_module_abc (ModuleNotFoundError" in text
    assert "cannot import no_such_module_xyz (ModuleNotFoundError" in text


def test_where_the_kernel_lacks_pidfds_jobs_run_in_their_own_processes(monkeypatch, capsys):
    monkeypatch.delattr(preload.os, "pidfd_open")
    assert preload.start(first=["json"], later=[]) is None
    assert preload.ENV not in os.environ
    assert "without a preloaded interpreter (Linux only)" in capsys.readouterr().err


def test_it_imports_with_the_single_thread_settings_snakemake_gives_each_job(server):
    # numpy's BLAS reads these once, at import: in the preloaded interpreter, not the job
    environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
    for name in preload.THREAD_VARIABLES:
        assert f"{name}=1".encode() in environ, name
    assert not any(item.startswith(preload.ENV.encode() + b"=") for item in environ)


def test_a_job_that_comes_while_later_modules_load_waits_for_them(probe, tmp_path, monkeypatch):
    # Otherwise an aggregate job arriving early imports matplotlib & co. itself, a second time.
    for name in ("slow_a", "slow_b"):
        (tmp_path / f"{name}.py").write_text("import time\ntime.sleep(0.8)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    script = tmp_path / "needs_later.py"
    script.write_text(PROBE.replace("import json, os, sys\n", "import json, os, sys, slow_b\n"))
    log = tmp_path / "preload.log"
    started = preload.start(log=str(log), first=["json"], later=["slow_a", "slow_b"])
    try:
        deadline = time.monotonic() + 20
        while "ready for jobs" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        # arrives while slow_a is imported: it must not be forked between slow_a and slow_b
        proc = run_job(script, {"action": "exit", "code": 0}, job_env(started), tmp_path)
        code, seen, _ = finish(proc)
    finally:
        started.stop()
    assert code == 0 and seen["in_child"] is True
    assert f"process {seen['pid']} imported 0 modules itself" in log.read_text()
