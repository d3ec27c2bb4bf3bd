"""Tests of the synthetic fixture (data/fixture/*.sav) and its generator.

The expected numbers are the published ones (Farid & Song 2020, Table 4 and note 24), written
out literally here, and every quantity is recomputed with plain pandas / numpy / statsmodels,
never with the generator's own helpers: a fixture that drifts from the paper fails here.
"""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import statsmodels.api as sm
from scipy import stats

from abs_trust.tools import fixture

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURE_DIR = ROOT / "data" / "fixture"
FILES = {"W3": "W3_china_synthetic.sav", "W4": "W4_china_synthetic.sav"}
WEIGHT = {"W3": "allweight", "W4": "w"}

# Farid & Song (2020), Table 4: item -> (2011 %, 2015 %, change as printed).
TABLE4 = {
    "q8": (85.5, 84.2, -1.3),  # courts
    "q9": (95.9, 94.7, -1.2),  # national government
    "q11": (95.7, 92.6, -3.1),  # parliament
    "q12": (69.4, 63.6, -5.8),  # civil service
    "q13": (96.4, 95.8, -0.6),  # military
    "q14": (84.6, 82.4, -2.2),  # police
    "q15": (80.3, 68.7, -11.5),  # local government
    "q16": (75.2, 69.2, -6.0),  # newspapers
    "q17": (80.3, 76.5, -3.8),  # television
    "q19": (61.4, 53.1, -8.3),  # NGOs
}
SAFETY = 0.04  # |unrounded - printed| allowed, inside the 0.05 rounding band


def table_round(x: float) -> float:
    """Round half away from zero to one decimal, as a printed table does."""
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def read(directory: pathlib.Path, wave: str) -> tuple[pd.DataFrame, object]:
    return pyreadstat.read_sav(directory / FILES[wave], user_missing=True)


@pytest.fixture(scope="module")
def committed() -> dict[str, pd.DataFrame]:
    return {wave: read(FIXTURE_DIR, wave)[0] for wave in FILES}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("fixture")
    paths = fixture.generate(out)
    assert sorted(p.name for p in paths) == sorted(FILES.values())
    return out


def share_trusting(codes: pd.Series, weight: pd.Series) -> float:
    valid = codes.isin([1, 2, 3, 4])
    return 100 * weight[valid & (codes <= 2)].sum() / weight[valid].sum()


def shares(frames: dict[str, pd.DataFrame], item: str) -> tuple[float, float]:
    w3, w4 = frames["W3"], frames["W4"]
    return (
        share_trusting(w3[item], pd.Series(1.0, index=w3.index)),  # 2011: unweighted
        share_trusting(w4[item], w4["w"]),  # 2015: weighted by w
    )


# ---------------------------------------------------------------- committed == regenerated


@pytest.mark.parametrize("wave", ["W3", "W4"])
def test_committed_file_is_what_the_generator_writes(regenerated, wave):
    new, new_meta = read(regenerated, wave)
    old, old_meta = read(FIXTURE_DIR, wave)
    # Codes must match exactly; the weights (np.exp of normal draws) may differ in the last
    # bit between CPUs, whose SIMD exp kernels round differently (seen: 2e-16 relative).
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-14, atol=0)
    for attr in (
        "column_names",
        "column_names_to_labels",
        "variable_value_labels",
        "missing_ranges",
        "original_variable_types",
        "readstat_variable_types",
        "variable_measure",
        "file_label",
        "notes",
    ):
        assert getattr(new_meta, attr) == getattr(old_meta, attr), attr


def test_another_seed_gives_other_data(tmp_path, committed):
    fixture.generate(tmp_path, seed=1)
    other, _ = read(tmp_path, "W4")
    assert not other["q15"].equals(committed["W4"]["q15"])


# ---------------------------------------------------------------- layout


def test_row_counts_and_columns(committed):
    assert len(committed["W3"]) == 3473
    assert len(committed["W4"]) == 4068
    trust = [f"q{i}" for i in range(7, 20)]
    assert list(committed["W3"].columns) == [
        "country", "idnumber", "level3", *trust, "se2", "se3a", "se5", "se9", "se13", "ir9",
        "allweight", "couweight",
    ]  # fmt: skip
    assert list(committed["W4"].columns) == [
        "country", "year", "month", "idnumber", "level", *trust, "se2", "se3_1", "se3_2", "se5",
        "se9", "se14", "w", "w_cross",
    ]  # fmt: skip


@pytest.mark.parametrize("wave", ["W3", "W4"])
def test_china_only_unique_ids(committed, wave):
    frame = committed[wave]
    assert set(frame["country"]) == {4}
    assert frame["idnumber"].is_unique


def test_value_labels_as_in_real_releases():
    _, m3 = read(FIXTURE_DIR, "W3")
    _, m4 = read(FIXTURE_DIR, "W4")
    assert m3.variable_value_labels["q15"][1] == "A great deal of trust"
    assert m3.variable_value_labels["q15"][4] == "None at all"
    assert m3.variable_value_labels["country"][4] == "Mainland China"
    assert m3.variable_value_labels["level3"] == {-1: "Missing", 1: "urban", 2: "rural"}
    assert m4.variable_value_labels["q19"][-1] == "Mssing"
    assert m4.variable_value_labels["q19"][3] == "Not very much trust"
    assert m4.variable_value_labels["level"] == {-1: "Missing", 1: "Rural", 2: "Urban"}
    assert m4.variable_value_labels["country"][14] == "Myanmar"
    assert (
        m3.column_names_to_labels["q19"] == "q19. Non-governmental organizations or NGOs <Optional>"
    )
    assert m3.column_names_to_labels["se9"].startswith("SE9. Are you currently employed")
    for meta in (m3, m4):
        assert meta.file_label.startswith("SYNTHETIC FIXTURE")
        assert "not ABS data" in meta.file_label
        assert any("NOT Asian Barometer Survey data" in note for note in meta.notes)


def test_interview_dates(committed):
    dates = committed["W3"]["ir9"]
    assert all(isinstance(d, dt.date) for d in dates)
    assert {d.year for d in dates} == {2011}
    _, m3 = read(FIXTURE_DIR, "W3")
    assert m3.original_variable_types["ir9"].startswith("DATE")
    years = committed["W4"]["year"].value_counts(normalize=True)
    assert set(years.index) == {2014, 2015, 2016}
    assert years[2015] > 0.75


def test_demographics_plausible(committed):
    for wave, age, income in (("W3", "se3a", "se13"), ("W4", "se3_2", "se14")):
        frame = committed[wave]
        ages = frame.loc[frame[age] != -1, age]
        assert ages.between(18, 85).all()
        assert 0.45 < (frame["se2"] == 2).mean() < 0.55
        assert set(frame["se5"]) - set(range(1, 11)) <= {-1, 11, 97, 98, 99}
        quintiles = frame.loc[frame[income].between(1, 5), income].value_counts(normalize=True)
        assert quintiles.between(0.15, 0.25).all()
        assert set(frame[income]) - {1, 2, 3, 4, 5} == {-1, 8, 9}
    assert 0.5 < (committed["W3"]["level3"] == 2).mean() < 0.6  # W3: 2 = rural
    assert 0.5 < (committed["W4"]["level"] == 1).mean() < 0.6  # W4: 1 = rural


# ---------------------------------------------------------------- missing values and weights


def test_w3_declares_user_missing_and_w4_does_not():
    _, m3 = read(FIXTURE_DIR, "W3")
    _, m4 = read(FIXTURE_DIR, "W4")
    for item in (f"q{i}" for i in range(7, 20)):
        declared = m3.missing_ranges[item]
        assert {"lo": 7.0, "hi": 9.0} in declared
        assert {"lo": -1.0, "hi": -1.0} in declared
    assert not m4.missing_ranges
    # A default read turns W3's declared codes into NaN: ingest must ask for the codes.
    plain, _ = pyreadstat.read_sav(FIXTURE_DIR / FILES["W3"], usecols=["q19"])
    assert plain["q19"].isna().sum() > 0


@pytest.mark.parametrize("wave", ["W3", "W4"])
def test_ngo_nonresponse_exceeds_national_government(committed, wave):
    frame = committed[wave]
    nonresponse = frame[["q9", "q19"]].isin([-1, 7, 8, 9]).mean()
    assert nonresponse["q19"] > nonresponse["q9"]
    assert 0.03 < nonresponse["q9"] < 0.11


@pytest.mark.parametrize("wave", ["W3", "W4"])
def test_weights_vary_with_mean_one(committed, wave):
    weight = committed[wave][WEIGHT[wave]]
    assert weight.std() > 0.2
    assert weight.mean() == pytest.approx(1.0, abs=1e-9)
    assert (weight > 0).all()


# ---------------------------------------------------------------- Table 4


@pytest.mark.parametrize("item", sorted(TABLE4))
def test_shares_and_changes_reproduce_table4(committed, item):
    p2011, p2015, p_change = TABLE4[item]
    s2011, s2015 = shares(committed, item)
    change = s2015 - s2011
    assert table_round(s2011) == p2011
    assert table_round(s2015) == p2015
    assert table_round(change) == p_change
    assert abs(s2011 - p2011) <= SAFETY
    assert abs(s2015 - p2015) <= SAFETY
    assert abs(change - p_change) <= SAFETY


# ---------------------------------------------------------------- note 24


def pair_frame(frame: pd.DataFrame) -> pd.DataFrame:
    valid = frame["q15"].isin([1, 2, 3, 4]) & frame["q19"].isin([1, 2, 3, 4])
    return frame[valid]


def test_w4_weighted_correlation_rounds_to_0293(committed):
    data = pair_frame(committed["W4"])
    r = np.corrcoef(data["q15"], data["q19"])[0, 1]  # unweighted, for comparison
    cov = np.cov(data["q15"], data["q19"], aweights=data["w"])
    r_w = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert round(r_w, 3) == 0.293
    assert abs(r_w - 0.293) <= 0.0003
    assert abs(r - r_w) < 0.02


def test_w4_weighted_partial_correlation_close_to_bivariate(committed):
    frame = pair_frame(committed["W4"])
    frame = frame[
        (frame["se3_2"] >= 18)
        & frame["se2"].isin([1, 2])
        & frame["se5"].between(1, 10)
        & frame["se14"].between(1, 5)
    ]
    controls = sm.add_constant(
        pd.DataFrame(
            {
                "age": frame["se3_2"],
                "female": (frame["se2"] == 2).astype(float),
                "education": frame["se5"],
                "income": frame["se14"],
            }
        )
    )
    res_x = sm.WLS(frame["q15"], controls, weights=frame["w"]).fit().resid
    res_y = sm.WLS(frame["q19"], controls, weights=frame["w"]).fit().resid
    cov = np.cov(res_x, res_y, aweights=frame["w"])
    partial = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    full = pair_frame(committed["W4"])
    cov_xy = np.cov(full["q15"], full["q19"], aweights=full["w"])
    r_w = cov_xy[0, 1] / np.sqrt(cov_xy[0, 0] * cov_xy[1, 1])
    assert abs(partial - r_w) <= 0.01
    assert partial != pytest.approx(r_w, abs=5e-4)  # controls matter a little, not zero
    dof = len(frame) - 2 - 4
    t = partial * np.sqrt(dof / (1 - partial**2))
    assert 2 * stats.t.sf(t, dof) < 0.001


def test_w3_correlation_positive_and_plausible(committed):
    data = pair_frame(committed["W3"])
    r = np.corrcoef(data["q15"], data["q19"])[0, 1]
    assert 0.3 <= r <= 0.4


# ---------------------------------------------------------------- generator hygiene


def test_generator_rejects_a_tampered_file(regenerated, tmp_path):
    frame, meta = read(regenerated, "W4")
    for name in FILES.values():
        (tmp_path / name).write_bytes((regenerated / name).read_bytes())
    flip = frame.index[frame["q15"] == 3][:5]
    frame.loc[flip, "q15"] = 2  # five more local-government trusters: 2015 share moves
    pyreadstat.write_sav(frame, tmp_path / FILES["W4"])
    with pytest.raises(fixture.FixtureError, match="q15 2015"):
        fixture.verify(tmp_path)


def test_fixture_directory_small():
    total = sum(p.stat().st_size for p in FIXTURE_DIR.iterdir() if p.is_file())
    assert total < 2 * 1024 * 1024


def test_generator_independent_of_analysis_modules():
    # The generator is a package: read all its modules. They import each other relatively
    # (level 1); an import reaching above the package would slip past the name check.
    sources = sorted(pathlib.Path(fixture.__file__).parent.glob("*.py"))
    imported = set()
    for node in (n for s in sources for n in ast.walk(ast.parse(s.read_text()))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level <= 1, node.module
            module = node.module or ""
            imported.add(module)
            imported |= {f"{module}.{alias.name}" for alias in node.names}
    assert not any(name.startswith("abs_trust") for name in imported), imported
    assert not {"trust", "correlation", "harmonize"} & {n.split(".")[-1] for n in imported}
