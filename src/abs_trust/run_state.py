"""What ``results/`` holds: the aggregate results of one run, never a mix of two.

A run on other files, or a run that fails half-way, must never leave a table of an earlier
run that a reader could take for this one's. This is a plain job, not a hook: the
`run_manifest` rule (workflow/rules/run.smk) has no file inputs and, as its parameters, the
config of the run and the size and modification time of every configured file. Snakemake
reruns it whenever one of them changes, and it then runs first (it needs nothing, and has
the highest priority):

- `run_manifest_job` removes the aggregate outputs the previous manifest lists (and those this
  config will write), the per-wave result folders of waves no longer configured, and the
  report of the previous run; then it writes ``results/run.json`` (the manifest) and
  ``results/run-config.yaml`` (the config as validated, for ``make report``).
- Every aggregate rule (tables, comparability, figures, the published gate) takes
  ``results/run.json`` as an input, so a new manifest reruns them. A run that fails in a wave
  job therefore leaves no ``table4.md`` or ``reproduction.verdict`` of the earlier run behind:
  those were removed before any wave job started.

Only paths under ``results/`` that the manifests name are ever removed. Light imports only:
the workflow imports this when it is parsed.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from abs_trust.errors import ConfigError
from abs_trust.runner import write_text_atomic

RESULTS = Path("results")
MANIFEST = RESULTS / "run.json"
RUN_CONFIG = RESULTS / "run-config.yaml"
REPORT = RESULTS / "report.html"
WAVE_RESULTS = RESULTS / "tables" / "waves"


def plain(obj):
    """Snakemake's config holds its own mapping types; JSON and YAML need plain ones."""
    return json.loads(json.dumps(obj))


def _under_results(path: str | Path) -> bool:
    parts = Path(path).parts
    return len(parts) > 1 and parts[0] == RESULTS.name and ".." not in parts


def remove_previous_results(outputs: Iterable[str], waves: Iterable[str]) -> list[str]:
    """Remove the previous run's aggregate results; return the paths removed.

    ``outputs``: the aggregate outputs of this run's config; those the old manifest lists are
    removed too, and so are the report and the per-wave folders of waves not in ``waves``.
    """
    listed = set(outputs)
    if MANIFEST.exists():
        # an unreadable manifest: this config's outputs are still removed
        with contextlib.suppress(ValueError, AttributeError):
            listed |= set(json.loads(MANIFEST.read_text(encoding="utf-8")).get("outputs", []))
    removed = []
    for path in sorted(p for p in listed | {str(REPORT)} if _under_results(p)):
        if Path(path).is_file():
            Path(path).unlink()
            removed.append(path)
    keep = set(waves)
    if WAVE_RESULTS.is_dir():
        for folder in sorted(WAVE_RESULTS.iterdir()):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder)
                removed.append(f"{folder.as_posix()}/")
    return removed


def run_manifest_job(input, output, params) -> str:
    """The `run_manifest` job: sweep the previous run's aggregate results, then write the new
    manifest (``output.manifest``) and the run's config (``output.config``)."""
    removed = remove_previous_results(params.outputs, params.waves)
    config = plain(params.config)
    files = list(params.configfiles)
    record = {
        "note": (
            "The run that makes results/: its config, its config files, the size and "
            "modification time of every configured file, and the aggregate outputs it "
            "writes (removed when the next run with another config or other files starts)."
        ),
        "configfiles": files,
        "waves": list(params.waves),
        "files": plain(params.stamps),
        "outputs": list(params.outputs),
        "config": config,
    }
    write_text_atomic(output.manifest, json.dumps(record, indent=2) + "\n")
    header = (
        f"# The config of the run that made results/, as validated (defaults filled in), from\n"
        f"# {', '.join(files) or 'no config file'}.\n"
        "# `make report` builds results/report.html with it: the report of this run.\n"
    )
    write_text_atomic(output.config, header + yaml.safe_dump(config, sort_keys=False))
    shown = ", ".join(removed[:5]) + (", ..." if len(removed) > 5 else "")
    return (
        f"{len(record['waves'])} waves, {len(record['files'])} files; removed "
        f"{len(removed)} result(s) of the previous run" + (f" ({shown})" if removed else "")
    )


def check_report_config(
    config: Mapping, configfiles: Iterable, outputs: Iterable[str] = ()
) -> None:
    """A report built with ``--configfile results/run-config.yaml`` must be of that run.

    Snakemake merges that file over config/config.yaml: if config/config.yaml gained a wave
    since the run, the report would describe a run that was never made. And a run that did
    not finish (failed, killed) has no results to report: some of ``outputs`` are missing.

    Raises
    ------
    ConfigError
        naming the missing outputs or the keys whose values differ.
    """
    if not any(Path(f).resolve() == RUN_CONFIG.resolve() for f in configfiles):
        return
    missing = [o for o in outputs if not Path(o).exists()]
    if missing:
        raise ConfigError(
            f"{RUN_CONFIG}: the last run did not finish ({', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''} missing), so there is no run to report; "
            "run the workflow again (its failing job's log says what to fix), then build the "
            "report (a failed published check: results/reproduction.md lists every check, "
            "and `strict: false` keeps the outputs of a run on other data)"
        )
    recorded = yaml.safe_load(RUN_CONFIG.read_text(encoding="utf-8")) or {}
    current = plain(config)
    differ = sorted(k for k in set(recorded) | set(current) if recorded.get(k) != current.get(k))
    if differ:
        raise ConfigError(
            f"{RUN_CONFIG}: the config now differs from the one the last run used (keys: "
            f"{', '.join(differ)}; another config file merged over it?); run the workflow "
            "again, then build the report"
        )
