"""Ingest one wave: release file(s) -> checked, harmonized respondents + a metadata sidecar.

The order is deliberate: read the dictionary, check every variable's labels against the
crosswalk, and only then recode. A file that disagrees with the crosswalk is refused before
a single number is produced from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from abs_trust.errors import AbsTrustError
from abs_trust.harmonize.crosswalk import Crosswalk, WaveSpec
from abs_trust.harmonize.label_checks import check_country_labels, check_value_labels
from abs_trust.harmonize.recode import (
    check_unique_ids,
    countries_without_weights,
    harmonize,
    select_countries,
)
from abs_trust.harmonize.schema import validate_harmonized
from abs_trust.readers.columns import ReleaseFile
from abs_trust.readers.release import read_releases

SYNTHETIC_MARK = "SYNTHETIC"


def _used_codes(values: pd.Series) -> set[float]:
    """The distinct numeric codes in a column (what respondents answered)."""
    return set(pd.to_numeric(values, errors="coerce").dropna().unique().tolist())


def check_release_labels(
    release: ReleaseFile, spec: WaveSpec, crosswalk: Crosswalk | None = None
) -> list[str]:
    """Trust items, labelled demographics and (given the crosswalk) the country variable must
    carry the value labels the crosswalk expects; returns the warnings (codes the file leaves
    unlabelled that nobody uses, see `check_value_labels`)."""
    warnings = []
    concepts = [spec.trust_concept(i) for i in spec.items] + list(spec.demographics.values())
    for concept in concepts:
        warnings += check_value_labels(
            concept,
            release.value_labels.get(concept.variable),
            release.path,
            _used_codes(release.data[concept.variable]),
        )
    if crosswalk is not None:
        variable = spec.country_variable
        warnings += check_country_labels(
            crosswalk,
            variable,
            release.value_labels.get(variable),
            release.path,
            _used_codes(release.data[variable]),
        )
    return warnings


def ingest_wave(
    files: list[str],
    spec: WaveSpec,
    crosswalk: Crosswalk,
    countries: list[str] | str,
    encoding: str | None = None,
    on_releases: Callable[[list[ReleaseFile]], None] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Read, check and harmonize every file of one wave.

    ``on_releases``, if given, is called with the checked release files (raw codes and
    labels) before recoding: the wave job builds the harmonization provenance from them.

    Returns
    -------
    frame : pd.DataFrame
        the harmonized respondents of the configured countries (contract in design.md §3).
    meta : dict
        JSON-serialisable facts the analyses need: sources and checksums, whether the data
        are the synthetic fixture, the trust scale, and respondents and modal year per country.
    """
    releases = read_releases(files, spec.variables(), encoding=encoding)
    sources, warnings = [], []
    for path, release in zip(files, releases, strict=True):
        warnings += check_release_labels(release, spec, crosswalk)
        sources.append(
            {
                "path": str(path),
                "sha256": release.sha256,
                "file_label": release.file_label,
                "rows": release.n_rows,
                "declared_user_missing": sorted(release.missing_ranges),
            }
        )
    if on_releases is not None:
        on_releases(releases)
    frame = harmonize_releases(releases, spec, crosswalk)
    frame, absent = select_countries(frame, countries, spec.wave, files)
    repeated = check_unique_ids(frame, spec.wave, files, spec.known_duplicate_ids)
    # A country released without weights is analysed unweighted, as one whose weight does not
    # vary: weight 1 in the frame, and the sidecar says why (`weight_missing`).
    weightless = countries_without_weights(frame)
    frame = frame.assign(weight=frame["weight"].fillna(1.0))
    frame = validate_harmonized(
        frame,
        spec.scale.points,
        sorted(crosswalk.countries.values()),
        ", ".join(files),
        unique_key=not any(repeated.values()),
    )
    meta = wave_metadata(frame, spec, sources, repeated, weightless)
    meta["countries_absent"] = absent
    meta["label_warnings"] = warnings
    return frame, meta


def harmonize_releases(
    releases: list[ReleaseFile], spec: WaveSpec, crosswalk: Crosswalk
) -> pd.DataFrame:
    """Harmonize the files of one wave together (W6 comes as a dozen country files).

    One pass over the stacked columns costs what one file costs; recoding file by file would
    pay that cost per file. A file with a bad code still gets an error naming it: on failure the
    files are harmonized one at a time, so the first bad one raises with its own name.
    """
    if len(releases) == 1:
        return harmonize(releases[0].data, spec, crosswalk, releases[0].path)
    stacked = pd.concat([r.data for r in releases], ignore_index=True)
    try:
        return harmonize(stacked, spec, crosswalk, ", ".join(r.path for r in releases))
    except AbsTrustError:
        for release in releases:
            harmonize(release.data, spec, crosswalk, release.path)
        raise


def wave_metadata(
    frame: pd.DataFrame,
    spec: WaveSpec,
    sources: list[dict],
    repeated_ids: Mapping[str, int] | None = None,
    without_weights: Sequence[str] = (),
) -> dict:
    """The sidecar written beside the parquet; aggregates only (counts, years), no rows.

    ``repeated_ids``: country -> rows that repeat a respondent id, as the crosswalk allows for
    a known quirk of the release (`harmonize.check_unique_ids`); counted, never listed.
    ``without_weights``: countries whose release has no weights (analysed unweighted).
    """
    repeated_ids = repeated_ids or {}
    by_country = {}
    for country, group in frame.groupby("country", sort=True):
        years = group["year"].dropna()
        by_country[str(country)] = {
            "respondents": len(group),
            "rows_repeating_an_id": int(repeated_ids.get(str(country), 0)),
            # W1/W2 weights are disputed (abs_codebook.md §2): a weight that does not vary
            # within a country is no weight; tables then say so and use unweighted shares.
            # Weights that are all 0 are no constant: they are unusable, and the weighted
            # estimates are attempted so that each is refused with that reason.
            "weight_varies": bool(
                spec.weight_variable
                and (group["weight"].nunique() > 1 or (group["weight"] == 0).all())
            ),
            "weight_missing": bool(spec.weight_variable) and str(country) in without_weights,
            # Fieldwork can straddle years (W4 China: Dec 2014 - Jun 2016); the modal year
            # is the wave's label for that country, as publications use it.
            "year": int(years.mode().min()) if len(years) else None,
        }
    return {
        "wave": spec.wave,
        "sources": sources,
        "synthetic": any(SYNTHETIC_MARK in s["file_label"].upper() for s in sources),
        "weight_variable": spec.weight_variable,
        "psu_variable": spec.psu_variable,
        "strata_variable": spec.strata_variable,
        "scale": {
            "name": spec.scale.name,
            "points": spec.scale.points,
            "trusting_levels": list(spec.scale.trusting_levels),
            "level_labels": list(spec.scale.level_labels),
            "comparable": spec.scale.comparable,
        },
        "items": dict(spec.items),
        "countries": by_country,
    }


def write_wave(frame: pd.DataFrame, meta: dict, parquet: str | Path, sidecar: str | Path) -> None:
    """Write the harmonized frame (parquet) and its metadata (JSON)."""
    frame.to_parquet(parquet, index=False)
    Path(sidecar).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_wave(parquet: str | Path, sidecar: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read a harmonized wave back (dtypes survive the parquet round trip)."""
    return pd.read_parquet(parquet), json.loads(Path(sidecar).read_text(encoding="utf-8"))
