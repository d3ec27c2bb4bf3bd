"""The harmonized respondent frame's contract (design.md §3) as a pandera schema.

Ingest validates every frame before writing it, so the analyses downstream can rely on the
contract instead of re-checking it: trust in 1..K, weights positive, one row per respondent.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from abs_trust.errors import DataError
from abs_trust.harmonize.crosswalk import INSTITUTIONS


def harmonized_schema(
    points: int, countries: list[str], unique_key: bool = True
) -> pa.DataFrameSchema:
    """Schema of one wave's harmonized frame, trust items on a ``points``-level scale.

    ``unique_key=False`` drops the one-row-per-``country + respondent_id`` check, for a wave
    whose release repeats ids the crosswalk declares (`harmonize.check_unique_ids` has then
    checked the key against that declaration).
    """
    trust = {
        f"trust_{name}": pa.Column("Int8", pa.Check.in_range(1, points), nullable=True)
        for name in INSTITUTIONS
    }
    return pa.DataFrameSchema(
        {
            "wave": pa.Column("string", pa.Check.str_matches(r"^W[0-9A-Za-z_]+$")),
            "year": pa.Column("Int16", pa.Check.in_range(1990, 2100), nullable=True),
            "country": pa.Column("string", pa.Check.isin(countries)),
            "respondent_id": pa.Column("Int64"),
            "weight": pa.Column("float64", pa.Check.ge(0)),
            **trust,
            "age": pa.Column("Int16", pa.Check.in_range(15, 110), nullable=True),
            "female": pa.Column("Int8", pa.Check.isin([0, 1]), nullable=True),
            "education": pa.Column("Int8", pa.Check.in_range(1, 10), nullable=True),
            "income": pa.Column("Int8", pa.Check.in_range(1, 5), nullable=True),
            "urban": pa.Column("Int8", pa.Check.isin([0, 1]), nullable=True),
            # design variables: only where the crosswalk names them
            "psu": pa.Column("Int64", required=False),
            "strata": pa.Column("Int64", required=False),
        },
        unique=["country", "respondent_id"] if unique_key else None,
        strict=True,
        ordered=True,
        coerce=False,
    )


def validate_harmonized(
    frame: pd.DataFrame, points: int, countries: list[str], source: str, unique_key: bool = True
):
    """Validate ``frame``; every failure case is reported, then a `DataError` is raised."""
    try:
        return harmonized_schema(points, countries, unique_key).validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check", "failure_case"]].drop_duplicates().head(20)
        raise DataError(
            f"{source}: harmonized frame breaks the contract:\n{cases.to_string(index=False)}"
        ) from exc
