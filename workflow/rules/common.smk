from snakemake.utils import min_version

# Only light modules here (no pandas): the workflow is parsed on every run, dry runs included.
from abs_trust import preload
from abs_trust.config import (
    check_figure_waves,
    codebook_candidates,
    read_yaml,
    validate,
    wave_files,
    weighted_headline,
)
from abs_trust.crosswalk import parse_crosswalk, wave_entry

min_version("9.0")


configfile: "config/config.yaml"


# workflow/schemas/config.schema.yaml, defaults filled in, every violation listed with its
# key path. abs_trust's validator rather than snakemake.utils.validate, which imports pandas
# (0.3 s on every invocation, dry runs included) only to ask whether config is a DataFrame.
config.update(
    validate(
        config,
        "config.schema.yaml",
        "the config (config/config.yaml, --configfile, --config)",
    )
)

# The crosswalk is validated (JSON Schema + cross-field rules) when the workflow is parsed,
# so a typo fails before any job starts.
CROSSWALK_RAW = read_yaml(config["crosswalk"])
CROSSWALK = parse_crosswalk(CROSSWALK_RAW, config["crosswalk"])
WAVES = list(config["waves"])
for _wave in WAVES:
    CROSSWALK.wave(_wave)
if config["countries"] != "all":
    for _country in config["countries"]:
        CROSSWALK.country_code(_country)
TABLE4_WAVES = config["table4"].get("waves", WAVES)
FIGURE1_WAVES = config["figure1"].get("waves", WAVES)
check_figure_waves(CROSSWALK, WAVES, TABLE4_WAVES, FIGURE1_WAVES)


wildcard_constraints:
    wave="|".join(WAVES),


def input_files(wildcards):
    return wave_files(config, wildcards.wave)


def codebooks(wildcards):
    """A CSV release's sidecar codebook is an input too: editing it reruns the ingest."""
    found = []
    for path in wave_files(config, wildcards.wave):
        if path.lower().endswith(".csv"):
            found += [str(c) for c in codebook_candidates(path) if c.exists()]
    return found


def crosswalk_entry(wildcards):
    return wave_entry(CROSSWALK_RAW, wildcards.wave)


def headline_weights(waves):
    return {wave: weighted_headline(config, wave) for wave in waves}


def all_outputs():
    outputs = [
        "results/tables/institution_trust.csv",
        "results/tables/correlations.csv",
        "results/tables/coverage.csv",
        "results/tables/models.csv",
        "results/tables/sensitivity.csv",
        "results/tables/table4.md",
        "results/tables/table4.tex",
        "results/tables/trust_by_country.md",
        "results/tables/trust_by_country.tex",
        "results/tables/coverage.md",
        "results/reproduction.json",
        "results/reproduction.md",
        "results/report/summary.rst",
    ]
    for figure in (
        "local_government_vs_ngo",
        "institution_trust",
        "correlation_by_country",
    ):
        outputs += [f"results/figures/{figure}.{ext}" for ext in ("png", "svg", "pdf")]
    if config.get("published"):
        outputs.append("results/reproduction.passed")
    return outputs


PRELOADED = []


def start_preloaded():
    """Local runs: one interpreter imports the stack, every job is forked from it.

    Called by onstart, so never for a dry run, --lint or --report. Only where the jobs run
    with this very Python: not for jobs a cluster executor submits, nor with conda,
    containers or environment modules (abs_trust.preload; docs/performance.md).
    """
    if not config["preload"] or not workflow.local_exec or workflow.touch:
        return
    if workflow.deployment_settings.deployment_method:
        preload.skipped("conda, containers or environment modules run the jobs")
        return
    started = preload.start(log="logs/preload.log")
    if started:
        PRELOADED.append(started)


def stop_preloaded():
    while PRELOADED:
        PRELOADED.pop().stop()


def release_rate_limit_timer():
    """Cancel the timer Snakemake's job rate limiter leaves behind after the last job.

    The scheduler arms a ``threading.Timer`` (--max-jobs-per-timespan, 1 s by default) after
    each scheduling round; Python waits for it before exiting, which added up to a second
    to every run. The run is over when onsuccess/onerror is called, so nothing waits on it.
    """
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


def skip_final_collection():
    """Spare Snakemake's process the garbage collections it would run on its way out.

    By the end of a run the process holds millions of objects (its own modules, sqlalchemy,
    pandas, which it imports to record params), and every collection from here to its exit
    walks them all, the last full one in Python's finalization: 0.2-0.3 s after the last
    job, with nothing else running (measured: docs/performance.md). gc.freeze() moves them
    to the permanent generation, which collections skip. Everything else about exiting still
    happens (atexit handlers, logs flushed and closed, the lock removed); only cycles among
    these objects go uncollected, as the process ends anyway.
    """
    import gc

    gc.freeze()


def run_summary(success):
    """The last lines of a run: what was produced and the verdict, or where to look."""
    from pathlib import Path

    if not success:
        return (
            "abs-trust: the run FAILED. The failing job's log is named above (logs/...); "
            "results/reproduction.md lists every published check if the gate failed."
        )
    lines = ["", "abs-trust: outputs"]
    lines += [f"  {path}" for path in all_outputs() if Path(path).exists()]
    verdict = Path("results/reproduction.passed")
    if verdict.exists():
        lines.append(
            f"Reproduction verdict: {verdict.read_text().strip()} (results/reproduction.md)"
        )
    return "\n".join(lines)
