"""Raw release codes -> the harmonized respondent frame (design.md §3).

Every variable goes through one routine, `recode`: cast the codes to nullable integers, split
them into valid answers, nonresponse and *anything else* — and refuse anything else. A stray
5 in a four-point item, or a code the crosswalk forgot, must stop the run rather than become
a silent NaN or, worse, a valid answer.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from abs_trust.errors import CrosswalkMismatchError, DataError, format_counts
from abs_trust.harmonize.crosswalk import DEMOGRAPHICS, INSTITUTIONS, Concept, Crosswalk, WaveSpec


def as_codes(values: pd.Series, variable: str, file: str) -> pd.Series:
    """Cast pyreadstat's float codes to nullable ``Int64``; non-integers are an error."""
    numeric = pd.to_numeric(values, errors="coerce")
    # beyond 2**53 a float no longer holds an exact integer (fuzzing found 7.4e19 in a
    # corrupted file): no ABS code or id is that large
    too_large = numeric.abs() > 2**53
    bad = values.notna() & (numeric.isna() | (numeric.round() != numeric) | too_large)
    if bad.any():
        offending = values[bad].value_counts().head(10).to_dict()
        raise CrosswalkMismatchError(
            f"{file}: variable {variable!r} holds values that are not integer codes: "
            f"{format_counts(offending)}"
        )
    return numeric.round().astype("Int64")


def recode(values: pd.Series, concept: Concept, file: str) -> tuple[pd.Series, pd.Series]:
    """Recode one release variable according to its crosswalk `Concept`.

    Returns
    -------
    harmonized : pd.Series
        ``Int64``; <NA> where the answer is nonresponse or system-missing.
    nonresponse : pd.Series
        boolean, True where the answer was a nonresponse code or system-missing.

    Raises
    ------
    CrosswalkMismatchError
        listing the offending codes and their counts, and the codes that were expected.
    """
    codes = as_codes(values, concept.variable, file)
    if concept.recode is not None:
        valid = codes.isin(list(concept.recode))
    elif concept.valid is not None:
        valid = codes.isin(list(concept.valid))
    else:
        lo, hi = concept.valid_range
        valid = codes.between(lo, hi).fillna(False).astype(bool)
    valid = valid.fillna(False).astype(bool)
    nonresponse = codes.isin(list(concept.nonresponse)).fillna(False).astype(bool) | codes.isna()
    stray = ~(valid | nonresponse)
    if stray.any():
        offending = codes[stray].value_counts().to_dict()
        raise CrosswalkMismatchError(
            f"{file}: variable {concept.variable!r} ({concept.name}) has codes outside "
            f"valid ∪ nonresponse: {format_counts(offending)}; expected "
            f"{concept.describe_valid()} or nonresponse {list(concept.nonresponse)}"
        )
    kept = codes.where(valid)
    if concept.recode is not None:
        mapping = {k: v for k, v in concept.recode.items()}
        kept = kept.map(mapping, na_action="ignore").astype("Int64")
    return kept, nonresponse


def interview_year(values: pd.Series | None, spec: WaveSpec, file: str, n: int) -> pd.Series:
    """Interview year per respondent: a date's year (W3 ``ir9``), a year variable, or a constant."""
    if spec.year_variable is None:
        return pd.Series(np.full(n, spec.year_value), dtype="Int16")
    if spec.year_kind == "date":
        if not pd.api.types.is_datetime64_any_dtype(values):
            raise CrosswalkMismatchError(
                f"{file}: variable {spec.year_variable!r} is declared a date in the crosswalk but "
                f"is stored as {values.dtype} (expected an SPSS/Stata date format)"
            )
        return values.dt.year.astype("Int16")
    concept = Concept(
        name="year",
        variable=spec.year_variable,
        valid_range=(1990, 2100),
        nonresponse=spec.year_nonresponse,
    )
    return recode(values, concept, file)[0].astype("Int16")


def country_slugs(values: pd.Series, spec: WaveSpec, crosswalk: Crosswalk, file: str) -> pd.Series:
    """Country codes -> slugs; an unknown code is an error (it could be a miscoded file)."""
    codes = as_codes(values, spec.country_variable, file)
    unknown = ~codes.isin(list(crosswalk.countries)) & ~codes.isin(list(spec.country_nonresponse))
    unknown = unknown.fillna(True).astype(bool)
    if unknown.any():
        raise CrosswalkMismatchError(
            f"{file}: variable {spec.country_variable!r} has country codes not in the crosswalk: "
            f"{format_counts(codes[unknown].value_counts(dropna=False).to_dict())}"
        )
    return codes.map(dict(crosswalk.countries), na_action="ignore").astype("string")


def harmonize(raw: pd.DataFrame, spec: WaveSpec, crosswalk: Crosswalk, file: str) -> pd.DataFrame:
    """Turn one release file's columns (crosswalk spelling) into the harmonized frame.

    Columns: ``wave, year, country, respondent_id, weight, trust_<institution>`` for all 13
    institutions (all <NA> where the wave has no such item), then ``age, female, education,
    income, urban``, then ``psu`` and ``strata`` where the crosswalk names them. Trust runs
    1 = none at all ... K = the top category (higher = more trust).
    """
    n = len(raw)
    out = pd.DataFrame(index=raw.index)
    out["wave"] = pd.Series([spec.wave] * n, index=raw.index, dtype="string")
    year_values = raw[spec.year_variable] if spec.year_variable else None
    out["year"] = interview_year(year_values, spec, file, n).set_axis(raw.index)
    out["country"] = country_slugs(raw[spec.country_variable], spec, crosswalk, file)
    out["respondent_id"] = as_codes(raw[spec.id_variable], spec.id_variable, file)
    out["weight"] = _weights(raw, spec, file, out["country"])
    for institution in INSTITUTIONS:
        column = f"trust_{institution}"
        if institution in spec.items:
            concept = spec.trust_concept(institution)
            out[column] = recode(raw[concept.variable], concept, file)[0].astype("Int8")
        else:
            out[column] = pd.Series(pd.NA, index=raw.index, dtype="Int8")
    for name in DEMOGRAPHICS:
        concept = spec.demographics.get(name)
        dtype = "Int16" if name == "age" else "Int8"
        if concept is None:
            out[name] = pd.Series(pd.NA, index=raw.index, dtype=dtype)
        else:
            out[name] = recode(raw[concept.variable], concept, file)[0].astype(dtype)
    # design variables, only when the crosswalk names them (integer codes; none may be missing)
    for column, variable in (("psu", spec.psu_variable), ("strata", spec.strata_variable)):
        if variable:
            out[column] = as_codes(raw[variable], variable, file)
            if out[column].isna().any():
                raise CrosswalkMismatchError(
                    f"{file}: design variable {variable!r} ({column}) is missing in "
                    f"{int(out[column].isna().sum())} rows; every respondent needs one"
                )
    return out.reset_index(drop=True)


def _weights(raw: pd.DataFrame, spec: WaveSpec, file: str, country: pd.Series) -> pd.Series:
    """The survey weight, NaN for a country whose release has no weight at all.

    A release can leave a whole country without weights (W5: "no sampling weight information
    for Indonesia", abs_codebook.md §2): that country is analysed unweighted
    (`countries_without_weights`). A weight missing for some of a country's respondents, or
    negative, or not a number, is broken data and stops the run.
    """
    if spec.weight_variable is None:
        return pd.Series(1.0, index=raw.index, dtype="float64")
    weights = pd.to_numeric(raw[spec.weight_variable], errors="coerce").astype("float64")
    missing = weights.isna()
    whole_country = missing.groupby(country, dropna=False).transform("all")
    bad = (missing & ~whole_country) | np.isinf(weights) | (weights < 0)
    if bad.any():
        where = format_counts(country[bad].fillna("<no country>").value_counts())
        raise CrosswalkMismatchError(
            f"{file}: weight variable {spec.weight_variable!r} is missing, negative or not a "
            f"number in {int(bad.sum())} rows ({where}); a weight must be a finite number "
            ">= 0 (a country whose weights are all missing is analysed unweighted)"
        )
    return weights


def countries_without_weights(frame: pd.DataFrame) -> list[str]:
    """Countries whose weights are all missing (see `_weights`); they are analysed unweighted."""
    missing = frame["weight"].isna().groupby(frame["country"]).all()
    return sorted(str(c) for c in missing[missing].index)


def select_countries(
    frame: pd.DataFrame, countries: list[str] | str, wave: str, files
) -> tuple[pd.DataFrame, list[str]]:
    """Keep the configured countries; return them and the configured ones this wave lacks.

    ABS waves differ in coverage (no W1 file has Vietnam, no W6 file China): a configured
    country absent from one wave's file is skipped there and reported in the coverage table.
    Only a country that no configured wave has is an error (the `tables` job checks that,
    seeing every wave).
    """
    if countries == "all":
        return frame[frame["country"].notna()].reset_index(drop=True), []
    present = set(frame["country"].dropna().unique())
    absent = [c for c in countries if c not in present]
    return frame[frame["country"].isin(countries)].reset_index(drop=True), absent


def check_unique_ids(
    frame: pd.DataFrame, wave: str, files, known: Mapping[str, int] | None = None
) -> dict[str, int]:
    """``country + wave + respondent_id`` is the native ABS key: a repeated id means a bad merge.

    ``known`` (the crosswalk's ``respondent_id.known_duplicates``) lets a country's rows repeat
    up to that many ids: a documented quirk of a release (W5 has 2 duplicate Hong Kong ids,
    abs_codebook.md §2). Those rows are interviews as the release distributes them, so they
    are kept: which of two rows to drop would be a guess. More repeats than declared, or any
    repeat in another country (e.g. a country file listed twice), is still an error.

    Returns
    -------
    dict
        country -> rows repeating an id already used in that country (0 where none).

    Raises
    ------
    DataError
        naming the files, the countries and example ids.
    """
    key = ["country", "respondent_id"]
    repeats = frame.loc[frame.duplicated(key, keep="first"), "country"].value_counts()
    found = {str(country): int(repeats.get(country, 0)) for country in frame["country"].unique()}
    known = known or {}
    refused = sorted(c for c, n in found.items() if n > known.get(c, 0))
    if refused:
        dup = frame.duplicated(key, keep=False) & frame["country"].isin(refused)
        examples = frame.loc[dup, key].drop_duplicates().head(5)
        pairs = ", ".join(f"{c}/{i}" for c, i in examples.itertuples(index=False))
        declared = [f"{known[c]} in {c}" for c in refused if c in known]
        allowance = (
            f"; the crosswalk's respondent_id.known_duplicates accepts {', '.join(declared)}"
            if declared
            else ""
        )
        raise DataError(
            f"{', '.join(map(str, files))}: wave {wave}: {int(dup.sum())} rows share a respondent "
            f"id within a country (e.g. {pairs}); expected one row per respondent{allowance}"
        )
    return found
