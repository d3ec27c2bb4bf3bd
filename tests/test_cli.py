import pyreadstat

from abs_trust.cli import main


def test_make_fixture_writes_both_waves(tmp_path):
    assert main(["make-fixture", "--out", str(tmp_path)]) == 0
    _, w3 = pyreadstat.read_sav(str(tmp_path / "W3_china_synthetic.sav"), metadataonly=True)
    _, w4 = pyreadstat.read_sav(str(tmp_path / "W4_china_synthetic.sav"), metadataonly=True)
    assert (w3.number_rows, w4.number_rows) == (3473, 4068)
    assert w3.file_label.startswith("SYNTHETIC")


def test_suggest_crosswalk_command_prints_yaml(root, capsys):
    code = main(["suggest-crosswalk", str(root / "data/fixture/W4_china_synthetic.sav"),
                 "--wave", "W4"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "ngos: q19" in out and "local_government: q15" in out
    assert "scale: trust4_descending" in out
