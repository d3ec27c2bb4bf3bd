"""The published gate: every printed number beside ours, with its tolerance and a verdict.

``config/published.yaml`` lists the numbers; this module looks each one up in the produced
aggregate tables under the convention the check declares (per wave: weighted or not,
nonresponse excluded or not) and compares. Rounding happens here and only here, last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from abs_trust.outputs import escape
from abs_trust.outputs.labels import country_label, institution_label
from abs_trust.outputs.rounding import round_half_away
from abs_trust.outputs.verdict import NOT_APPLICABLE, failures, verdict

__all__ = ["evaluate", "failures", "round_half_away", "to_markdown", "verdict"]

PASS, FAIL = "PASS", "FAIL"


def within_tolerance(reproduced: float, published: float, tolerance: dict) -> bool:
    """Apply one tolerance rule (``rounds_to``, ``abs`` or ``below``) to a reproduced value."""
    if reproduced is None or not np.isfinite(reproduced):
        return False
    if "rounds_to" in tolerance:
        decimals = tolerance["rounds_to"]
        return round_half_away(reproduced, decimals) == round_half_away(published, decimals)
    if "abs" in tolerance:
        return abs(reproduced - published) <= tolerance["abs"] + 1e-12
    if tolerance.get("below"):
        return reproduced < published
    raise ValueError(f"unknown tolerance {tolerance}")


def describe_tolerance(tolerance: dict) -> str:
    if "rounds_to" in tolerance:
        return f"rounds to {tolerance['rounds_to']} dp"
    if "abs" in tolerance:
        return f"within ±{tolerance['abs']:g}"
    return "below"


def _share(trust: pd.DataFrame, country: str, wave: str, institution: str, convention: dict):
    rows = trust[
        (trust["country"] == country)
        & (trust["wave"] == wave)
        & (trust["institution"] == institution)
        & (trust["weighted"] == convention["weighted"])
        & (trust["nonresponse"] == convention["nonresponse"])
    ]
    return float(rows["pct_trust"].iloc[0]) if len(rows) == 1 else None


def _correlation(corr: pd.DataFrame, country: str, check: dict, weighted: bool, field: str):
    rows = corr[
        (corr["country"] == country)
        & (corr["wave"] == check["wave"])
        & (corr["x"] == check["x"])
        & (corr["y"] == check["y"])
        & (corr["controls"].fillna("") == "+".join(check["controls"]))
        & (corr["weighted"] == weighted)
        & (corr["method"] == "pearson")
    ]
    return float(rows[field].iloc[0]) if len(rows) == 1 else None


def _convention_text(convention: dict) -> str:
    weighting = "weighted" if convention["weighted"] else "unweighted"
    denominator = (
        "nonresponse excluded"
        if convention["nonresponse"] == "exclude"
        else "nonresponse as not trusting"
    )
    return f"{weighting}, {denominator}"


def _year(metas: Sequence[Mapping], country: str, wave: str) -> str:
    for meta in metas:
        if meta["wave"] == wave and country in meta["countries"]:
            return str(meta["countries"][country]["year"])
    return wave


def describe_check(check: dict, metas: Sequence[Mapping], country: str) -> str:
    """The published quantity in words ("Courts: % trusting, 2011 (ABS W3)")."""
    if check["quantity"] in ("share", "change"):
        label = institution_label(check["institution"])
        if check["quantity"] == "share":
            wave = check["wave"]
            return f"{label}: % trusting, {_year(metas, country, wave)} (ABS {wave})"
        first, last = check["waves"]
        return (
            f"{label}: change in % trusting, {_year(metas, country, first)} to "
            f"{_year(metas, country, last)} (points)"
        )
    pair = (
        f"trust in {_lower_first(institution_label(check['x']))} and in "
        f"{_lower_first(institution_label(check['y']))}"
    )
    kind = (
        f"partial r controlling for {', '.join(check['controls'])}"
        if check["controls"]
        else "r (bivariate)"
    )
    year = f"{_year(metas, country, check['wave'])} (ABS {check['wave']})"
    if check["quantity"] == "r":
        return f"Pearson {kind} of {pair}, {year}"
    return f"p of the Pearson {kind} of {pair}, {year}"


def _lower_first(label: str) -> str:
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def published_as_printed(check: dict) -> str:
    """The published value as the article prints it: 85.5, -6.0, 0.293, p < .001."""
    value, tolerance = check["published"], check["tolerance"]
    if check["quantity"] == "p" and tolerance.get("below"):
        return f"p < {_no_leading_zero(value)}"
    if "rounds_to" in tolerance:
        return f"{value:.{tolerance['rounds_to']}f}"
    if "abs" in tolerance:  # a number the text implies rather than prints
        return f"≈ {value:g}"
    return f"{value:g}"


def _no_leading_zero(value: float) -> str:
    text = f"{value:g}"
    return text[1:] if text.startswith("0.") else text


def evaluate(
    published: dict,
    trust: pd.DataFrame,
    correlations: pd.DataFrame,
    waves: list[str],
    metas: Sequence[Mapping] = (),
) -> list[dict]:
    """Compare every published check with the produced tables.

    A check whose wave is not among the configured ``waves``, or whose country is in none of
    the run's ``metas`` (when given), is *not applicable* (``ok`` is None): a reviewer running
    other data is not failed by numbers about this one. A check whose quantity is missing from
    the tables (e.g. the item was not found) fails.

    Returns
    -------
    list of dict
        ``{id, description, quantity, source, convention, published, published_as_printed,
        reproduced, tolerance, ok, verdict, note}``; ``reproduced`` is unrounded.
    """
    country = published["country"]
    conventions = published["conventions"]
    countries = {c for m in metas for c in m["countries"]}
    covering = {m["wave"] for m in metas if country in m["countries"]}
    results = []
    for check in published["checks"]:
        waves_needed = check.get("waves") or [check["wave"]]
        entry = {
            "id": check["id"],
            "description": describe_check(check, metas, country),
            "quantity": check["quantity"],
            "source": check["source"],
            "country": country,
            "waves": waves_needed,
            "published": check["published"],
            "published_as_printed": published_as_printed(check),
            "tolerance": describe_tolerance(check["tolerance"]),
            "convention": "; ".join(
                f"{w}: {_convention_text(conventions[w])}" for w in waves_needed
            ),
            "reproduced": None,
            "other_convention": None,
            "ok": None,
            "verdict": NOT_APPLICABLE,
            "note": "",
        }
        missing = [w for w in waves_needed if w not in waves]
        if missing:
            entry["note"] = f"wave(s) {', '.join(missing)} not in this run"
            results.append(entry)
            continue
        if metas and country not in countries:
            entry["note"] = f"{country_label(country)} not in this run"
            results.append(entry)
            continue
        # a wave without respondents of the published country cannot check its numbers
        lacking = [w for w in waves_needed if metas and w not in covering]
        if lacking:
            entry["note"] = (
                f"{country_label(country)} not in this run's wave(s) {', '.join(lacking)}"
            )
            results.append(entry)
            continue
        if check["quantity"] == "share":
            convention = conventions[check["wave"]]
            value = _share(trust, country, check["wave"], check["institution"], convention)
            other = {**convention, "weighted": not convention["weighted"]}
            entry["other_convention"] = _share(
                trust, country, check["wave"], check["institution"], other
            )
        elif check["quantity"] == "change":
            first, last = (
                _share(trust, country, w, check["institution"], conventions[w])
                for w in check["waves"]
            )
            value = None if first is None or last is None else last - first
        else:
            weighted = conventions[check["wave"]]["weighted"]
            field = "r" if check["quantity"] == "r" else "p"
            value = _correlation(correlations, country, check, weighted, field)
            entry["other_convention"] = _correlation(
                correlations, country, check, not weighted, field
            )
        if value is not None and not np.isfinite(value):
            # the row is there but its estimate is not shown (a small cell, unusable weights)
            value = None
            entry["note"] = "estimate not shown in the tables (see the row's `note`)"
        entry["reproduced"] = value
        entry["ok"] = bool(
            value is not None and within_tolerance(value, check["published"], check["tolerance"])
        )
        entry["verdict"] = PASS if entry["ok"] else FAIL
        if value is None and not entry["note"]:
            entry["note"] = "not found in the produced tables"
        results.append(entry)
    return results


def _fmt(value, quantity: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if quantity == "p":
        return f"{value:.2e}"
    if quantity == "r":
        return f"{value:.4f}"
    return f"{value:.3f}"


def to_markdown(results: list[dict], published: dict, synthetic: bool, sources: list[str]) -> str:
    """The reproduction report: verdict first, then every check, then the conventions."""
    line = verdict(results)
    word, _, detail = line.partition(": ")
    lines = [
        "# Reproduction of published results",
        "",
        f"**Verdict: {word}** — {escape.markdown(detail)}.",
        "",
        f"Source: {escape.markdown(published['source'])}; "
        f"country: {escape.markdown(country_label(published['country']))}.",
        "",
    ]
    if synthetic:
        lines += [
            "> **Synthetic fixture.** These numbers come from the shipped synthetic data, "
            "generated to match the published aggregates; they show that the workflow computes "
            "what the paper printed, not that the real ABS data do. Put the licensed release "
            "files in `data/raw/` to run the same checks on them.",
            "",
        ]
    lines += [f"Data: {', '.join(escape.markdown_code(s) for s in sources)}", ""]
    lines += [
        "| published number | where printed | compared under | published | reproduced "
        "| other weighting | tolerance | verdict |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        cells = [
            escape.markdown(r["description"]),
            escape.markdown(r["source"]),
            escape.markdown(r["convention"]),
            escape.markdown(r["published_as_printed"]),
            _fmt(r["reproduced"], r["quantity"]),
            _fmt(r["other_convention"], r["quantity"]),
            escape.markdown(r["tolerance"]),
            escape.markdown(r["verdict"] + (" — " + r["note"] if r["note"] else "")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Conventions compared, and the evidence for them", ""]
    for wave, convention in published["conventions"].items():
        lines.append(
            f"- **{escape.markdown(wave)}** ({_convention_text(convention)}): "
            f"{escape.markdown(convention['evidence'])}"
        )
    lines += [
        "",
        "Shares are percentages trusting (a great deal or quite a lot); changes are computed "
        "from unrounded shares and rounded last. Reproduced values are shown unrounded. "
        '"Other weighting" is the same number under the other weighting (weighted instead of '
        "unweighted, or the reverse), for comparison; it does not decide the verdict. "
        "A check is not applicable when its wave or country is not in this run's data.",
        "",
    ]
    return "\n".join(lines)


def convention_scan(published: dict, trust: pd.DataFrame, waves: list[str]) -> pd.DataFrame:
    """For each wave, how many printed shares each convention reproduces.

    The paper prints neither its weighting nor its denominator; the convention under which
    (nearly) every printed share is reproduced is the paper's. On the real files this is
    the evidence; on the synthetic fixture it only shows the calibration.
    """
    country = published["country"]
    rows = []
    for wave in waves:
        checks = [c for c in published["checks"] if c["quantity"] == "share" and c["wave"] == wave]
        if not checks:
            continue
        for weighted in (False, True):
            for nonresponse in ("exclude", "as_not_trusting"):
                convention = {"weighted": weighted, "nonresponse": nonresponse}
                matched = 0
                for check in checks:
                    value = _share(trust, country, wave, check["institution"], convention)
                    ok = value is not None and within_tolerance(
                        value, check["published"], check["tolerance"]
                    )
                    matched += bool(ok)
                rows.append(
                    {
                        "wave": wave,
                        "convention": _convention_text(convention),
                        "matched": matched,
                        "of": len(checks),
                        "declared": convention
                        == {k: published["conventions"][wave][k] for k in convention},
                    }
                )
    return pd.DataFrame(rows)


def scan_markdown(scan: pd.DataFrame) -> str:
    if scan.empty:
        return ""
    lines = [
        "## Which convention matches the printed shares",
        "",
        "| wave | convention | printed shares reproduced | compared under |",
        "|---|---|---:|---|",
    ]
    for row in scan.itertuples():
        mark = "declared in published.yaml" if row.declared else ""
        lines.append(
            f"| {escape.markdown(row.wave)} | {row.convention} | {row.matched} of {row.of} "
            f"| {mark} |"
        )
    return "\n".join(lines) + "\n"


def checks_json(results: list[dict] | None) -> str:
    return json.dumps(results or [], indent=2) + "\n"
