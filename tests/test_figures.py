"""Tests for the figures: hand-computed tables, figure structure, reproducible saving."""

from __future__ import annotations

import re
import warnings

import matplotlib as mpl
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from PIL import Image

from abs_trust.errors import DataError
from abs_trust.outputs.figures.correlation_by_country import figure_correlation_by_country
from abs_trust.outputs.figures.institution_trust import figure_institution_trust
from abs_trust.outputs.figures.local_vs_ngo import figure_local_vs_ngo
from abs_trust.outputs.figures.local_vs_ngo_data import conditional_means, joint_distribution
from abs_trust.outputs.figures.style import INSTITUTION_LABELS, SYNTHETIC_FOOTER, save_figure

LABELS = ["None at all", "Not very much", "Quite a lot", "A great deal"]
X, Y = "trust_local_government", "trust_ngos"

# (local government, NGOs, respondents, weight of each): 10 valid pairs, total weight 20,
# plus two nonrespondents with a huge weight that must not count anywhere.
CELLS = [
    (1, 1, 2, 1.0),
    (1, 2, 2, 3.0),
    (2, 2, 4, 0.5),
    (4, 3, 1, 6.0),
    (4, 4, 1, 4.0),
    (None, 1, 1, 100.0),
    (2, None, 1, 100.0),
]


def crafted_frame() -> pd.DataFrame:
    rows = [(x, y, w) for x, y, count, w in CELLS for _ in range(count)]
    return pd.DataFrame(
        {
            "wave": "W4",
            "year": 2015,
            "country": "china",
            "respondent_id": range(len(rows)),
            "weight": [w for _, _, w in rows],
            X: pd.array([x for x, _, _ in rows], dtype="Int8"),
            Y: pd.array([y for _, y, _ in rows], dtype="Int8"),
        }
    )


def cell(table: pd.DataFrame, x: int, y: int, column: str) -> float:
    hit = table.loc[(table["x_level"] == x) & (table["y_level"] == y), column]
    assert len(hit) == 1
    return hit.iloc[0]


# --------------------------------------------------------------------------- joint_distribution


def test_joint_distribution_unweighted_matches_hand_counts():
    table = joint_distribution(crafted_frame(), X, Y)
    assert list(table.columns) == ["x_level", "y_level", "n", "pct"]
    assert len(table) == 16  # every cell, including the empty ones
    assert table["n"].sum() == 10  # nonrespondents on either item excluded
    assert table["pct"].sum() == pytest.approx(100.0)
    expected = {(1, 1): 20.0, (1, 2): 20.0, (2, 2): 40.0, (4, 3): 10.0, (4, 4): 10.0}
    for x in range(1, 5):
        for y in range(1, 5):
            assert cell(table, x, y, "pct") == pytest.approx(expected.get((x, y), 0.0))
    assert cell(table, 3, 1, "n") == 0
    assert cell(table, 2, 2, "n") == 4


def test_joint_distribution_weighted_differs_as_computed_by_hand():
    table = joint_distribution(crafted_frame(), X, Y, weight="weight")
    expected = {(1, 1): 10.0, (1, 2): 30.0, (2, 2): 10.0, (4, 3): 30.0, (4, 4): 20.0}
    for (x, y), pct in expected.items():
        assert cell(table, x, y, "pct") == pytest.approx(pct)
    assert table["pct"].sum() == pytest.approx(100.0)
    # n stays the unweighted count.
    assert cell(table, 4, 3, "n") == 1
    assert table["n"].sum() == 10


def test_joint_distribution_more_levels_and_no_valid_pairs():
    frame = crafted_frame()
    table = joint_distribution(frame, X, Y, levels=6)
    assert len(table) == 36
    assert table["pct"].sum() == pytest.approx(100.0)
    empty = frame.assign(**{Y: pd.array([None] * len(frame), dtype="Int8")})
    table = joint_distribution(empty, X, Y)
    assert len(table) == 16
    assert table["n"].sum() == 0
    assert table["pct"].isna().all()


def test_joint_distribution_rejects_stray_codes_missing_columns_and_bad_weights():
    frame = crafted_frame()
    stray = frame.assign(**{X: pd.array([5] + [1] * (len(frame) - 1), dtype="Int8")})
    with pytest.raises(DataError, match=r"trust_local_government.*outside 1\.\.4"):
        joint_distribution(stray, X, Y)
    with pytest.raises(DataError, match="trust_courts"):
        joint_distribution(frame, "trust_courts", Y)
    negative = frame.assign(weight=-frame["weight"])
    with pytest.raises(DataError, match="weight"):
        joint_distribution(negative, X, Y, weight="weight")
    # A missing weight on a nonrespondent does not matter; on a valid pair it does.
    ok = frame.copy()
    ok.loc[ok[X].isna(), "weight"] = np.nan
    joint_distribution(ok, X, Y, weight="weight")
    ok.loc[0, "weight"] = np.nan
    with pytest.raises(DataError, match="weight"):
        joint_distribution(ok, X, Y, weight="weight")


# --------------------------------------------------------------------------- conditional_means


def test_conditional_means_unweighted_and_weighted():
    frame = crafted_frame()
    plain = conditional_means(frame, X, Y)
    assert list(plain.columns) == ["x_level", "n", "mean_y"]
    assert plain["x_level"].tolist() == [1, 2, 3, 4]
    assert plain["n"].tolist() == [4, 4, 0, 2]
    np.testing.assert_allclose(plain["mean_y"], [1.5, 2.0, np.nan, 3.5])

    weighted = conditional_means(frame, X, Y, weight="weight")
    assert weighted["n"].tolist() == [4, 4, 0, 2]
    # x=1: (1*2 + 2*6) / 8; x=4: (3*6 + 4*4) / 10
    np.testing.assert_allclose(weighted["mean_y"], [1.75, 2.0, np.nan, 3.4])


# --------------------------------------------------------------------------- Figure 1


def figure1(synthetic: bool, frame: pd.DataFrame | None = None):
    frame = crafted_frame() if frame is None else frame
    panels = [
        {"title": "2011 (ABS W3)", "frame": frame, "weight": None, "r": 0.31234, "n": 10,
         "note": "unweighted"},
        {"title": "2015 (ABS W4)", "frame": frame, "weight": "weight", "r": 0.2929, "n": 3456,
         "note": "weighted"},
    ]  # fmt: skip
    return figure_local_vs_ngo(panels, LABELS, synthetic=synthetic)


def all_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def heatmap_axes(fig):
    return [
        ax
        for ax in fig.axes
        if ax.get_label() != "<colorbar>" and any(isinstance(c, QuadMesh) for c in ax.collections)
    ]


def test_figure_local_vs_ngo_structure_labels_and_text():
    fig = figure1(synthetic=False)
    panels = heatmap_axes(fig)
    assert len(panels) == 2
    assert len(fig.axes) == 3  # two panels and the colour bar
    colourbar_ax = next(ax for ax in fig.axes if ax not in panels)
    assert colourbar_ax.get_ylabel() == "% of respondents"

    first, second = panels
    xticks = [t.get_text().replace("\n", " ") for t in first.get_xticklabels()]
    assert xticks == LABELS
    assert [t.get_text() for t in first.get_yticklabels()] == LABELS
    assert first.get_title() == "2011 (ABS W3)"
    assert first.get_xlabel() == "Trust in local government"
    assert first.get_ylabel() == "Trust in NGOs"

    texts = all_texts(fig)
    assert "r = 0.312 (unweighted, n = 10)" in texts
    assert "r = 0.293 (weighted, n = 3,456)" in texts
    assert SYNTHETIC_FOOTER not in texts
    assert "Trust in local government and in NGOs, mainland China" in texts

    # Shared colour scale.
    meshes = [next(c for c in ax.collections if isinstance(c, QuadMesh)) for ax in panels]
    assert meshes[0].get_clim() == meshes[1].get_clim()
    assert meshes[0].get_clim()[1] >= 40.0

    # Cell annotations: unweighted in the first panel, weighted in the second.
    first_texts = [t.get_text() for t in first.texts]
    second_texts = [t.get_text() for t in second.texts]
    assert first_texts.count("40.0") == 1 and first_texts.count("0.0") == 11
    assert second_texts.count("30.0") == 2 and "40.0" not in second_texts

    # Every percentage in the same corner of its cell (upper right), whatever the line does.
    for ax in panels:
        offsets = {
            (round(t.get_position()[0] % 1, 6), round(t.get_position()[1] % 1, 6),
             t.get_ha(), t.get_va())
            for t in ax.texts
            if t.get_transform() == ax.transData  # the cells' (not the r above the panel)
        }  # fmt: skip
        assert offsets == {(0.46, 0.43, "right", "top")}, offsets

    # Mean line: conditional means, weighted in the weighted panel.
    np.testing.assert_allclose(first.lines[0].get_ydata(), [1.5, 2.0, np.nan, 3.5])
    np.testing.assert_allclose(second.lines[0].get_ydata(), [1.75, 2.0, np.nan, 3.4])


def test_figure_local_vs_ngo_cell_text_contrasts_with_cell():
    first = heatmap_axes(figure1(synthetic=False))[0]
    colours = {t.get_text(): t.get_color() for t in first.texts}
    assert colours["40.0"] == "black"  # brightest cell (yellow end of cividis)
    assert colours["0.0"] == "white"  # darkest cell (navy end)


def test_figure_local_vs_ngo_footer_only_when_synthetic():
    assert SYNTHETIC_FOOTER in all_texts(figure1(synthetic=True))
    assert SYNTHETIC_FOOTER not in all_texts(figure1(synthetic=False))


def test_figure_local_vs_ngo_validates_panels():
    with pytest.raises(ValueError, match="r"):
        figure_local_vs_ngo([{"title": "x", "frame": crafted_frame()}], LABELS, synthetic=False)
    with pytest.raises(ValueError):
        figure_local_vs_ngo([], LABELS, synthetic=False)


# --------------------------------------------------------------------------- Table 4 figure


def trust_table(years=(2011, 2015), with_ci=True) -> pd.DataFrame:
    shares = {
        "local_government": [80.27, 68.74, 70.0, 72.0, 66.0],
        "ngos": [61.4, 53.1, 50.0, 55.0, 52.0],
        "national_government": [95.9, 94.7, 93.0, 92.0, 91.0],
        "civil_service": [69.4, 63.6, 60.0, 62.0, 64.0],
    }
    rows = []
    for inst, values in shares.items():
        for k, year in enumerate(years):
            v = values[k]
            rows.append(
                {
                    "country": "china",
                    "wave": f"W{3 + k}",
                    "year": year,
                    "institution": inst,
                    "pct_trust": v,
                    "n_valid": 3000,
                    "n_nonresponse": 100,
                    "weighted": k > 0,
                    "ci_low": v - 1.5 if with_ci else np.nan,
                    "ci_high": v + 1.5 if with_ci else np.nan,
                }
            )
    return pd.DataFrame(rows)


def test_institution_labels_cover_all_slugs():
    slugs = {
        "courts", "national_government", "parliament", "civil_service", "military", "police",
        "local_government", "newspapers", "television", "ngos", "executive",
        "political_parties", "election_commission",
    }  # fmt: skip
    assert set(INSTITUTION_LABELS) == slugs
    assert INSTITUTION_LABELS["ngos"] == "NGOs"
    assert INSTITUTION_LABELS["local_government"] == "Local government"


def test_figure_institution_trust_rows_sorted_by_later_year_and_labelled():
    fig = figure_institution_trust(trust_table(), synthetic=False)
    (ax,) = fig.axes
    # y positions run bottom-up, so the tick labels read lowest share first.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "NGOs",
        "Civil service",
        "Local government",
        "National government",
    ]
    assert ax.get_xlabel() == "% trusting (a great deal or quite a lot)"
    # every share labelled, one decimal, in its year's colour: 2015 left (lower), 2011 right
    labels = {(t.get_text(), t.get_ha()) for t in ax.texts}
    assert labels == {
        ("53.1", "right"),
        ("63.6", "right"),
        ("68.7", "right"),
        ("94.7", "right"),
        ("61.4", "left"),
        ("69.4", "left"),
        ("80.3", "left"),
        ("95.9", "left"),
    }
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["2011 (W3, unweighted)", "2015 (W4, weighted)"]
    # Years differ in colour and in marker shape.
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] == 4]
    assert len(scatters) == 2
    colours = {tuple(np.round(s.get_facecolor()[0], 3)) for s in scatters}
    shapes = {s.get_paths()[0].vertices.shape for s in scatters}
    assert len(colours) == 2 and len(shapes) == 2
    assert SYNTHETIC_FOOTER not in all_texts(fig)
    assert SYNTHETIC_FOOTER in all_texts(figure_institution_trust(trust_table(), synthetic=True))


def test_figure_institution_trust_error_bars_only_with_ci():
    def n_error_bars(fig):
        return len(fig.axes[0].containers)

    assert n_error_bars(figure_institution_trust(trust_table(), synthetic=False)) == 2
    no_ci = figure_institution_trust(trust_table(with_ci=False), synthetic=False)
    assert n_error_bars(no_ci) == 0
    no_columns = trust_table().drop(columns=["ci_low", "ci_high"])
    assert n_error_bars(figure_institution_trust(no_columns, synthetic=False)) == 0


def test_figure_institution_trust_any_number_of_years():
    one = figure_institution_trust(trust_table(years=(2015,)), synthetic=False)
    assert len(one.axes[0].get_legend().get_texts()) == 1
    three = trust_table(years=(2011, 2015, 2019))
    fig = figure_institution_trust(three, synthetic=False)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == "National government" and ticks[0] == "NGOs"
    assert ticks.index("Local government") > ticks.index("Civil service")  # 70.0 vs 60.0 in 2019
    assert len(fig.axes[0].get_legend().get_texts()) == 3
    # An institution not asked in the latest year still gets its row.
    partial = three.loc[~((three["institution"] == "ngos") & (three["year"] == 2019))]
    ticks = [
        t.get_text() for t in figure_institution_trust(partial, False).axes[0].get_yticklabels()
    ]
    assert "NGOs\n(not asked in 2019)" in ticks
    # three years or more: a column of values per year right of the plot, a dash where not asked
    values = [t.get_text() for t in figure_institution_trust(partial, False).axes[0].texts]
    assert values[:1] == ["2011"] and values.count("–") == 1
    assert {"61.4", "53.1", "70.0", "60.0"} <= set(values) and "50.0" not in values


def test_figure_institution_trust_shows_rows_not_asked_at_all():
    table = trust_table()
    fig = figure_institution_trust(
        table, False, institutions=["courts", "ngos"], years=[2011, 2015]
    )
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == "Courts\n(not asked in 2011 or 2015)"  # no share at all: bottom row


def test_figure_institution_trust_five_waves_keep_a_wide_plot(tmp_path):
    # Table 4 over W1-W5: four legend entries side by side once overflowed the figure and
    # constrained layout collapsed the plot (with a warning) into a sliver.
    five = trust_table(years=(2001, 2006, 2011, 2015, 2019))
    fig = figure_institution_trust(five, synthetic=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_figure(fig, [tmp_path / "five.png"])
    ax = fig.axes[0]
    assert ax.get_position().width > 0.4  # of the figure width
    assert len(ax.get_legend().get_texts()) == 5


def test_figure_institution_trust_rejects_duplicate_rows():
    table = trust_table()
    doubled = pd.concat([table, table.assign(weighted=True)])
    with pytest.raises(DataError, match="several rows"):
        figure_institution_trust(doubled, synthetic=False)


# --------------------------------------------------------------------------- correlation figure


def corr_table() -> pd.DataFrame:
    """Five countries (two rows of four panels, three left empty), CI = r +- 0.05."""
    rows = [
        ("china", "W1", 2002, 0.31),
        ("china", "W3", 2011, 0.34),
        ("china", "W4", 2015, 0.28),
        ("japan", "W2", 2007, 0.36),
        ("japan", "W5", 2019, 0.38),
        ("korea", "W4", 2015, 0.32),
        ("hong_kong", "W3", 2012, 0.37),
        ("hong_kong", "W6", 2022, 0.34),
        ("mongolia", "W2", 2006, 0.39),
    ]
    table = pd.DataFrame(rows, columns=["country", "wave", "year", "r"])
    return table.assign(ci_low=table["r"] - 0.05, ci_high=table["r"] + 0.05)


def test_figure_correlation_by_country_panels_labels_and_ticks():
    fig = figure_correlation_by_country(corr_table(), synthetic=False)
    assert len(fig.axes) == 8
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == [
        "Mainland China", "Hong Kong", "Japan", "Korea", "Mongolia"
    ]  # fmt: skip
    assert [ax.get_ylabel() for ax in fig.axes[:5]] == ["r (95 % CI)", "", "", "", "r (95 % CI)"]
    china = shown[0]
    assert [t.get_text() for t in china.texts] == ["W1\n0.31", "W3\n0.34", "W4\n0.28"]
    # Shared y axis from 0 to the highest CI (0.44) + 0.12 of room for the labels above it.
    assert china.get_ylim() == pytest.approx((0.0, 0.56))
    # Shared x axis: every panel spans every year of the figure (2002-2022, padded).
    assert {ax.get_xlim() for ax in shown} == {shown[0].get_xlim()}
    assert shown[0].get_xlim()[0] < 2002 and shown[0].get_xlim()[1] > 2022
    fig.draw_without_rendering()
    labels = [t.get_text() for t in china.get_yticklabels() if t.get_position()[1] <= 0.56]
    assert labels == ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"]
    assert not any(t.get_text() for t in shown[1].get_yticklabels() if t.get_visible())
    # Lines join only consecutive waves at most 6 years apart: China W3-W4 (2011-2015); not
    # China W1-W3 (not consecutive), Japan W2-W5, Hong Kong W3-W6 (neither consecutive).
    links = [[ln for ln in ax.lines if ln.get_gid() == "wave-link"] for ax in shown]
    assert [len(found) for found in links] == [1, 0, 0, 0, 0]
    np.testing.assert_array_equal(links[0][0].get_xdata(), [2011, 2015])
    # Year ticks are those matplotlib's integer locator picks for each panel's limits.
    for ax in shown:
        reference = MaxNLocator(nbins=4, integer=True).tick_values(*ax.get_xlim())
        low, high = ax.get_xlim()
        expected = [f"{v:.0f}" for v in reference if low <= v <= high]
        drawn = [t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        assert drawn == expected, ax.get_title()
    # Titles sit at the axes top: nothing above the axes that automatic placement would avoid.
    renderer = FigureCanvasAgg(fig).get_renderer()
    for ax in shown:
        assert ax.title.get_position()[1] == 1.0
        assert ax.title.get_window_extent(renderer).y0 > ax.get_window_extent(renderer).y1


def test_figure_correlation_by_country_needs_an_estimate():
    with pytest.raises(DataError, match="no estimate"):
        figure_correlation_by_country(corr_table().assign(r=np.nan), synthetic=False)
    with pytest.raises(DataError, match="ci_high"):
        figure_correlation_by_country(corr_table().drop(columns="ci_high"), synthetic=False)


# --------------------------------------------------------------------------- save_figure

# What save_figure must write, spelled out independently of it: 300-dpi PNG, no dates or
# software versions, fixed SVG id salt, a 0.05-inch pad around each format's tight box.
SAVE_OPTIONS = {
    "png": {"dpi": 300, "metadata": {"Software": None}},
    "svg": {"metadata": {"Date": None, "Creator": None}},
    "pdf": {"metadata": {"CreationDate": None, "ModDate": None, "Creator": None}},
}


def matplotlib_tight_save(fig, path):
    """The plain matplotlib route: lay out with a full draw, freeze, savefig finds the box."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    with mpl.rc_context({"svg.hashsalt": "abs-trust", "pdf.compression": 6}):
        fig.savefig(path, bbox_inches="tight", pad_inches=0.05, **SAVE_OPTIONS[path.suffix[1:]])
    return path


def same_svg(a, b) -> bool:
    """Equal SVG up to clip-path ids (hashes of full-precision clip boxes) and 1e-4 pt."""
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")

    def parts(path):
        text = re.sub(r"\bp[0-9a-f]{10}\b", "p-id", path.read_text())
        return number.split(text), np.array([float(x) for x in number.findall(text)])

    (words_a, numbers_a), (words_b, numbers_b) = parts(a), parts(b)
    return (
        words_a == words_b
        and numbers_a.shape == numbers_b.shape
        and np.allclose(numbers_a, numbers_b, rtol=0, atol=1e-4)
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda: figure_institution_trust(trust_table(), synthetic=True),
        lambda: figure1(synthetic=True),
    ],
    ids=["institution_trust", "figure1"],
)
def test_save_figure_writes_what_matplotlib_tight_bbox_writes(tmp_path, build):
    # Each format is cropped to the box its own renderer measures (raster and vector text
    # widths differ), so every file must match matplotlib's own bbox_inches="tight" save.
    png, svg, pdf = save_figure(build(), [tmp_path / f"ours.{fmt}" for fmt in SAVE_OPTIONS])
    reference = build()
    ref_png = matplotlib_tight_save(reference, tmp_path / "ref.png")
    ref_svg = matplotlib_tight_save(reference, tmp_path / "ref.svg")
    ref_pdf = matplotlib_tight_save(reference, tmp_path / "ref.pdf")
    with Image.open(png) as image, Image.open(ref_png) as ref_image:
        assert image.size == ref_image.size
        assert image.info["dpi"] == ref_image.info["dpi"]
    np.testing.assert_array_equal(mpimg.imread(png), mpimg.imread(ref_png))
    assert same_svg(svg, ref_svg)
    assert pdf.read_bytes() == ref_pdf.read_bytes()


def test_save_figure_ignores_rc_bbox_and_layout_settings(tmp_path):
    # A matplotlibrc asking for tight boxes or constrained layout by default must not change
    # the files, and the saved figure is left without a layout engine and unpatched.
    fig = figure_institution_trust(trust_table(), synthetic=True)
    (plain,) = save_figure(fig, tmp_path / "plain.png")
    assert fig.get_layout_engine() is None
    assert "draw" not in vars(fig)
    rc = {"savefig.bbox": "tight", "figure.constrained_layout.use": True, "figure.autolayout": True}
    with mpl.rc_context(rc):
        (odd,) = save_figure(figure_institution_trust(trust_table(), True), tmp_path / "odd.png")
    assert odd.read_bytes() == plain.read_bytes()


def test_save_figure_png_at_300_dpi(tmp_path):
    # A 2 x 1 inch figure whose content fills it exactly: the tight box is the figure plus the
    # 0.05-inch pad on each side, so the PNG must be 2.1 x 1.1 inches at 300 dpi.
    fig = Figure(figsize=(2, 1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, color="0.5"))
    (path,) = save_figure(fig, [tmp_path / "sub" / "box.png"])
    with Image.open(path) as image:
        assert image.size == (630, 330)
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert mpimg.imread(path).shape[:2] == (330, 630)

    real = figure_institution_trust(trust_table(), synthetic=True)
    (path,) = save_figure(real, tmp_path / "trust.png")
    with Image.open(path) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
        assert image.size[0] > 5.0 * 300  # 5.5-inch-wide figure, trimmed tight


def test_save_figure_svg_and_pdf_are_reproducible(tmp_path):
    fig = figure1(synthetic=True)
    first = save_figure(fig, [tmp_path / "a.svg", tmp_path / "a.pdf", tmp_path / "a.png"])
    second = save_figure(fig, [tmp_path / "b.svg", tmp_path / "b.pdf", tmp_path / "b.png"])
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.suffix
    svg = first[0].read_text()
    assert "<dc:date>" not in svg
    assert first[1].read_bytes().startswith(b"%PDF")
    assert b"CreationDate" not in first[1].read_bytes()


def test_save_figure_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="suffix"):
        save_figure(figure1(synthetic=False), tmp_path / "figure.jpg")
    assert not (tmp_path / "figure.jpg").exists()


def test_correlation_lines_join_consecutive_waves_within_the_stated_gap():
    from abs_trust.outputs.figures.correlation_by_country import MAX_GAP_YEARS, joined

    assert MAX_GAP_YEARS == 6
    assert joined(["W1", "W2", "W3"], [2001, 2006, 2011]) == [True, True]
    assert joined(["W1", "W3"], [2002, 2011]) == [False]  # W2 missing for the country
    assert joined(["W1", "W2"], [2001, 2008]) == [False]  # consecutive but 7 years apart
    assert joined(["W4", "W4b"], [2015, 2016]) == [False]  # no wave number: no claim of order


def test_correlation_figure_marks_unweighted_estimates_open():
    table = corr_table().assign(weighted=lambda d: d["wave"] != "W1")
    fig = figure_correlation_by_country(table, synthetic=False)
    china = fig.axes[0]
    faces = [c.get_children()[0].get_markerfacecolor() for c in china.containers]
    assert faces[0] == "white" and faces[1] != "white"  # W1 unweighted, W3 weighted
