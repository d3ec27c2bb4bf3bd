"""The optional `bootstrap` job: harmonized waves -> results/tables/bootstrap.csv."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTIONS
from abs_trust.outputs.html_tables import csv_page
from abs_trust.runner import write_text_atomic
from abs_trust.stats.bootstrap import bootstrap_table
from abs_trust.stats.weights import withheld

DEFAULT_METHODS = ("pearson", "spearman")


def bootstrap_job(input, output, params) -> str:
    """Bootstrap every wave's shares and correlations; return the summary line."""
    settings = params.bootstrap
    reps, seed = int(settings["replicates"]), int(settings["seed"])
    methods = settings.get("methods", DEFAULT_METHODS)
    parts, synthetic = [], False
    for parquet, sidecar in zip(input.parquets, input.metas, strict=True):
        # as abs_trust.harmonize.ingest.read_wave, without importing the release readers
        frame = pd.read_parquet(parquet)
        meta = json.loads(Path(sidecar).read_text(encoding="utf-8"))
        countries = meta["countries"]
        synthetic = synthetic or meta["synthetic"]
        parts.append(
            bootstrap_table(
                frame,
                INSTITUTIONS,
                meta["scale"]["trusting_levels"],
                params.pairs,
                params.controls,
                methods,
                years={c: v["year"] for c, v in countries.items()},
                weighted={c for c, v in countries.items() if v.get("weight_varies", True)},
                reps=reps,
                seed=seed,
            )
        )
    table = pd.concat(parts, ignore_index=True)
    trust = pd.concat([pd.read_csv(p) for p in input.trust], ignore_index=True)
    # as written: an empty `controls` is "" (bivariate), as in the bootstrap table
    corr = pd.concat([pd.read_csv(p, keep_default_na=False) for p in input.correlations],
                     ignore_index=True)  # fmt: skip
    table = withhold_as_the_tables(table, trust, corr)
    table.to_csv(output.table, index=False)
    # the report's view of it, as of every other table
    csv = Path(output.table)
    lead = (
        f"Percentile bootstrap: {reps:,} replicates (seed {seed}); respondents resampled with "
        "their weights, or PSUs within strata (Rao-Wu) where the release names a design. One "
        "row per estimate: the estimate, its bootstrap SE and 95 % percentile interval."
    )
    page = csv_page("Bootstrap intervals of the shares and correlations",
                    csv.read_text(encoding="utf-8"), [lead], csv.name, synthetic)  # fmt: skip
    write_text_atomic(output.html, page)
    return f"{len(table)} bootstrap intervals, {reps} replicates each, seed {seed}"


def _key(quantity, country, wave, item, method, controls, weighted, nonresponse) -> tuple:
    """What identifies an estimate in both the bootstrap table and the run's own tables."""
    if quantity == "share":
        return ("share", country, wave, item, bool(weighted), nonresponse)
    return ("r", country, wave, item, method, controls, bool(weighted))


def withhold_as_the_tables(boot: pd.DataFrame, trust: pd.DataFrame, corr: pd.DataFrame):
    """``boot`` with a ``note`` column, and every estimate that the run's own tables withheld
    (fewer respondents than ``min_cell_size``, unusable weights: `abs_trust.stats.weights`)
    withheld here too, with the same note: no interval of a number the tables do not show."""
    notes = {}
    for r in trust[trust["note"].map(withheld)].itertuples():
        key = _key("share", r.country, r.wave, r.institution, "", "", r.weighted, r.nonresponse)
        notes[key] = r.note
    for r in corr[corr["note"].map(withheld)].itertuples():
        key = _key("r", r.country, r.wave, f"{r.x}|{r.y}", r.method, r.controls, r.weighted, "")
        notes[key] = r.note
    columns = ["quantity", "country", "wave", "item", "method", "controls", "weighted",
               "nonresponse"]  # fmt: skip
    found = [notes.get(_key(*row), "") for row in boot[columns].itertuples(index=False)]
    out = boot.assign(note=found)
    out.loc[out["note"].ne(""), ["estimate", "boot_se", "ci_low", "ci_high"]] = float("nan")
    return out
