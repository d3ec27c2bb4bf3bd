"""The `wave` job: release file(s) -> harmonized respondents (data/interim/) -> its tables.

Ingest and analysis share the job so the libraries are imported once per wave; the parquet
is still written, for the figures and for anyone rerunning an analysis by hand.
"""

from __future__ import annotations

from abs_trust.harmonize.crosswalk import parse_crosswalk
from abs_trust.harmonize.ingest import ingest_wave, write_wave
from abs_trust.runner import log


def wave_job(input, output, params) -> str:
    """Ingest one wave and write its per-wave tables; return the log's summary line."""
    # The wave's entry comes in as a parameter (editing another wave reruns nothing here); it
    # was checked, with the whole crosswalk file, when the workflow was parsed.
    crosswalk = parse_crosswalk(params.crosswalk, "the crosswalk", schema_checked=True)
    spec = crosswalk.wave(params.wave)
    frame, meta = ingest_wave(
        list(input.files), spec, crosswalk, params.countries, encoding=params.encoding
    )
    write_wave(frame, meta, output.parquet, output.meta)
    for country, facts in meta["countries"].items():
        if facts["rows_repeating_an_id"]:
            log.warning("%s %s: %d row(s) repeat a respondent id, as the crosswalk declares for "
                        "this release (respondent_id.known_duplicates); kept as interviews",
                        country, params.wave, facts["rows_repeating_an_id"])  # fmt: skip
    # Imported only now: ingest forks a reader process, and a child forked before scipy and
    # statsmodels are loaded holds ~100 MB less (two wave jobs and their readers run at once).
    from abs_trust.stats.wave import analyse_wave

    tables = analyse_wave(
        frame, meta, params.pairs, params.controls, params.methods, params.models,
        ci_method=params.ci_method,
    )  # fmt: skip
    for name, table in tables.items():
        table.to_csv(output[name], index=False)

    coverage, corr = tables["coverage"], tables["correlations"]
    not_asked = coverage[~coverage["asked"] & (coverage["variable"] != "")]
    for row in not_asked.itertuples():
        log.warning("%s %s: %s (%s) %s", row.country, row.wave, row.institution, row.variable,
                    row.note)  # fmt: skip
    flagged = int((corr["note"].fillna("") != "").sum())
    counts = ", ".join(f"{c} {v['respondents']:,}" for c, v in meta["countries"].items())
    return (
        f"read {sum(s['rows'] for s in meta['sources']):,} rows from {len(meta['sources'])} "
        f"file(s); kept {counts}; {tables['trust']['institution'].nunique()} institutions -> "
        f"{len(tables['trust'])} share rows; {len(corr)} correlations ({flagged} flagged); "
        f"{len(tables['models'])} model terms; {len(not_asked)} items not asked"
    )
