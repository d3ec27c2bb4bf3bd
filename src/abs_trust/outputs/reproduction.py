"""The published gate: every printed number beside ours, with its tolerance and a verdict.

``config/published.yaml`` lists the numbers; this module looks each one up in the produced
aggregate tables under the convention the check declares (per wave: weighted or not,
nonresponse excluded or not) and compares. Rounding happens here and only here, last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from abs_trust.config import read_yaml, validate

PASS, FAIL, NOT_APPLICABLE = "PASS", "FAIL", "n/a"


def round_half_away(value: float, decimals: int) -> float:
    """Round as a printed table does (0.25 -> 0.3), not as Python's banker's ``round``."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


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


def evaluate(
    published: dict, trust: pd.DataFrame, correlations: pd.DataFrame, waves: list[str]
) -> list[dict]:
    """Compare every published check with the produced tables.

    A check whose wave is not among the configured ``waves`` is *not applicable* (``ok`` is
    None): a reviewer running another wave is not failed by numbers about this one. A check
    whose quantity is missing from the tables (e.g. the item was not found) fails.

    Returns
    -------
    list of dict
        ``{id, quantity, source, convention, published, reproduced, tolerance, ok, verdict,
        note}``; ``reproduced`` is unrounded.
    """
    country = published["country"]
    conventions = published["conventions"]
    results = []
    for check in published["checks"]:
        waves_needed = check.get("waves") or [check["wave"]]
        entry = {
            "id": check["id"],
            "quantity": check["quantity"],
            "source": check["source"],
            "country": country,
            "waves": waves_needed,
            "published": check["published"],
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
        if not set(waves_needed) <= set(waves):
            entry["note"] = (
                f"wave(s) {sorted(set(waves_needed) - set(waves))} not in this run's data for "
                f"{country}"
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
    decided = [r for r in results if r["ok"] is not None]
    failed = [r for r in decided if not r["ok"]]
    verdict = "PASS" if decided and not failed else ("FAIL" if failed else "NOT APPLICABLE")
    lines = [
        "# Reproduction of published results",
        "",
        f"**Verdict: {verdict}** — {len(decided) - len(failed)} of {len(decided)} applicable "
        f"checks pass ({len(results) - len(decided)} not applicable).",
        "",
        f"Source: {published['source']}; country: {published['country']}.",
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
    lines += [f"Data: {', '.join(sources)}", ""]
    lines += [
        "| check | source | convention | published | reproduced | other weighting "
        "| tolerance | verdict |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['id']} | {r['source']} | {r['convention']} | {r['published']:g} | "
            f"{_fmt(r['reproduced'], r['quantity'])} | {_fmt(r['other_convention'], r['quantity'])}"
            f" | {r['tolerance']} | {r['verdict']}{' — ' + r['note'] if r['note'] else ''} |"
        )
    lines += ["", "## Conventions compared, and the evidence for them", ""]
    for wave, convention in published["conventions"].items():
        lines.append(f"- **{wave}** ({_convention_text(convention)}): {convention['evidence']}")
    lines += [
        "",
        "Shares are percentages trusting (a great deal or quite a lot); changes are computed "
        "from unrounded shares and rounded last. Reproduced values are shown unrounded.",
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
        lines.append(f"| {row.wave} | {row.convention} | {row.matched} of {row.of} | {mark} |")
    return "\n".join(lines) + "\n"


def failures(results: list[dict]) -> list[dict]:
    """The checks that failed (``ok`` False; not-applicable checks are None)."""
    return [r for r in results if r["ok"] is False]


def reproduction_texts(
    published_path: str | None,
    trust: pd.DataFrame,
    corr: pd.DataFrame,
    metas: Sequence[Mapping],
) -> tuple[list[dict], str, str]:
    """Every published number beside ours: the checks (JSON-ready), Markdown, a summary.

    Without a ``published`` file the report says so, and the check list is empty.
    """
    if not published_path:
        md = (
            "# Reproduction\n\nNo published numbers are configured for this run "
            "(`published:` in the config), so nothing was checked.\n"
        )
        return [], md, "no published numbers configured"
    published = validate(read_yaml(published_path), "published.schema.yaml", published_path)
    # a wave without respondents of the published country cannot check its numbers
    waves = [m["wave"] for m in metas if published["country"] in m["countries"]]
    results = evaluate(published, trust, corr, waves)
    synthetic = any(m["synthetic"] for m in metas)
    sources = [s["path"] for m in metas for s in m["sources"]]
    scan = convention_scan(published, trust, waves)
    md = to_markdown(results, published, synthetic, sources) + "\n" + scan_markdown(scan)
    decided = [r for r in results if r["ok"] is not None]
    summary = f"{len(decided) - len(failures(results))} of {len(decided)} applicable checks pass"
    return results, md, summary


def checks_json(results: list[dict]) -> str:
    return json.dumps(results, indent=2) + "\n"
