"""Rounding as a printed table rounds: the last step before a number is written."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_away(value: float, decimals: int) -> float:
    """Round as a printed table does (0.25 -> 0.3), not as Python's banker's ``round``."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
