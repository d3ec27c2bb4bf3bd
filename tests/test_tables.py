import pandas as pd

from abs_trust.outputs.markdown_latex import table4_latex, table4_markdown
from abs_trust.outputs.table4 import TABLE4_INSTITUTIONS, Column, table4_frame, table4_notes

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
    assert "| NGOs | 61.4 | 53.1 | -8.3 |" in md  # named as every other output names it
    assert "| Courts | — | — | — |" in md
    assert "weighted by `w`" in md and "2011: ABS W3, 3,473 respondents; unweighted" in md
    assert "SYNTHETIC FIXTURE" in md


def test_latex_is_booktabs_and_escaped():
    table = table4_frame(trust_rows(), "china", COLUMNS, TABLE4_INSTITUTIONS)
    tex = table4_latex(table, table4_notes(COLUMNS, "mainland China", False), "Table 4 (%)")
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"Local government & 80.3 & 68.7 & -11.5 \\" in tex
    assert r"(\%)" in tex and "SYNTHETIC" not in tex


def test_cross_national_tables_pick_the_headline_rows_and_mark_not_asked():
    from abs_trust.outputs.country_tables import coverage_wide, trust_by_country
    from abs_trust.outputs.markdown_latex import wide_markdown

    trust = pd.DataFrame(
        [
            {"country": "china", "wave": "W3", "year": 2011, "institution": "ngos",
             "weighted": False, "nonresponse": "exclude", "pct_trust": 61.44},
            {"country": "china", "wave": "W3", "year": 2011, "institution": "ngos",
             "weighted": True, "nonresponse": "exclude", "pct_trust": 10.0},
            {"country": "taiwan", "wave": "W3", "year": 2010, "institution": "courts",
             "weighted": False, "nonresponse": "exclude", "pct_trust": 40.05},
        ]
    )  # fmt: skip
    wide = trust_by_country(trust, {"W3": False}, "exclude")
    md = wide_markdown(wide, "T", ["n"])
    assert "| China | W3 | 2011 | — | 61.4 |" in md  # courts not asked in China
    assert "| Taiwan | W3 | 2010 | 40.1 | — |" in md
    coverage = pd.DataFrame(
        [
            {"country": "china", "wave": "W2", "year": 2008, "institution": "executive",
             "asked": False, "nonresponse_share": 1.0},
            {"country": "china", "wave": "W2", "year": 2008, "institution": "ngos",
             "asked": True, "nonresponse_share": 0.2346},
        ]
    )  # fmt: skip
    assert "| China | W2 | 2008 | — | 23.5 |" in wide_markdown(coverage_wide(coverage), "C", ["n"])


def test_strings_from_files_and_config_are_escaped_in_markdown_and_latex():
    from abs_trust.outputs.escape import Code

    hostile = "<script>x</script> | *a* _b_ [l](javascript:y) 50% & $\\ {} ~^\n.. raw:: html"
    table = table4_frame(trust_rows(), "china", COLUMNS, TABLE4_INSTITUTIONS)
    notes = [("weighted by ", Code(hostile)), hostile]
    md = table4_markdown(table, notes, hostile)
    assert md.startswith("**\\<script>x\\</script>")  # no HTML tag for a renderer
    assert md.count("<script>") == md.count("\\<script>") + 1  # + the literal code span
    assert "\\| \\*a\\* \\_b\\_ \\[l\\]" in md  # no cell break, emphasis or link
    assert "\n.. raw" not in md and "\\n.. raw" in md  # the newline shown, not taken
    assert "`<script>x</script> \\| *a*" in md  # a code span: literal but for the pipe
    tex = table4_latex(table, notes, hostile)
    assert r"50\% \& \$\textbackslash{} \{\} \textasciitilde{}\textasciicircum{}" in tex
    assert r"\textless{}script\textgreater{}" in tex and "\n.. raw" not in tex
