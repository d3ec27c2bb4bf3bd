"""One preloaded interpreter per local run, from which every job's Python process is forked.

Every Snakemake ``script:`` job is a fresh Python process, and before it does any work it
imports the stack: pandas, pyarrow, pyreadstat, pandera, scipy, statsmodels (about 0.9 s for
a wave job) or pandas and matplotlib (about 0.5 s for a figure). At full scale the six wave
jobs and three aggregate jobs paid that nine times, about half the CPU time of the run
(docs/performance.md). A local run therefore starts one *preloaded* interpreter when its
first job is about to start (``onstart``), which imports the stack once and then forks a
child for each job; a fork of a process that has imported everything costs milliseconds.

How a job runs (``delegate``, the first thing every workflow script calls):

1. Snakemake starts the script as usual (``python workflow/scripts/wave.py`` with its
   preamble). If the run has a preloaded interpreter (its socket is named by the
   environment variable ``ABS_TRUST_PRELOAD``), the script connects to it and sends the
   ``snakemake`` object, the script's path, its working directory, environment and
   standard streams (the file descriptors themselves, ``SCM_RIGHTS``).
2. The preloaded interpreter forks. The child takes over those streams, directory and
   environment and runs the same script file (`runpy.run_path`), in which ``delegate``
   now returns at once: the script's own code runs as it would in a fresh process, only
   without paying for its imports.
3. The script's process waits for the child and exits with the child's exit status (a
   signal's as a shell reports it, 128 + N), so Snakemake sees what it would have seen.
   SIGTERM and SIGHUP sent to the job's process are passed on to the child; Ctrl-C reaches
   the child directly (the same process group). If the job's process dies (SIGKILL), the
   preloaded interpreter terminates the child.

Nothing depends on the preloaded interpreter being there: without ``ABS_TRUST_PRELOAD``
(dry runs never start one; cluster jobs on other hosts cannot reach it; ``preload: false``
in the config), or when it cannot be reached or has died before taking the job, the script
runs in its own process, exactly as before. Only a local run's own jobs can use it: the
socket lives in a private temporary directory (mode 0700) and the interpreter refuses a
peer of another user (``SO_PEERCRED``). It exits when the run ends (``onsuccess`` /
``onerror`` stop it) or, at the latest, a second after the Snakemake process that started it.

The module imports only the standard library: the Snakefile imports it on every invocation.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import pickle
import select
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

ENV = "ABS_TRUST_PRELOAD"

# What the workflow's jobs import (tests/test_preload.py checks that these cover every
# script's imports), in two stages. FIRST is what a wave job needs, and what the first jobs of
# a run wait for; LATER (the tables' and figures' modules, matplotlib's backends, which
# savefig would import on first use) is imported once the jobs that queued meanwhile have
# been forked (at full scale it is done long before the aggregate jobs come; a job that comes
# sooner waits for it rather than import those modules itself).
FIRST = (
    # what Snakemake's script preamble imports to unpickle the `snakemake` object
    "snakemake.iocontainers",
    "snakemake.io",
    "snakemake.logging",
    "abs_trust.runner",
    "abs_trust.crosswalk",
    "abs_trust.ingest",
    "abs_trust.analysis",
    # imported on first use, inside a job: pandas' parquet engine, pandera's validation
    # backends (which bring hypothesis when it is installed, 0.1 s), the forked reader's
    # multiprocessing, statsmodels' robust covariances
    "pyarrow.parquet",
    "pyarrow.pandas_compat",
    "pandera.backends.pandas.register",
    "pandera.backends.pandas.builtin_checks",
    "pandera.backends.pandas.builtin_hypotheses",
    "pandera.backends.register_checks",
    "pandera.accessors.pandas_accessor",
    "pandera.api.geopandas",
    "multiprocessing.popen_fork",
    "multiprocessing.synchronize",
    "statsmodels.stats.sandwich_covariance",
    "statsmodels.base.covtype",
    "pandas.io.formats.csvs",
    "pandas.io.formats.string",
    "pandas.core.arrays.arrow.extension_types",
    "pyarrow.vendored.version",
)
LATER = (
    "abs_trust.outputs",
    "abs_trust.tableio",
    "abs_trust.figure_data",
    "abs_trust.figures",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "matplotlib.backends.backend_pdf",
    # imported on first use: parquet columns read through pyarrow's datasets, the image
    # plugins Pillow registers before its first save, the PDF backend's UTF-16 codec, ...
    "pyarrow.dataset",
    "pandas.core.arrays.arrow._arrow_utils",
    "pandas.core.reshape.reshape",
    "jsonschema",  # the tables job validates config/published.yaml
    "PIL.PngImagePlugin",
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PpmImagePlugin",
    "encodings.utf_16_be",
)

# Each job runs single-threaded (no rule declares threads), and Snakemake sets these to the
# job's `threads` in every job's environment. The preloaded interpreter loads numpy's BLAS,
# which reads them once at import, so it must start with the same values as a job would.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "GOTO_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_HEADER = struct.Struct("!Q")
_FDS = 3  # stdin, stdout, stderr
_IN_CHILD = False  # set in a forked child: `delegate` then lets the script run


def in_child() -> bool:
    """Whether this process is a job forked from the preloaded interpreter."""
    return _IN_CHILD


# --- the job's side ---------------------------------------------------------------------------
def delegate(snakemake, script: str) -> None:
    """Run this job in a child of the run's preloaded interpreter, if there is one.

    Called first by every workflow script, ``delegate(snakemake, __file__)``. Returns when the
    script should run its own code: in the preloaded child, or when there is no preloaded
    interpreter to hand the job to. Otherwise it does not return: the process exits with the
    exit status of the child that ran the job.
    """
    if _IN_CHILD:
        return
    address = os.environ.get(ENV)
    if not address:
        return
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(address)
    except OSError:
        return  # no preloaded interpreter (it has exited, or never started): run here
    request = pickle.dumps(
        {
            "script": os.path.abspath(script),
            "snakemake": snakemake,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "argv": list(sys.argv),
            "path": list(sys.path),  # the preamble adds Snakemake's and the script's folders
        },
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        conn.sendmsg(
            [_HEADER.pack(len(request)), request],
            [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))],
        )
        reader = conn.makefile("rb")
        started = reader.readline().split()
    except OSError:
        started = []
    if started[:1] != [b"started"]:
        conn.close()
        return  # it died before taking the job: nothing ran, so run it here
    child = int(started[1])

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    # Ctrl-C signals the whole process group, the child included: passing it on as well would
    # interrupt the child twice, and a KeyboardInterrupt here would print a second traceback.
    # The child stops as a job would, and its status is reported as always.
    same_group = False
    with contextlib.suppress(OSError):
        same_group = os.getpgid(child) == os.getpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN if same_group else forward)
    try:
        finished = reader.readline().split()
    except OSError:
        finished = []
    if finished[:1] != [b"exit"]:
        forward(signal.SIGTERM, None)
        print(
            f"abs-trust: the preloaded interpreter ended while running this job (process "
            f"{child}); rerun the workflow, or set `preload: false` in the config",
            file=sys.stderr,
        )
        os._exit(1)
    code = int(finished[1])
    # A child killed by a signal has a negative status, which a shell reports as 128 + N.
    os._exit(code if code >= 0 else 128 - code)


# --- the run's side ---------------------------------------------------------------------------
@dataclass
class Preloaded:
    """A running preloaded interpreter, as `start` returns it."""

    process: subprocess.Popen
    directory: str
    address: str

    def stop(self) -> None:
        """End it (jobs it still runs are not affected) and remove its socket."""
        if os.environ.get(ENV) == self.address:
            del os.environ[ENV]
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def skipped(reason: str) -> None:
    """Say that this run's jobs each import for themselves, and why."""
    print(f"abs-trust: jobs run without a preloaded interpreter ({reason})", file=sys.stderr)


def start(
    log: str | None = None, first: Sequence[str] = FIRST, later: Sequence[str] = LATER
) -> Preloaded | None:
    """Start the preloaded interpreter and name it to every job started after this call.

    Returns once it is listening (it imports after that; a job that connects meanwhile waits
    in the socket's queue), or None, with a warning, if it could not be started: jobs then run
    in their own processes. ``log``: a file for its lines on each job (created, with parents).
    ``first``, ``later``: the modules to import before serving jobs, and right after the jobs
    that queued meanwhile are forked.
    """
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "SO_PEERCRED"):
        # it waits for jobs through pidfds and checks peers with SO_PEERCRED: Linux
        skipped("Linux only")
        return None
    directory = tempfile.mkdtemp(prefix="abs-trust-preload-")
    address = os.path.join(directory, "socket")
    env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, "1"))
    env.pop(ENV, None)
    if log:
        log = os.path.abspath(log)
        os.makedirs(os.path.dirname(log), exist_ok=True)
    modules = json.dumps({"first": list(first), "later": list(later)})
    command = [sys.executable, "-m", "abs_trust.preload", address, str(os.getpid()), modules]
    command += [log] if log else []
    process = None
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env
        )
        ready = process.stdout.readline().strip()
    except OSError as exc:
        ready = str(exc).encode()
    if ready != b"listening":
        skipped(ready.decode(errors="replace") or "it did not start")
        if process is not None:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)
        return None
    os.environ[ENV] = address
    return Preloaded(process, directory, address)


class _Server:
    """The preloaded interpreter's loop: accept a job, fork it, report its exit status."""

    def __init__(self, address: str, parent: int, log: str | None) -> None:
        self.address = address
        self.parent = parent
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(address)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        self.log_path = log
        self.log = open(log, "a", encoding="utf-8", buffering=1) if log else None  # noqa: SIM115
        self.started = time.monotonic()

    def note(self, message: str) -> None:
        if self.log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            self.log.write(f"{stamp} [{time.monotonic() - self.started:6.2f} s] {message}\n")

    def load(self, name: str) -> None:
        """Import ``name``; a module that fails is noted and left to the jobs that need it."""
        import importlib

        try:
            importlib.import_module(name)
        except Exception as exc:  # a job importing it itself gets the error in its own log
            self.note(f"cannot import {name} ({type(exc).__name__}: {exc}); left to the jobs")

    def serve(self, first: Sequence[str], later: Sequence[str]) -> None:
        # what every child uses (runpy.run_path imports pkgutil on first use): once, here
        for name in ("runpy", "pkgutil", "traceback"):
            self.load(name)
        self.note(f"process {os.getpid()} listening; importing {len(first)} modules")
        for name in first:
            self.load(name)
        self.note(f"{len(sys.modules)} modules loaded: ready for jobs")
        # The jobs that queued during those imports (the first wave jobs) start now. A job that
        # comes while LATER is imported waits for it rather than import those modules a second
        # time itself (the aggregate jobs need them); the jobs' exits are reported at once.
        while select.select([self.listener], [], [], 0)[0]:
            self.handle(None)
        pending = list(later)
        while True:
            if os.getppid() != self.parent:
                # killed without running onerror: nobody else will remove the socket
                self.note("the Snakemake process is gone: exiting")
                shutil.rmtree(os.path.dirname(self.address), ignore_errors=True)
                return
            for key, _ in self.selector.select(timeout=0 if pending else 1.0):
                if key.data is not None or not pending:
                    self.handle(key)
            if pending:
                self.load(pending.pop(0))
                if not pending:
                    self.note(f"{len(sys.modules)} modules loaded: all of them")

    def handle(self, key: selectors.SelectorKey | None) -> None:
        """A job to accept (``key`` None or the listener's) or one of a job's events."""
        try:
            if key is None or key.data is None:
                self.accept()
            else:
                key.data(key.fileobj)
        except Exception as exc:  # one job's trouble must not end the others'
            self.note(f"{type(exc).__name__}: {exc}")

    def accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            uid = struct.unpack("3i", creds)[1]
            if uid != os.getuid():
                raise PermissionError(f"a process of user {uid} connected; refused")
            conn.settimeout(10)
            request, fds = _receive(conn)
            conn.settimeout(None)
        except Exception as exc:  # the job's process then runs the job itself
            self.note(f"request refused: {exc}")
            conn.close()
            return
        name = os.path.basename(request["script"])
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:  # e.g. out of memory: the job's process runs the job itself
            self.note(f"{name}: cannot fork ({exc}); the job runs in its own process")
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        if pid == 0:
            self.selector.close()
            self.listener.close()
            conn.close()
            if self.log:
                self.log.close()
            _run_child(request, fds, self.log_path)  # never returns
        for fd in fds:
            os.close(fd)
        forked = time.monotonic()
        self.note(f"{name}: forked process {pid}")
        pidfd = os.pidfd_open(pid)

        def exited(_fileobj) -> None:
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            took = time.monotonic() - forked
            self.note(f"{name}: process {pid} exited {code} after {took:.2f} s")
            with contextlib.suppress(OSError):
                conn.sendall(f"exit {code}\n".encode())
            for item in (pidfd, conn):
                with contextlib.suppress(KeyError, ValueError):
                    self.selector.unregister(item)
            os.close(pidfd)
            conn.close()

        def hung_up(_fileobj) -> None:
            # The job's own process never sends more: readable means it is gone (killed).
            with contextlib.suppress(OSError):
                if conn.recv(1):
                    return
            self.selector.unregister(conn)
            self.note(f"{name}: the job's process is gone; terminating process {pid}")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

        self.selector.register(pidfd, selectors.EVENT_READ, exited)
        self.selector.register(conn, selectors.EVENT_READ, hung_up)
        try:
            conn.sendall(f"started {pid}\n".encode())
        except OSError:  # the job's process died just now: end the child, reap it later
            hung_up(conn)


def serve(
    address: str,
    parent: int,
    log: str | None = None,
    first: Sequence[str] = FIRST,
    later: Sequence[str] = LATER,
) -> None:
    """Listen on ``address``, import ``first``, then fork a child for each job.

    Exits on SIGTERM/SIGINT, or within a second of ``parent`` (the Snakemake process) ending.
    """
    gc.disable()  # as every job does: its full passes were a fifth of the import time
    server = _Server(address, parent, log)
    # Listening before importing: `start` returns at once, and the first jobs queue on the
    # socket while the imports run rather than starting imports of their own.
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    # Nothing to tear down: jobs own their outputs, and unloading the stack takes 0.1 s.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    # Ctrl-C reaches the whole process group: the jobs' children stop (KeyboardInterrupt, as
    # in any job), while this process stays to report their exit to the jobs' processes and
    # ends with the run (`Preloaded.stop`, or its parent's exit).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server.serve(first, later)


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """The request and the three descriptors it carries; on any failure, none stays open."""
    fds: list[int] = []
    try:
        message, ancillary, _, _ = conn.recvmsg(1 << 16, socket.CMSG_SPACE(_FDS * 4))
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += struct.unpack(f"{len(data) // 4}i", data[: len(data) - len(data) % 4])
        if len(fds) != _FDS or len(message) < _HEADER.size:
            raise EOFError("incomplete request")
        (size,) = _HEADER.unpack_from(message)
        payload = bytearray(message[_HEADER.size :])
        while len(payload) < size:
            chunk = conn.recv(size - len(payload))
            if not chunk:
                raise EOFError("incomplete request")
            payload += chunk
        return pickle.loads(payload), fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _run_child(request: dict, fds: list[int], log: str | None) -> None:
    """In the forked child: become the job's process, run its script, exit with its status.

    On exit it notes in the log how many modules the job imported itself: each is a cost the
    preloaded interpreter could have paid once (`FIRST`, `LATER`).
    """
    global _IN_CHILD
    loaded = set(sys.modules)
    code = 1
    try:
        # the signal dispositions of a fresh Python process
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # the job's environment, less the socket: nothing the job starts delegates again
        os.environ.pop(ENV, None)
        sys.argv = request["argv"]
        sys.path[:] = request["path"]
        _IN_CHILD = True
        import runpy  # loaded by the server already

        runpy.run_path(
            request["script"], init_globals={"snakemake": request["snakemake"]}, run_name="__main__"
        )
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(Exception):
            if log:
                _note_imports(log, request["script"], sorted(set(sys.modules) - loaded))
        os._exit(code)


def _note_imports(log: str, script: str, modules: list[str]) -> None:
    shown = ", ".join(modules[:12]) + (", ..." if len(modules) > 12 else "")
    listing = f": {shown}" if modules else ""
    line = (
        f"{time.strftime('%Y-%m-%d %H:%M:%S')} {os.path.basename(script)}: process "
        f"{os.getpid()} imported {len(modules)} modules itself{listing}\n"
    )
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(line)


if __name__ == "__main__":
    # Run as `python -m abs_trust.preload`, this file is `__main__`; the scripts import
    # `abs_trust.preload`, whose `_IN_CHILD` the children must set, so serve from that module.
    from abs_trust import preload

    address, parent, modules = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    log = sys.argv[4] if len(sys.argv) > 4 else None
    preload.serve(address, parent, log, modules["first"], modules["later"])
