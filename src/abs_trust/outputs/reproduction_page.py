"""The reproduction report in every format: `reproduction_texts` evaluates the published
checks (`abs_trust.outputs.reproduction`) and writes them as Markdown and as the HTML page the
report shows (the verdict, every published number beside ours, the conventions and their
evidence, and which convention matches the print)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import pandas as pd

from abs_trust.config import read_yaml, validate
from abs_trust.outputs import escape
from abs_trust.outputs.html_tables import HtmlTable, html_page
from abs_trust.outputs.labels import country_label
from abs_trust.outputs.reproduction import (
    _convention_text,
    _fmt,
    checks_json,
    convention_scan,
    evaluate,
    scan_markdown,
    to_markdown,
    verdict,
)


class Reproduction(NamedTuple):
    """The published checks (None when none are configured), as Markdown and HTML, and the
    verdict line."""

    checks: list[dict] | None
    markdown: str
    html: str
    verdict: str
    published: dict | None


def reproduction_texts(
    published_path: str | None,
    trust: pd.DataFrame,
    corr: pd.DataFrame,
    metas: Sequence[Mapping],
) -> Reproduction:
    """Every published number beside ours: the checks (JSON-ready; None when no published
    numbers are configured), Markdown, HTML and the verdict line (`verdict`)."""
    synthetic = any(m["synthetic"] for m in metas)
    if not published_path:
        line = verdict(None)
        md = (
            f"# Reproduction of published results\n\n**Verdict: NOT APPLICABLE** — "
            f"{escape.markdown(line.partition(': ')[2])}, so nothing was checked.\n"
        )
        html = reproduction_html(None, None, line, synthetic, [], pd.DataFrame(), md, "[]\n")
        return Reproduction(None, md, html, line, None)
    published = validate(read_yaml(published_path), "published.schema.yaml", published_path)
    waves = [m["wave"] for m in metas]
    results = evaluate(published, trust, corr, waves, metas)
    sources = [s["path"] for m in metas for s in m["sources"]]
    scan = convention_scan(published, trust, waves)
    md = to_markdown(results, published, synthetic, sources) + "\n" + scan_markdown(scan)
    line = verdict(results)
    html = reproduction_html(
        results, published, line, synthetic, sources, scan, md, checks_json(results)
    )
    return Reproduction(results, md, html, line, published)


def reproduction_html(
    results: list[dict] | None,
    published: Mapping | None,
    verdict: str,
    synthetic: bool,
    sources: Sequence[str],
    scan: pd.DataFrame,
    md: str,
    checks_json: str,
) -> str:
    """The HTML page of ``reproduction.md`` (the same rows and words)."""
    title = "Reproduction of published results"
    downloads = [("reproduction.md", "text/markdown", md)]
    if published is None or results is None:
        return html_page(title, [], verdict=verdict, synthetic=synthetic, downloads=downloads)
    checks = pd.DataFrame(
        {
            "published number": [r["description"] for r in results],
            "where printed": [r["source"] for r in results],
            "compared under": [r["convention"] for r in results],
            "published": [r["published_as_printed"] for r in results],
            "reproduced": [r["reproduced"] for r in results],
            "other weighting": [r["other_convention"] for r in results],
            "tolerance": [r["tolerance"] for r in results],
            "verdict": [r["verdict"] + (" — " + r["note"] if r["note"] else "") for r in results],
        }
    )
    # each number formatted for its own quantity, as in the Markdown
    shown = checks.assign(
        reproduced=[_fmt(r["reproduced"], r["quantity"]) for r in results],
        **{"other weighting": [_fmt(r["other_convention"], r["quantity"]) for r in results]},
    )
    tables = [
        HtmlTable(
            checks,
            caption="Every published number beside ours (reproduced values unrounded)",
            numeric=["reproduced", "other weighting"],
            display=shown,
        )
    ]
    if not scan.empty:
        tables.append(
            HtmlTable(
                pd.DataFrame(
                    {
                        "wave": scan["wave"],
                        "convention": scan["convention"],
                        "printed shares reproduced": [
                            f"{m} of {o}" for m, o in zip(scan["matched"], scan["of"], strict=True)
                        ],
                        "compared under": [
                            "declared in published.yaml" if d else "" for d in scan["declared"]
                        ],
                    }
                ),
                caption="Which convention matches the printed shares",
            )
        )
    notes = [
        f"{wave} ({_convention_text(c)}): {c['evidence']}"
        for wave, c in published["conventions"].items()
    ]
    notes.append(
        "Shares are percentages trusting (a great deal or quite a lot); changes are computed "
        'from unrounded shares and rounded last. "Other weighting" is the same number under '
        "the other weighting, for comparison; it does not decide the verdict."
    )
    lead = [
        f"Source: {published['source']}; country: {country_label(published['country'])}.",
        "Data: " + ", ".join(sources),
    ]
    downloads.append(("reproduction.json", "application/json", checks_json))
    return html_page(
        title, tables, notes=notes, synthetic=synthetic, lead=lead, downloads=downloads,
        verdict=verdict,
    )  # fmt: skip
