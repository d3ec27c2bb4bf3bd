"""The report's landing page: the summary (reStructuredText) that workflow/report/workflow.rst
includes: the synthetic-data warning, the reproduction verdict, what the run analysed, the data
files read and the configuration that matters for reading the numbers.

Every value from a file or the config (paths, wave ids, country slugs, labels) is escaped for
reStructuredText (`abs_trust.outputs.escape.rst`), so no value can add markup or a directive
(``.. raw::``) to the page.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from abs_trust.outputs.escape import rst, rst_literal
from abs_trust.outputs.labels import country_label, institution_label


def _years(metas: Sequence[Mapping]) -> str:
    spans = []
    for meta in metas:
        years = sorted({v["year"] for v in meta["countries"].values()})
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}" if years else "?"
        spans.append(f"{rst(meta['wave'])} ({span})")
    return ", ".join(spans)


def _countries(metas: Sequence[Mapping]) -> list[str]:
    return sorted({c for m in metas for c in m["countries"]})


def _section(title: str) -> list[str]:
    return [title, "-" * len(title), ""]


def run_paragraph(metas: Sequence[Mapping], published: Mapping | None, verdict: str) -> str:
    """What this run analysed, and what it is checked against (the page's introduction)."""
    countries = _countries(metas)
    people = sum(v["respondents"] for m in metas for v in m["countries"].values())
    shown = ", ".join(rst(country_label(c)) for c in countries[:12])
    if len(countries) > 12:
        shown += f" and {len(countries) - 12} more"
    text = (
        f"This run analysed ABS {'wave' if len(metas) == 1 else 'waves'} {_years(metas)}: "
        f"{len(countries)} {'country' if len(countries) == 1 else 'countries'} ({shown}), "
        f"{people:,} respondents. It estimates the share trusting each institution and the "
        "correlations between trust items, by country and wave."
    )
    if published is None:
        return text + " No published numbers are configured, so none is checked."
    source = rst(published["source"])
    if verdict.startswith("NOT APPLICABLE"):
        return (
            text + f" The published numbers configured ({source}) concern other data, so "
            "they are not checked against this run (see the verdict)."
        )
    return text + f" Its numbers are checked against those published in {source}."


def summary_rst(
    metas: Sequence[Mapping],
    verdict: str,
    published: Mapping | None = None,
    settings: Mapping | None = None,
) -> str:
    """The report's landing-page summary (reStructuredText).

    ``verdict`` is the line every output states (`abs_trust.outputs.verdict.verdict`);
    ``published`` the published-numbers file as read (None when not configured); ``settings``
    what the landing page lists of the configuration (see `settings_lines`).
    """
    lines = []
    if any(m["synthetic"] for m in metas):
        lines += [
            ".. warning::",
            "",
            "   **Synthetic fixture.** This run used the shipped synthetic data (ABS layout,",
            "   values generated to match the published aggregates), not ABS data.",
            "",
        ]
    word, _, detail = verdict.partition(": ")
    lines += _section("Reproduction verdict")
    lines += [f"**{rst(word)}**: {rst(detail)}.", ""]
    lines += _section("This run")
    lines += [run_paragraph(metas, published, verdict), ""]
    lines += _section("Data")
    lines += data_lines(metas)
    if settings:
        lines += [""] + _section("Configuration")
        lines += settings_lines(settings)
    return "\n".join(lines) + "\n"


def data_lines(metas: Sequence[Mapping]) -> list[str]:
    """One item per wave (its countries and respondents), its files beneath it: a wave read
    from several files has its counts once, on the wave's line."""
    lines = []
    for meta in metas:
        people = ", ".join(
            f"{rst(country_label(c))} {v['respondents']:,} ({v['year']})"
            for c, v in sorted(meta["countries"].items())
        )
        sources = meta["sources"]
        files = [
            f"{rst_literal(s['path'])} ({s['rows']:,} rows, sha256 {s['sha256'][:12]}…)"
            for s in sources
        ]
        if len(files) == 1:
            lines.append(f"- **{rst(meta['wave'])}**: {people}; file {files[0]}")
        else:
            lines.append(f"- **{rst(meta['wave'])}**: {people}; {len(files)} files:")
            lines.append("")
            lines += [f"  - {f}" for f in files]
            lines.append("")
    return lines


def settings_lines(settings: Mapping) -> list[str]:
    """The configuration a reader needs to read the numbers, as a short list."""
    weights = settings.get("weights") or {}
    nonresponse = {
        "exclude": "excluded from the denominator (substantive answers only)",
        "as_not_trusting": "counted as not trusting",
    }
    items = [
        ("countries", ", ".join(map(str, settings.get("countries", []))) or "all"),
        (
            "weights (headline)",
            "; ".join(f"{w} {'weighted' if on else 'unweighted'}" for w, on in weights.items()),
        ),
        ("nonresponse", nonresponse.get(settings.get("nonresponse"), settings.get("nonresponse"))),
        (
            "correlations",
            "; ".join(
                " × ".join(institution_label(str(i)) for i in pair)
                for pair in settings.get("correlations", [])
            ),
        ),
        ("methods", ", ".join(map(str, settings.get("methods", [])))),
        ("partial-correlation controls", ", ".join(map(str, settings.get("controls", [])))),
        ("published numbers", settings.get("published") or "none configured"),
        ("strict", "true: a failed published check fails the run"
         if settings.get("strict") else "false: a failed check is reported, the run goes on"),
    ]  # fmt: skip
    return [f"- **{name}**: {rst(value)}" for name, value in items if value] + [
        "",
        "The full configuration is listed at the end of this page.",
    ]


def caption_values(config: Mapping, headline: Mapping[str, Mapping[str, bool]]) -> dict:
    """The config values the report's captions (workflow/report/*.rst) print, escaped for
    reStructuredText (a caption is a Jinja template rendered without escaping).

    ``headline`` maps a name ("table4", "figure1", "all") to its waves' headline weighting.
    """
    table4 = config.get("table4") or {}
    figure1 = config.get("figure1") or {}
    values = {
        "table4_country": rst(country_label(table4.get("country", "china"))),
        "figure1_country": rst(country_label(figure1.get("country", "china"))),
        "waves": rst(", ".join(map(str, config["waves"]))),
        "correlations": rst(
            ", ".join(
                " × ".join(institution_label(str(i)) for i in pair)
                for pair in config.get("correlations", [])
            )
        ),
        "pair": rst(
            " and ".join(
                institution_label(str(i)) for i in (config.get("correlations") or [["", ""]])[0]
            )
        ),
        "methods": rst(", ".join(map(str, config.get("methods", [])))),
        "controls": rst(", ".join(map(str, config.get("controls", [])))),
        "nonresponse": rst(config.get("nonresponse", "exclude")),
        "strict": rst(str(config.get("strict", True)).lower()),
        "ci_method": rst(config.get("ci_method", "logit")),
        "min_effective_n": rst(config.get("min_effective_n", "")),
        "max_weight_share": rst(config.get("max_weight_share", "")),
    }
    for name, weights in headline.items():
        values[f"{name}_weighting"] = rst(
            "; ".join(f"{w} {'weighted' if on else 'unweighted'}" for w, on in weights.items())
        )
    return values


def landing_settings(config: Mapping, weights: Mapping[str, bool]) -> dict:
    """What the landing page lists of the configuration (`settings_lines`)."""
    return {
        "countries": config["countries"] if config["countries"] != "all" else ["all"],
        "weights": dict(weights),
        "nonresponse": config["nonresponse"],
        "correlations": config["correlations"],
        "methods": config["methods"],
        "controls": config["controls"],
        "published": config.get("published"),
        "strict": config["strict"],
    }


def report_docutils_settings(path: str) -> None:
    """Have docutils read the settings file ``path`` last, after the user's own.

    `snakemake --report` renders the landing page and the captions with docutils in its own
    process, with docutils' defaults, under which a ``.. raw:: html`` directive passes HTML
    through. docutils reads the files named in ``DOCUTILSCONFIG`` (else its standard ones) in
    order, later ones overriding; appending ours turns raw HTML off whatever else is set.
    """
    from docutils.frontend import OptionParser

    files = os.environ.get("DOCUTILSCONFIG")
    current = files.split(os.pathsep) if files else list(OptionParser.standard_config_files)
    if path not in current:
        os.environ["DOCUTILSCONFIG"] = os.pathsep.join([*current, path])
