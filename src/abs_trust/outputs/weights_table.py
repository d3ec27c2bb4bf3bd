"""The weights' quality per country × wave as a Markdown table (results/tables/weights.md).

The numbers come from `abs_trust.stats.weights.weight_quality` (results/tables/weights.csv);
this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from abs_trust.outputs import escape
from abs_trust.outputs.labels import country_heading


def _number(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if abs(value) >= 1e7:  # a degenerate weight (1e300) in plain digits would fill the page
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def weights_markdown(weights: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    """One row per country × wave: the weight, its checks, Kish's design effect and n_eff."""
    header = [
        "Country", "Wave", "Weight", "n", "missing", "zero", "constant", "mean",
        "max / median", "largest share (%)", "Kish deff", "effective n", "usable", "note",
    ]  # fmt: skip
    lines = ["**Survey weights: quality per country and wave**", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|---|---|" + "---:|" * 9 + "---|---|")
    for row in weights.itertuples():
        share = row.max_weight_share * 100 if pd.notna(row.max_weight_share) else np.nan
        cells = [
            escape.markdown(country_heading(str(row.country))), escape.markdown(row.wave),
            escape.markdown_code(row.weight_variable)
            if isinstance(row.weight_variable, str)
            else "—",
            f"{row.n:,}", f"{row.n_missing:,}", f"{row.n_zero:,}",
            "yes" if row.constant else "no", _number(row.mean, 3),
            _number(row.max_median_ratio), _number(share), _number(row.deff_kish),
            _number(row.n_effective, 1), "yes" if row.usable else "**no**",
            escape.markdown(row.note) if isinstance(row.note, str) else "",
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    base = [
        "Kish design effect deff = n Σw² / (Σw)², effective n = (Σw)² / Σw² (Kish 1965, "
        "§11.7). A weighted estimate is refused, with a note, when the weights of its own "
        "respondents give an effective n below min_effective_n or one respondent more than "
        "max_weight_share of the weight; a partly missing or negative weight stops ingest."
    ]
    # notes carry paths and config values: escaped (`abs_trust.outputs.escape`)
    lines += [
        ("*Note.* " if i == 0 else "") + escape.note_markdown(n) + "  "
        for i, n in enumerate([*base, *notes])
    ]
    return "\n".join(lines) + "\n"
