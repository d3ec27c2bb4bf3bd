"""What ``results/`` holds: the outputs of one run, or a marker saying that it does not.

A run on other files, or a run that fails half-way, must never leave a table of an earlier
run that a reader could take for this one's. The workflow calls these from its ``onstart``,
``onsuccess`` and ``onerror`` handlers (only when it has jobs to run; a dry run, a run with
nothing to do and ``--report`` touch nothing):

- `start_run`: ``results/RUN_IN_PROGRESS.md`` says a run is under way (it stays if the run
  is killed), and ``results/run-config.yaml`` records the config that makes this run, so
  ``make report`` reports the run that was made, with that config;
- `finish_run` after success: outputs no rule of this run writes (another run's waves, a
  verdict this run has no check for, a report of older results) are removed, and the marker;
- `finish_run` after a failure: every output this run did not write itself is removed, and
  ``results/RUN_FAILED.md`` says so. What is left was computed from this run's files.

Only files that some rule of the workflow writes (``patterns``) are ever removed; anything
else under ``results/`` is left alone. Light imports only: the workflow imports this when it
is parsed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from pathlib import Path

import yaml

from abs_trust.errors import ConfigError

RESULTS = Path("results")
IN_PROGRESS = RESULTS / "RUN_IN_PROGRESS.md"
FAILED = RESULTS / "RUN_FAILED.md"
RUN_CONFIG = RESULTS / "run-config.yaml"
REPORT = RESULTS / "report.html"
RECOVERY = (
    "If the run was killed, `snakemake --unlock` releases the working directory and "
    "`snakemake --cores 2 --rerun-incomplete` (with the same `--configfile` arguments) "
    "reruns the jobs that were cut short."
)


def start_run(config: dict, configfiles: Iterable, now: float | None = None) -> None:
    """Mark ``results/`` as being rewritten and record the run's config."""
    RESULTS.mkdir(exist_ok=True)
    FAILED.unlink(missing_ok=True)
    files = [str(f) for f in configfiles]
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    IN_PROGRESS.write_text(
        "# A run is in progress, or was killed\n\n"
        f"A run started at {stamp} (config files: {', '.join(files) or 'none'}) has not "
        "finished. Until it does, files in `results/` may come from an earlier run on other "
        f"files or settings: do not use them.\n\n{RECOVERY}\n",
        encoding="utf-8",
    )
    header = (
        f"# The config of the run started at {stamp}, as validated (defaults filled in), from\n"
        f"# {', '.join(files) or 'no config file'}.\n"
        "# `make report` builds results/report.html with it: the report of this run.\n"
    )
    RUN_CONFIG.write_text(header + yaml.safe_dump(_plain(config), sort_keys=False), "utf-8")


def _plain(obj):
    # Snakemake's config holds its own mapping types; YAML needs plain dicts and lists
    return json.loads(json.dumps(obj))


def output_patterns(outputs: Iterable[str]) -> list[re.Pattern]:
    """Regexes for the rules' output paths under results/ (``{wave}`` matches any wave)."""
    patterns = []
    for output in outputs:
        output = str(output)
        if not output.startswith(f"{RESULTS}/"):
            continue
        parts = re.split(r"\{[^}]+\}", output)
        patterns.append(re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z"))
    patterns.append(re.compile(re.escape(str(REPORT)) + r"\Z"))
    return patterns


def _produced_by_workflow(path: Path, patterns: list[re.Pattern]) -> bool:
    return any(p.match(path.as_posix()) for p in patterns)


def _remove(paths: list[Path]) -> list[str]:
    for path in paths:
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in paths}, key=lambda p: -len(p.parts)):
        while folder != RESULTS and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return sorted(p.as_posix() for p in paths)


def finish_run(success: bool, keep: Iterable[str], patterns: list[re.Pattern]) -> list[str]:
    """Remove what this run did not produce; return the paths removed.

    ``keep``: every output of this run's configuration (kept after a success even when
    Snakemake found it up to date and did not rewrite it). After a failure, only what this
    run wrote is kept, whatever ``keep`` says.
    """
    if not RESULTS.is_dir():
        return []
    started = IN_PROGRESS.stat().st_mtime_ns if IN_PROGRESS.exists() else time.time_ns()
    keep = {Path(k).as_posix() for k in keep}
    stale = []
    for path in RESULTS.rglob("*"):
        if not path.is_file() or not _produced_by_workflow(path, patterns):
            continue
        if path.stat().st_mtime_ns >= started:
            continue  # written by this run
        if not success or path.as_posix() not in keep:
            stale.append(path)
    removed = _remove(stale)
    IN_PROGRESS.unlink(missing_ok=True)
    if not success:
        listing = "\n".join(f"- `{p}`" for p in removed) or "- (none)"
        FAILED.write_text(
            "# The last run FAILED\n\n"
            "Its failing job's log is named in Snakemake's output (`logs/...`). Every output "
            "it did not write itself was removed, so that no result of an earlier run can be "
            "taken for this one's; what is left in `results/` was computed by this run, from "
            f"its configured files (`results/run-config.yaml`), before it failed.\n\n{RECOVERY}"
            f"\n\nRemoved:\n\n{listing}\n",
            encoding="utf-8",
        )
    return removed


def check_report_config(config: dict, configfiles: Iterable) -> None:
    """A report built with ``--configfile results/run-config.yaml`` must be of that run.

    Snakemake merges that file over config/config.yaml: if config/config.yaml gained a wave
    since the run, the report would describe a run that was never made.

    Raises
    ------
    ConfigError
        naming the keys whose values differ.
    """
    if not any(Path(f).resolve() == RUN_CONFIG.resolve() for f in configfiles):
        return
    for marker in (FAILED, IN_PROGRESS):
        if marker.exists():
            raise ConfigError(
                f"{marker}: the last run did not finish, so there is no run to report; "
                "read that file, run the workflow again, then build the report (a failed "
                "published check: results/reproduction.md lists every check, and "
                "`strict: false` keeps the outputs of a run on other data)"
            )
    recorded = yaml.safe_load(RUN_CONFIG.read_text(encoding="utf-8")) or {}
    current = _plain(config)
    differ = sorted(k for k in set(recorded) | set(current) if recorded.get(k) != current.get(k))
    if differ:
        raise ConfigError(
            f"{RUN_CONFIG}: the config now differs from the one the last run used (keys: "
            f"{', '.join(differ)}; another config file merged over it?); run the workflow "
            "again, then build the report"
        )
