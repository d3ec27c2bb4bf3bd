from snakemake.utils import min_version, validate

# Only light modules here (no pandas): the workflow is parsed on every run, dry runs included.
from abs_trust.config import (
    check_figure_waves,
    codebook_candidates,
    read_yaml,
    wave_files,
    weighted_headline,
)
from abs_trust.harmonize.crosswalk import parse_crosswalk, wave_entry

min_version("9.0")


configfile: "config/config.yaml"


# Defaults are filled in; an unknown or mistyped key stops the run before any job starts.
validate(config, "../schemas/config.schema.yaml")

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
        "results/tables/harmonization.csv",
        "results/tables/invariance.csv",
        "results/tables/comparability.csv",
        "results/tables/scale_changes.csv",
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
        outputs.append("results/reproduction.verdict")
    return outputs


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
    verdict = Path("results/reproduction.verdict")
    if verdict.exists():
        lines.append(
            f"Reproduction verdict: {verdict.read_text().strip()} (results/reproduction.md)"
        )
    return "\n".join(lines)
