from snakemake.utils import min_version, validate

from abs_trust.config import wave_files, weighted_headline
from abs_trust.crosswalk import load_crosswalk

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "../schemas/config.schema.yaml")

# The crosswalk is validated (JSON Schema + cross-field rules) when the workflow is parsed,
# so a typo fails before any job starts.
CROSSWALK = load_crosswalk(config["crosswalk"])
WAVES = list(config["waves"])
for _wave in WAVES:
    CROSSWALK.wave(_wave)
if config["countries"] != "all":
    for _country in config["countries"]:
        CROSSWALK.country_code(_country)
TABLE4_WAVES = config["table4"].get("waves", WAVES)
FIGURE1_WAVES = config["figure1"].get("waves", WAVES)


wildcard_constraints:
    wave="|".join(WAVES),


def input_files(wildcards):
    return wave_files(config, wildcards.wave)


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
        "results/figures/local_government_vs_ngo.png",
        "results/figures/local_government_vs_ngo.svg",
        "results/figures/institution_trust.png",
        "results/figures/institution_trust.svg",
    ]
    if config.get("published"):
        outputs += [
            "results/reproduction.json",
            "results/reproduction.md",
            "results/reproduction.passed",
        ]
    return outputs
