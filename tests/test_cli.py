import pyreadstat

from abs_trust.cli import main


def test_make_fixture_writes_both_waves(tmp_path):
    assert main(["make-fixture", "--out", str(tmp_path)]) == 0
    _, w3 = pyreadstat.read_sav(str(tmp_path / "W3_china_synthetic.sav"), metadataonly=True)
    _, w4 = pyreadstat.read_sav(str(tmp_path / "W4_china_synthetic.sav"), metadataonly=True)
    assert (w3.number_rows, w4.number_rows) == (3473, 4068)
    assert w3.file_label.startswith("SYNTHETIC")
