from pathlib import Path

from snakemake.utils import min_version, validate

# Only light modules here (no pandas): the workflow is parsed on every run, dry runs included.
from abs_trust.config import (
    check_config_values,
    check_figure_waves,
    codebook_candidates,
    configured_waves,
    fixture_waves,
    paper_plan,
    read_yaml,
    validate as validate_file,
    wave_files,
    weighted_headline,
)
from abs_trust.errors import ConfigError
from abs_trust.harmonize.crosswalk import parse_crosswalk, wave_entry
from abs_trust.readers.files import check_release_files, file_stamp, snakemake_safe
from abs_trust import run_state

min_version("9.0")


configfile: "config/config.yaml"


# Snakemake reads config files with plain YAML, which keeps the last of two equal keys
# silently (`strict: true` ... `strict: false`): every file it read is read again, strictly.
for _path in workflow.configfiles:
    read_yaml(_path)

# Defaults are filled in; an unknown or mistyped key stops the run before any job starts.
validate(config, "../schemas/config.schema.yaml")

# The crosswalk is validated (JSON Schema + cross-field rules) when the workflow is parsed,
# so a typo fails before any job starts.
CROSSWALK_RAW = read_yaml(config["crosswalk"])
CROSSWALK = parse_crosswalk(CROSSWALK_RAW, config["crosswalk"])
# Exactly the waves the user configured; the synthetic fixture only when they name none.
WAVE_ENTRIES = configured_waves(config)
WAVES = list(WAVE_ENTRIES)
if not WAVES:
    raise ConfigError(
        "config: no waves to read; name your release files under `waves:`"
    )
for _wave in WAVES:
    CROSSWALK.wave(_wave)
if config["countries"] != "all":
    for _country in config["countries"]:
        CROSSWALK.country_code(_country)
SYNTHETIC_WAVES, MIXED_FIXTURE = fixture_waves(config)
check_config_values(config, CROSSWALK, WAVES)
# Every configured file must be there and readable before anything runs, even when results
# of an earlier run exist (Snakemake would otherwise report "Nothing to be done").
check_release_files((w, f) for w in WAVES for f in wave_files(config, w))
if config["published"]:
    validate_file(
        read_yaml(config["published"]), "published.schema.yaml", config["published"]
    )
# Table 4 and Figure 1 follow the configured data (not applicable when it lacks them).
TABLE4 = paper_plan(config, "table4", WAVES, CROSSWALK)
FIGURE1 = paper_plan(config, "figure1", WAVES, CROSSWALK)
check_figure_waves(CROSSWALK, WAVES, TABLE4["waves"], FIGURE1["waves"])
# Small cells and unusable weights (config: min_cell_size, min_effective_n, max_weight_share)
ESTIMATE_RULES = {
    key: config[key] for key in ("min_cell_size", "min_effective_n", "max_weight_share")
}


wildcard_constraints:
    wave="|".join(WAVES),


def release_files(wildcards):
    return wave_files(config, wildcards.wave)


def _codebooks(wave):
    found = []
    for path in wave_files(config, wave):
        if path.lower().endswith(".csv"):
            found += [str(c) for c in codebook_candidates(path) if c.exists()]
    return found


def input_files(wildcards):
    """The release files Snakemake can track as inputs. A path with {x} or <x> in it would be
    read as a wildcard or path variable: that file reaches the job as a parameter only, and
    `file_stamps` reruns the job when it changes."""
    return [f for f in release_files(wildcards) if snakemake_safe(f)]


def codebooks(wildcards):
    """A CSV release's sidecar codebook is an input too: editing it reruns the ingest."""
    return [f for f in _codebooks(wildcards.wave) if snakemake_safe(f)]


def file_stamps(wildcards):
    """Size and modification time of every file the wave reads: a file replaced by another,
    even one with an older time, reruns the wave (and everything computed from it)."""
    paths = release_files(wildcards) + _codebooks(wildcards.wave)
    return {path: file_stamp(path) for path in paths}


def crosswalk_entry(wildcards):
    return wave_entry(CROSSWALK_RAW, wildcards.wave)


def headline_weights(waves):
    return {wave: weighted_headline(config, wave) for wave in waves}


def all_outputs():
    outputs = [
        "results/run.json",
        "results/run-config.yaml",
        "results/tables/institution_trust.csv",
        "results/tables/correlations.csv",
        "results/tables/coverage.csv",
        "results/tables/models.csv",
        "results/tables/sensitivity.csv",
        "results/tables/harmonization.csv",
        "results/tables/invariance.csv",
        "results/tables/comparability.csv",
        "results/tables/scale_changes.csv",
        "results/tables/weights.csv",
        "results/tables/changes.csv",
        "results/tables/table4.md",
        "results/tables/table4.tex",
        "results/tables/trust_by_country.md",
        "results/tables/trust_by_country.tex",
        "results/tables/coverage.md",
        "results/tables/weights.md",
        "results/reproduction.json",
        "results/reproduction.md",
        "results/provenance.json",
        "results/report/summary.rst",
    ]
    for figure in (
        "local_government_vs_ngo",
        "institution_trust",
        "correlation_by_country",
    ):
        outputs += [f"results/figures/{figure}.{ext}" for ext in ("png", "svg", "pdf")]
    if config.get("published"):
        outputs.append("results/reproduction.verdict")
    if config.get("bootstrap"):  # optional, off by default
        outputs.append("results/tables/bootstrap.csv")
    return outputs


# The rules whose outputs are the run's aggregate results: each takes results/run.json as
# an input, and the run_manifest job removes the previous run's before a new run starts.
AGGREGATE_RULES = (
    "comparability",
    "tables",
    "paper_figures",
    "cross_national_figure",
    "published_gate",
    "bootstrap",  # optional: its table is removed by any new run, asked for or not
)


def aggregate_outputs():
    """Every output of the aggregate rules (none has wildcards)."""
    return [
        str(path) for name in AGGREGATE_RULES for path in getattr(rules, name).output
    ]


def run_config():
    """The run's config as validated (defaults filled in): the run_manifest's parameter."""
    return run_state.plain(config)


def run_file_stamps():
    """Size and modification time of every file the run reads (release files, codebooks,
    the crosswalk, the published numbers): a changed file starts a new run."""
    paths = [f for w in WAVES for f in wave_files(config, w)]
    paths.extend(c for w in WAVES for c in _codebooks(w))
    paths.append(config["crosswalk"])
    if config["published"]:
        paths.append(config["published"])
    return {path: file_stamp(path) for path in paths}


def run_summary(success):
    """The last lines of a run: what was produced and the verdict, or where to look."""
    if not success:
        return (
            "abs-trust: the run FAILED. The failing job's log is named above (logs/...); "
            "results/reproduction.md lists every published check if the gate failed. "
            "A run on a changed config or changed files removed the previous run's results "
            f"first (results/run.json lists them). {RECOVERY}"
        )
    lines = ["", "abs-trust: outputs"]
    lines += [f"  {path}" for path in all_outputs() if Path(path).exists()]
    verdict = Path("results/reproduction.verdict")
    if verdict.exists():
        lines.append(
            f"Reproduction verdict: {verdict.read_text().strip()} (results/reproduction.md)"
        )
    elif not config["published"]:
        lines.append(
            "Reproduction verdict: NOT APPLICABLE: no published numbers are configured"
        )
    return "\n".join(lines)


RECOVERY = (
    "If the run was killed, `snakemake --unlock` releases the working directory and "
    "`snakemake --cores 2 --rerun-incomplete` (with the same `--configfile` arguments) "
    "reruns the jobs that were cut short."
)

# `make report` passes the last run's recorded config: the report must be of that run.
run_state.check_report_config(config, workflow.overwrite_configfiles, all_outputs())
