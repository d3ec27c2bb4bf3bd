import pytest
import yaml

from abs_trust.config import load_config, validate, wave_files, weighted_headline
from abs_trust.errors import ConfigError
from conftest import ROOT


def test_shipped_config_is_valid_and_defaults_are_filled():
    config = load_config(ROOT / "config" / "config.yaml")
    assert wave_files(config, "W3") == ["data/fixture/W3_china_synthetic.sav"]
    assert weighted_headline(config, "W3") is False and weighted_headline(config, "W4") is True
    assert config["strict"] is True and config["nonresponse"] == "exclude"


def write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("waves: {W3: {file: a.sav}}\ncontrol: [age]\n", "'control' was unexpected"),
        ("waves: {W3: {file: a.sav, encodng: big5}}\n", "'encodng' was unexpected"),
        ("waves: {W3: {}}\n", "waves/W3"),
        ("waves: {W3: {file: a.sav}}\nstrict: maybe\n", "at strict"),
        ("waves: {W3: {file: a.sav}}\nnonresponse: drop\n", "at nonresponse"),
        ("waves: {W3: {file: a.sav}}\ncontrols: [age, shoe_size]\n", "controls/1"),
    ],
)
def test_invalid_config_names_the_key(tmp_path, text, named):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert named in str(err.value) and "c.yaml" in str(err.value)


def test_defaults_and_per_wave_weights():
    config = validate(yaml.safe_load("waves: {W9: {files: [a.sav, b.sav]}}"), "config.schema.yaml",
                      "x")  # fmt: skip
    assert config["countries"] == ["china"]
    assert config["controls"] == ["age", "female", "education", "income"]
    assert wave_files(config, "W9") == ["a.sav", "b.sav"]
    assert weighted_headline(config, "W9") is True


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


def test_figure_waves_must_share_a_scale_and_be_configured():
    from abs_trust.config import check_figure_waves
    from abs_trust.harmonize.crosswalk import load_crosswalk

    crosswalk = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
    waves = ["W3", "W4", "W5"]
    check_figure_waves(crosswalk, waves, ["W3", "W4"], ["W3", "W4"])
    with pytest.raises(ConfigError, match="scale lengths"):
        check_figure_waves(crosswalk, waves, ["W3"], ["W4", "W5"])
    with pytest.raises(ConfigError, match=r"table4/waves: \['W1'\]"):
        check_figure_waves(crosswalk, waves, ["W1"], ["W3"])
