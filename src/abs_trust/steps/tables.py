"""The `tables` job: every wave's tables -> the run's tables, Table 4, cross-national tables,
the reproduction report and the report summary. Aggregates in, aggregates out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from abs_trust.outputs.country_tables import country_texts
from abs_trust.outputs.report import summary_rst
from abs_trust.outputs.reproduction import checks_json, reproduction_texts
from abs_trust.outputs.table4 import headline_weighted, table4_texts
from abs_trust.outputs.wave_tables import WAVE_TABLES, read_correlations, stack
from abs_trust.runner import write_text_atomic
from abs_trust.stats.changes import changes_table


def tables_job(input, output, params) -> str:
    """Stack the waves' tables and write every table built from them; return the summary."""
    inp, out = input, output
    for name in WAVE_TABLES:
        stack(inp[name]).to_csv(out[name], index=False)
    # read back as the contract promises (e.g. an empty `controls` cell is "", not NaN)
    trust = pd.read_csv(out.trust)
    corr = read_correlations(out.correlations)
    metas = {m["wave"]: m for m in (json.loads(Path(p).read_text()) for p in inp.metas)}

    table4 = [metas[w] for w in params.table4_waves]
    md, tex, table4_summary = table4_texts(
        trust, table4, params.table4_country, params.table4_weighted, params.nonresponse
    )
    write_text_atomic(out.table4_md, md)
    write_text_atomic(out.table4_tex, tex)
    # the change between Table 4's first and last waves, with CI and p, every institution
    country = params.table4_country
    headline = {m["wave"]: headline_weighted(m, country, params.table4_weighted[m["wave"]])
                for m in table4}  # fmt: skip
    changes_table(trust, country, params.table4_waves, headline, params.nonresponse).to_csv(
        out.changes, index=False
    )

    md, tex, coverage_md, country_summary = country_texts(
        trust, pd.read_csv(out.coverage), list(metas.values()), params.weighted,
        params.nonresponse,
    )  # fmt: skip
    write_text_atomic(out.country_md, md)
    write_text_atomic(out.country_tex, tex)
    write_text_atomic(out.coverage_md, coverage_md)

    published = inp.get("published") or None
    checks, md, checks_summary = reproduction_texts(published, trust, corr, list(metas.values()))
    write_text_atomic(out.reproduction_json, checks_json(checks))
    write_text_atomic(out.reproduction_md, md)

    rst, verdict = summary_rst(list(metas.values()), checks if published else None)
    write_text_atomic(out.summary, rst)
    return (
        f"{len(metas)} waves -> {len(trust)} share rows, {len(corr)} correlations; "
        f"{table4_summary}; {country_summary}; reproduction: {checks_summary}; {verdict}"
    )
