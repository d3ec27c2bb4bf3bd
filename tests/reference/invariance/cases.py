"""The data of the lavaan reference cases, rebuilt deterministically (no respondent rows are
committed; only the fit statistics R computed from them, in lavaan_reference.json).

``python tests/reference/invariance/cases.py OUTDIR`` writes one CSV per case (complete
cases of the items plus the group column) and ``cases.json`` for ``lavaan_reference.R``.

Cases (all SYNTHETIC):
* ``fixture_china_w3_w4``: the shipped fixture, China W3 vs W4 (across waves), every item;
* ``fullscale05_w4_countries``: benchmarks/fullscale.py --scale 0.05 (seed default), W4,
  14 countries, the eight items asked in every country-wave of that set;
* ``fullscale05_china_waves``: the same set, China across the four-point waves W1-W4;
* ``fullscale05_w6_countries``: the same set, W6 (twelve country files), twelve countries.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
COMMON = ["courts", "national_government", "political_parties", "parliament",
          "civil_service", "military", "police", "local_government"]  # fmt: skip
FIXTURE_ITEMS = COMMON + ["newspapers", "television", "election_commission", "ngos", "executive"]


def _ingest(files, wave):
    from abs_trust.config import read_yaml
    from abs_trust.harmonize.crosswalk import parse_crosswalk
    from abs_trust.harmonize.ingest import ingest_wave

    crosswalk = parse_crosswalk(read_yaml(ROOT / "config/crosswalk.yaml"), "crosswalk")
    return ingest_wave([str(f) for f in files], crosswalk.wave(wave), crosswalk, "all")[0]


def _case(frame, items, group):
    columns = [f"trust_{i}" for i in items]
    data = frame[[group, *columns]].dropna().reset_index(drop=True)
    data[group] = data[group].astype(str)
    data[columns] = data[columns].astype(float)
    return {"data": data, "items": columns, "group": group}


def build_cases() -> dict[str, dict]:
    """name -> {"data": complete-case frame, "items": columns, "group": column}."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import fullscale

    cases = {}
    w3 = _ingest([ROOT / "data/fixture/W3_china_synthetic.sav"], "W3")
    w4 = _ingest([ROOT / "data/fixture/W4_china_synthetic.sav"], "W4")
    both = pd.concat([w3, w4], ignore_index=True)
    cases["fixture_china_w3_w4"] = _case(both, FIXTURE_ITEMS, "wave")
    with tempfile.TemporaryDirectory(prefix="abs-invariance-") as tmp:
        summary = fullscale.generate(Path(tmp), scale=0.05)
        waves = {w: _ingest(summary[w]["files"], w) for w in ("W1", "W2", "W3", "W4", "W6")}
    cases["fullscale05_w4_countries"] = _case(waves["W4"], COMMON, "country")
    china = pd.concat([waves[w][waves[w]["country"] == "china"] for w in ("W1", "W2", "W3", "W4")])
    cases["fullscale05_china_waves"] = _case(china, COMMON, "wave")
    cases["fullscale05_w6_countries"] = _case(waves["W6"], COMMON, "country")
    return cases


def main(out: str) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    listing = {}
    for name, case in build_cases().items():
        path = out_dir / f"{name}.csv"
        case["data"].to_csv(path, index=False)
        listing[name] = {"csv": str(path), "items": case["items"], "group": case["group"]}
    (out_dir / "cases.json").write_text(json.dumps(listing, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
