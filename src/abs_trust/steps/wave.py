"""The `wave` job: release file(s) -> harmonized respondents (data/interim/) -> its tables.

Ingest and analysis share the job so the libraries are imported once per wave; the parquet
is still written, for the figures and for anyone rerunning an analysis by hand.
"""

from __future__ import annotations

from abs_trust.harmonize.crosswalk import INSTITUTIONS, parse_crosswalk
from abs_trust.harmonize.ingest import ingest_wave, write_wave
from abs_trust.runner import log

NOT_IN_FILE = "country not in this wave's file"


def wave_job(input, output, params) -> str:
    """Ingest one wave and write its per-wave tables; return the log's summary line."""
    # The wave's entry comes in as a parameter (its JSON Schema was checked with the whole
    # crosswalk when the workflow was parsed); the crosswalk's path is no parameter, so that
    # the same entry in another crosswalk file (one that adds a wave) reruns nothing.
    crosswalk = parse_crosswalk(params.crosswalk, "the crosswalk", schema_checked=True)
    spec = crosswalk.wave(params.wave)
    read = []
    # every file from the parameter: a path Snakemake cannot take as an input (with {x} or
    # <x> in it) is not among input.files
    frame, meta = ingest_wave(
        list(params.files), spec, crosswalk, params.countries, encoding=params.encoding,
        on_releases=read.extend,
    )  # fmt: skip
    if getattr(output, "harmonization", None):
        from abs_trust.harmonize.provenance import provenance_table

        provenance = provenance_table(read, spec, crosswalk, params.countries)
        provenance.to_csv(output.harmonization, index=False)
    write_wave(frame, meta, output.parquet, output.meta)
    for warning in meta["label_warnings"]:
        log.warning("%s", warning)
    for country in meta["countries_absent"]:
        log.warning("%s %s: no respondents in this wave's file(s); skipped here (coverage "
                    "says so)", country, params.wave)  # fmt: skip
    for country, facts in meta["countries"].items():
        if facts["rows_repeating_an_id"]:
            log.warning("%s %s: %d row(s) repeat a respondent id, as the crosswalk declares for "
                        "this release (respondent_id.known_duplicates); kept as interviews",
                        country, params.wave, facts["rows_repeating_an_id"])  # fmt: skip
    # Imported only now: ingest forks a reader process, and a child forked before scipy and
    # statsmodels are loaded holds much less memory (two wave jobs and their readers run at once).
    import pandas as pd

    from abs_trust.stats.wave import analyse_wave
    from abs_trust.stats.weights import EstimateRules, weight_quality

    rules = EstimateRules.from_config(params.rules)
    tables = analyse_wave(
        frame, meta, params.pairs, params.controls, params.methods, params.models, rules,
        ci_method=params.ci_method,
    )  # fmt: skip
    tables["weights"] = weight_quality(frame, meta, rules)
    if meta["countries_absent"]:
        absent = pd.DataFrame(
            [
                {"country": country, "wave": params.wave, "institution": institution,
                 "variable": spec.items.get(institution, ""), "asked": False, "n_valid": 0,
                 "n_nonresponse": 0, "note": NOT_IN_FILE}
                for country in meta["countries_absent"]
                for institution in INSTITUTIONS
            ]
        )  # fmt: skip
        tables["coverage"] = pd.concat([tables["coverage"], absent], ignore_index=True)
    for name, table in tables.items():
        table.to_csv(output[name], index=False)

    coverage, corr = tables["coverage"], tables["correlations"]
    not_asked = coverage[
        ~coverage["asked"].astype(bool)
        & (coverage["variable"] != "")
        & (coverage["note"] != NOT_IN_FILE)
    ]
    for row in not_asked.itertuples():
        log.warning("%s %s: %s (%s) %s", row.country, row.wave, row.institution, row.variable,
                    row.note)  # fmt: skip
    unusable = tables["weights"][~tables["weights"]["usable"]]
    for row in unusable.itertuples():
        log.warning("%s %s: weight %s %s", row.country, row.wave, row.weight_variable, row.note)
    flagged = int((corr["note"].fillna("") != "").sum())
    withheld = int(tables["trust"]["note"].fillna("").ne("").sum())
    counts = ", ".join(f"{c} {v['respondents']:,}" for c, v in meta["countries"].items())
    return (
        f"read {sum(s['rows'] for s in meta['sources']):,} rows from {len(meta['sources'])} "
        f"file(s); kept {counts or 'no configured country'}; "
        f"{tables['trust']['institution'].nunique()} institutions -> "
        f"{len(tables['trust'])} share rows ({withheld} not shown: small cells or unusable "
        f"weights); {len(corr)} correlations ({flagged} flagged); "
        f"{len(tables['models'])} model terms; {len(not_asked)} items not asked"
    )
