"""The run-level outputs built from every wave's tables (abs_trust.outputs)."""

from __future__ import annotations

import pandas as pd

from abs_trust.outputs.country_tables import country_texts
from abs_trust.outputs.report import summary_rst
from abs_trust.outputs.reproduction_page import reproduction_texts
from abs_trust.outputs.table4 import table4_texts
from abs_trust.outputs.wave_tables import stack


def meta(wave, year, *, weight="w", varies=True, missing=False, synthetic=False, comparable=None):
    china = {"year": year, "respondents": 1000, "weight_varies": varies, "weight_missing": missing}
    return {
        "wave": wave,
        "weight_variable": weight,
        "synthetic": synthetic,
        "scale": {"name": "trust4", "comparable": comparable},
        "countries": {"china": china},
        "sources": [{"path": f"{wave}.sav", "sha256": "ab" * 32, "rows": 1000}],
    }


def trust_rows():
    rows = []
    for wave, year, share in (("W3", 2011, 80.27), ("W4", 2015, 68.74)):
        for weighted in (False, True):
            rows.append(
                {"country": "china", "wave": wave, "year": year, "institution": "local_government",
                 "weighted": weighted, "nonresponse": "exclude",
                 "pct_trust": share + (1.0 if weighted else 0.0)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_stack_skips_empty_wave_files(tmp_path):
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "b.csv").write_text("")  # a wave with nothing to model
    (tmp_path / "c.csv").write_text("x,y\n3,4\n")
    got = stack([str(tmp_path / n) for n in ("a.csv", "b.csv", "c.csv")])
    assert got.to_dict("list") == {"x": [1, 3], "y": [2, 4]}
    assert stack([str(tmp_path / "b.csv")]).empty


def test_table4_uses_each_waves_convention_and_the_unrounded_change():
    md, tex, html, summary = table4_texts(
        trust_rows(), [meta("W3", 2011), meta("W4", 2015)], "china", {"W3": False, "W4": True},
        "exclude",
    )  # fmt: skip
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    # W3 unweighted 80.27, W4 weighted 69.74: change -10.53 -> -10.5 (not 69.7 - 80.3 = -10.6)
    assert [c.strip() for c in line.strip("|").split("|")] == [
        "Local government", "80.3", "69.7", "-10.5",
    ]  # fmt: skip
    assert "mainland China" in md and r"\toprule" in tex
    assert summary == "Table 4: 10 institutions x 2 years"
    # the report's HTML view: the same row, the numbers sortable by their unrounded values
    assert "<td>Local government</td>" in html
    assert '<td class="num" data-v="80.27">80.3</td>' in html
    assert '<td class="num" data-v="69.74">69.7</td>' in html


def test_constant_weight_is_no_weight_in_table4():
    md, _, _, _ = table4_texts(
        trust_rows(), [meta("W3", 2011), meta("W4", 2015, varies=False)], "china",
        {"W3": False, "W4": True}, "exclude",
    )  # fmt: skip
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    assert "68.7" in line  # the unweighted W4 share
    assert "w does not vary in this country" in md


def test_weights_missing_in_the_release_are_said_so():
    missing = meta("W4", 2015, varies=False, missing=True)
    md, _, _, _ = table4_texts(
        trust_rows(), [meta("W3", 2011), missing], "china", {"W3": False, "W4": True}, "exclude"
    )
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    assert "68.7" in line  # unweighted, as for a constant weight
    assert "w is missing for this country in the release" in md and "does not vary" not in md
    coverage = pd.DataFrame(
        {"country": ["china"], "wave": ["W4"], "institution": ["ngos"], "asked": [True],
         "nonresponse_share": [0.04], "variable": ["q19"], "year": [2015]}
    )  # fmt: skip
    trust = trust_rows().query("wave == 'W4'")
    country_md = country_texts(trust, coverage, [missing], {"W4": True}, "exclude")[0]
    assert "W4 weighted by w (missing in the release, so unweighted, in china)" in country_md
    assert "constant, so unweighted" not in country_md


def test_country_notes_name_weighting_comparability_and_synthetic():
    coverage = pd.DataFrame(
        {"country": ["china"], "wave": ["W5"], "institution": ["ngos"], "asked": [True],
         "nonresponse_share": [0.04], "variable": ["q53"], "year": [2019]}
    )  # fmt: skip
    metas = [meta("W5", 2019, synthetic=True, comparable="six points; not comparable")]
    trust = trust_rows().assign(wave="W5", year=2019).drop_duplicates(["weighted"])
    md, tex, coverage_md, html, coverage_html, _ = country_texts(
        trust, coverage, metas, {"W5": True}, "exclude"
    )
    assert "W5: six points; not comparable" in html and "Synthetic fixture" in html
    assert "<td>4.0</td>" in coverage_html
    assert "W5 weighted by w" in md and "W5: six points; not comparable" in md
    assert "SYNTHETIC FIXTURE" in md and "SYNTHETIC FIXTURE" in tex
    assert "Trust items asked" in coverage_md and "4.0" in coverage_md


def test_no_published_numbers_is_said_not_applicable():
    result = reproduction_texts(None, trust_rows(), pd.DataFrame(), [meta("W3", 2011)])
    assert result.checks is None
    assert result.verdict == (
        "NOT APPLICABLE: no published numbers are configured (`published:` is empty)"
    )
    assert "**Verdict: NOT APPLICABLE**" in result.markdown
    assert "nothing was checked" in result.markdown
    rst = summary_rst([meta("W3", 2011)], result.verdict)
    assert "**NOT APPLICABLE**: no published numbers are configured" in rst
    assert "Synthetic fixture" not in rst and ":literal:`W3.sav`" in rst


def test_summary_states_the_verdict_line_it_is_given():
    line = "FAIL: 1 of 2 published checks not reproduced (c)"
    rst = summary_rst([meta("W3", 2011, synthetic=True)], line)
    assert rst.startswith(".. warning::")
    assert "**FAIL**: 1 of 2 published checks not reproduced (c)." in rst


def test_summary_of_a_wave_read_from_several_files_counts_each_country_once():
    wave = meta("W6", 2022)
    wave["countries"] = {
        "china": {"year": 2021, "respondents": 1000},
        "taiwan": {"year": 2022, "respondents": 800},
    }
    wave["sources"] = [
        {"path": "W6_china.sav", "sha256": "ab" * 32, "rows": 1000},
        {"path": "W6_taiwan.sav", "sha256": "cd" * 32, "rows": 800},
    ]
    rst = summary_rst([wave], "NOT APPLICABLE: x")
    data = rst[rst.index("Data\n") :]
    assert data.count("mainland China 1,000 (2021)") == 1
    assert data.count("Taiwan 800 (2022)") == 1
    assert "- **W6**: mainland China 1,000 (2021), Taiwan 800 (2022); 2 files:" in data
    assert "  - :literal:`W6\\_china.sav` (1,000 rows" in data
    assert "  - :literal:`W6\\_taiwan.sav` (800 rows" in data
    assert "This run analysed ABS wave W6 (2021–2022): 2 countries" in rst


def with_ses(rows: pd.DataFrame, se: float = 1.0, df: int = 999) -> pd.DataFrame:
    return rows.assign(se=se, df=df)


def test_table4_carries_the_change_ci_the_mark_and_the_consistent_convention():
    md, tex, _, _ = table4_texts(
        with_ses(trust_rows()), [meta("W3", 2011), meta("W4", 2015)], "china",
        {"W3": False, "W4": True}, "exclude",
    )  # fmt: skip
    header = next(row for row in md.splitlines() if row.startswith("| Institution"))
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "Institution", "2011", "2015", "Change", "95 % CI", "Change, both weighted",
        "95 % CI, both weighted",
    ]  # fmt: skip
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    # SE sqrt(2), df 1998 (Satterthwaite of two equal variances): t 1.9612, half 2.774
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1:4] == ["80.3", "69.7", "-10.5"]  # the printed numbers, unmarked
    assert cells[4] == "[-13.3, -7.8]"
    assert cells[5:] == ["-11.5", "[-14.3, -8.8]"]  # both weighted: 81.27 -> 69.74
    assert "the 95 % CI includes 0" in md and "weights only; clustering not accounted for" in md
    assert "`w` (2011) and `w` (2015)" in md
    assert r"95 \% CI" in tex and r"\begin{tabular}{lrrrrrr}" in tex


def test_table4_shows_no_second_both_weighted_change_when_the_printed_one_is():
    md, tex, html, _ = table4_texts(
        with_ses(trust_rows()), [meta("W3", 2011), meta("W4", 2015)], "china",
        {"W3": True, "W4": True}, "exclude",
    )  # fmt: skip
    header = next(row for row in md.splitlines() if row.startswith("| Institution"))
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "Institution", "2011", "2015", "Change", "95 % CI"
    ]  # fmt: skip
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    assert [c.strip() for c in line.strip("|").split("|")][3] == "-11.5"  # 81.27 -> 69.74
    assert "both weighted" not in md + tex + html


def test_table4_marks_a_change_whose_ci_includes_zero():
    rows = trust_rows()
    rows["pct_trust"] = rows["pct_trust"].where(rows["wave"] == "W3", rows["pct_trust"] + 9.5)
    md, tex, _, _ = table4_texts(
        with_ses(rows), [meta("W3", 2011), meta("W4", 2015)], "china",
        {"W3": False, "W4": True}, "exclude",
    )  # fmt: skip
    line = next(row for row in md.splitlines() if row.startswith("| Local government"))
    assert "| -1.0† | [-3.8, 1.7] |" in line
    assert r"-1.0$^{\dagger}$" in tex and "†" not in tex
