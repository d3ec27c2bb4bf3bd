import pandas as pd

from abs_trust.tables import (
    TABLE4_INSTITUTIONS,
    Column,
    table4_frame,
    table4_latex,
    table4_markdown,
    table4_notes,
)

COLUMNS = [
    Column("W3", 2011, False, "exclude", "allweight", 3473),
    Column("W4", 2015, True, "exclude", "w", 4068),
]


def trust_rows():
    rows = [
        ("W3", False, "local_government", 80.27),
        ("W4", True, "local_government", 68.74),
        ("W4", False, "local_government", 50.0),  # other weighting: must not be used
        ("W3", False, "ngos", 61.4),
        ("W4", True, "ngos", 53.1),
    ]
    return pd.DataFrame(
        [{"country": "china", "wave": w, "weighted": wt, "nonresponse": "exclude",
          "institution": i, "pct_trust": p} for w, wt, i, p in rows]
    )  # fmt: skip


def test_change_from_unrounded_shares_and_not_asked_marked():
    table = table4_frame(trust_rows(), "china", COLUMNS, TABLE4_INSTITUTIONS)
    md = table4_markdown(table, table4_notes(COLUMNS, "mainland China", True), "Table 4")
    assert "| Local government | 80.3 | 68.7 | -11.5 |" in md  # not -11.6
    assert "| NGO | 61.4 | 53.1 | -8.3 |" in md
    assert "| Courts | — | — | — |" in md
    assert "weighted by `w`" in md and "2011: ABS W3, 3,473 respondents; unweighted" in md
    assert "SYNTHETIC FIXTURE" in md


def test_latex_is_booktabs_and_escaped():
    table = table4_frame(trust_rows(), "china", COLUMNS, TABLE4_INSTITUTIONS)
    tex = table4_latex(table, table4_notes(COLUMNS, "mainland China", False), "Table 4 (%)")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"Local government & 80.3 & 68.7 & -11.5 \\" in tex
    assert r"(\%)" in tex and "SYNTHETIC" not in tex
